"""ape's own fixtures (project, accounts, chain) apply here, not defidrill's."""
