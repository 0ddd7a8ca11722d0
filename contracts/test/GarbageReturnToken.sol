// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {HostileTokenBase} from "./HostileTokenBase.sol";

/// @title TEST ONLY. Moves tokens but returns a malformed value: the word 2 (neither true nor false).
/// @notice `abi.decode(.., (bool))` would revert or read it loosely; SafeTransferLib must reject it.
contract GarbageReturnToken is HostileTokenBase {
    constructor() HostileTokenBase("Garbage Return Token", "GARBAGE") {}

    /// @notice Moves `amount` raw units to `to`; returns the word 2.
    function transfer(address to, uint256 amount) external returns (uint256) {
        _move(msg.sender, to, amount);
        return 2;
    }

    /// @notice Moves `amount` raw units from `from`; returns the word 2.
    function transferFrom(address from, address to, uint256 amount) external returns (uint256) {
        _spend(from, amount);
        _move(from, to, amount);
        return 2;
    }

    /// @notice Sets the allowance; returns the word 2.
    function approve(address spender, uint256 amount) external returns (uint256) {
        _approve(spender, amount);
        return 2;
    }
}
