// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AggregatorV3Interface, AggregatorInterface} from "../../interfaces/AggregatorV3Interface.sol";

/// @title The read side of a feed put under drill control with `anvil_setCode` (feed takeover).
/// @notice This code replaces an AggregatorV3 we did not deploy (a user's feed, a forked mainnet feed)
///         at ITS address, so every consumer keeps reading the same address. The original code is
///         re-installed at another address (`legacy`) and rounds up to `legacyLatestRound` are answered by
///         running it with `delegatecall` against this address's untouched storage: old rounds answer
///         `getRoundData` exactly as before, and new rounds continue from `legacyLatestRound + 1`.
/// @dev No constructor and no immutables: `anvil_setCode` never runs one. The configuration lives in an
///      ERC-7201 namespace (`defidrill.takeover.feed`) written slot by slot by the drill
///      (`defidrill.protocol.feeds.takeover`), far from the original contract's own slots, which the
///      legacy code still reads. Every field takes a whole slot (no packing) so the writer needs no
///      packing rules: owner +0, version +1, transmitter +2, decimals +3, minAnswer +4, maxAnswer +5,
///      latestRoundId +6, legacyLatestRound +7, legacy +8, description +9, rounds +10.
abstract contract TakeoverAggregator is AggregatorV3Interface, AggregatorInterface {
    struct Round {
        int256 answer;
        uint64 startedAt;
        uint64 updatedAt;
        uint80 answeredInRound;
    }

    /// @custom:storage-location erc7201:defidrill.takeover.feed
    struct Layout {
        address owner;
        uint256 version;
        address transmitter;
        uint256 decimals;
        int256 minAnswer;
        int256 maxAnswer;
        uint256 latestRoundId;
        uint256 legacyLatestRound;
        address legacy;
        string description;
        mapping(uint256 => Round) rounds;
    }

    /// @dev keccak256(abi.encode(uint256(keccak256("defidrill.takeover.feed")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 internal constant LAYOUT_SLOT = 0x6a7372db5ca23aac32e8bdb838fabeb21efc435c515cb58a2d2686c956003c00;

    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    error NotOwner(address caller);
    error ZeroAddress();
    /// @notice Replacement for Chainlink's "No data present" for a round this feed never had.
    error NoDataPresent(uint80 roundId);
    /// @notice `legacyCall` is reachable only from this contract's own views.
    error NotSelf(address caller);

    function _layout() internal pure returns (Layout storage $) {
        bytes32 slot = LAYOUT_SLOT;
        assembly {
            $.slot := slot
        }
    }

    modifier onlyOwner() {
        if (msg.sender != _layout().owner) revert NotOwner(msg.sender);
        _;
    }

    // ----------------------------------------------------------------- config views

    /// @notice The account allowed to call owner-only setters (the drill's controller).
    function owner() external view returns (address) {
        return _layout().owner;
    }

    /// @notice The original code's decimals, kept.
    function decimals() external view override returns (uint8) {
        return uint8(_layout().decimals);
    }

    /// @notice The original code's description, kept.
    function description() external view override returns (string memory) {
        return _layout().description;
    }

    /// @notice The original code's version, kept.
    function version() external view override returns (uint256) {
        return _layout().version;
    }

    /// @notice The last round the original code answered when the feed was taken over (0 = none).
    function legacyLatestRound() external view returns (uint256) {
        return _layout().legacyLatestRound;
    }

    /// @notice Where the original code was re-installed (its storage stays at this address).
    function legacy() external view returns (address) {
        return _layout().legacy;
    }

    /// @notice Hand the owner role to `newOwner` (owner only; not to the zero address).
    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert ZeroAddress();
        emit OwnershipTransferred(_layout().owner, newOwner);
        _layout().owner = newOwner;
    }

    // ----------------------------------------------------------------- legacy rounds

    /// @notice Runs the original code on this address's storage (self only, read through `staticcall`).
    /// @dev A view cannot `delegatecall`; the views `staticcall` this function instead, which keeps the
    ///      legacy code unable to write anything.
    function legacyCall(bytes calldata data) external returns (bytes memory) {
        if (msg.sender != address(this)) revert NotSelf(msg.sender);
        (bool ok, bytes memory ret) = _layout().legacy.delegatecall(data);
        if (!ok) _bubble(ret);
        return ret;
    }

    function _legacyView(bytes memory data) internal view returns (bytes memory) {
        (bool ok, bytes memory ret) = address(this).staticcall(abi.encodeCall(this.legacyCall, (data)));
        if (!ok) _bubble(ret);
        return abi.decode(ret, (bytes));
    }

    function _bubble(bytes memory ret) private pure {
        assembly {
            revert(add(ret, 32), mload(ret))
        }
    }

    function _isLegacy(uint256 roundId) internal view returns (bool) {
        Layout storage $ = _layout();
        return roundId <= $.legacyLatestRound && $.legacy != address(0);
    }

    /// @dev (roundId, answer, startedAt, updatedAt, answeredInRound) of any round, legacy or ours.
    function _roundData(uint80 roundId) internal view returns (uint80, int256, uint256, uint256, uint80) {
        if (_isLegacy(roundId)) {
            return abi.decode(_legacyView(abi.encodeCall(AggregatorV3Interface.getRoundData, (roundId))),
                (uint80, int256, uint256, uint256, uint80));
        }
        if (roundId == 0 || roundId > _layout().latestRoundId) revert NoDataPresent(roundId);
        Round storage r = _layout().rounds[roundId];
        return (roundId, r.answer, r.startedAt, r.updatedAt, r.answeredInRound);
    }

    function _latest() internal view returns (uint80, int256, uint256, uint256, uint80) {
        uint256 id = _layout().latestRoundId;
        if (_isLegacy(id)) {
            return abi.decode(_legacyView(abi.encodeCall(AggregatorV3Interface.latestRoundData, ())),
                (uint80, int256, uint256, uint256, uint80));
        }
        Round storage r = _layout().rounds[id];
        return (uint80(id), r.answer, r.startedAt, r.updatedAt, r.answeredInRound);
    }

    // ------------------------------------------------------ AggregatorV3Interface

    /// @notice Round `roundId` (answer in `decimals`, times in seconds); legacy rounds as the original answered.
    function getRoundData(uint80 roundId) external view override returns (uint80, int256, uint256, uint256, uint80) {
        return _roundData(roundId);
    }

    /// @notice The latest round; right after the takeover, the original's latest round unchanged.
    function latestRoundData() external view override returns (uint80, int256, uint256, uint256, uint80) {
        return _latest();
    }

    // ------------------------------------------------------ AggregatorInterface (legacy)

    /// @notice Latest answer in `decimals`.
    function latestAnswer() external view override returns (int256 answer) {
        (, answer,,,) = _latest();
    }

    /// @notice `updatedAt` of the latest round, seconds.
    function latestTimestamp() external view virtual override returns (uint256 updatedAt) {
        (,,, updatedAt,) = _latest();
    }

    /// @notice Id of the latest round.
    function latestRound() external view override returns (uint256) {
        return _layout().latestRoundId;
    }

    /// @notice Answer of round `roundId`; 0 for an unknown round (legacy Chainlink semantics).
    function getAnswer(uint256 roundId) external view override returns (int256 answer) {
        if (roundId == 0 || roundId > _layout().latestRoundId || roundId > type(uint80).max) return 0;
        (, answer,,,) = _roundData(uint80(roundId));
    }

    /// @notice `updatedAt` of round `roundId`, seconds; 0 for an unknown round.
    function getTimestamp(uint256 roundId) external view override returns (uint256 updatedAt) {
        if (roundId == 0 || roundId > _layout().latestRoundId || roundId > type(uint80).max) return 0;
        (,,, updatedAt,) = _roundData(uint80(roundId));
    }

    /// @notice Any other function of the original contract (a proxy's `aggregator()`, `phaseId()`...) still
    ///         answers: it runs on the original code against this address's storage.
    fallback() external {
        address code = _layout().legacy;
        if (code == address(0)) revert NoDataPresent(0);
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), code, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    function _appendRound(int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
        internal
        returns (uint80 roundId)
    {
        Layout storage $ = _layout();
        roundId = uint80($.latestRoundId + 1);
        $.latestRoundId = roundId;
        $.rounds[roundId] = Round({
            answer: answer,
            startedAt: uint64(startedAt),
            updatedAt: uint64(updatedAt),
            answeredInRound: answeredInRound == 0 ? roundId : answeredInRound
        });
    }
}
