// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {LendingPoolAccounting} from "./LendingPoolAccounting.sol";
import {DataTypes} from "./libraries/DataTypes.sol";
import {AccountLogic} from "./libraries/AccountLogic.sol";

/// @title The lending pool's collateral and what an account is worth: listing and holdings checks, the
///        inputs of AccountLogic at live (`getPrice`) or peeked (`peekPrice`) prices, and liquidation inputs.
/// @dev Internal only. Actions value at `getPrice` (an unavailable price reverts them); views at
///      `peekPrice` (an unavailable price is reported, never reverts the read).
abstract contract LendingPoolValuation is LendingPoolAccounting {
    function _requireListed(address asset) internal view {
        if (!_collateralConfigs[asset].listed) revert AssetNotListed(asset);
    }

    /// @dev True when `account` holds any listed collateral (bad debt may be written off only without).
    function _hasCollateral(address account) internal view returns (bool) {
        address[] memory assets = _collateralAssets;
        for (uint256 i = 0; i < assets.length; ++i) {
            if (_collateralBalances[account][assets[i]] != 0) return true;
        }
        return false;
    }

    /// @dev Balances and configs of every listed asset, prices left at 0 for the callers to fill.
    function _collateralInputs(address account) internal view returns (DataTypes.CollateralInput[] memory inputs) {
        address[] memory assets = _collateralAssets;
        inputs = new DataTypes.CollateralInput[](assets.length);
        for (uint256 i = 0; i < assets.length; ++i) {
            DataTypes.CollateralConfig memory config = _collateralConfigs[assets[i]];
            inputs[i] = DataTypes.CollateralInput({
                balanceRaw: _collateralBalances[account][assets[i]],
                priceUsdWad: 0,
                decimals: config.decimals,
                ltvBps: config.ltvBps,
                liquidationThresholdBps: config.liquidationThresholdBps
            });
        }
    }

    /// @dev Values the account at `getPrice` prices, asked only for the assets it holds (a dead feed of an
    ///      asset it does not hold never blocks it) and for the base asset. Any unavailable price reverts
    ///      with the oracle's error.
    function _liveValues(address account, uint256 debtBase)
        internal
        returns (
            DataTypes.AccountValues memory values,
            DataTypes.CollateralInput[] memory inputs,
            uint256 basePriceUsdWad
        )
    {
        inputs = _collateralInputs(account);
        IPriceOracle oracle_ = IPriceOracle(oracle);
        for (uint256 i = 0; i < inputs.length; ++i) {
            if (inputs[i].balanceRaw != 0) inputs[i].priceUsdWad = _livePrice(oracle_, _collateralAssets[i]);
        }
        basePriceUsdWad = _livePrice(oracle_, baseToken);
        values = AccountLogic.value(inputs, debtBase, basePriceUsdWad, baseUnit);
    }

    /// @dev `getPrice`, refusing a zero answer as Comet refuses price <= 0 (a zero would divide by zero
    ///      or value collateral at nothing).
    function _livePrice(IPriceOracle oracle_, address asset) internal returns (uint256 priceUsdWad) {
        priceUsdWad = oracle_.getPrice(asset);
        if (priceUsdWad == 0) revert OraclePriceUnavailable(asset);
    }

    /// @dev The `peekPrice` counterpart of `_liveValues`: unavailable prices become 0 and `pricesOk` false.
    function _peekInputs(address account)
        internal
        view
        returns (DataTypes.CollateralInput[] memory inputs, uint256 basePriceUsdWad, bool pricesOk)
    {
        inputs = _collateralInputs(account);
        IPriceOracle oracle_ = IPriceOracle(oracle);
        pricesOk = true;
        bool ok;
        for (uint256 i = 0; i < inputs.length; ++i) {
            if (inputs[i].balanceRaw == 0) continue;
            (inputs[i].priceUsdWad, ok) = oracle_.peekPrice(_collateralAssets[i]);
            if (!ok || inputs[i].priceUsdWad == 0) {
                inputs[i].priceUsdWad = 0;
                pricesOk = false;
            }
        }
        (basePriceUsdWad, ok) = oracle_.peekPrice(baseToken);
        if (!ok || basePriceUsdWad == 0) {
            basePriceUsdWad = 0;
            pricesOk = false;
        }
    }

    /// @dev The account valued as of this block at `peekPrice` prices (what every account view returns).
    function _viewValues(address account) internal view returns (DataTypes.AccountValues memory) {
        (DataTypes.CollateralInput[] memory inputs, uint256 basePriceUsdWad,) = _peekInputs(account);
        return AccountLogic.value(inputs, _debtOf(account), basePriceUsdWad, baseUnit);
    }

    /// @dev Liquidation inputs from the account's valuation: balance and price of `collateralAsset` are
    ///      the ones `inputs` were valued with.
    function _liquidationInput(
        address collateralAsset,
        uint256 repayAmountBase,
        DataTypes.AccountValues memory values,
        DataTypes.CollateralInput[] memory inputs,
        uint256 basePriceUsdWad
    ) internal view returns (DataTypes.LiquidationInput memory p) {
        for (uint256 i = 0; i < inputs.length; ++i) {
            if (_collateralAssets[i] != collateralAsset) continue;
            p.collateralBalanceRaw = inputs[i].balanceRaw;
            p.collateralPriceUsdWad = inputs[i].priceUsdWad;
            p.collateralUnit = 10 ** inputs[i].decimals;
        }
        p.debtBase = values.debtBase;
        p.healthFactorWad = values.healthFactorWad;
        p.requestedRepayBase = repayAmountBase;
        p.basePriceUsdWad = basePriceUsdWad;
        p.baseUnit = baseUnit;
        p.liquidationBonusBps = _collateralConfigs[collateralAsset].liquidationBonusBps;
        p.closeFactorDefaultBps = _closeFactor.defaultBps;
        p.fullCloseHealthFactorWad = _closeFactor.fullCloseHealthFactorWad;
    }
}
