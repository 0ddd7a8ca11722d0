// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A TWAP price source the oracle guard can use as primary (mode TWAP) or fallback (TwapOracle).
interface ITwapPriceSource {
    /// @notice The asset this source prices.
    function baseToken() external view returns (address);

    /// @notice Time-weighted price of one whole base token in USD, 1e18-scaled; reverts when unavailable.
    function priceWad() external view returns (uint256);
}
