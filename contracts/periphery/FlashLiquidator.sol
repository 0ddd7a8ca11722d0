// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "../interfaces/IERC20.sol";
import {ILendingPool} from "../interfaces/ILendingPool.sol";
import {IUniswapV2Pair} from "../interfaces/IUniswapV2Pair.sol";
import {IUniswapV2Callee} from "../interfaces/IUniswapV2Callee.sol";
import {SafeTransferLib} from "../libraries/SafeTransferLib.sol";
import {ReentrancyGuard} from "../libraries/ReentrancyGuard.sol";
import {AmmLibrary} from "../amm/libraries/AmmLibrary.sol";

/// @title Liquidates with no capital: flash-borrows the base asset from the collateral/base Uniswap-V2
///        pair, liquidates, repays the pair in collateral, sells the rest of the seized collateral into the
///        same pair and pays the profit (in base) to the caller.
/// @notice Works with any Uniswap V2 compatible pair (AmmPair or the real one). Holds nothing between calls.
contract FlashLiquidator is IUniswapV2Callee, ReentrancyGuard {
    /// @notice The liquidation earned `profitBase` (base raw units), less than the caller's `minProfitBase`.
    error InsufficientProfit(uint256 profitBase, uint256 minProfitBase);
    /// @notice `pair` does not trade exactly the pool's base asset against `collateralAsset`.
    error PairMismatch(address pair, address baseToken, address collateralAsset);
    /// @notice `uniswapV2Call` came from someone other than the pair of the flash swap in progress.
    error UnauthorizedCallback(address caller);
    /// @notice The flash swap was not initiated by this contract.
    error UnexpectedInitiator(address initiator);
    /// @notice The seized collateral does not cover what the pair must be repaid (both raw units).
    error SeizedBelowRepayment(uint256 seizedRaw, uint256 owedRaw);

    /// @notice One completed flash liquidation (base in base raw units, collateral in its raw units); the
    ///         pool's `Liquidation` event in the same transaction has the repaid and seized amounts.
    event FlashLiquidation(
        address indexed caller,
        address indexed pool,
        address indexed account,
        address collateralAsset,
        uint256 borrowedBase,
        uint256 soldRaw,
        uint256 profitBase
    );

    /// @dev The pair whose flash swap is in progress; zero outside `liquidate`.
    address private _activePair;

    struct Job {
        address pool;
        address account;
        address collateralAsset;
        address baseToken;
        bool baseIsToken0;
    }

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
        Job memory job = _job(pool, pair, account, collateralAsset);
        uint256 baseBeforeRaw = IERC20(job.baseToken).balanceOf(address(this));
        uint256 collateralBeforeRaw = IERC20(collateralAsset).balanceOf(address(this));
        (uint256 borrowBase,) = ILendingPool(pool).previewLiquidation(account, collateralAsset, repayAmountBase);

        _activePair = pair;
        IUniswapV2Pair(pair).swap(
            job.baseIsToken0 ? borrowBase : 0, job.baseIsToken0 ? 0 : borrowBase, address(this), abi.encode(job)
        );
        _activePair = address(0);

        uint256 soldRaw = IERC20(collateralAsset).balanceOf(address(this)) - collateralBeforeRaw;
        if (soldRaw != 0) _sell(pair, collateralAsset, soldRaw, job.baseIsToken0);

        profitBase = IERC20(job.baseToken).balanceOf(address(this)) - baseBeforeRaw;
        if (profitBase < minProfitBase) revert InsufficientProfit(profitBase, minProfitBase);
        SafeTransferLib.safeTransfer(job.baseToken, msg.sender, profitBase);
        emit FlashLiquidation(msg.sender, pool, account, collateralAsset, borrowBase, soldRaw, profitBase);
    }

    /// @notice Flash-swap callback: liquidates with the borrowed base, then repays the pair in collateral,
    ///         getAmountIn(borrowed, collateralReserve, baseReserve) raw units (Uniswap V2's formula).
    /// @dev Only the pair of the swap in progress may call, and only for a swap this contract initiated.
    function uniswapV2Call(address sender, uint256 amount0, uint256 amount1, bytes calldata data) external override {
        if (msg.sender != _activePair || msg.sender == address(0)) revert UnauthorizedCallback(msg.sender);
        if (sender != address(this)) revert UnexpectedInitiator(sender);
        Job memory job = abi.decode(data, (Job));
        uint256 borrowedBase = job.baseIsToken0 ? amount0 : amount1;

        SafeTransferLib.safeApprove(job.baseToken, job.pool, borrowedBase);
        (uint256 repaidBase, uint256 seizedRaw) =
            ILendingPool(job.pool).liquidate(job.account, job.collateralAsset, borrowedBase);
        // Whatever the pool did not pull stays here and counts as profit; leave no allowance behind.
        if (repaidBase < borrowedBase) SafeTransferLib.safeApprove(job.baseToken, job.pool, 0);

        // Reserves are still the pre-swap ones: the pair updates them after this callback returns.
        (uint112 reserve0, uint112 reserve1,) = IUniswapV2Pair(msg.sender).getReserves();
        (uint256 reserveCollateral, uint256 reserveBase) =
            job.baseIsToken0 ? (uint256(reserve1), uint256(reserve0)) : (uint256(reserve0), uint256(reserve1));
        uint256 owedRaw = AmmLibrary.getAmountIn(borrowedBase, reserveCollateral, reserveBase);
        if (seizedRaw < owedRaw) revert SeizedBelowRepayment(seizedRaw, owedRaw);
        SafeTransferLib.safeTransfer(job.collateralAsset, msg.sender, owedRaw);
    }

    function _job(address pool, address pair, address account, address collateralAsset)
        internal
        view
        returns (Job memory job)
    {
        address baseToken = ILendingPool(pool).baseToken();
        address token0 = IUniswapV2Pair(pair).token0();
        address token1 = IUniswapV2Pair(pair).token1();
        bool matches = (token0 == baseToken && token1 == collateralAsset) || (token0 == collateralAsset && token1 == baseToken);
        if (!matches) revert PairMismatch(pair, baseToken, collateralAsset);
        job = Job(pool, account, collateralAsset, baseToken, token0 == baseToken);
    }

    /// @dev Exact-in sale of `amountRaw` collateral for base at the pair's current reserves.
    function _sell(address pair, address collateralAsset, uint256 amountRaw, bool baseIsToken0) internal {
        (uint112 reserve0, uint112 reserve1,) = IUniswapV2Pair(pair).getReserves();
        (uint256 reserveIn, uint256 reserveOut) =
            baseIsToken0 ? (uint256(reserve1), uint256(reserve0)) : (uint256(reserve0), uint256(reserve1));
        uint256 outBase = AmmLibrary.getAmountOut(amountRaw, reserveIn, reserveOut);
        SafeTransferLib.safeTransfer(collateralAsset, pair, amountRaw);
        IUniswapV2Pair(pair).swap(baseIsToken0 ? outBase : 0, baseIsToken0 ? 0 : outBase, address(this), "");
    }
}
