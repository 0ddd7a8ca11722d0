// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Every struct the lending pool, its libraries and the periphery share (Aave's DataTypes).
/// @dev Units: `Base` = raw units of the base token (10**baseDecimals per whole token), `Raw` = raw units of
///      a collateral token, `UsdWad` = USD scaled 1e18, `Wad` = 1e18 fixed point, `Bps` = 1e4 = 100%.
library DataTypes {
    /// @notice Risk parameters of one collateral asset.
    struct CollateralConfig {
        /// @dev True once `listCollateral` ran for the asset (listing is permanent; parameters can change).
        bool listed;
        /// @dev The token's decimals, read once at listing (1 whole token = 10**decimals raw units).
        uint8 decimals;
        /// @dev Loan-to-value in bps: share of the collateral's USD value that may be borrowed against.
        uint16 ltvBps;
        /// @dev Liquidation threshold in bps: share of the USD value that counts in the health factor.
        uint16 liquidationThresholdBps;
        /// @dev Liquidation bonus in bps ON TOP of the repaid value (500 = the liquidator receives 105%).
        uint16 liquidationBonusBps;
        /// @dev Maximum total deposits of the asset in raw units; 0 = no cap (Aave's convention).
        uint256 supplyCap;
    }

    /// @notice Kinked (two-slope) borrow-rate model; every field is a per-year rate or a ratio, Wad.
    struct RateModel {
        uint256 baseRatePerYearWad;
        uint256 slope1PerYearWad;
        uint256 slope2PerYearWad;
        /// @dev Utilisation where the second slope starts, strictly between 0 and 1e18.
        uint256 kinkWad;
    }

    /// @notice Aave V3 close factor: `defaultBps` of the debt may be repaid per liquidation, all of it
    ///         once the health factor is at or below `fullCloseHealthFactorWad`.
    struct CloseFactor {
        uint256 defaultBps;
        uint256 fullCloseHealthFactorWad;
    }

    /// @notice The market's interest state (Compound style: balances are principals times an index).
    struct Market {
        /// @dev Debt of 1 principal unit in base units, Wad (starts at 1e18, only grows).
        uint256 borrowIndexWad;
        /// @dev Claim of 1 supply principal unit in base units, Wad (starts at 1e18, only grows).
        uint256 supplyIndexWad;
        /// @dev Sum of every account's borrow principal.
        uint256 totalBorrowPrincipal;
        /// @dev Sum of every account's supply principal.
        uint256 totalSupplyPrincipal;
        /// @dev Protocol equity in base units; bad debt can drive it below zero.
        int256 totalReservesBase;
        /// @dev Block timestamp of the last accrual, seconds.
        uint256 lastAccrualTimestamp;
    }

    /// @notice What an accrual up to now produces (computed by a view, written by `accrue`).
    struct Accrual {
        uint256 borrowIndexWad;
        uint256 supplyIndexWad;
        int256 totalReservesBase;
        /// @dev Growth of the market's total borrow over the period, base units.
        uint256 interestBase;
        /// @dev What reserves receive: the reserve factor's share of `interestBase` (floored) plus the
        ///      supply index's rounding (`roundingBase`), so reserves + supplied grow by exactly the interest.
        uint256 reservesAddedBase;
        /// @dev The part of the lenders' share the supply index cannot carry (its floor), kept in reserves.
        uint256 roundingBase;
    }

    /// @notice The books in present value at the written indices: what the pool owes and is owed.
    struct Books {
        /// @dev ceil(totalBorrowPrincipal x borrowIndex), base units.
        uint256 borrowsBase;
        /// @dev floor(totalSupplyPrincipal x supplyIndex), base units.
        uint256 suppliedBase;
        int256 reservesBase;
    }

    /// @notice One collateral position as the valuation needs it.
    struct CollateralInput {
        uint256 balanceRaw;
        /// @dev USD per whole token, Wad; 0 when the price is unavailable (views only).
        uint256 priceUsdWad;
        uint8 decimals;
        uint16 ltvBps;
        uint16 liquidationThresholdBps;
    }

    /// @notice An account valued at given prices (see AccountLogic for the exact rounding).
    struct AccountValues {
        uint256 collateralValueUsdWad;
        uint256 liquidationValueUsdWad;
        uint256 borrowLimitUsdWad;
        uint256 debtBase;
        uint256 debtUsdWad;
        /// @dev liquidationValue / debtValue, Wad; type(uint256).max when there is no debt.
        uint256 healthFactorWad;
    }

    /// @notice Inputs of the liquidation amounts (all prices USD per whole token, Wad).
    struct LiquidationInput {
        uint256 debtBase;
        uint256 healthFactorWad;
        uint256 requestedRepayBase;
        uint256 collateralBalanceRaw;
        uint256 basePriceUsdWad;
        uint256 collateralPriceUsdWad;
        uint256 baseUnit;
        uint256 collateralUnit;
        uint256 liquidationBonusBps;
        uint256 closeFactorDefaultBps;
        uint256 fullCloseHealthFactorWad;
    }
}
