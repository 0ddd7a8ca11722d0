// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ILendingPool} from "../../interfaces/ILendingPool.sol";
import {DataTypes} from "./DataTypes.sol";
import {WadMath} from "./WadMath.sol";

/// @title Every check of the lending pool in one place (Aave's ValidationLogic); each reverts with the
///        custom error of ILendingPool named after the broken condition.
library ValidationLogic {
    using WadMath for uint256;

    /// @dev Bounds the loops of every health check (Aave caps reserves at 128; a drill needs a handful).
    uint256 internal constant MAX_COLLATERAL_ASSETS = 16;
    /// @dev 10**30 * price(1e24) * balance stays far below 2**256; no real token has more decimals.
    uint8 internal constant MAX_DECIMALS = 30;

    /// @notice Risk parameters of a collateral: 0 < LT <= 100%, LTV <= LT, bonus > 0 and
    ///         percentMul(LT, 1e4 + bonus) <= 100% (Aave V3 `PoolConfigurator.configureReserveAsCollateral`).
    function validateCollateralParams(uint256 ltvBps, uint256 liquidationThresholdBps, uint256 liquidationBonusBps)
        internal
        pure
    {
        if (liquidationThresholdBps == 0 || liquidationThresholdBps > WadMath.BPS) {
            revert ILendingPool.InvalidLiquidationThreshold(liquidationThresholdBps);
        }
        if (ltvBps > liquidationThresholdBps) revert ILendingPool.LtvAboveThreshold(ltvBps, liquidationThresholdBps);
        if (liquidationBonusBps == 0) revert ILendingPool.ZeroLiquidationBonus();
        if (liquidationThresholdBps.bpsMulHalfUp(WadMath.BPS + liquidationBonusBps) > WadMath.BPS) {
            revert ILendingPool.LiquidationNotCollateralised(liquidationThresholdBps, liquidationBonusBps);
        }
    }

    /// @notice 0 < default close factor <= 100%, full-close health factor <= 1.
    function validateCloseFactor(uint256 defaultBps, uint256 fullCloseHealthFactorWad) internal pure {
        if (defaultBps == 0 || defaultBps > WadMath.BPS || fullCloseHealthFactorWad > WadMath.WAD) {
            revert ILendingPool.InvalidCloseFactor(defaultBps, fullCloseHealthFactorWad);
        }
    }

    /// @notice 0 < kink < 1 (both slopes' divisions need it).
    function validateRateModel(uint256 kinkWad) internal pure {
        if (kinkWad == 0 || kinkWad >= WadMath.WAD) revert ILendingPool.InvalidKink(kinkWad);
    }

    /// @notice reserve factor <= 100%.
    function validateReserveFactor(uint256 reserveFactorBps) internal pure {
        if (reserveFactorBps > WadMath.BPS) revert ILendingPool.ReserveFactorTooHigh(reserveFactorBps);
    }

    /// @notice A deposit keeps the asset under its supply cap (0 = uncapped).
    function validateSupplyCap(address asset, uint256 supplyCapRaw, uint256 totalAfterRaw) internal pure {
        if (supplyCapRaw != 0 && totalAfterRaw > supplyCapRaw) {
            revert ILendingPool.SupplyCapExceeded(asset, supplyCapRaw, totalAfterRaw);
        }
    }

    /// @notice The pool can pay `requestedBase` out of its cash.
    function validateCash(uint256 cashBase, uint256 requestedBase) internal pure {
        if (requestedBase > cashBase) revert ILendingPool.InsufficientCash(cashBase, requestedBase);
    }

    /// @notice After a borrow or collateral withdrawal, debt (USD) must stay within the borrow limit
    ///         sum(value_i * ltv_i) (Compound III `isBorrowCollateralized`).
    function validateCollateralized(address account, DataTypes.AccountValues memory v) internal pure {
        if (v.debtUsdWad > v.borrowLimitUsdWad) {
            revert ILendingPool.NotCollateralized(account, v.borrowLimitUsdWad, v.debtUsdWad);
        }
    }

    /// @notice A liquidation needs debt, collateral of the chosen asset and a health factor below 1.
    function validateLiquidation(address account, address asset, uint256 debtBase, uint256 collateralRaw) internal pure {
        if (debtBase == 0) revert ILendingPool.NoDebt(account);
        if (collateralRaw == 0) revert ILendingPool.NoCollateralToSeize(account, asset);
    }

    /// @notice Health factor strictly below 1e18 (Aave `HEALTH_FACTOR_LIQUIDATION_THRESHOLD`).
    function validateUnhealthy(address account, uint256 healthFactorWad) internal pure {
        if (healthFactorWad >= WadMath.WAD) revert ILendingPool.HealthyAccount(account, healthFactorWad);
    }
}
