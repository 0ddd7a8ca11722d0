// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IPriceOracle} from "../interfaces/IPriceOracle.sol";

/// @title An IPriceOracle whose prices the owner sets, for testing the lending pool in isolation.
/// @notice Prices are USD per whole token, Wad. A price of 0 or an asset switched to `unavailable`
///         makes `getPrice` revert with `PriceUnavailable` and `peekPrice` return (0, false), which is
///         how the real OracleGuard behaves when no source passes its rules.
contract FixedPriceOracle is IPriceOracle {
    /// @notice Only the owner may set prices.
    error NotOwner(address caller);
    /// @notice No usable price for `asset` (never set, set to 0, or switched off).
    error PriceUnavailable(address asset);

    event PriceSet(address indexed asset, uint256 priceWad);
    event AvailabilitySet(address indexed asset, bool available);

    /// @notice The deployer; the only account that may change prices.
    address public immutable owner;
    mapping(address asset => uint256 priceWad) internal _prices;
    mapping(address asset => bool) public unavailable;

    constructor() {
        owner = msg.sender;
    }

    /// @notice Sets the price of one whole `asset` in USD, Wad (owner only).
    function setPrice(address asset, uint256 priceWad) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _prices[asset] = priceWad;
        emit PriceSet(asset, priceWad);
    }

    /// @notice Switches `asset`'s price off (`available` = false) or back on (owner only).
    function setAvailable(address asset, bool available) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        unavailable[asset] = !available;
        emit AvailabilitySet(asset, available);
    }

    /// @inheritdoc IPriceOracle
    function getPrice(address asset) external view override returns (uint256 priceWad) {
        bool ok;
        (priceWad, ok) = _peek(asset);
        if (!ok) revert PriceUnavailable(asset);
    }

    /// @inheritdoc IPriceOracle
    function peekPrice(address asset) external view override returns (uint256 priceWad, bool ok) {
        return _peek(asset);
    }

    function _peek(address asset) internal view returns (uint256 priceWad, bool ok) {
        priceWad = _prices[asset];
        ok = priceWad != 0 && !unavailable[asset];
        if (!ok) priceWad = 0;
    }
}
