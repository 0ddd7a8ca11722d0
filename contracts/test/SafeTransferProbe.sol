// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SafeTransferLib} from "../libraries/SafeTransferLib.sol";

/// @title TEST ONLY. Exposes SafeTransferLib so tests can run it against each hostile token.
contract SafeTransferProbe {
    /// @notice SafeTransferLib.safeTransfer from this contract.
    function transfer(address token, address to, uint256 amount) external {
        SafeTransferLib.safeTransfer(token, to, amount);
    }

    /// @notice SafeTransferLib.safeTransferFrom using this contract's allowance.
    function transferFrom(address token, address from, address to, uint256 amount) external {
        SafeTransferLib.safeTransferFrom(token, from, to, amount);
    }

    /// @notice SafeTransferLib.safeApprove from this contract.
    function approve(address token, address spender, uint256 amount) external {
        SafeTransferLib.safeApprove(token, spender, amount);
    }
}
