// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {LendingPoolValuation} from "./LendingPoolValuation.sol";
import {DataTypes} from "./libraries/DataTypes.sol";
import {InterestLogic} from "./libraries/InterestLogic.sol";
import {AccountLogic} from "./libraries/AccountLogic.sol";
import {LiquidationLogic} from "./libraries/LiquidationLogic.sol";
import {ValidationLogic} from "./libraries/ValidationLogic.sol";

/// @title The lending pool's external views: configuration, account values and balances, liquidation
///        previews, totals, indices and rates, all as of this block (interest previewed, never written).
abstract contract LendingPoolViews is LendingPoolValuation {
    /// @notice Listed collateral assets, in listing order (the order of every per-asset array).
    function collateralAssets() external view override returns (address[] memory) {
        return _collateralAssets;
    }

    /// @notice Risk parameters of `asset` (all zero when unlisted).
    function collateralConfig(address asset) external view override returns (DataTypes.CollateralConfig memory) {
        return _collateralConfigs[asset];
    }

    /// @notice Close factor: default share of the debt in bps, and the health factor (Wad) at or below
    ///         which the whole debt may be repaid.
    function closeFactor() external view override returns (uint256 defaultBps, uint256 fullCloseHealthFactorWad) {
        return (_closeFactor.defaultBps, _closeFactor.fullCloseHealthFactorWad);
    }

    /// @notice The kinked model: per-year rates and the kink, all Wad.
    function rateModel()
        external
        view
        override
        returns (uint256 baseRatePerYearWad, uint256 slope1PerYearWad, uint256 slope2PerYearWad, uint256 kinkWad)
    {
        DataTypes.RateModel memory m = _rateModel;
        return (m.baseRatePerYearWad, m.slope1PerYearWad, m.slope2PerYearWad, m.kinkWad);
    }

    /// @notice Health factor (Wad) as of this block, at `peekPrice` prices; max uint without debt.
    /// @dev A collateral whose price is unavailable counts as worth 0 (the account looks weaker); an
    ///      unavailable base price values the debt at 0, so the result reads max uint. Use the Lens's
    ///      `pricesOk` (or `previewLiquidation`, which reverts instead) to tell these cases apart.
    function healthFactor(address account) external view override returns (uint256 healthFactorWad) {
        return _viewValues(account).healthFactorWad;
    }

    /// @notice The account valued as of this block at `peekPrice` prices (same rules as `healthFactor`).
    /// @return collateralValueUsdWad sum of balance x price, USD Wad (floored per asset)
    /// @return liquidationValueUsdWad sum of value x liquidation threshold, USD Wad
    /// @return borrowLimitUsdWad sum of value x ltv, USD Wad
    /// @return debtBase debt in base raw units (rounded up)
    /// @return debtUsdWad debt x base price, USD Wad (rounded up)
    /// @return healthFactorWad liquidation value / debt value, Wad (max uint without debt)
    function accountData(address account)
        external
        view
        override
        returns (
            uint256 collateralValueUsdWad,
            uint256 liquidationValueUsdWad,
            uint256 borrowLimitUsdWad,
            uint256 debtBase,
            uint256 debtUsdWad,
            uint256 healthFactorWad
        )
    {
        DataTypes.AccountValues memory v = _viewValues(account);
        return (
            v.collateralValueUsdWad,
            v.liquidationValueUsdWad,
            v.borrowLimitUsdWad,
            v.debtBase,
            v.debtUsdWad,
            v.healthFactorWad
        );
    }

    /// @notice Debt (base raw units, as of this block) and collateral balances (raw units, in
    ///         `collateralAssets()` order) of `account`: what the Lens reads per account.
    function accountBalances(address account)
        external
        view
        override
        returns (uint256 debtBase, uint256[] memory collateralRaw)
    {
        address[] memory assets = _collateralAssets;
        collateralRaw = new uint256[](assets.length);
        for (uint256 i = 0; i < assets.length; ++i) {
            collateralRaw[i] = _collateralBalances[account][assets[i]];
        }
        debtBase = _debtOf(account);
    }

    /// @notice `accountBalances` for many accounts in one call (the Lens's per-scan read): debts in base
    ///         raw units, and collateral balances flattened account-major, `collateralAssets()` order
    ///         (entry [a * assets + i] = account a's balance of asset i).
    function accountBalancesMany(address[] calldata accounts)
        external
        view
        override
        returns (uint256[] memory debtsBase, uint256[] memory collateralRawFlat)
    {
        address[] memory assets = _collateralAssets;
        uint256 borrowIndexWad = _previewAccrual().borrowIndexWad;
        debtsBase = new uint256[](accounts.length);
        collateralRawFlat = new uint256[](accounts.length * assets.length);
        for (uint256 a = 0; a < accounts.length; ++a) {
            debtsBase[a] = InterestLogic.debtUp(borrowPrincipalOf[accounts[a]], borrowIndexWad);
            mapping(address => uint256) storage balances = _collateralBalances[accounts[a]];
            for (uint256 i = 0; i < assets.length; ++i) {
                collateralRawFlat[a * assets.length + i] = balances[assets[i]];
            }
        }
    }

    /// @notice What `liquidate(account, collateralAsset, repayAmountBase)` would repay and seize in this
    ///         block at `peekPrice` prices; reverts with the errors `liquidate` would, and with
    ///         `OraclePriceUnavailable` where `getPrice` would revert.
    /// @return repaidBase base raw units the liquidator would pay
    /// @return seizedCollateral raw units of `collateralAsset` the liquidator would receive
    function previewLiquidation(address account, address collateralAsset, uint256 repayAmountBase)
        external
        view
        override
        returns (uint256 repaidBase, uint256 seizedCollateral)
    {
        _requireListed(collateralAsset);
        if (repayAmountBase == 0) revert ZeroAmount();
        uint256 debtBase = _debtOf(account);
        uint256 balanceRaw = _collateralBalances[account][collateralAsset];
        ValidationLogic.validateLiquidation(account, collateralAsset, debtBase, balanceRaw);
        (DataTypes.CollateralInput[] memory inputs, uint256 basePriceUsdWad, bool pricesOk) = _peekInputs(account);
        if (!pricesOk) {
            if (basePriceUsdWad == 0) revert OraclePriceUnavailable(baseToken);
            for (uint256 i = 0; i < inputs.length; ++i) {
                if (inputs[i].balanceRaw != 0 && inputs[i].priceUsdWad == 0) {
                    revert OraclePriceUnavailable(_collateralAssets[i]);
                }
            }
        }
        DataTypes.AccountValues memory values = AccountLogic.value(inputs, debtBase, basePriceUsdWad, baseUnit);
        ValidationLogic.validateUnhealthy(account, values.healthFactorWad);
        return LiquidationLogic.computeAmounts(
            _liquidationInput(collateralAsset, repayAmountBase, values, inputs, basePriceUsdWad)
        );
    }

    /// @notice Collateral of `account` in `asset`, raw units.
    function collateralBalance(address account, address asset) external view override returns (uint256 balanceRaw) {
        return _collateralBalances[account][asset];
    }

    /// @notice Debt of `account` as of this block, base raw units, rounded up.
    function debtOf(address account) external view override returns (uint256 debtBase) {
        return _debtOf(account);
    }

    /// @notice Supply balance of `account` as of this block, base raw units, rounded down.
    function supplyBalanceOf(address account) external view override returns (uint256 balanceBase) {
        return InterestLogic.supplyDown(supplyPrincipalOf[account], _previewAccrual().supplyIndexWad);
    }

    /// @notice Lenders' claims as of this block: floor(totalSupplyPrincipal x supplyIndex), base raw units.
    function totalSupply() external view override returns (uint256 totalSupplyBase) {
        return InterestLogic.supplyDown(_market.totalSupplyPrincipal, _previewAccrual().supplyIndexWad);
    }

    /// @notice Borrowers' debt as of this block: ceil(totalBorrowPrincipal x borrowIndex), base raw units.
    function totalBorrow() external view override returns (uint256 totalBorrowBase) {
        return InterestLogic.debtUp(_market.totalBorrowPrincipal, _previewAccrual().borrowIndexWad);
    }

    /// @notice Protocol equity as of this block, base raw units; negative after bad debt beyond reserves.
    function totalReserves() external view override returns (int256 totalReservesBase) {
        return _previewAccrual().totalReservesBase;
    }

    /// @notice The pool's base token balance, base raw units.
    /// @dev Invariant: cash + totalBorrow = totalSupply + totalReserves to the raw unit (the pool books its
    ///      rounding as reserves); anything else is base the books do not know (a donation); docs/lending.md.
    function cash() external view override returns (uint256 cashBase) {
        return _cash();
    }

    /// @notice Borrow index as of this block, Wad.
    function borrowIndex() external view override returns (uint256 borrowIndexWad) {
        return _previewAccrual().borrowIndexWad;
    }

    /// @notice Supply index as of this block, Wad.
    function supplyIndex() external view override returns (uint256 supplyIndexWad) {
        return _previewAccrual().supplyIndexWad;
    }

    /// @notice Timestamp of the last stored accrual, seconds.
    function lastAccrualTimestamp() external view override returns (uint256) {
        return _market.lastAccrualTimestamp;
    }

    /// @notice totalBorrow / totalSupply as of this block, Wad (floored; 0 without supply).
    function utilization() public view override returns (uint256 utilizationWad) {
        DataTypes.Accrual memory a = _previewAccrual();
        return InterestLogic.utilizationWad(
            InterestLogic.debtUp(_market.totalBorrowPrincipal, a.borrowIndexWad),
            InterestLogic.supplyDown(_market.totalSupplyPrincipal, a.supplyIndexWad)
        );
    }

    /// @notice Borrow rate per year at the current utilisation, Wad (the next accrual divides it by 365 days).
    function borrowRatePerYear() external view override returns (uint256 borrowRatePerYearWad) {
        return InterestLogic.borrowRatePerYearWad(_rateModel, utilization());
    }
}
