// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMorphoOracle} from "./IMorphoBlue.sol";
import {IPriceOracle} from "../../interfaces/IPriceOracle.sol";

/// @title Morpho Blue's IOracle for one market, over the drill's oracle guard (USD prices of both tokens).
/// @notice price() = one raw collateral unit in raw loan units, scaled 1e36 (Morpho's ORACLE_PRICE_SCALE):
///         collateralUsdWad x 10^(36 + loanDecimals - collateralDecimals) / loanUsdWad, rounded down.
///         Morpho itself checks nothing about the price (no staleness, bounds or deviation): whatever
///         rules apply are the guard's, configured by the drill (`naive` mode: the feed's answer as is).
///         Nothing here can be changed after deployment: there is no owner and no setter.
contract MorphoGuardOracle is IMorphoOracle {
    /// @dev Morpho's ORACLE_PRICE_SCALE (ConstantsLib).
    uint256 public constant ORACLE_PRICE_SCALE = 1e36;
    /// @dev Largest power of ten the scale may take: keeps collateralUsdWad x SCALE inside uint256 for any
    ///      price below 1e9 USD a whole token (1e27 wad x 1e50 < 2^256).
    uint256 internal constant MAX_SCALE_EXPONENT = 50;

    /// @notice The guard refused a price of `asset` this block (stale, at a bound, sequencer down...).
    error PriceUnavailable(address asset);
    /// @notice 36 + loanDecimals - collateralDecimals is negative or above MAX_SCALE_EXPONENT.
    error DecimalsOutOfRange(uint8 collateralDecimals, uint8 loanDecimals);

    IPriceOracle public immutable SOURCE;
    address public immutable COLLATERAL_TOKEN;
    address public immutable LOAN_TOKEN;
    /// @dev 10^(36 + loanDecimals - collateralDecimals): USD wad ratio -> raw loan per raw collateral x 1e36.
    uint256 public immutable SCALE;

    constructor(IPriceOracle source, address collateralToken, uint8 collateralDecimals, address loanToken, uint8 loanDecimals) {
        if (uint256(collateralDecimals) > 36 + uint256(loanDecimals)) {
            revert DecimalsOutOfRange(collateralDecimals, loanDecimals);
        }
        uint256 exponent = 36 + uint256(loanDecimals) - uint256(collateralDecimals);
        if (exponent > MAX_SCALE_EXPONENT) revert DecimalsOutOfRange(collateralDecimals, loanDecimals);
        SOURCE = source;
        COLLATERAL_TOKEN = collateralToken;
        LOAN_TOKEN = loanToken;
        SCALE = 10 ** exponent;
    }

    /// @notice One raw collateral unit in raw loan units x 1e36, rounded down; reverts PriceUnavailable
    ///         when the guard refuses either price (Morpho then refuses borrows, withdrawals and liquidations).
    function price() external view override returns (uint256) {
        (uint256 collateralUsdWad, bool collateralOk) = SOURCE.peekPrice(COLLATERAL_TOKEN);
        if (!collateralOk) revert PriceUnavailable(COLLATERAL_TOKEN);
        (uint256 loanUsdWad, bool loanOk) = SOURCE.peekPrice(LOAN_TOKEN);
        if (!loanOk || loanUsdWad == 0) revert PriceUnavailable(LOAN_TOKEN);
        return collateralUsdWad * SCALE / loanUsdWad;
    }
}
