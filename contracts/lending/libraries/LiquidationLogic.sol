// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {DataTypes} from "./DataTypes.sol";
import {WadMath} from "./WadMath.sol";

/// @title How much debt a liquidation repays and how much collateral it seizes (Aave V3 formulas).
library LiquidationLogic {
    using WadMath for uint256;

    /// @notice Repaid base and seized collateral for a liquidation request.
    /// @dev Step by step (B = 1e4 + bonusBps, P = USD per whole token Wad, U = 10**decimals):
    ///      1. close factor = 100% when HF <= fullCloseHealthFactor, else the default (Aave V3:
    ///         `healthFactor > CLOSE_FACTOR_HF_THRESHOLD ? DEFAULT_LIQUIDATION_CLOSE_FACTOR : MAX_...`);
    ///      2. maxRepay = percentMul(debt, closeFactor) (Aave's half-up), repay = min(requested, maxRepay);
    ///      3. baseCollateral = floor(P_base * repay * U_coll / (P_coll * U_base)),
    ///         seize = percentMul(baseCollateral, B) (Aave V3 `_calculateAvailableCollateralToLiquidate`);
    ///      4. if seize > balance: seize = balance and
    ///         repay = ceil(P_coll * balance * U_base * 1e4 / (P_base * U_coll * B)) — one rounding, up, in the
    ///         protocol's favour (Aave floors the value first, then rounds the division half-up in <= 3.2
    ///         and up in 3.3; ours is never below either and never above the step-2 repay).
    ///      Operands stay far below 2**256 for any real price and supply (e.g. 1e24 * 1e30 * 1e18 * 1e4).
    function computeAmounts(DataTypes.LiquidationInput memory p)
        internal
        pure
        returns (uint256 repaidBase, uint256 seizedRaw)
    {
        uint256 closeFactorBps = p.healthFactorWad > p.fullCloseHealthFactorWad ? p.closeFactorDefaultBps : WadMath.BPS;
        uint256 maxRepayBase = p.debtBase.bpsMulHalfUp(closeFactorBps);
        repaidBase = p.requestedRepayBase < maxRepayBase ? p.requestedRepayBase : maxRepayBase;

        uint256 bonusFactorBps = WadMath.BPS + p.liquidationBonusBps;
        uint256 baseCollateralRaw =
            (p.basePriceUsdWad * repaidBase).mulDivDown(p.collateralUnit, p.collateralPriceUsdWad * p.baseUnit);
        seizedRaw = baseCollateralRaw.bpsMulHalfUp(bonusFactorBps);

        if (seizedRaw > p.collateralBalanceRaw) {
            seizedRaw = p.collateralBalanceRaw;
            repaidBase = (p.collateralPriceUsdWad * seizedRaw).mulDivUp(
                p.baseUnit * WadMath.BPS, p.basePriceUsdWad * p.collateralUnit * bonusFactorBps
            );
        }
    }
}
