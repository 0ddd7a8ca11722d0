// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice The Uniswap V2 pair functions a flash liquidation uses.
interface IUniswapV2PairLike {
    function token0() external view returns (address);
    function token1() external view returns (address);
    function getReserves() external view returns (uint112 reserve0, uint112 reserve1, uint32 blockTimestampLast);
    function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes calldata data) external;
}

/// @notice Uniswap V2's flash-swap callback.
interface IUniswapV2CalleeLike {
    function uniswapV2Call(address sender, uint256 amount0, uint256 amount1, bytes calldata data) external;
}
