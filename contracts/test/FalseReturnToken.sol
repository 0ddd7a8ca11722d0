// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {HostileTokenBase} from "./HostileTokenBase.sol";

/// @title TEST ONLY. Never moves anything and returns `false` instead of reverting (old ZRX/BAT style).
/// @notice SafeTransferLib must turn the `false` into TransferFailed/TransferFromFailed/ApproveFailed.
contract FalseReturnToken is HostileTokenBase {
    constructor() HostileTokenBase("False Return Token", "FALSE") {}

    /// @notice Does nothing; returns false.
    function transfer(address, uint256) external pure returns (bool) {
        return false;
    }

    /// @notice Does nothing; returns false.
    function transferFrom(address, address, uint256) external pure returns (bool) {
        return false;
    }

    /// @notice Does nothing; returns false.
    function approve(address, uint256) external pure returns (bool) {
        return false;
    }
}
