// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAggregatorV3} from "./interfaces/IAggregatorV3.sol";
import {IPriceOracle} from "./interfaces/IPriceOracle.sol";

/// @title Prices markets from Chainlink-style feeds, Compound V2's way (zero = unavailable).
/// @notice A feed's answer is refused (price 0) when it is not positive, when its round is incomplete
///         (answeredInRound < roundId) or when it is older than the source's `maxAgeS`.
contract FeedPriceOracle is IPriceOracle {
    error NotOwner(address caller);
    error ZeroAddress();
    error ScaleTooLarge(uint8 underlyingDecimals, uint8 feedDecimals);

    event SourceSet(address indexed cToken, address feed, uint8 underlyingDecimals, uint8 feedDecimals, uint32 maxAgeS);

    struct Source {
        address feed;
        uint8 underlyingDecimals;
        uint8 feedDecimals;
        uint32 maxAgeS;
    }

    address public immutable owner;
    mapping(address cToken => Source) public sources;

    constructor(address owner_) {
        if (owner_ == address(0)) revert ZeroAddress();
        owner = owner_;
    }

    /// @notice Price `cToken`'s underlying (of `underlyingDecimals`) from `feed`, refusing answers older
    ///         than `maxAgeS` seconds.
    function setSource(address cToken, address feed, uint8 underlyingDecimals, uint32 maxAgeS) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        if (cToken == address(0) || feed == address(0)) revert ZeroAddress();
        uint8 feedDecimals = IAggregatorV3(feed).decimals();
        if (uint256(underlyingDecimals) + feedDecimals > 36) revert ScaleTooLarge(underlyingDecimals, feedDecimals);
        sources[cToken] = Source(feed, underlyingDecimals, feedDecimals, maxAgeS);
        emit SourceSet(cToken, feed, underlyingDecimals, feedDecimals, maxAgeS);
    }

    /// @inheritdoc IPriceOracle
    /// @dev answer (USD x 10^feedDecimals per whole token) x 10^(36 - underlyingDecimals - feedDecimals):
    ///      USD wad per whole token scaled down by the token's decimals, per raw unit.
    function getUnderlyingPrice(address cToken) external view returns (uint256 priceMantissa) {
        Source memory s = sources[cToken];
        if (s.feed == address(0)) return 0;
        (uint80 roundId, int256 answer,, uint256 updatedAt, uint80 answeredInRound) = IAggregatorV3(s.feed).latestRoundData();
        if (answer <= 0 || answeredInRound < roundId || updatedAt > block.timestamp) return 0;
        if (block.timestamp - updatedAt > s.maxAgeS) return 0;
        return uint256(answer) * 10 ** (36 - uint256(s.underlyingDecimals) - s.feedDecimals);
    }
}
