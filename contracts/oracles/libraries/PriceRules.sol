// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AggregatorV3Interface, AggregatorInterface} from "../../interfaces/AggregatorV3Interface.sol";
import {IBoundedAggregator} from "../../interfaces/IBoundedAggregator.sol";
import {ITwapPriceSource} from "../../interfaces/ITwapPriceSource.sol";
import {IUniswapV2Pair} from "../../interfaces/IUniswapV2Pair.sol";
import {IOracleGuard} from "../../interfaces/IOracleGuard.sol";
import {OracleMath} from "./OracleMath.sol";

/// @title Every rule the oracle guard applies to one source, in one place.
/// @notice Each function reads one source and returns the first rule it breaks (OK when none) and,
///         when OK, its price in USD wad. None of them reverts: a reverting source is SOURCE_CALL_FAILED.
library PriceRules {
    /// @dev Basis points in 1.0.
    int256 internal constant BPS = 10_000;
    /// @dev Raw answers at or above 2^128 are refused so normalising to wad can never overflow.
    uint256 internal constant MAX_RAW_ANSWER = 2 ** 128;

    /// @notice The per-source parameters of the GUARDED rules.
    struct FeedParams {
        uint8 decimals;
        uint32 maxStalenessS;
        uint16 maxDeviationBps;
        bool checkBounds;
        uint16 boundBufferBps;
    }

    /// @notice One source's verdict; `answer` is raw (source decimals), `updatedAt` seconds.
    struct SourceResult {
        IOracleGuard.Rule rule;
        uint256 priceWad;
        int256 answer;
        uint256 updatedAt;
    }

    /// @notice GUARDED rules on a Chainlink-style feed, in this order: call succeeds; round complete
    ///         (updatedAt != 0 and answeredInRound >= roundId); answer > 0; updatedAt <= now;
    ///         now - updatedAt <= maxStalenessS; answer < 2^128; strictly inside the (buffered)
    ///         minAnswer/maxAnswer; |answer - previous| * 1e4 <= maxDeviationBps * previous.
    function evaluateFeed(address feed, FeedParams memory p) internal view returns (SourceResult memory r) {
        uint80 roundId;
        uint80 answeredInRound;
        try AggregatorV3Interface(feed).latestRoundData() returns (
            uint80 roundId_, int256 answer_, uint256, uint256 updatedAt_, uint80 answeredInRound_
        ) {
            (roundId, r.answer, r.updatedAt, answeredInRound) = (roundId_, answer_, updatedAt_, answeredInRound_);
        } catch {
            r.rule = IOracleGuard.Rule.SOURCE_CALL_FAILED;
            return r;
        }
        if (r.updatedAt == 0 || answeredInRound < roundId) return _reject(r, IOracleGuard.Rule.INCOMPLETE_ROUND);
        if (r.answer <= 0) return _reject(r, IOracleGuard.Rule.NON_POSITIVE_ANSWER);
        if (r.updatedAt > block.timestamp) return _reject(r, IOracleGuard.Rule.FUTURE_TIMESTAMP);
        if (block.timestamp - r.updatedAt > p.maxStalenessS) return _reject(r, IOracleGuard.Rule.STALE);
        if (uint256(r.answer) >= MAX_RAW_ANSWER) return _reject(r, IOracleGuard.Rule.ANSWER_OUT_OF_RANGE);
        if (p.checkBounds) {
            IOracleGuard.Rule boundRule = _boundRule(feed, r.answer, p.boundBufferBps);
            if (boundRule != IOracleGuard.Rule.OK) return _reject(r, boundRule);
        }
        if (p.maxDeviationBps != 0 && roundId > 1 && _deviates(feed, roundId - 1, r.answer, p.maxDeviationBps)) {
            return _reject(r, IOracleGuard.Rule.DEVIATION);
        }
        r.priceWad = OracleMath.toWad(uint256(r.answer), p.decimals);
    }

    /// @notice NAIVE: `latestAnswer()` and nothing else. A negative answer reads as price 0 (what a
    ///         consumer clamping at zero sees); only a reverting call or an answer >= 2^128 fails.
    function evaluateNaive(address feed, uint8 decimals) internal view returns (SourceResult memory r) {
        try AggregatorInterface(feed).latestAnswer() returns (int256 answer_) {
            r.answer = answer_;
        } catch {
            r.rule = IOracleGuard.Rule.SOURCE_CALL_FAILED;
            return r;
        }
        if (r.answer > 0) {
            if (uint256(r.answer) >= MAX_RAW_ANSWER) return _reject(r, IOracleGuard.Rule.ANSWER_OUT_OF_RANGE);
            r.priceWad = OracleMath.toWad(uint256(r.answer), decimals);
        }
    }

    /// @notice TWAP source: its `priceWad()` must not revert and must be > 0.
    ///         `answer` reports the wad price, `updatedAt` the current block time.
    function evaluateTwap(address source) internal view returns (SourceResult memory r) {
        try ITwapPriceSource(source).priceWad() returns (uint256 priceWad_) {
            r.updatedAt = block.timestamp;
            if (priceWad_ >= MAX_RAW_ANSWER * 1e18) return _reject(r, IOracleGuard.Rule.ANSWER_OUT_OF_RANGE);
            r.answer = int256(priceWad_);
            if (priceWad_ == 0) return _reject(r, IOracleGuard.Rule.NON_POSITIVE_ANSWER);
            r.priceWad = priceWad_;
        } catch {
            r.rule = IOracleGuard.Rule.SOURCE_CALL_FAILED;
        }
    }

    /// @notice AMM_SPOT: price of one whole base token in quote (taken as $1) from current reserves,
    ///         rounded down: reserveQuote * 10^(18 + baseDecimals) / (reserveBase * 10^quoteDecimals).
    ///         `answer` reports the wad price, `updatedAt` the pair's blockTimestampLast.
    function evaluateSpot(address pair, bool baseIsToken0, uint8 baseDecimals, uint8 quoteDecimals)
        internal
        view
        returns (SourceResult memory r)
    {
        uint256 reserveBase;
        uint256 reserveQuote;
        try IUniswapV2Pair(pair).getReserves() returns (uint112 reserve0, uint112 reserve1, uint32 timestamp) {
            (reserveBase, reserveQuote) = baseIsToken0 ? (reserve0, reserve1) : (reserve1, reserve0);
            r.updatedAt = timestamp;
        } catch {
            r.rule = IOracleGuard.Rule.SOURCE_CALL_FAILED;
            return r;
        }
        if (reserveBase == 0 || reserveQuote == 0) return _reject(r, IOracleGuard.Rule.NO_LIQUIDITY);
        r.priceWad = OracleMath.mulDivDown(
            reserveQuote, 10 ** (18 + uint256(baseDecimals)), reserveBase * 10 ** uint256(quoteDecimals)
        );
        r.answer = int256(r.priceWad); // < 2^112 * 10^48: fits int256
    }

    /// @notice L2 sequencer rules (Chainlink's recommended consumer check): startedAt != 0; answer == 0
    ///         (up); and more than `gracePeriodS` since the status turned up (now > startedAt + grace).
    ///         `answer` reports the status, `updatedAt` the status' startedAt.
    function evaluateSequencer(address feed, uint32 gracePeriodS) internal view returns (SourceResult memory r) {
        try AggregatorV3Interface(feed).latestRoundData() returns (uint80, int256 answer_, uint256 startedAt_, uint256, uint80) {
            (r.answer, r.updatedAt) = (answer_, startedAt_);
        } catch {
            r.rule = IOracleGuard.Rule.SOURCE_CALL_FAILED;
            return r;
        }
        if (r.updatedAt == 0) return _reject(r, IOracleGuard.Rule.INCOMPLETE_ROUND);
        if (r.answer != 0) return _reject(r, IOracleGuard.Rule.SEQUENCER_DOWN);
        if (block.timestamp <= r.updatedAt + gracePeriodS) return _reject(r, IOracleGuard.Rule.SEQUENCER_GRACE_PERIOD);
    }

    function _boundRule(address feed, int256 answer, uint16 bufferBps) private view returns (IOracleGuard.Rule) {
        int256 minAnswer;
        int256 maxAnswer;
        try IBoundedAggregator(feed).minAnswer() returns (int192 min_) {
            minAnswer = min_;
        } catch {
            return IOracleGuard.Rule.SOURCE_CALL_FAILED;
        }
        try IBoundedAggregator(feed).maxAnswer() returns (int192 max_) {
            maxAnswer = max_;
        } catch {
            return IOracleGuard.Rule.SOURCE_CALL_FAILED;
        }
        int256 buffer = int256(uint256(bufferBps));
        if (answer * BPS <= minAnswer * (BPS + buffer)) return IOracleGuard.Rule.AT_MIN_ANSWER;
        if (answer * BPS >= maxAnswer * (BPS - buffer)) return IOracleGuard.Rule.AT_MAX_ANSWER;
        return IOracleGuard.Rule.OK;
    }

    /// @dev True when the previous round exists with a positive answer and the move exceeds the
    ///      threshold. A missing previous round (first round, phase change) does not trip the breaker.
    function _deviates(address feed, uint80 previousRoundId, int256 answer, uint16 maxDeviationBps)
        private
        view
        returns (bool)
    {
        try AggregatorV3Interface(feed).getRoundData(previousRoundId) returns (uint80, int256 previous, uint256, uint256, uint80) {
            if (previous <= 0 || uint256(previous) >= MAX_RAW_ANSWER) return false;
            int256 move = answer > previous ? answer - previous : previous - answer;
            return move * BPS > int256(uint256(maxDeviationBps)) * previous;
        } catch {
            return false;
        }
    }

    function _reject(SourceResult memory r, IOracleGuard.Rule rule) private pure returns (SourceResult memory) {
        r.rule = rule;
        r.priceWad = 0;
        return r;
    }
}
