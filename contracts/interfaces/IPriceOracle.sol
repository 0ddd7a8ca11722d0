// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The price source the lending pool reads through (implemented by OracleGuard).
/// @dev Prices are USD per one whole token, scaled to 1e18 ("wad"), whatever the feed's decimals.
interface IPriceOracle {
    /// @notice Price of one whole `asset` in USD, 1e18-scaled. Applies every configured rule,
    ///         emits an event for each rule that fires, and reverts with `PriceUnavailable`
    ///         when no source passes.
    function getPrice(address asset) external returns (uint256 priceWad);

    /// @notice Same rules as `getPrice` without events or reverts, for lenses and off-chain scans.
    /// @return priceWad the price that `getPrice` would return now (0 when none would pass)
    /// @return ok whether `getPrice` would succeed now
    function peekPrice(address asset) external view returns (uint256 priceWad, bool ok);
}
