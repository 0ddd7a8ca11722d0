// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "../interfaces/IERC20.sol";
import {IUniswapV2Pair} from "../interfaces/IUniswapV2Pair.sol";
import {IUniswapV2Callee} from "../interfaces/IUniswapV2Callee.sol";
import {SafeTransferLib} from "../libraries/SafeTransferLib.sol";
import {ReentrancyGuard} from "../libraries/ReentrancyGuard.sol";
import {AmmLibrary} from "../amm/libraries/AmmLibrary.sol";

/// @title The Uniswap-V2 flash-swap plumbing of a capital-free liquidator: flash-borrow the debt asset from
///        the collateral/debt pair, liquidate in the callback (the one step a protocol supplies), repay the
///        pair in collateral with Uniswap V2's 0.3% fee (`getAmountIn`), sell the rest of the seizure into
///        the same pair and pay the profit, measured as a balance change, to the caller.
/// @dev FlashLiquidator (the reference pool) and AaveFlashLiquidator (a genuine Aave V3 pool) implement
///      `_liquidateWith`; everything else, checks and errors included, is here once.
abstract contract UniswapV2FlashLiquidator is IUniswapV2Callee, ReentrancyGuard {
    /// @notice The liquidation earned `profitBase` (debt asset raw units), less than the caller's `minProfitBase`.
    error InsufficientProfit(uint256 profitBase, uint256 minProfitBase);
    /// @notice `pair` does not trade exactly `debtAsset` against `collateralAsset`.
    error PairMismatch(address pair, address debtAsset, address collateralAsset);
    /// @notice `uniswapV2Call` came from someone other than the pair of the flash swap in progress.
    error UnauthorizedCallback(address caller);
    /// @notice The flash swap was not initiated by this contract.
    error UnexpectedInitiator(address initiator);
    /// @notice The seized collateral does not cover what the pair must be repaid (both raw units).
    error SeizedBelowRepayment(uint256 seizedRaw, uint256 owedRaw);

    /// @notice One completed flash liquidation (base = the debt asset's raw units, collateral in its raw
    ///         units); the lending protocol's own liquidation event in the same transaction has the amounts.
    event FlashLiquidation(
        address indexed caller,
        address indexed pool,
        address indexed account,
        address collateralAsset,
        uint256 borrowedBase,
        uint256 soldRaw,
        uint256 profitBase
    );

    /// @dev The pair whose flash swap is in progress; zero outside `_flashLiquidate`.
    address private _activePair;

    /// @dev What the callback needs, passed through the pair as the swap's data.
    struct Job {
        address pool;
        address account;
        address collateralAsset;
        address debtAsset;
        bool debtIsToken0;
    }

    /// @dev Liquidates `job.account` repaying up to `borrowedBase` of the debt asset this contract now holds;
    ///      returns the collateral received (raw units). Leaves no allowance behind.
    function _liquidateWith(Job memory job, uint256 borrowedBase) internal virtual returns (uint256 seizedRaw);

    /// @dev The job for `pair`, which must trade exactly `debtAsset` against `collateralAsset`.
    function _job(address pool, address pair, address account, address collateralAsset, address debtAsset)
        internal
        view
        returns (Job memory job)
    {
        address token0 = IUniswapV2Pair(pair).token0();
        address token1 = IUniswapV2Pair(pair).token1();
        bool matches = (token0 == debtAsset && token1 == collateralAsset) || (token0 == collateralAsset && token1 == debtAsset);
        if (!matches) revert PairMismatch(pair, debtAsset, collateralAsset);
        job = Job(pool, account, collateralAsset, debtAsset, token0 == debtAsset);
    }

    /// @dev Flash-borrows `borrowBase` from `pair` (the callback liquidates and repays the pair), sells what
    ///      collateral is left, and pays the caller the debt asset gained, at least `minProfitBase`.
    function _flashLiquidate(Job memory job, address pair, uint256 borrowBase, uint256 minProfitBase)
        internal
        returns (uint256 profitBase)
    {
        uint256 baseBeforeRaw = IERC20(job.debtAsset).balanceOf(address(this));
        uint256 collateralBeforeRaw = IERC20(job.collateralAsset).balanceOf(address(this));

        _activePair = pair;
        IUniswapV2Pair(pair).swap(
            job.debtIsToken0 ? borrowBase : 0, job.debtIsToken0 ? 0 : borrowBase, address(this), abi.encode(job)
        );
        _activePair = address(0);

        uint256 soldRaw = IERC20(job.collateralAsset).balanceOf(address(this)) - collateralBeforeRaw;
        if (soldRaw != 0) _sell(pair, job.collateralAsset, soldRaw, job.debtIsToken0);

        profitBase = IERC20(job.debtAsset).balanceOf(address(this)) - baseBeforeRaw;
        if (profitBase < minProfitBase) revert InsufficientProfit(profitBase, minProfitBase);
        SafeTransferLib.safeTransfer(job.debtAsset, msg.sender, profitBase);
        emit FlashLiquidation(msg.sender, job.pool, job.account, job.collateralAsset, borrowBase, soldRaw, profitBase);
    }

    /// @notice Flash-swap callback: liquidates with the borrowed debt asset, then repays the pair in collateral,
    ///         getAmountIn(borrowed, collateralReserve, debtReserve) raw units (Uniswap V2's formula, 0.3% fee).
    /// @dev Only the pair of the swap in progress may call, and only for a swap this contract initiated.
    function uniswapV2Call(address sender, uint256 amount0, uint256 amount1, bytes calldata data) external override {
        if (msg.sender != _activePair || msg.sender == address(0)) revert UnauthorizedCallback(msg.sender);
        if (sender != address(this)) revert UnexpectedInitiator(sender);
        Job memory job = abi.decode(data, (Job));
        uint256 borrowedBase = job.debtIsToken0 ? amount0 : amount1;
        uint256 seizedRaw = _liquidateWith(job, borrowedBase);

        // Reserves are still the pre-swap ones: the pair updates them after this callback returns.
        (uint112 reserve0, uint112 reserve1,) = IUniswapV2Pair(msg.sender).getReserves();
        (uint256 reserveCollateral, uint256 reserveBase) =
            job.debtIsToken0 ? (uint256(reserve1), uint256(reserve0)) : (uint256(reserve0), uint256(reserve1));
        uint256 owedRaw = AmmLibrary.getAmountIn(borrowedBase, reserveCollateral, reserveBase);
        if (seizedRaw < owedRaw) revert SeizedBelowRepayment(seizedRaw, owedRaw);
        SafeTransferLib.safeTransfer(job.collateralAsset, msg.sender, owedRaw);
    }

    /// @dev Exact-in sale of `amountRaw` collateral for the debt asset at the pair's current reserves.
    function _sell(address pair, address collateralAsset, uint256 amountRaw, bool debtIsToken0) private {
        (uint112 reserve0, uint112 reserve1,) = IUniswapV2Pair(pair).getReserves();
        (uint256 reserveIn, uint256 reserveOut) =
            debtIsToken0 ? (uint256(reserve1), uint256(reserve0)) : (uint256(reserve0), uint256(reserve1));
        uint256 outBase = AmmLibrary.getAmountOut(amountRaw, reserveIn, reserveOut);
        SafeTransferLib.safeTransfer(collateralAsset, pair, amountRaw);
        IUniswapV2Pair(pair).swap(debtIsToken0 ? outBase : 0, debtIsToken0 ? 0 : outBase, address(this), "");
    }
}
