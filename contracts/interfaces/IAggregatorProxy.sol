// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The view of Chainlink's `EACAggregatorProxy` naming the aggregator behind it (where the
///        OCR `minAnswer` / `maxAnswer` bounds live on mainnet).
interface IAggregatorProxy {
    function aggregator() external view returns (address);
}
