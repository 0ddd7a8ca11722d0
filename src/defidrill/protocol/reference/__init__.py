"""The reference protocol: our LendingPool behind an OracleGuard, deployed over the market, and its adapter."""
