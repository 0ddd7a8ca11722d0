// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IUniswapV2Pair} from "../interfaces/IUniswapV2Pair.sol";
import {IERC20} from "../interfaces/IERC20.sol";
import {OracleMath} from "./libraries/OracleMath.sol";

/// @title Time-weighted average price of a base token quoted in a stable token, from a Uniswap V2 pair.
/// @notice Keeps a ring buffer of the pair's cumulative prices (UQ112x112 seconds). Anyone may call
///         `update()`; it records at most one observation per `periodS = windowS / granularity`
///         seconds, so spamming it cannot evict the history the window needs. The average is taken
///         from the newest observation at least `windowS` old to now:
///             avgX112 = (cumulativeNow - cumulativeThen) / (now - tThen)
///         where cumulativeNow is counterfactual when the pair was not touched this block (as
///         UniswapV2OracleLibrary.currentCumulativePrices). The averaging span is therefore in
///         [windowS, 2 * windowS]; a longer span (nobody updated) reverts with `TwapHistoryTooOld`.
/// @dev Cumulative arithmetic wraps on purpose (as in Uniswap V2): only differences are meaningful.
contract TwapOracle {
    struct Observation {
        uint64 timestamp;
        uint256 price0CumulativeX112;
        uint256 price1CumulativeX112;
    }

    /// @dev 2^112, the UQ112x112 unit.
    uint256 internal constant Q112 = 2 ** 112;
    uint8 internal constant MAX_TOKEN_DECIMALS = 30;
    uint16 internal constant MAX_GRANULARITY = 255;

    IUniswapV2Pair public immutable pair;
    /// @notice The priced asset (e.g. WETH) and the stable it is quoted in (e.g. USDC, taken as $1).
    address public immutable baseToken;
    address public immutable quoteToken;
    bool public immutable baseIsToken0;
    uint8 public immutable baseDecimals;
    uint8 public immutable quoteDecimals;
    /// @notice Minimum averaging span, seconds.
    uint32 public immutable windowS;
    /// @notice Minimum spacing between recorded observations, seconds (= windowS / granularity).
    uint32 public immutable periodS;
    /// @notice Ring buffer size (= granularity + 1), enough to always hold an observation windowS old.
    uint16 public immutable capacity;

    /// @notice Number of filled slots (<= capacity) and the slot of the newest observation.
    uint16 public observationCount;
    uint16 public newestIndex;
    mapping(uint256 => Observation) public observations;

    event ObservationRecorded(uint16 indexed index, uint64 timestamp, uint256 price0CumulativeX112, uint256 price1CumulativeX112);

    error TokenNotInPair(address token, address pair);
    error InvalidWindow(uint32 windowS, uint16 granularity);
    error UnsupportedDecimals(address token, uint8 decimals);
    /// @notice No observation is at least `windowS` old yet (`oldestAgeS` = age of the oldest one, 0 if none).
    error InsufficientHistory(uint256 oldestAgeS, uint32 windowS);
    /// @notice The newest usable observation is so old that the average would span `elapsedS` > `maxElapsedS`.
    error TwapHistoryTooOld(uint256 elapsedS, uint256 maxElapsedS);

    /// @param pair_ a Uniswap V2 compatible pair holding `baseToken_`
    /// @param baseToken_ the token to price; the pair's other token is the quote (stable, taken as $1)
    /// @param windowS_ minimum averaging span, seconds (> 0, a multiple of `granularity`)
    /// @param granularity number of observation periods per window (1..255)
    constructor(address pair_, address baseToken_, uint32 windowS_, uint16 granularity) {
        if (windowS_ == 0 || granularity == 0 || granularity > MAX_GRANULARITY || windowS_ % granularity != 0) {
            revert InvalidWindow(windowS_, granularity);
        }
        address t0 = IUniswapV2Pair(pair_).token0();
        address t1 = IUniswapV2Pair(pair_).token1();
        if (baseToken_ != t0 && baseToken_ != t1) revert TokenNotInPair(baseToken_, pair_);
        pair = IUniswapV2Pair(pair_);
        baseToken = baseToken_;
        baseIsToken0 = baseToken_ == t0;
        quoteToken = baseIsToken0 ? t1 : t0;
        baseDecimals = _decimals(baseToken_);
        quoteDecimals = _decimals(quoteToken);
        windowS = windowS_;
        periodS = windowS_ / granularity;
        capacity = granularity + 1;
    }

    function _decimals(address token) private view returns (uint8 d) {
        d = IERC20(token).decimals();
        if (d > MAX_TOKEN_DECIMALS) revert UnsupportedDecimals(token, d);
    }

    /// @notice Record the pair's (counterfactual) cumulative prices if `periodS` has passed since the
    ///         newest observation (or none exists). Permissionless; never reverts on "too early".
    /// @return recorded whether an observation was written
    function update() external returns (bool recorded) {
        uint16 count = observationCount;
        uint16 index = newestIndex;
        if (count > 0) {
            if (block.timestamp - observations[index].timestamp < periodS) return false;
            index = uint16((uint256(index) + 1) % capacity);
        }
        (uint256 p0, uint256 p1,) = currentCumulativePrices();
        observations[index] = Observation({timestamp: uint64(block.timestamp), price0CumulativeX112: p0, price1CumulativeX112: p1});
        newestIndex = index;
        if (count < capacity) observationCount = count + 1;
        emit ObservationRecorded(index, uint64(block.timestamp), p0, p1);
        return true;
    }

    /// @notice The pair's cumulative prices as of this block, UQ112x112 seconds (wrapping).
    /// @dev When the pair was last synced in an earlier block, adds current reserves x elapsed time,
    ///      exactly what the pair's next `_update` would add (nothing while a reserve is zero).
    function currentCumulativePrices()
        public
        view
        returns (uint256 price0CumulativeX112, uint256 price1CumulativeX112, uint32 blockTimestamp)
    {
        blockTimestamp = uint32(block.timestamp);
        price0CumulativeX112 = pair.price0CumulativeLast();
        price1CumulativeX112 = pair.price1CumulativeLast();
        (uint112 reserve0, uint112 reserve1, uint32 lastTimestamp) = pair.getReserves();
        if (lastTimestamp != blockTimestamp && reserve0 != 0 && reserve1 != 0) {
            unchecked {
                uint32 elapsedS = blockTimestamp - lastTimestamp; // overflow is desired
                price0CumulativeX112 += ((uint256(reserve1) << 112) / reserve0) * elapsedS;
                price1CumulativeX112 += ((uint256(reserve0) << 112) / reserve1) * elapsedS;
            }
        }
    }

    /// @notice Time-weighted averages over the current span, UQ112x112 raw units:
    ///         `baseInQuoteX112` = quote raw units per base raw unit, `quoteInBaseX112` the reverse.
    /// @return baseInQuoteX112 average price of base in quote, x 2^112 (raw units, no decimals correction)
    /// @return quoteInBaseX112 average price of quote in base, x 2^112
    /// @return elapsedS the span actually averaged, seconds (windowS <= elapsedS <= 2 * windowS)
    function averagePricesX112()
        public
        view
        returns (uint256 baseInQuoteX112, uint256 quoteInBaseX112, uint256 elapsedS)
    {
        Observation memory then = _observationAtLeastWindowOld();
        elapsedS = block.timestamp - then.timestamp;
        uint256 maxElapsedS = 2 * uint256(windowS);
        if (elapsedS > maxElapsedS) revert TwapHistoryTooOld(elapsedS, maxElapsedS);
        (uint256 p0, uint256 p1,) = currentCumulativePrices();
        uint256 avg0;
        uint256 avg1;
        unchecked {
            avg0 = (p0 - then.price0CumulativeX112) / elapsedS; // wrapping difference is desired
            avg1 = (p1 - then.price1CumulativeX112) / elapsedS;
        }
        (baseInQuoteX112, quoteInBaseX112) = baseIsToken0 ? (avg0, avg1) : (avg1, avg0);
    }

    /// @notice Uniswap-style consult: raw amount of the other token worth `amountInRaw` of `tokenIn`
    ///         at the TWAP (rounds down).
    function consult(address tokenIn, uint256 amountInRaw) external view returns (uint256 amountOutRaw) {
        if (tokenIn != baseToken && tokenIn != quoteToken) revert TokenNotInPair(tokenIn, address(pair));
        (uint256 baseInQuoteX112, uint256 quoteInBaseX112,) = averagePricesX112();
        uint256 priceX112 = tokenIn == baseToken ? baseInQuoteX112 : quoteInBaseX112;
        amountOutRaw = OracleMath.mulDivDown(priceX112, amountInRaw, Q112);
    }

    /// @notice TWAP of one whole base token in USD, 1e18-scaled (the quote stable taken as exactly $1),
    ///         rounded down: avgX112 * 10^(18 + baseDecimals) / (2^112 * 10^quoteDecimals).
    function priceWad() external view returns (uint256) {
        (uint256 baseInQuoteX112,,) = averagePricesX112();
        return OracleMath.mulDivDown(baseInQuoteX112, 10 ** (18 + uint256(baseDecimals)), Q112 * 10 ** uint256(quoteDecimals));
    }

    function _observationAtLeastWindowOld() internal view returns (Observation memory) {
        uint16 count = observationCount;
        uint16 cap = capacity;
        if (block.timestamp >= windowS) {
            uint256 latestAllowed = block.timestamp - windowS;
            for (uint256 i = 0; i < count; ++i) {
                Observation memory o = observations[(uint256(newestIndex) + cap - i) % cap];
                if (o.timestamp <= latestAllowed) return o;
            }
        }
        uint256 oldestAgeS = 0;
        if (count > 0) {
            uint256 oldestIndex = count < cap ? 0 : (uint256(newestIndex) + 1) % cap;
            oldestAgeS = block.timestamp - observations[oldestIndex].timestamp;
        }
        revert InsufficientHistory(oldestAgeS, windowS);
    }
}
