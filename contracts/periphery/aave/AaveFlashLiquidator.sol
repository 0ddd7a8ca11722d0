// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "../../interfaces/IERC20.sol";
import {
    IAaveV3Pool, IAaveV3AddressesProvider, IAaveV3Oracle, IAaveV3DataProvider
} from "../../interfaces/IAaveV3.sol";
import {SafeTransferLib} from "../../libraries/SafeTransferLib.sol";
import {UniswapV2FlashLiquidator} from "../UniswapV2FlashLiquidator.sol";

/// @title Liquidates on a genuine Aave V3 pool with no capital: flash-borrows the debt asset from the
///        collateral/debt Uniswap-V2 pair, calls `Pool.liquidationCall`, repays the pair in collateral, sells
///        the rest of the seizure into the same pair and pays the profit (in the debt asset) to the caller.
/// @notice The Aave twin of `FlashLiquidator`. Holds nothing between calls. The flash-swap plumbing, its
///         checks and errors are UniswapV2FlashLiquidator's.
contract AaveFlashLiquidator is UniswapV2FlashLiquidator {
    /// @dev Aave V3's close factor rule (LiquidationLogic: 50%, 100% at HF <= CLOSE_FACTOR_HF_THRESHOLD 0.95).
    uint256 public constant DEFAULT_CLOSE_FACTOR_BPS = 5000;
    uint256 public constant CLOSE_FACTOR_HF_THRESHOLD_WAD = 0.95e18;
    uint256 internal constant BPS = 10_000;

    /// @notice The account is healthy (HF >= 1, wad) or has no debt or collateral to liquidate.
    error NothingToLiquidate(address account, uint256 healthFactorWad);

    /// @notice Liquidates `account` on `pool`, seizing `collateralAsset` for `debtAsset` flash-borrowed from `pair`.
    /// @param repayAmountBase the most debt (raw units) to repay; Aave's close factor and the account's
    ///        collateral cap it (the amount borrowed is the smallest of the three)
    /// @param minProfitBase the least profit (debt asset raw units) to accept; otherwise `InsufficientProfit`
    /// @return profitBase debt asset raw units sent to the caller
    function liquidate(
        address pool,
        address pair,
        address account,
        address collateralAsset,
        address debtAsset,
        uint256 repayAmountBase,
        uint256 minProfitBase
    ) external nonReentrant returns (uint256 profitBase) {
        Job memory job = _job(pool, pair, account, collateralAsset, debtAsset);
        uint256 borrowBase = _min(repayAmountBase, maxRepayBase(pool, account, collateralAsset, debtAsset));
        return _flashLiquidate(job, pair, borrowBase, minProfitBase);
    }

    /// @notice The most debt (raw units, rounded down) one liquidationCall can repay for `account`: the close
    ///         factor share of its debt, and no more than its collateral buys at the bonus at the oracle's prices.
    /// @dev Reverts `NothingToLiquidate` when the account is healthy or either amount is zero.
    function maxRepayBase(address pool, address account, address collateralAsset, address debtAsset)
        public
        view
        returns (uint256)
    {
        (,,,,, uint256 healthFactorWad) = IAaveV3Pool(pool).getUserAccountData(account);
        if (healthFactorWad >= 1e18) revert NothingToLiquidate(account, healthFactorWad);
        IAaveV3AddressesProvider provider = IAaveV3AddressesProvider(IAaveV3Pool(pool).ADDRESSES_PROVIDER());
        IAaveV3DataProvider data = IAaveV3DataProvider(provider.getPoolDataProvider());
        (, address stableDebt, address variableDebt) = data.getReserveTokensAddresses(debtAsset);
        uint256 debtRaw = IERC20(variableDebt).balanceOf(account) + IERC20(stableDebt).balanceOf(account);
        uint256 closeCapBase =
            healthFactorWad <= CLOSE_FACTOR_HF_THRESHOLD_WAD ? debtRaw : debtRaw * DEFAULT_CLOSE_FACTOR_BPS / BPS;
        uint256 collateralCapBase = _collateralCapBase(provider, data, account, collateralAsset, debtAsset);
        uint256 cap = _min(closeCapBase, collateralCapBase);
        if (cap == 0) revert NothingToLiquidate(account, healthFactorWad);
        return cap;
    }

    /// @dev Debt (raw, rounded down) whose value times the bonus equals the account's whole collateral balance.
    function _collateralCapBase(
        IAaveV3AddressesProvider provider,
        IAaveV3DataProvider data,
        address account,
        address collateralAsset,
        address debtAsset
    ) internal view returns (uint256) {
        (address aToken,,) = data.getReserveTokensAddresses(collateralAsset);
        uint256 collateralRaw = IERC20(aToken).balanceOf(account);
        (uint256 collateralDecimals,,, uint256 bonusBps,,,,,,) = data.getReserveConfigurationData(collateralAsset);
        (uint256 debtDecimals,,,,,,,,,) = data.getReserveConfigurationData(debtAsset);
        IAaveV3Oracle oracle = IAaveV3Oracle(provider.getPriceOracle());
        uint256 collateralPrice = oracle.getAssetPrice(collateralAsset);
        uint256 debtPrice = oracle.getAssetPrice(debtAsset);
        return collateralRaw * collateralPrice * 10 ** debtDecimals * BPS
            / (debtPrice * 10 ** collateralDecimals * bonusBps);
    }

    /// @dev Aave's `liquidationCall` with the borrowed debt asset; the seizure is measured, whatever Aave capped.
    function _liquidateWith(Job memory job, uint256 borrowedBase) internal override returns (uint256 seizedRaw) {
        uint256 collateralBeforeRaw = IERC20(job.collateralAsset).balanceOf(address(this));
        SafeTransferLib.safeApprove(job.debtAsset, job.pool, borrowedBase);
        IAaveV3Pool(job.pool).liquidationCall(job.collateralAsset, job.debtAsset, job.account, borrowedBase, false);
        // Whatever Aave did not pull stays here and counts as profit; leave no allowance behind.
        SafeTransferLib.safeApprove(job.debtAsset, job.pool, 0);
        seizedRaw = IERC20(job.collateralAsset).balanceOf(address(this)) - collateralBeforeRaw;
    }

    function _min(uint256 a, uint256 b) internal pure returns (uint256) {
        return a < b ? a : b;
    }
}
