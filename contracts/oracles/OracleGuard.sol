// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {IERC20} from "../interfaces/IERC20.sol";
import {IOracleGuard} from "../interfaces/IOracleGuard.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {ITwapPriceSource} from "../interfaces/ITwapPriceSource.sol";
import {IUniswapV2Pair} from "../interfaces/IUniswapV2Pair.sol";
import {OracleOwned} from "./OracleOwned.sol";
import {PriceRules} from "./libraries/PriceRules.sol";

/// @title The price source the lending pool reads through: per-asset rules, fallback, sequencer check.
/// @notice Prices are USD per one whole token, 1e18-scaled, whatever the source's decimals.
///         Evaluation order for GUARDED and TWAP assets:
///           1. L2 sequencer (when a sequencer feed is set): startedAt != 0, status up, and
///              block.timestamp > startedAt + gracePeriodS. A failure here fails the asset outright
///              (no fallback: every on-chain source is equally suspect while the sequencer is down).
///           2. the primary through `PriceRules` (see `IOracleGuard.Rule` for the list, in order);
///           3. when the primary fails and a fallback is configured, the fallback through the same rules.
///         NAIVE and AMM_SPOT assets skip every rule but "the call succeeded" (and "reserves non-zero").
///         Stateless: nothing but configuration is stored; `getPrice` only adds events.
contract OracleGuard is IOracleGuard, OracleOwned {
    /// @notice Default sequencer grace period, seconds (Chainlink's documented example value).
    uint32 public constant DEFAULT_GRACE_PERIOD_S = 3600;
    /// @dev Sources with more decimals could overflow the wad normalisation.
    uint8 internal constant MAX_SOURCE_DECIMALS = 36;
    uint16 internal constant MAX_BOUND_BUFFER_BPS = 10_000;

    /// @dev The owner's config plus values read once at configuration time.
    struct StoredConfig {
        AssetConfig config;
        uint8 primaryDecimals; // feed decimals (GUARDED, NAIVE) or base token decimals (AMM_SPOT)
        uint8 fallbackDecimals; // fallback feed decimals (fallbackKind FEED)
        uint8 quoteDecimals; // AMM_SPOT: the pair's other token
        bool baseIsToken0; // AMM_SPOT
    }

    /// @notice L2 sequencer uptime feed (address(0) = not on an L2, rule off).
    address public sequencerFeed;
    /// @notice Seconds after the sequencer comes back up during which prices are still refused.
    uint32 public gracePeriodS = DEFAULT_GRACE_PERIOD_S;

    mapping(address => StoredConfig) internal configs;

    error StalenessRequired(address asset);
    error AssetNotInPair(address asset, address pair);
    error SourceAssetMismatch(address asset, address source, address sourceAsset);
    error UnsupportedDecimals(address source, uint8 decimals);
    error BoundBufferTooLarge(uint16 boundBufferBps);
    error FallbackNotSupported(Mode mode, SourceKind fallbackKind);

    // ---------------------------------------------------------------- configuration

    /// @notice Configure how `asset` is priced (owner only); `Mode.NONE` removes it.
    /// @dev Reads and stores the sources' decimals now. Checks: non-zero addresses; a feed source
    ///      needs `maxStalenessS > 0`; an AMM pair must hold `asset`; a TWAP source must price `asset`;
    ///      NAIVE and AMM_SPOT take no fallback; `boundBufferBps <= 10000`.
    function setAssetConfig(address asset, AssetConfig calldata config) external onlyOwner {
        if (asset == address(0)) revert ZeroAddress();
        StoredConfig memory s;
        s.config = config;
        if (config.mode == Mode.NONE) {
            delete configs[asset];
            emit AssetConfigured(asset, config);
            return;
        }
        if (config.primary == address(0)) revert ZeroAddress();
        if (config.boundBufferBps > MAX_BOUND_BUFFER_BPS) revert BoundBufferTooLarge(config.boundBufferBps);
        if (config.mode == Mode.GUARDED) {
            if (config.maxStalenessS == 0) revert StalenessRequired(asset);
            s.primaryDecimals = _feedDecimals(config.primary);
        } else if (config.mode == Mode.NAIVE) {
            s.primaryDecimals = _feedDecimals(config.primary);
        } else if (config.mode == Mode.AMM_SPOT) {
            (s.baseIsToken0, s.primaryDecimals, s.quoteDecimals) = _pairSides(asset, config.primary);
        } else {
            _requireTwapFor(asset, config.primary);
        }

        bool fallbackAllowed = config.mode == Mode.GUARDED || config.mode == Mode.TWAP;
        if (config.fallbackKind != SourceKind.NONE) {
            if (!fallbackAllowed) revert FallbackNotSupported(config.mode, config.fallbackKind);
            if (config.fallbackSource == address(0)) revert ZeroAddress();
            if (config.fallbackKind == SourceKind.FEED) {
                if (config.maxStalenessS == 0) revert StalenessRequired(asset);
                s.fallbackDecimals = _feedDecimals(config.fallbackSource);
            } else {
                _requireTwapFor(asset, config.fallbackSource);
            }
        } else {
            s.config.fallbackSource = address(0);
        }
        configs[asset] = s;
        emit AssetConfigured(asset, s.config);
    }

    /// @notice Set the L2 sequencer uptime feed (address(0) turns the rule off) and the grace period
    ///         in seconds (owner only).
    function setSequencerFeed(address feed, uint32 gracePeriodS_) external onlyOwner {
        sequencerFeed = feed;
        gracePeriodS = gracePeriodS_;
        emit SequencerFeedSet(feed, gracePeriodS_);
    }

    /// @notice The owner's configuration for `asset` (mode NONE when not configured).
    function assetConfig(address asset) external view returns (AssetConfig memory) {
        return configs[asset].config;
    }

    function _feedDecimals(address feed) internal view returns (uint8 d) {
        d = AggregatorV3Interface(feed).decimals();
        if (d > MAX_SOURCE_DECIMALS) revert UnsupportedDecimals(feed, d);
    }

    function _pairSides(address asset, address pair)
        internal
        view
        returns (bool baseIsToken0, uint8 baseDecimals, uint8 quoteDecimals)
    {
        address token0 = IUniswapV2Pair(pair).token0();
        address token1 = IUniswapV2Pair(pair).token1();
        if (asset != token0 && asset != token1) revert AssetNotInPair(asset, pair);
        baseIsToken0 = asset == token0;
        address quote = baseIsToken0 ? token1 : token0;
        baseDecimals = IERC20(asset).decimals();
        quoteDecimals = IERC20(quote).decimals();
        if (baseDecimals > MAX_SOURCE_DECIMALS) revert UnsupportedDecimals(asset, baseDecimals);
        if (quoteDecimals > MAX_SOURCE_DECIMALS) revert UnsupportedDecimals(quote, quoteDecimals);
    }

    function _requireTwapFor(address asset, address source) internal view {
        address priced = ITwapPriceSource(source).baseToken();
        if (priced != asset) revert SourceAssetMismatch(asset, source, priced);
    }

    // ---------------------------------------------------------------- reads

    /// @inheritdoc IPriceOracle
    /// @dev Emits `PriceRejected` for the primary (or the sequencer) when it failed, `FallbackUsed`
    ///      when the fallback supplied the price; reverts `PriceUnavailable(asset, primaryRule)` when
    ///      no source passed (events of a reverted call are lost: use `check` to see both rules).
    function getPrice(address asset) external override returns (uint256 priceWad) {
        Evaluation memory e = _evaluate(asset);
        if (!e.ok) revert PriceUnavailable(asset, e.primaryRule);
        if (e.usedFallback) {
            emit PriceRejected(asset, e.source, e.primaryRule, e.answer, e.updatedAt);
            emit FallbackUsed(asset, configs[asset].config.fallbackSource, e.primaryRule, e.priceWad);
        }
        return e.priceWad;
    }

    /// @inheritdoc IPriceOracle
    function peekPrice(address asset) external view override returns (uint256 priceWad, bool ok) {
        Evaluation memory e = _evaluate(asset);
        return (e.priceWad, e.ok);
    }

    /// @inheritdoc IOracleGuard
    function check(address asset) external view override returns (Evaluation memory) {
        return _evaluate(asset);
    }

    function _evaluate(address asset) internal view returns (Evaluation memory e) {
        StoredConfig storage s = configs[asset];
        Mode mode = s.config.mode;
        e.fallbackRule = Rule.NO_FALLBACK;
        if (mode == Mode.NONE) {
            e.primaryRule = Rule.NOT_CONFIGURED;
            return e;
        }
        address primary = s.config.primary;
        if (mode == Mode.NAIVE) return _fromPrimary(e, primary, PriceRules.evaluateNaive(primary, s.primaryDecimals));
        if (mode == Mode.AMM_SPOT) {
            return _fromPrimary(
                e, primary, PriceRules.evaluateSpot(primary, s.baseIsToken0, s.primaryDecimals, s.quoteDecimals)
            );
        }

        address sequencer = sequencerFeed;
        if (sequencer != address(0)) {
            PriceRules.SourceResult memory seq = PriceRules.evaluateSequencer(sequencer, gracePeriodS);
            if (seq.rule != Rule.OK) return _fromPrimary(e, sequencer, seq);
        }

        PriceRules.SourceResult memory r = mode == Mode.GUARDED
            ? PriceRules.evaluateFeed(primary, _params(s, s.primaryDecimals))
            : PriceRules.evaluateTwap(primary);
        _fromPrimary(e, primary, r);
        if (e.ok || s.config.fallbackKind == SourceKind.NONE) return e;

        address fallbackSource = s.config.fallbackSource;
        PriceRules.SourceResult memory f = s.config.fallbackKind == SourceKind.FEED
            ? PriceRules.evaluateFeed(fallbackSource, _params(s, s.fallbackDecimals))
            : PriceRules.evaluateTwap(fallbackSource);
        e.fallbackRule = f.rule;
        if (f.rule == Rule.OK) {
            e.ok = true;
            e.usedFallback = true;
            e.priceWad = f.priceWad;
        }
    }

    function _fromPrimary(Evaluation memory e, address source, PriceRules.SourceResult memory r)
        internal
        pure
        returns (Evaluation memory)
    {
        e.source = source;
        e.primaryRule = r.rule;
        e.answer = r.answer;
        e.updatedAt = r.updatedAt;
        e.ok = r.rule == Rule.OK;
        e.priceWad = r.priceWad;
        return e;
    }

    function _params(StoredConfig storage s, uint8 decimals) internal view returns (PriceRules.FeedParams memory) {
        return PriceRules.FeedParams({
            decimals: decimals,
            maxStalenessS: s.config.maxStalenessS,
            maxDeviationBps: s.config.maxDeviationBps,
            checkBounds: s.config.checkBounds,
            boundBufferBps: s.config.boundBufferBps
        });
    }
}
