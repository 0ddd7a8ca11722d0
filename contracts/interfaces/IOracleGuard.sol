// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IPriceOracle} from "./IPriceOracle.sol";

/// @title The oracle guard's configuration, rules, events and drill-facing views.
interface IOracleGuard is IPriceOracle {
    /// @notice How an asset is priced.
    /// NONE: not configured (every read fails with NOT_CONFIGURED).
    /// GUARDED: Chainlink-style primary feed through every rule, optional fallback.
    /// NAIVE: `latestAnswer()` of the primary feed, no other check (as exploited protocols did).
    /// AMM_SPOT: the pair's current reserves (primary = pair), trivially manipulable.
    /// TWAP: an ITwapPriceSource (primary = TwapOracle), optional fallback.
    enum Mode {
        NONE,
        GUARDED,
        NAIVE,
        AMM_SPOT,
        TWAP
    }

    /// @notice Kind of the optional fallback source.
    enum SourceKind {
        NONE,
        FEED,
        TWAP
    }

    /// @notice The rule that rejected a source (OK = passed). Numbered for logs; append only.
    enum Rule {
        OK, //                     0 source passed
        NOT_CONFIGURED, //         1 asset has mode NONE
        SEQUENCER_DOWN, //         2 sequencer feed answers 1 (down)
        SEQUENCER_GRACE_PERIOD, // 3 sequencer up for <= gracePeriodS
        SOURCE_CALL_FAILED, //     4 the source (or its bounds / sequencer read) reverted
        INCOMPLETE_ROUND, //       5 updatedAt == 0 or answeredInRound < roundId (sequencer: startedAt == 0)
        NON_POSITIVE_ANSWER, //    6 answer <= 0
        FUTURE_TIMESTAMP, //       7 updatedAt > block.timestamp
        STALE, //                  8 block.timestamp - updatedAt > maxStalenessS
        AT_MIN_ANSWER, //          9 answer <= minAnswer x (1 + boundBufferBps)
        AT_MAX_ANSWER, //         10 answer >= maxAnswer x (1 - boundBufferBps)
        DEVIATION, //             11 |answer - previous round| > maxDeviationBps x previous
        ANSWER_OUT_OF_RANGE, //   12 answer too large to normalise to wad (>= 2^128 raw)
        NO_LIQUIDITY, //          13 AMM pair has a zero reserve
        NO_FALLBACK //            14 (fallback slot) none configured
    }

    /// @notice Per-asset settings given by the owner.
    /// @param mode how the asset is priced
    /// @param primary feed (GUARDED, NAIVE), pair (AMM_SPOT) or TwapOracle (TWAP)
    /// @param fallbackKind kind of `fallbackSource` (NONE, FEED or TWAP); ignored in NAIVE and AMM_SPOT
    /// @param fallbackSource a second Chainlink-style feed or a TwapOracle for the same asset
    /// @param maxStalenessS longest accepted block.timestamp - updatedAt, seconds (> 0 when a feed is used)
    /// @param maxDeviationBps largest accepted move between the latest round and the one before, in
    ///        basis points of the previous answer (0 = breaker off)
    /// @param checkBounds reject answers at or beyond the feed's minAnswer/maxAnswer (the LUNA clamp)
    /// @param boundBufferBps widen the bound check inwards by this many bps of the bound (0 = exact)
    struct AssetConfig {
        Mode mode;
        address primary;
        SourceKind fallbackKind;
        address fallbackSource;
        uint32 maxStalenessS;
        uint16 maxDeviationBps;
        bool checkBounds;
        uint16 boundBufferBps;
    }

    /// @notice What one evaluation found; `check` returns it for the drill log without a transaction.
    /// @param priceWad USD per whole token, 1e18-scaled (0 when !ok)
    /// @param ok whether a source passed
    /// @param primaryRule the rule that rejected the primary (or the sequencer rule), OK if it passed
    /// @param fallbackRule the rule that rejected the fallback, NO_FALLBACK when none, OK when used
    /// @param usedFallback the price came from the fallback
    /// @param source the address whose answer was used (or the one that failed first)
    /// @param answer the raw answer of the primary (or sequencer) as read, in its own decimals
    /// @param updatedAt the primary's (or sequencer's startedAt) timestamp as read, seconds
    struct Evaluation {
        uint256 priceWad;
        bool ok;
        Rule primaryRule;
        Rule fallbackRule;
        bool usedFallback;
        address source;
        int256 answer;
        uint256 updatedAt;
    }

    /// @notice A source was rejected by `rule` during `getPrice` (`answer` raw, `updatedAt` seconds).
    event PriceRejected(address indexed asset, address indexed source, Rule rule, int256 answer, uint256 updatedAt);
    /// @notice The primary failed with `primaryRule` and `fallbackSource` supplied `priceWad`.
    event FallbackUsed(address indexed asset, address indexed fallbackSource, Rule primaryRule, uint256 priceWad);
    event AssetConfigured(address indexed asset, AssetConfig config);
    event SequencerFeedSet(address indexed feed, uint32 gracePeriodS);

    /// @notice No source passed for `asset`; `reason` is the rule that rejected the primary.
    error PriceUnavailable(address asset, Rule reason);

    /// @notice Full evaluation of `asset` now, without events or reverts (see `Evaluation`).
    function check(address asset) external view returns (Evaluation memory);
}
