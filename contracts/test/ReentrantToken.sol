// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MintableERC20} from "../tokens/MintableERC20.sol";

/// @title TEST ONLY. A correct ERC-20 that, after each transfer/transferFrom, calls a configured target
///        with configured calldata (an ERC-777-style hook), to prove that reentrancy guards hold.
/// @notice The re-entrant call's outcome is recorded (not bubbled), so a test can assert that the target
///         rejected it (e.g. with `Locked()`) while the outer transfer still succeeded.
contract ReentrantToken is MintableERC20 {
    /// @notice Emitted after each re-entry attempt with its success flag and raw return/revert data.
    event ReentryAttempted(address indexed target, bool success, bytes returnData);

    /// @notice Contract called back after each transfer (address(0) = hook off).
    address public reentryTarget;
    /// @notice Calldata sent to `reentryTarget`.
    bytes public reentryCalldata;
    /// @notice Number of re-entry attempts made so far.
    uint256 public reentryCount;
    /// @notice Success flag of the last re-entry attempt.
    bool public lastReentrySucceeded;
    /// @notice Return data (or revert data) of the last re-entry attempt.
    bytes public lastReentryReturnData;

    bool private inHook;

    constructor() MintableERC20("Reentrant Token", "REENTER", 18) {}

    /// @notice Arms the hook: after every transfer, call `target` with `data` once (not recursively).
    function setReentry(address target, bytes calldata data) external {
        reentryTarget = target;
        reentryCalldata = data;
    }

    /// @notice ERC-20 transfer, then the hook.
    function transfer(address to, uint256 value) external override returns (bool) {
        _transfer(msg.sender, to, value);
        _hook();
        return true;
    }

    /// @notice ERC-20 transferFrom, then the hook.
    function transferFrom(address from, address to, uint256 value) external override returns (bool) {
        _spendAllowance(from, msg.sender, value);
        _transfer(from, to, value);
        _hook();
        return true;
    }

    function _hook() private {
        address target = reentryTarget;
        if (target == address(0) || inHook) return;
        inHook = true;
        (bool success, bytes memory returnData) = target.call(reentryCalldata);
        inHook = false;
        reentryCount += 1;
        lastReentrySucceeded = success;
        lastReentryReturnData = returnData;
        emit ReentryAttempted(target, success, returnData);
    }
}
