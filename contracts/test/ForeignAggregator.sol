// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A feed written the way a third party might: Chainlink-proxy-style phase-encoded round ids
///        (phaseId << 64 | aggregatorRound), a storage layout unlike ours, a string revert for unknown
///        rounds and an extra view (`phaseId`). Test-only: the target of feed-takeover tests.
contract ForeignAggregator {
    struct Entry {
        int256 answer;
        uint256 startedAt;
        uint256 updatedAt;
    }

    address public admin;
    uint16 public phaseId;
    uint64 internal lastAggregatorRound;
    mapping(uint64 => Entry) internal entries;
    uint8 public decimals;
    string public description;

    error NotAdmin(address caller);

    constructor(uint8 decimals_, string memory description_, uint16 phaseId_) {
        admin = msg.sender;
        decimals = decimals_;
        description = description_;
        phaseId = phaseId_;
    }

    function version() external pure returns (uint256) {
        return 4;
    }

    /// @notice Admin-only report (answer in `decimals`).
    function report(int256 answer) external {
        if (msg.sender != admin) revert NotAdmin(msg.sender);
        lastAggregatorRound += 1;
        entries[lastAggregatorRound] = Entry(answer, block.timestamp, block.timestamp);
    }

    function _id(uint64 aggregatorRound) internal view returns (uint80) {
        return uint80((uint256(phaseId) << 64) | aggregatorRound);
    }

    function getRoundData(uint80 roundId) public view returns (uint80, int256, uint256, uint256, uint80) {
        uint64 aggregatorRound = uint64(roundId);
        require(uint16(roundId >> 64) == phaseId && aggregatorRound > 0 && aggregatorRound <= lastAggregatorRound,
                "No data present");
        Entry storage e = entries[aggregatorRound];
        return (roundId, e.answer, e.startedAt, e.updatedAt, roundId);
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        Entry storage e = entries[lastAggregatorRound];
        uint80 id = _id(lastAggregatorRound);
        return (id, e.answer, e.startedAt, e.updatedAt, id);
    }

    function latestAnswer() external view returns (int256) {
        return entries[lastAggregatorRound].answer;
    }
}
