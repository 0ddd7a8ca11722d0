// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice One-entry lock for functions that move tokens (1 = free, 2 = entered; never zero, so the
///         first lock is not a zero-to-nonzero write).
abstract contract Guarded {
    error Reentered();

    uint256 private _lock = 1;

    modifier nonReentrant() {
        if (_lock != 1) revert Reentered();
        _lock = 2;
        _;
        _lock = 1;
    }
}
