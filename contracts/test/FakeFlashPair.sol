// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IUniswapV2Callee} from "../interfaces/IUniswapV2Callee.sol";

/// @title TEST ONLY. A "pair" that calls `uniswapV2Call` back with a forged initiator, to prove the
///        FlashLiquidator accepts callbacks only for flash swaps it started itself.
contract FakeFlashPair {
    address public immutable token0;
    address public immutable token1;
    address public immutable forgedInitiator;

    constructor(address tokenA, address tokenB, address forgedInitiator_) {
        (token0, token1) = tokenA < tokenB ? (tokenA, tokenB) : (tokenB, tokenA);
        forgedInitiator = forgedInitiator_;
    }

    function getReserves() external pure returns (uint112, uint112, uint32) {
        return (1e30, 1e30, 0);
    }

    /// @notice Sends nothing and calls `to` back as a pair would, naming `forgedInitiator` as the sender.
    function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes calldata data) external {
        IUniswapV2Callee(to).uniswapV2Call(forgedInitiator, amount0Out, amount1Out, data);
    }
}
