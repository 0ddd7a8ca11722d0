// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A one-slot reentrancy lock for contracts that move tokens.
/// @dev Storage (not transient) so it works on any EVM version; 1 = free, 2 = locked (never back to
///      zero, so the unlock refunds instead of re-paying the zero-to-non-zero write).
abstract contract ReentrancyGuard {
    /// @notice A guarded function was entered again before the first call returned.
    error ReentrantCall();

    uint256 private _reentrancyStatus = 1;

    modifier nonReentrant() {
        if (_reentrancyStatus != 1) revert ReentrantCall();
        _reentrancyStatus = 2;
        _;
        _reentrancyStatus = 1;
    }
}
