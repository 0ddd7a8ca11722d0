// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Flash-swap callback, identical to Uniswap V2's so existing callees work unchanged.
interface IUniswapV2Callee {
    function uniswapV2Call(address sender, uint256 amount0, uint256 amount1, bytes calldata data) external;
}
