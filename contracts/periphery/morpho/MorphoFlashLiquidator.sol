// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "../../interfaces/IERC20.sol";
import {IUniswapV2Pair} from "../../interfaces/IUniswapV2Pair.sol";
import {IMorphoBlue, IMorphoLiquidateCallback, MorphoMarketParams} from "../../lending/morpho/IMorphoBlue.sol";
import {SafeTransferLib} from "../../libraries/SafeTransferLib.sol";
import {ReentrancyGuard} from "../../libraries/ReentrancyGuard.sol";
import {AmmLibrary} from "../../amm/libraries/AmmLibrary.sol";

/// @title Liquidates on genuine Morpho Blue with no capital, through Morpho's own liquidation callback.
/// @notice Morpho sends the seized collateral first, then calls `onMorphoLiquidate(repaidAssets, data)`, then
///         pulls the repaid loan tokens: the callback sells the whole seizure into the collateral/loan Uniswap-V2
///         pair (exact in, 0.3% fee) and approves Morpho for exactly `repaidAssets`; the rest of the sale is the
///         profit, measured as a balance change and paid to the caller. Holds nothing between calls.
contract MorphoFlashLiquidator is IMorphoLiquidateCallback, ReentrancyGuard {
    /// @notice The liquidation earned `profitBase` (loan token raw units), less than the caller's `minProfitBase`.
    error InsufficientProfit(uint256 profitBase, uint256 minProfitBase);
    /// @notice `pair` does not trade exactly the market's loan token against its collateral token.
    error PairMismatch(address pair, address loanToken, address collateralToken);
    /// @notice `onMorphoLiquidate` came from someone other than the Morpho of the liquidation in progress.
    error UnauthorizedCallback(address caller);
    /// @notice Selling the seizure returned `outBase`, less than the `repaidBase` Morpho is owed (raw units).
    error SaleBelowRepayment(uint256 outBase, uint256 repaidBase);

    /// @notice One completed flash liquidation (base = loan token raw units; Morpho's Liquidate has the rest).
    event FlashLiquidation(
        address indexed caller, address indexed morpho, address indexed borrower, uint256 seizedRaw, uint256 repaidBase,
        uint256 profitBase
    );

    /// @dev The Morpho whose `liquidate` is in progress; zero outside `liquidate`.
    address private _activeMorpho;

    /// @dev What the callback needs, passed through Morpho as `data`.
    struct Job {
        address pair;
        address collateralToken;
        address loanToken;
        bool loanIsToken0;
        uint256 collateralBeforeRaw;
    }

    /// @notice Liquidates `borrower` on `morpho`'s market `params`: exactly one of `seizedAssets` (collateral raw)
    ///         and `repaidShares` (borrow shares) is non-zero, as Morpho's `liquidate` takes them.
    /// @param minProfitBase the least profit (loan token raw units) to accept; otherwise `InsufficientProfit`
    /// @return profitBase loan token raw units sent to the caller
    function liquidate(
        address morpho,
        MorphoMarketParams calldata params,
        address pair,
        address borrower,
        uint256 seizedAssets,
        uint256 repaidShares,
        uint256 minProfitBase
    ) external nonReentrant returns (uint256 profitBase) {
        Job memory job = _job(pair, params.loanToken, params.collateralToken);
        uint256 baseBeforeRaw = IERC20(params.loanToken).balanceOf(address(this));

        _activeMorpho = morpho;
        (uint256 seizedRaw, uint256 repaidBase) =
            IMorphoBlue(morpho).liquidate(params, borrower, seizedAssets, repaidShares, abi.encode(job));
        _activeMorpho = address(0);

        profitBase = IERC20(params.loanToken).balanceOf(address(this)) - baseBeforeRaw;
        if (profitBase < minProfitBase) revert InsufficientProfit(profitBase, minProfitBase);
        SafeTransferLib.safeTransfer(params.loanToken, msg.sender, profitBase);
        emit FlashLiquidation(msg.sender, morpho, borrower, seizedRaw, repaidBase, profitBase);
    }

    /// @notice Morpho's callback: sell the collateral just received, approve Morpho for `repaidAssets`.
    /// @dev Only the Morpho of the liquidation in progress may call (it calls back whoever called `liquidate`).
    function onMorphoLiquidate(uint256 repaidAssets, bytes calldata data) external override {
        if (msg.sender != _activeMorpho || msg.sender == address(0)) revert UnauthorizedCallback(msg.sender);
        Job memory job = abi.decode(data, (Job));
        uint256 seizedRaw = IERC20(job.collateralToken).balanceOf(address(this)) - job.collateralBeforeRaw;
        uint256 outBase = _sell(job, seizedRaw);
        if (outBase < repaidAssets) revert SaleBelowRepayment(outBase, repaidAssets);
        // Morpho pulls exactly this much right after the callback, which leaves the allowance at zero.
        SafeTransferLib.safeApprove(job.loanToken, msg.sender, repaidAssets);
    }

    function _job(address pair, address loanToken, address collateralToken) internal view returns (Job memory job) {
        address token0 = IUniswapV2Pair(pair).token0();
        address token1 = IUniswapV2Pair(pair).token1();
        bool matches =
            (token0 == loanToken && token1 == collateralToken) || (token0 == collateralToken && token1 == loanToken);
        if (!matches) revert PairMismatch(pair, loanToken, collateralToken);
        job = Job(pair, collateralToken, loanToken, token0 == loanToken, IERC20(collateralToken).balanceOf(address(this)));
    }

    /// @dev Exact-in sale of `amountRaw` collateral for the loan token at the pair's current reserves.
    function _sell(Job memory job, uint256 amountRaw) private returns (uint256 outBase) {
        (uint112 reserve0, uint112 reserve1,) = IUniswapV2Pair(job.pair).getReserves();
        (uint256 reserveIn, uint256 reserveOut) =
            job.loanIsToken0 ? (uint256(reserve1), uint256(reserve0)) : (uint256(reserve0), uint256(reserve1));
        if (amountRaw == 0) return 0;
        outBase = AmmLibrary.getAmountOut(amountRaw, reserveIn, reserveOut);
        SafeTransferLib.safeTransfer(job.collateralToken, job.pair, amountRaw);
        IUniswapV2Pair(job.pair).swap(job.loanIsToken0 ? outBase : 0, job.loanIsToken0 ? 0 : outBase, address(this), "");
    }
}
