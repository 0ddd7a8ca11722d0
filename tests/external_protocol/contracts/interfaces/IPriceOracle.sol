// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Compound V2's oracle shape: the price of one raw unit of a market's underlying, in USD,
///         scaled by 1e36 / 10^underlyingDecimals (so price * amountRaw / 1e18 is USD in wad).
///         Zero means "no usable price" and every check that needs it fails.
interface IPriceOracle {
    function getUnderlyingPrice(address cToken) external view returns (uint256 priceMantissa);
}
