// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AggregatorV3Interface, AggregatorInterface} from "../interfaces/AggregatorV3Interface.sol";
import {IBoundedAggregator} from "../interfaces/IBoundedAggregator.sol";
import {OracleOwned} from "./OracleOwned.sol";

/// @title Chainlink-compatible price feed with OCR answer bounds and fault injection for drills.
/// @notice Reads exactly like a Chainlink proxy + OCR aggregator (AggregatorV3Interface,
///         the legacy AggregatorInterface, `minAnswer`/`maxAnswer`). Answers are in `decimals`
///         (e.g. 8 for USD pairs: 60000e8 = $60,000).
/// @dev Bounds follow Chainlink OCR (`OffchainAggregator` / `OCR2Aggregator._transmit`:
///      `require(minAnswer <= median && median <= maxAnswer, "median is out of min-max range")`):
///      a report whose answer lies outside [minAnswer, maxAnswer] reverts the whole transmit. No
///      round is created, `latestRoundData` keeps returning the last in-bounds round unchanged and
///      its `updatedAt` stops advancing, so the feed looks frozen at its last answer (LUNA/USD,
///      May 2022: minAnswer $0.10, stuck near $0.107). An answer exactly equal to a bound is
///      accepted. Round ids start at 1 and increase by one per round; `answeredInRound == roundId`
///      for every transmitted round.
contract ChainlinkFeed is AggregatorV3Interface, AggregatorInterface, IBoundedAggregator, OracleOwned {
    struct Round {
        int256 answer;
        uint64 startedAt;
        uint64 updatedAt;
        uint80 answeredInRound;
    }

    /// @notice Version of this feed implementation (not a Chainlink aggregator version).
    uint256 public constant override version = 1;

    uint8 public immutable override decimals;
    /// @dev Not immutable, unlike an OCR aggregator: `setBounds` models Chainlink replacing the
    ///      aggregator behind the feed's proxy with one of other bounds (the drills' `clamp` failure).
    int192 public override minAnswer;
    int192 public override maxAnswer;
    string public override description;

    /// @notice The only account allowed to `transmit` (the OCR transmitter / the drill's feeder).
    address public transmitter;

    uint80 internal latestRoundId;
    mapping(uint80 => Round) internal rounds;

    /// @notice Chainlink's legacy event, emitted for every new round (transmitted or injected).
    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);
    /// @notice Chainlink's legacy event; OCR emits it with `startedBy = address(0)`.
    event NewRound(uint256 indexed roundId, address indexed startedBy, uint256 startedAt);
    event TransmitterSet(address indexed previousTransmitter, address indexed newTransmitter);
    /// @notice The accepted answer range changed (an aggregator swap behind the proxy, in Chainlink terms).
    event BoundsUpdated(int192 minAnswer, int192 maxAnswer);
    /// @notice Emitted by `injectRound` so drill logs can tell a fault from a report.
    event RoundInjected(uint80 indexed roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);

    error NotTransmitter(address caller);
    /// @notice The report's median is outside [minAnswer, maxAnswer]; Chainlink OCR reverts the same way.
    error MedianNotInMinMax(int256 answer, int192 minAnswer, int192 maxAnswer);
    /// @notice Replacement for Chainlink's "No data present" revert string of `getRoundData`.
    error NoDataPresent(uint80 roundId);
    error InvalidBounds(int192 minAnswer, int192 maxAnswer);
    error TimestampTooLarge(uint256 timestamp);

    /// @param decimals_ number of decimals of every answer (8 for Chainlink USD feeds)
    /// @param description_ e.g. "WBTC / USD"
    /// @param minAnswer_ lowest accepted answer, in `decimals_` (inclusive)
    /// @param maxAnswer_ highest accepted answer, in `decimals_` (inclusive)
    /// @param transmitter_ the account allowed to push rounds
    constructor(uint8 decimals_, string memory description_, int192 minAnswer_, int192 maxAnswer_, address transmitter_) {
        if (minAnswer_ >= maxAnswer_) revert InvalidBounds(minAnswer_, maxAnswer_);
        if (transmitter_ == address(0)) revert ZeroAddress();
        decimals = decimals_;
        description = description_;
        minAnswer = minAnswer_;
        maxAnswer = maxAnswer_;
        transmitter = transmitter_;
        emit TransmitterSet(address(0), transmitter_);
    }

    // ---------------------------------------------------------------- writes

    /// @notice Push a new round the way an OCR report does (transmitter only).
    /// @param answer the report's median, in `decimals`
    /// @dev Reverts with `MedianNotInMinMax` when `answer` is outside [minAnswer, maxAnswer]: nothing
    ///      is written, the previous round stays latest with its old `updatedAt`. On success the round
    ///      gets `startedAt = updatedAt = block.timestamp` and `answeredInRound = roundId`.
    function transmit(int256 answer) external returns (uint80 roundId) {
        if (msg.sender != transmitter) revert NotTransmitter(msg.sender);
        if (answer < minAnswer || answer > maxAnswer) revert MedianNotInMinMax(answer, minAnswer, maxAnswer);
        roundId = _appendRound(answer, block.timestamp, block.timestamp, 0);
    }

    /// @notice Append a raw round that OCR would never produce (owner only), for failure drills:
    ///         zero or negative answers, `updatedAt == 0` or `answeredInRound < roundId`
    ///         (incomplete round), timestamps in the past or future. Bounds are not checked.
    /// @param answer the answer, in `decimals`
    /// @param startedAt seconds since epoch reported as the round's start
    /// @param updatedAt seconds since epoch reported as the round's last update (0 = incomplete)
    /// @param answeredInRound reported `answeredInRound`; 0 means "same as the new round id"
    function injectRound(int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
        external
        onlyOwner
        returns (uint80 roundId)
    {
        if (startedAt > type(uint64).max) revert TimestampTooLarge(startedAt);
        if (updatedAt > type(uint64).max) revert TimestampTooLarge(updatedAt);
        roundId = _appendRound(answer, startedAt, updatedAt, answeredInRound);
        emit RoundInjected(roundId, answer, startedAt, updatedAt, rounds[roundId].answeredInRound);
    }

    /// @notice Set the accepted answer range [minAnswer, maxAnswer], in `decimals` (owner only).
    /// @dev Chainlink cannot change an aggregator's bounds; it deploys a new aggregator behind the
    ///      proxy. This setter models that swap. Existing rounds are kept unchanged.
    function setBounds(int192 newMinAnswer, int192 newMaxAnswer) external onlyOwner {
        if (newMinAnswer >= newMaxAnswer) revert InvalidBounds(newMinAnswer, newMaxAnswer);
        minAnswer = newMinAnswer;
        maxAnswer = newMaxAnswer;
        emit BoundsUpdated(newMinAnswer, newMaxAnswer);
    }

    /// @notice Replace the transmitter (owner only).
    function setTransmitter(address newTransmitter) external onlyOwner {
        if (newTransmitter == address(0)) revert ZeroAddress();
        emit TransmitterSet(transmitter, newTransmitter);
        transmitter = newTransmitter;
    }

    function _appendRound(int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
        internal
        returns (uint80 roundId)
    {
        roundId = latestRoundId + 1;
        latestRoundId = roundId;
        rounds[roundId] = Round({
            answer: answer,
            startedAt: uint64(startedAt),
            updatedAt: uint64(updatedAt),
            answeredInRound: answeredInRound == 0 ? roundId : answeredInRound
        });
        emit NewRound(roundId, address(0), startedAt);
        emit AnswerUpdated(answer, roundId, updatedAt);
    }

    // ------------------------------------------------------ AggregatorV3Interface

    /// @notice The round `roundId` as (roundId, answer in `decimals`, startedAt s, updatedAt s, answeredInRound).
    /// @dev Reverts with `NoDataPresent(roundId)` for round 0 or a round not yet created.
    function getRoundData(uint80 roundId)
        external
        view
        override
        returns (uint80, int256, uint256, uint256, uint80)
    {
        if (roundId == 0 || roundId > latestRoundId) revert NoDataPresent(roundId);
        Round storage r = rounds[roundId];
        return (roundId, r.answer, r.startedAt, r.updatedAt, r.answeredInRound);
    }

    /// @notice The latest round, same shape as `getRoundData`.
    /// @dev Before the first round every field is 0 (as OCR2 aggregators return); consumers must
    ///      treat `updatedAt == 0` as "no data".
    function latestRoundData() external view override returns (uint80, int256, uint256, uint256, uint80) {
        uint80 id = latestRoundId;
        Round storage r = rounds[id];
        return (id, r.answer, r.startedAt, r.updatedAt, r.answeredInRound);
    }

    // ------------------------------------------------------ AggregatorInterface (legacy)

    /// @notice Latest answer in `decimals`, with no freshness information (0 before the first round).
    function latestAnswer() external view override returns (int256) {
        return rounds[latestRoundId].answer;
    }

    /// @notice `updatedAt` of the latest round, seconds since epoch (0 before the first round).
    function latestTimestamp() external view override returns (uint256) {
        return rounds[latestRoundId].updatedAt;
    }

    /// @notice Id of the latest round (0 before the first round).
    function latestRound() external view override returns (uint256) {
        return latestRoundId;
    }

    /// @notice Answer of round `roundId` in `decimals`; 0 for an unknown round (legacy Chainlink semantics).
    function getAnswer(uint256 roundId) external view override returns (int256) {
        if (roundId > latestRoundId) return 0;
        return rounds[uint80(roundId)].answer;
    }

    /// @notice `updatedAt` of round `roundId`, seconds; 0 for an unknown round (legacy Chainlink semantics).
    function getTimestamp(uint256 roundId) external view override returns (uint256) {
        if (roundId > latestRoundId) return 0;
        return rounds[uint80(roundId)].updatedAt;
    }
}
