// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {HostileTokenBase} from "./HostileTokenBase.sol";

/// @title TEST ONLY. Moves tokens correctly but returns nothing from transfer/transferFrom/approve (like USDT).
/// @notice Callers that `require(token.transfer(...))` through IERC20 revert on it; SafeTransferLib must accept it.
contract NoReturnToken is HostileTokenBase {
    constructor() HostileTokenBase("No Return Token", "NORET") {}

    /// @notice Moves `amount` raw units to `to`; returns no data.
    function transfer(address to, uint256 amount) external {
        _move(msg.sender, to, amount);
    }

    /// @notice Moves `amount` raw units from `from` against the caller's allowance; returns no data.
    function transferFrom(address from, address to, uint256 amount) external {
        _spend(from, amount);
        _move(from, to, amount);
    }

    /// @notice Sets the caller's allowance for `spender`; returns no data.
    function approve(address spender, uint256 amount) external {
        _approve(spender, amount);
    }
}
