// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ILendingPool} from "../interfaces/ILendingPool.sol";
import {SafeTransferLib} from "../libraries/SafeTransferLib.sol";
import {UniswapV2FlashLiquidator} from "./UniswapV2FlashLiquidator.sol";

/// @title Liquidates with no capital: flash-borrows the base asset from the collateral/base Uniswap-V2
///        pair, liquidates, repays the pair in collateral, sells the rest of the seized collateral into the
///        same pair and pays the profit (in base) to the caller.
/// @notice Works with any Uniswap V2 compatible pair (AmmPair or the real one). Holds nothing between calls.
///         The flash-swap plumbing, its checks and errors are UniswapV2FlashLiquidator's.
contract FlashLiquidator is UniswapV2FlashLiquidator {
    /// @notice Liquidates `account` in `pool`, seizing `collateralAsset`, with base flash-borrowed from `pair`.
    /// @param repayAmountBase the most base (raw units) to repay; the pool's close factor and the account's
    ///        collateral cap it (the amount borrowed is `previewLiquidation`'s repay)
    /// @param minProfitBase the least profit (base raw units) to accept; otherwise `InsufficientProfit`
    /// @return profitBase base raw units sent to the caller
    function liquidate(
        address pool,
        address pair,
        address account,
        address collateralAsset,
        uint256 repayAmountBase,
        uint256 minProfitBase
    ) external nonReentrant returns (uint256 profitBase) {
        Job memory job = _job(pool, pair, account, collateralAsset, ILendingPool(pool).baseToken());
        (uint256 borrowBase,) = ILendingPool(pool).previewLiquidation(account, collateralAsset, repayAmountBase);
        return _flashLiquidate(job, pair, borrowBase, minProfitBase);
    }

    /// @dev The pool's `liquidate` with the borrowed base; it returns what it seized.
    function _liquidateWith(Job memory job, uint256 borrowedBase) internal override returns (uint256 seizedRaw) {
        SafeTransferLib.safeApprove(job.debtAsset, job.pool, borrowedBase);
        uint256 repaidBase;
        (repaidBase, seizedRaw) = ILendingPool(job.pool).liquidate(job.account, job.collateralAsset, borrowedBase);
        // Whatever the pool did not pull stays here and counts as profit; leave no allowance behind.
        if (repaidBase < borrowedBase) SafeTransferLib.safeApprove(job.debtAsset, job.pool, 0);
    }
}
