// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The answer bounds a Chainlink OCR aggregator exposes (`OffchainAggregator` / `OCR2Aggregator`).
/// @dev Same selectors as Chainlink's aggregators; on mainnet they live on the aggregator behind the proxy.
interface IBoundedAggregator {
    /// @notice Lowest median a report may carry, in the feed's decimals (inclusive).
    function minAnswer() external view returns (int192);

    /// @notice Highest median a report may carry, in the feed's decimals (inclusive).
    function maxAnswer() external view returns (int192);
}
