// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IBoundedAggregator} from "../../interfaces/IBoundedAggregator.sol";
import {TakeoverAggregator} from "./TakeoverAggregator.sol";

/// @title A price feed we did not deploy, driven like our `ChainlinkFeed` after an `anvil_setCode` takeover.
/// @notice Same writes, events and errors as `ChainlinkFeed` (`transmit`, `injectRound`, `setBounds`,
///         `setTransmitter`), so the drill's oracle feeder and every failure kind work on it unchanged.
///         OCR bounds: a transmit outside [minAnswer, maxAnswer] reverts and creates no round.
contract TakeoverFeed is TakeoverAggregator, IBoundedAggregator {
    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);
    event NewRound(uint256 indexed roundId, address indexed startedBy, uint256 startedAt);
    event TransmitterSet(address indexed previousTransmitter, address indexed newTransmitter);
    event BoundsUpdated(int192 minAnswer, int192 maxAnswer);
    event RoundInjected(uint80 indexed roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);

    error NotTransmitter(address caller);
    error MedianNotInMinMax(int256 answer, int192 minAnswer, int192 maxAnswer);
    error InvalidBounds(int192 minAnswer, int192 maxAnswer);
    error TimestampTooLarge(uint256 timestamp);

    /// @notice The only account allowed to `transmit` (the drill's feeder).
    function transmitter() external view returns (address) {
        return _layout().transmitter;
    }

    /// @notice Lowest accepted answer, in `decimals` (inclusive).
    function minAnswer() external view override returns (int192) {
        return int192(_layout().minAnswer);
    }

    /// @notice Highest accepted answer, in `decimals` (inclusive).
    function maxAnswer() external view override returns (int192) {
        return int192(_layout().maxAnswer);
    }

    /// @notice Push a new round as an OCR report does (transmitter only): id = latest + 1,
    ///         startedAt = updatedAt = block.timestamp. `answer` in `decimals`.
    function transmit(int256 answer) external returns (uint80 roundId) {
        Layout storage $ = _layout();
        if (msg.sender != $.transmitter) revert NotTransmitter(msg.sender);
        if (answer < $.minAnswer || answer > $.maxAnswer) {
            revert MedianNotInMinMax(answer, int192($.minAnswer), int192($.maxAnswer));
        }
        roundId = _appendRound(answer, block.timestamp, block.timestamp, 0);
        emit NewRound(roundId, address(0), block.timestamp);
        emit AnswerUpdated(answer, roundId, block.timestamp);
    }

    /// @notice Append a raw round OCR would never produce (owner only), for failure drills; bounds unchecked.
    /// @param answer in `decimals`
    /// @param startedAt seconds since epoch
    /// @param updatedAt seconds since epoch (0 = incomplete round)
    /// @param answeredInRound 0 means "same as the new round id"
    function injectRound(int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
        external
        onlyOwner
        returns (uint80 roundId)
    {
        if (startedAt > type(uint64).max) revert TimestampTooLarge(startedAt);
        if (updatedAt > type(uint64).max) revert TimestampTooLarge(updatedAt);
        roundId = _appendRound(answer, startedAt, updatedAt, answeredInRound);
        emit NewRound(roundId, address(0), startedAt);
        emit AnswerUpdated(answer, roundId, updatedAt);
        emit RoundInjected(roundId, answer, startedAt, updatedAt, _layout().rounds[roundId].answeredInRound);
    }

    /// @notice Set the accepted range [minAnswer, maxAnswer], in `decimals` (owner only).
    function setBounds(int192 newMinAnswer, int192 newMaxAnswer) external onlyOwner {
        if (newMinAnswer >= newMaxAnswer) revert InvalidBounds(newMinAnswer, newMaxAnswer);
        _layout().minAnswer = newMinAnswer;
        _layout().maxAnswer = newMaxAnswer;
        emit BoundsUpdated(newMinAnswer, newMaxAnswer);
    }

    /// @notice Replace the transmitter (owner only).
    function setTransmitter(address newTransmitter) external onlyOwner {
        if (newTransmitter == address(0)) revert ZeroAddress();
        emit TransmitterSet(_layout().transmitter, newTransmitter);
        _layout().transmitter = newTransmitter;
    }
}
