// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A small contract the chain-runtime tests drive: state, events, custom errors, time.
contract ChainProbe {
    error ValueTooLarge(uint256 value, uint256 max);
    error NotOwner(address caller);

    event Stored(address indexed by, uint256 value, uint256 timestamp);

    address public immutable owner;
    uint256 public value;
    uint256 public lastTimestamp;
    uint256 public immutable maxValue;

    constructor(uint256 maxValue_) {
        owner = msg.sender;
        maxValue = maxValue_;
    }

    /// @notice Store `newValue` (reverts above `maxValue`) and remember the block timestamp.
    function store(uint256 newValue) external {
        if (newValue > maxValue) revert ValueTooLarge(newValue, maxValue);
        value = newValue;
        lastTimestamp = block.timestamp;
        emit Stored(msg.sender, newValue, block.timestamp);
    }

    /// @notice Owner-only reset, to exercise access-control reverts.
    function reset() external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        value = 0;
    }

    /// @notice Reverts with a Solidity `require` string, to exercise Error(string) decoding.
    function failWithString() external pure {
        require(false, "plain string reason");
    }

    /// @notice Divides by its argument, to exercise Panic decoding.
    function divide(uint256 by) external pure returns (uint256) {
        return 100 / by;
    }

    /// @notice Two return values, to exercise tuple decoding.
    function pair() external view returns (uint256, address) {
        return (value, owner);
    }
}
