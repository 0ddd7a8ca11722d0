// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IUniswapV2Pair} from "../../interfaces/IUniswapV2Pair.sol";
import {IUniswapV2Factory} from "../../interfaces/IUniswapV2Factory.sol";

/// @title Uniswap V2's `UniswapV2Library` pricing math, same formulas and rounding, custom errors.
/// @notice All amounts and reserves are raw token units (10**decimals per whole token). The 0.3% fee
///         is taken on the input side: 997/1000 of `amountIn` moves the price.
library AmmLibrary {
    /// @notice The two tokens of a pair are the same address.
    error IdenticalAddresses(address token);
    /// @notice A token of the pair is address(0).
    error ZeroAddress();
    /// @notice `quote` was asked to convert zero.
    error InsufficientAmount();
    /// @notice An amount in of zero has no output.
    error InsufficientInputAmount();
    /// @notice An amount out of zero needs no input.
    error InsufficientOutputAmount();
    /// @notice A reserve is zero, or the amount out would empty the reserve.
    error InsufficientLiquidity();
    /// @notice A swap path needs at least two tokens.
    error InvalidPath(uint256 length);
    /// @notice The factory holds no pair for these two tokens.
    error PairNotFound(address tokenA, address tokenB);

    /// @notice The pair's token order: token0 < token1 by address.
    function sortTokens(address tokenA, address tokenB) internal pure returns (address token0, address token1) {
        if (tokenA == tokenB) revert IdenticalAddresses(tokenA);
        (token0, token1) = tokenA < tokenB ? (tokenA, tokenB) : (tokenB, tokenA);
        if (token0 == address(0)) revert ZeroAddress();
    }

    /// @notice The pair of `tokenA`/`tokenB` registered at `factory` (reverts `PairNotFound` when none).
    function pairOf(address factory, address tokenA, address tokenB) internal view returns (address pair) {
        pair = IUniswapV2Factory(factory).getPair(tokenA, tokenB);
        if (pair == address(0)) revert PairNotFound(tokenA, tokenB);
    }

    /// @notice Reserves of the pair ordered as (tokenA, tokenB), raw units.
    function getReserves(address factory, address tokenA, address tokenB)
        internal
        view
        returns (uint256 reserveA, uint256 reserveB)
    {
        (address token0,) = sortTokens(tokenA, tokenB);
        (uint256 reserve0, uint256 reserve1,) = IUniswapV2Pair(pairOf(factory, tokenA, tokenB)).getReserves();
        (reserveA, reserveB) = tokenA == token0 ? (reserve0, reserve1) : (reserve1, reserve0);
    }

    /// @notice amountB = amountA * reserveB / reserveA, rounded down: the same value at the pool's price, no fee.
    function quote(uint256 amountA, uint256 reserveA, uint256 reserveB) internal pure returns (uint256 amountB) {
        if (amountA == 0) revert InsufficientAmount();
        if (reserveA == 0 || reserveB == 0) revert InsufficientLiquidity();
        amountB = amountA * reserveB / reserveA;
    }

    /// @notice Output for an exact input after the 0.3% fee, rounded down:
    ///         amountOut = amountIn*997*reserveOut / (reserveIn*1000 + amountIn*997).
    function getAmountOut(uint256 amountIn, uint256 reserveIn, uint256 reserveOut)
        internal
        pure
        returns (uint256 amountOut)
    {
        if (amountIn == 0) revert InsufficientInputAmount();
        if (reserveIn == 0 || reserveOut == 0) revert InsufficientLiquidity();
        uint256 amountInWithFee = amountIn * 997;
        amountOut = amountInWithFee * reserveOut / (reserveIn * 1000 + amountInWithFee);
    }

    /// @notice Smallest input that buys an exact output after the 0.3% fee (rounded up by the +1):
    ///         amountIn = reserveIn*amountOut*1000 / ((reserveOut - amountOut)*997) + 1.
    function getAmountIn(uint256 amountOut, uint256 reserveIn, uint256 reserveOut)
        internal
        pure
        returns (uint256 amountIn)
    {
        if (amountOut == 0) revert InsufficientOutputAmount();
        if (reserveIn == 0 || reserveOut <= amountOut) revert InsufficientLiquidity();
        amountIn = reserveIn * amountOut * 1000 / ((reserveOut - amountOut) * 997) + 1;
    }

    /// @notice Chained `getAmountOut` along `path`; amounts[0] = amountIn, amounts[i+1] = output of hop i.
    function getAmountsOut(address factory, uint256 amountIn, address[] memory path)
        internal
        view
        returns (uint256[] memory amounts)
    {
        if (path.length < 2) revert InvalidPath(path.length);
        amounts = new uint256[](path.length);
        amounts[0] = amountIn;
        for (uint256 i; i < path.length - 1; i++) {
            (uint256 reserveIn, uint256 reserveOut) = getReserves(factory, path[i], path[i + 1]);
            amounts[i + 1] = getAmountOut(amounts[i], reserveIn, reserveOut);
        }
    }

    /// @notice Chained `getAmountIn` backwards along `path`; amounts[last] = amountOut.
    function getAmountsIn(address factory, uint256 amountOut, address[] memory path)
        internal
        view
        returns (uint256[] memory amounts)
    {
        if (path.length < 2) revert InvalidPath(path.length);
        amounts = new uint256[](path.length);
        amounts[amounts.length - 1] = amountOut;
        for (uint256 i = path.length - 1; i > 0; i--) {
            (uint256 reserveIn, uint256 reserveOut) = getReserves(factory, path[i - 1], path[i]);
            amounts[i - 1] = getAmountIn(amounts[i], reserveIn, reserveOut);
        }
    }
}
