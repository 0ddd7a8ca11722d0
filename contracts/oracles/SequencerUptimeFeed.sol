// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AggregatorV3Interface, AggregatorInterface} from "../interfaces/AggregatorV3Interface.sol";
import {OracleOwned} from "./OracleOwned.sol";

/// @title L2 sequencer uptime feed, read like Chainlink's (answer 0 = up, 1 = down).
/// @notice As Chainlink's `BaseSequencerUptimeFeed`: a new round is recorded only when the status
///         changes; a report repeating the current status only refreshes `updatedAt`.
///         `startedAt` = when the current status began (what consumers measure the grace period
///         from), `updatedAt` = when the status was last reported. Round 1 is recorded at deployment.
/// @dev Chainlink stamps `startedAt` with the L1 timestamp carried by the bridge message; here the
///      updater sits on the same chain, so both are `block.timestamp` of the update.
contract SequencerUptimeFeed is AggregatorV3Interface, AggregatorInterface, OracleOwned {
    struct Round {
        bool down;
        uint64 startedAt;
        uint64 updatedAt;
    }

    uint8 public constant override decimals = 0;
    string public constant override description = "L2 Sequencer Uptime Status Feed";
    uint256 public constant override version = 1;

    /// @notice The only account allowed to call `updateStatus` (stands in for the L1 sender).
    address public updater;

    uint80 internal latestRoundId;
    mapping(uint80 => Round) internal rounds;

    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);
    event NewRound(uint256 indexed roundId, address indexed startedBy, uint256 startedAt);
    /// @notice A report that repeated the current status (no new round), as Chainlink emits.
    event RoundUpdated(int256 status, uint64 updatedAt);
    event UpdaterSet(address indexed previousUpdater, address indexed newUpdater);

    error NotUpdater(address caller);
    /// @notice Replacement for Chainlink's "No data present".
    error NoDataPresent(uint256 roundId);

    /// @param updater_ the account allowed to report status
    /// @param initialDown the status of round 1 (false = up)
    constructor(address updater_, bool initialDown) {
        if (updater_ == address(0)) revert ZeroAddress();
        updater = updater_;
        emit UpdaterSet(address(0), updater_);
        _recordRound(1, initialDown);
    }

    /// @notice Report the sequencer status (updater only): `down = true` answers 1, false answers 0.
    /// @dev A changed status opens round `latestRound + 1` with `startedAt = updatedAt = block.timestamp`;
    ///      an unchanged one only sets the latest round's `updatedAt = block.timestamp`.
    function updateStatus(bool down) external {
        if (msg.sender != updater) revert NotUpdater(msg.sender);
        uint80 id = latestRoundId;
        if (rounds[id].down == down) {
            rounds[id].updatedAt = uint64(block.timestamp);
            emit RoundUpdated(_answer(down), uint64(block.timestamp));
        } else {
            _recordRound(id + 1, down);
        }
    }

    /// @notice Replace the updater (owner only).
    function setUpdater(address newUpdater) external onlyOwner {
        if (newUpdater == address(0)) revert ZeroAddress();
        emit UpdaterSet(updater, newUpdater);
        updater = newUpdater;
    }

    function _recordRound(uint80 id, bool down) internal {
        latestRoundId = id;
        rounds[id] = Round({down: down, startedAt: uint64(block.timestamp), updatedAt: uint64(block.timestamp)});
        emit NewRound(id, msg.sender, block.timestamp);
        emit AnswerUpdated(_answer(down), id, block.timestamp);
    }

    function _answer(bool down) internal pure returns (int256) {
        return down ? int256(1) : int256(0);
    }

    function _requireRound(uint256 roundId) internal view {
        if (roundId == 0 || roundId > latestRoundId) revert NoDataPresent(roundId);
    }

    /// @notice (roundId, status 0 up / 1 down, startedAt s = status change, updatedAt s = last report, roundId).
    function getRoundData(uint80 roundId) external view override returns (uint80, int256, uint256, uint256, uint80) {
        _requireRound(roundId);
        Round storage r = rounds[roundId];
        return (roundId, _answer(r.down), r.startedAt, r.updatedAt, roundId);
    }

    /// @notice The current status round, same shape as `getRoundData`.
    function latestRoundData() external view override returns (uint80, int256, uint256, uint256, uint80) {
        uint80 id = latestRoundId;
        Round storage r = rounds[id];
        return (id, _answer(r.down), r.startedAt, r.updatedAt, id);
    }

    /// @notice Current status: 0 up, 1 down.
    function latestAnswer() external view override returns (int256) {
        return _answer(rounds[latestRoundId].down);
    }

    /// @notice When the current status began, seconds (Chainlink returns `startedAt` here).
    function latestTimestamp() external view override returns (uint256) {
        return rounds[latestRoundId].startedAt;
    }

    /// @notice Id of the current status round.
    function latestRound() external view override returns (uint256) {
        return latestRoundId;
    }

    /// @notice Status of round `roundId` (0 up, 1 down); reverts `NoDataPresent` for an unknown round.
    function getAnswer(uint256 roundId) external view override returns (int256) {
        _requireRound(roundId);
        return _answer(rounds[uint80(roundId)].down);
    }

    /// @notice `startedAt` of round `roundId`, seconds; reverts `NoDataPresent` for an unknown round.
    function getTimestamp(uint256 roundId) external view override returns (uint256) {
        _requireRound(roundId);
        return rounds[uint80(roundId)].startedAt;
    }
}
