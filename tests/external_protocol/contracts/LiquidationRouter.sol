// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ICToken} from "./interfaces/ICToken.sol";
import {IERC20Minimal} from "./interfaces/IERC20Minimal.sol";
import {IUniswapV2CalleeLike, IUniswapV2PairLike} from "./interfaces/IUniswapV2PairLike.sol";
import {Guarded} from "./libraries/Guarded.sol";
import {SafeToken} from "./libraries/SafeToken.sol";

/// @title Liquidations paid in the underlying: liquidateBorrow, then redeem the seized cTokens.
/// @notice `liquidate` uses the caller's own base asset; `flashLiquidate` borrows it from a Uniswap V2
///         collateral/base pair, repays the pair in collateral and sells the rest into it, paying the
///         caller the profit in base. The router holds nothing between calls.
contract LiquidationRouter is IUniswapV2CalleeLike, Guarded {
    error PairMismatch(address pair, address baseToken, address collateralToken);
    error UnauthorizedCallback(address caller);
    error UnexpectedInitiator(address initiator);
    error SeizedBelowRepayment(uint256 seizedRaw, uint256 owedRaw);
    error InsufficientProfit(uint256 profitRaw, uint256 minProfitRaw);

    event Liquidated(address indexed caller, address indexed borrower, address cTokenCollateral, uint256 repaidRaw,
        uint256 collateralRaw);

    struct Job {
        address cTokenBorrowed;
        address cTokenCollateral;
        address borrower;
        address baseToken;
        address collateralToken;
        bool baseIsToken0;
    }

    /// @dev The pair of the flash swap in progress; zero outside flashLiquidate.
    address private _activePair;

    /// @notice Repay `repayAmountRaw` of `borrower`'s debt in `cTokenBorrowed` from the caller's base and send
    ///         the caller the collateral underlying the seized cTokens are redeemed for.
    /// @return collateralRaw the collateral (raw units) sent to the caller
    function liquidate(address cTokenBorrowed, address borrower, uint256 repayAmountRaw, address cTokenCollateral)
        external
        nonReentrant
        returns (uint256 collateralRaw)
    {
        address baseToken = ICToken(cTokenBorrowed).underlying();
        SafeToken.safeTransferFrom(baseToken, msg.sender, address(this), repayAmountRaw);
        collateralRaw = _liquidateAndRedeem(cTokenBorrowed, borrower, repayAmountRaw, cTokenCollateral, baseToken);
        SafeToken.safeTransfer(ICToken(cTokenCollateral).underlying(), msg.sender, collateralRaw);
        emit Liquidated(msg.sender, borrower, cTokenCollateral, repayAmountRaw, collateralRaw);
    }

    /// @notice The same with base flash-borrowed from `pair` (collateral/base); reverts unless the caller
    ///         earns at least `minProfitRaw` base.
    function flashLiquidate(
        address pair,
        address cTokenBorrowed,
        address borrower,
        uint256 repayAmountRaw,
        address cTokenCollateral,
        uint256 minProfitRaw
    ) external nonReentrant returns (uint256 profitRaw) {
        Job memory job = _job(pair, cTokenBorrowed, cTokenCollateral, borrower);
        uint256 baseBefore = IERC20Minimal(job.baseToken).balanceOf(address(this));
        uint256 collateralBefore = IERC20Minimal(job.collateralToken).balanceOf(address(this));
        _activePair = pair;
        IUniswapV2PairLike(pair).swap(
            job.baseIsToken0 ? repayAmountRaw : 0, job.baseIsToken0 ? 0 : repayAmountRaw, address(this), abi.encode(job)
        );
        _activePair = address(0);
        uint256 leftRaw = IERC20Minimal(job.collateralToken).balanceOf(address(this)) - collateralBefore;
        if (leftRaw != 0) _sell(pair, job.collateralToken, leftRaw, job.baseIsToken0);
        profitRaw = IERC20Minimal(job.baseToken).balanceOf(address(this)) - baseBefore;
        if (profitRaw < minProfitRaw) revert InsufficientProfit(profitRaw, minProfitRaw);
        SafeToken.safeTransfer(job.baseToken, msg.sender, profitRaw);
    }

    /// @notice Flash-swap callback: liquidate with the borrowed base, repay the pair in collateral
    ///         (Uniswap V2's getAmountIn at the pre-swap reserves).
    function uniswapV2Call(address sender, uint256 amount0, uint256 amount1, bytes calldata data) external {
        if (msg.sender != _activePair || msg.sender == address(0)) revert UnauthorizedCallback(msg.sender);
        if (sender != address(this)) revert UnexpectedInitiator(sender);
        Job memory job = abi.decode(data, (Job));
        uint256 borrowedRaw = job.baseIsToken0 ? amount0 : amount1;
        uint256 seizedRaw = _liquidateAndRedeem(job.cTokenBorrowed, job.borrower, borrowedRaw, job.cTokenCollateral,
            job.baseToken);
        (uint112 reserve0, uint112 reserve1,) = IUniswapV2PairLike(msg.sender).getReserves();
        (uint256 reserveCollateral, uint256 reserveBase) =
            job.baseIsToken0 ? (uint256(reserve1), uint256(reserve0)) : (uint256(reserve0), uint256(reserve1));
        uint256 owedRaw = reserveCollateral * borrowedRaw * 1000 / ((reserveBase - borrowedRaw) * 997) + 1;
        if (seizedRaw < owedRaw) revert SeizedBelowRepayment(seizedRaw, owedRaw);
        SafeToken.safeTransfer(job.collateralToken, msg.sender, owedRaw);
    }

    function _liquidateAndRedeem(
        address cTokenBorrowed,
        address borrower,
        uint256 repayAmountRaw,
        address cTokenCollateral,
        address baseToken
    ) internal returns (uint256 collateralRaw) {
        SafeToken.safeApprove(baseToken, cTokenBorrowed, repayAmountRaw);
        uint256 seizeTokens = ICToken(cTokenBorrowed).liquidateBorrow(borrower, repayAmountRaw, cTokenCollateral);
        collateralRaw = ICToken(cTokenCollateral).redeem(seizeTokens);
    }

    function _job(address pair, address cTokenBorrowed, address cTokenCollateral, address borrower)
        internal
        view
        returns (Job memory job)
    {
        address baseToken = ICToken(cTokenBorrowed).underlying();
        address collateralToken = ICToken(cTokenCollateral).underlying();
        address token0 = IUniswapV2PairLike(pair).token0();
        address token1 = IUniswapV2PairLike(pair).token1();
        bool matches = (token0 == baseToken && token1 == collateralToken) || (token0 == collateralToken && token1 == baseToken);
        if (!matches) revert PairMismatch(pair, baseToken, collateralToken);
        job = Job(cTokenBorrowed, cTokenCollateral, borrower, baseToken, collateralToken, token0 == baseToken);
    }

    /// @dev Exact-in sale at the pair's reserves: out = in x 997 x rOut / (rIn x 1000 + in x 997).
    function _sell(address pair, address collateralToken, uint256 amountRaw, bool baseIsToken0) internal {
        (uint112 reserve0, uint112 reserve1,) = IUniswapV2PairLike(pair).getReserves();
        (uint256 reserveIn, uint256 reserveOut) =
            baseIsToken0 ? (uint256(reserve1), uint256(reserve0)) : (uint256(reserve0), uint256(reserve1));
        uint256 outRaw = amountRaw * 997 * reserveOut / (reserveIn * 1000 + amountRaw * 997);
        SafeToken.safeTransfer(collateralToken, pair, amountRaw);
        IUniswapV2PairLike(pair).swap(baseIsToken0 ? outRaw : 0, baseIsToken0 ? 0 : outRaw, address(this), "");
    }
}
