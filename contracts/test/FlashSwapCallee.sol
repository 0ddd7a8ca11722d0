// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IUniswapV2Callee} from "../interfaces/IUniswapV2Callee.sol";
import {IUniswapV2Pair} from "../interfaces/IUniswapV2Pair.sol";
import {IERC20} from "../interfaces/IERC20.sol";

/// @title TEST ONLY. A flash-swap borrower written against the plain Uniswap V2 interfaces.
/// @notice `data` = abi.encode(address repayToken, uint256 repayAmount, bool reenter): pays `repayAmount`
///         raw units of `repayToken` (pre-funded) back to the calling pair, or re-enters `swap` to hit the lock.
contract FlashSwapCallee is IUniswapV2Callee {
    /// @notice Arguments of the last callback, for assertions.
    address public lastSender;
    uint256 public lastAmount0;
    uint256 public lastAmount1;
    /// @notice This contract's balance of the borrowed tokens seen inside the callback (raw units).
    uint256 public lastBalance0;
    uint256 public lastBalance1;

    /// @notice Starts a flash swap on `pair`, borrowing `amount0Out`/`amount1Out` (raw units).
    function flash(address pair, uint256 amount0Out, uint256 amount1Out, bytes calldata data) external {
        IUniswapV2Pair(pair).swap(amount0Out, amount1Out, address(this), data);
    }

    /// @inheritdoc IUniswapV2Callee
    function uniswapV2Call(address sender, uint256 amount0, uint256 amount1, bytes calldata data) external override {
        (address repayToken, uint256 repayAmount, bool reenter) = abi.decode(data, (address, uint256, bool));
        lastSender = sender;
        lastAmount0 = amount0;
        lastAmount1 = amount1;
        lastBalance0 = IERC20(IUniswapV2Pair(msg.sender).token0()).balanceOf(address(this));
        lastBalance1 = IERC20(IUniswapV2Pair(msg.sender).token1()).balanceOf(address(this));
        if (reenter) {
            IUniswapV2Pair(msg.sender).swap(amount0, amount1, address(this), "");
        }
        if (repayAmount > 0) IERC20(repayToken).transfer(msg.sender, repayAmount);
    }
}
