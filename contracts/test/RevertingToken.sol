// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {HostileTokenBase} from "./HostileTokenBase.sol";

/// @title TEST ONLY. Every transfer, transferFrom and approve reverts (a paused or blacklisting token).
contract RevertingToken is HostileTokenBase {
    /// @notice Raised by every transfer/transferFrom/approve of this token.
    error TokenAlwaysReverts();

    constructor() HostileTokenBase("Reverting Token", "REVERT") {}

    /// @notice Always reverts with TokenAlwaysReverts.
    function transfer(address, uint256) external pure returns (bool) {
        revert TokenAlwaysReverts();
    }

    /// @notice Always reverts with TokenAlwaysReverts.
    function transferFrom(address, address, uint256) external pure returns (bool) {
        revert TokenAlwaysReverts();
    }

    /// @notice Always reverts with TokenAlwaysReverts.
    function approve(address, uint256) external pure returns (bool) {
        revert TokenAlwaysReverts();
    }
}
