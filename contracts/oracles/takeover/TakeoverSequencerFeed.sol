// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TakeoverAggregator} from "./TakeoverAggregator.sol";

/// @title An L2 sequencer uptime feed we did not deploy, driven like our `SequencerUptimeFeed` after a takeover.
/// @notice Answer 0 = up, 1 = down. As Chainlink's: a changed status opens round latest + 1 with
///         startedAt = updatedAt = block.timestamp; a repeated status only refreshes the latest round's
///         `updatedAt`. A legacy latest round is first adopted (copied into this feed's storage, the same id)
///         so that refresh never writes the original code's storage.
contract TakeoverSequencerFeed is TakeoverAggregator {
    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);
    event NewRound(uint256 indexed roundId, address indexed startedBy, uint256 startedAt);
    event RoundUpdated(int256 status, uint64 updatedAt);
    event UpdaterSet(address indexed previousUpdater, address indexed newUpdater);

    error NotUpdater(address caller);

    /// @notice The only account allowed to call `updateStatus` (the drill's controller).
    function updater() external view returns (address) {
        return _layout().transmitter;
    }

    /// @notice When the current status began, seconds (as our `SequencerUptimeFeed`).
    function latestTimestamp() external view override returns (uint256 startedAt) {
        (,, startedAt,,) = _latest();
    }

    /// @notice Report the status (updater only): `down = true` answers 1, false answers 0.
    function updateStatus(bool down) external {
        Layout storage $ = _layout();
        if (msg.sender != $.transmitter) revert NotUpdater(msg.sender);
        int256 status = down ? int256(1) : int256(0);
        uint256 id = $.latestRoundId;
        if (_isLegacy(id)) {
            (, int256 answer, uint256 startedAt, uint256 updatedAt,) = _latest();
            $.rounds[id] = Round({answer: answer, startedAt: uint64(startedAt), updatedAt: uint64(updatedAt),
                                  answeredInRound: uint80(id)});
            $.legacyLatestRound = id - 1;
        }
        if (id > 0 && $.rounds[id].answer == status) {
            $.rounds[id].updatedAt = uint64(block.timestamp);
            emit RoundUpdated(status, uint64(block.timestamp));
        } else {
            uint80 roundId = _appendRound(status, block.timestamp, block.timestamp, 0);
            emit NewRound(roundId, msg.sender, block.timestamp);
            emit AnswerUpdated(status, roundId, block.timestamp);
        }
    }

    /// @notice Replace the updater (owner only).
    function setUpdater(address newUpdater) external onlyOwner {
        if (newUpdater == address(0)) revert ZeroAddress();
        emit UpdaterSet(_layout().transmitter, newUpdater);
        _layout().transmitter = newUpdater;
    }
}
