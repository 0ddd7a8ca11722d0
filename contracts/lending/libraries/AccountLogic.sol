// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {DataTypes} from "./DataTypes.sol";
import {WadMath} from "./WadMath.sol";

/// @title Values an account at given prices: collateral, liquidation value, borrow limit, debt, health factor.
/// @notice The pool (at oracle `getPrice`) and the Lens (at `peekPrice`) run this same function, so a lens
///         scan equals the per-account views exactly.
library AccountLogic {
    using WadMath for uint256;

    /// @notice Values the account. Per collateral i with a non-zero balance:
    ///           value_i     = floor(balance_i * price_i / 10**decimals_i)            (USD, Wad)
    ///           collateral  = sum value_i
    ///           liquidation = sum floor(value_i * liquidationThreshold_i / 1e4)
    ///           borrowLimit = sum floor(value_i * ltv_i / 1e4)
    ///         and debtUsd = ceil(debtBase * basePrice / 10**baseDecimals),
    ///         healthFactor = floor(liquidation * 1e18 / debtUsd), or type(uint256).max when debtUsd == 0.
    /// @dev Every rounding makes the account look weaker (collateral down, debt up): in the protocol's favour.
    ///      A zero price (a view whose price is unavailable) values that collateral at 0; a zero base price
    ///      values the debt at 0, so the health factor reads as max: callers that cannot vouch for their
    ///      prices must say so (the Lens returns `pricesOk`).
    function value(DataTypes.CollateralInput[] memory collaterals, uint256 debtBase, uint256 basePriceUsdWad, uint256 baseUnit)
        internal
        pure
        returns (DataTypes.AccountValues memory v)
    {
        for (uint256 i = 0; i < collaterals.length; ++i) {
            DataTypes.CollateralInput memory c = collaterals[i];
            if (c.balanceRaw == 0) continue;
            uint256 valueUsdWad = c.balanceRaw.mulDivDown(c.priceUsdWad, 10 ** c.decimals);
            v.collateralValueUsdWad += valueUsdWad;
            v.liquidationValueUsdWad += valueUsdWad.bpsMulDown(c.liquidationThresholdBps);
            v.borrowLimitUsdWad += valueUsdWad.bpsMulDown(c.ltvBps);
        }
        v.debtBase = debtBase;
        v.debtUsdWad = debtBase.mulDivUp(basePriceUsdWad, baseUnit);
        v.healthFactorWad =
            v.debtUsdWad == 0 ? type(uint256).max : v.liquidationValueUsdWad.mulDivDown(WadMath.WAD, v.debtUsdWad);
    }
}
