// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "../interfaces/IERC20.sol";
import {IUniswapV2Pair} from "../interfaces/IUniswapV2Pair.sol";
import {IUniswapV2Callee} from "../interfaces/IUniswapV2Callee.sol";
import {IAmmFactory} from "../interfaces/IAmmFactory.sol";
import {BaseERC20} from "../tokens/BaseERC20.sol";
import {SafeTransferLib} from "../libraries/SafeTransferLib.sol";
import {AmmMath} from "./libraries/AmmMath.sol";
import {UQ112x112} from "./libraries/UQ112x112.sol";

/// @title Constant-product pair, Uniswap V2 compatible in selectors, events and exact math.
/// @notice Reserves and amounts are raw token units (10**decimals per whole token); LP shares have 18
///         decimals. Swaps pay 0.3% on the input: after a swap, with balances measured (never claimed),
///         (balance0*1000 - amount0In*3) * (balance1*1000 - amount1In*3) >= reserve0*reserve1*1000**2.
///         Tokens are sent out before the check, so `to` may use them in `uniswapV2Call` and pay back in
///         the same call (flash swap). Every state-changing entry point holds the `lock`.
/// @dev Protocol fee (`kLast`): when the factory's `feeTo` is set, `kLast` stores reserve0*reserve1 after
///      each mint/burn, and the next mint/burn mints feeTo shares worth 1/6 of the growth of sqrt(k)
///      since then. When `feeTo` is 0 (the drill default), `kLast` is reset to 0 and no fee accrues.
contract AmmPair is BaseERC20 {
    using UQ112x112 for uint224;

    /// @notice A state-changing function was re-entered while the pair was locked.
    error Locked();
    /// @notice Only the factory may initialise the pair.
    error NotFactory(address caller);
    /// @notice A balance no longer fits the uint112 reserves.
    error Overflow(uint256 balance0, uint256 balance1);
    /// @notice The deposit would mint zero LP shares (first deposit: sqrt(amount0*amount1) <= MINIMUM_LIQUIDITY).
    error InsufficientLiquidityMinted();
    /// @notice The burn would pay out zero of a token.
    error InsufficientLiquidityBurned();
    /// @notice Both amounts out are zero.
    error InsufficientOutputAmount();
    /// @notice An amount out is not strictly below its reserve.
    error InsufficientLiquidity();
    /// @notice `to` is one of the pair's tokens.
    error InvalidTo(address to);
    /// @notice Nothing was paid in.
    error InsufficientInputAmount();
    /// @notice The fee-adjusted balance product fell below the reserve product (both scaled by 1000**2).
    error KInvariant(uint256 balanceProductAdjusted, uint256 reserveProductScaled);

    /// @notice LP shares locked at address(0) by the first mint, so the share price can never be pushed
    ///         to a level where one share is unaffordable (and totalSupply never returns to zero).
    uint256 public constant MINIMUM_LIQUIDITY = 10 ** 3;

    /// @notice The factory that deployed this pair (source of `feeTo`).
    address public factory;
    /// @notice The lower of the two token addresses.
    address public token0;
    /// @notice The higher of the two token addresses.
    address public token1;

    uint112 private reserve0; // raw units of token0, one storage slot with reserve1 and the timestamp
    uint112 private reserve1; // raw units of token1
    uint32 private blockTimestampLast; // block.timestamp mod 2**32 of the last _update

    /// @notice Sum over time of (reserve1/reserve0 as UQ112x112) * seconds; wraps modulo 2**256 by design.
    uint256 public price0CumulativeLast;
    /// @notice Sum over time of (reserve0/reserve1 as UQ112x112) * seconds; wraps modulo 2**256 by design.
    uint256 public price1CumulativeLast;
    /// @notice reserve0 * reserve1 right after the last mint/burn while the protocol fee is on; else 0.
    uint256 public kLast;

    uint256 private unlocked = 1;

    modifier lock() {
        if (unlocked != 1) revert Locked();
        unlocked = 0;
        _;
        unlocked = 1;
    }

    constructor() BaseERC20("defidrill AMM LP", "DD-LP", 18) {
        factory = msg.sender;
    }

    /// @notice Sets the pair's tokens once, right after CREATE2. Factory only.
    /// @param token0_ the lower token address
    /// @param token1_ the higher token address
    function initialize(address token0_, address token1_) external {
        if (msg.sender != factory) revert NotFactory(msg.sender);
        token0 = token0_;
        token1 = token1_;
    }

    /// @notice Reserves as of the last update (raw units) and that update's timestamp mod 2**32.
    function getReserves()
        public
        view
        returns (uint112 reserve0_, uint112 reserve1_, uint32 blockTimestampLast_)
    {
        reserve0_ = reserve0;
        reserve1_ = reserve1;
        blockTimestampLast_ = blockTimestampLast;
    }

    /// @notice Mints LP shares (18 decimals) for tokens sent to the pair since the last update.
    /// @dev First deposit: sqrt(amount0*amount1) - MINIMUM_LIQUIDITY (the 1000 go to address(0)); later:
    ///      min(amount0*supply/reserve0, amount1*supply/reserve1), rounded down. Send tokens first (router).
    /// @param to receiver of the shares
    /// @return liquidity LP shares minted to `to`
    function mint(address to) external lock returns (uint256 liquidity) {
        (uint112 reserve0_, uint112 reserve1_,) = getReserves();
        uint256 balance0 = IERC20(token0).balanceOf(address(this));
        uint256 balance1 = IERC20(token1).balanceOf(address(this));
        _requireFitsReserves(balance0, balance1);
        uint256 amount0 = balance0 - reserve0_;
        uint256 amount1 = balance1 - reserve1_;

        bool feeOn = _mintFee(reserve0_, reserve1_);
        uint256 supply = totalSupply; // read after _mintFee, which may mint
        if (supply == 0) {
            uint256 rootK = AmmMath.sqrtDown(amount0 * amount1);
            if (rootK <= MINIMUM_LIQUIDITY) revert InsufficientLiquidityMinted();
            liquidity = rootK - MINIMUM_LIQUIDITY;
            _mint(address(0), MINIMUM_LIQUIDITY);
        } else {
            liquidity = AmmMath.min(amount0 * supply / reserve0_, amount1 * supply / reserve1_);
        }
        if (liquidity == 0) revert InsufficientLiquidityMinted();
        _mint(to, liquidity);

        _update(balance0, balance1, reserve0_, reserve1_);
        if (feeOn) kLast = uint256(reserve0) * reserve1;
        emit IUniswapV2Pair.Mint(msg.sender, amount0, amount1);
    }

    /// @notice Burns the LP shares sent to the pair and pays out both tokens pro rata (rounded down).
    /// @dev amountX = shares * balanceX / totalSupply in raw units. Send shares first (router).
    /// @param to receiver of the tokens
    /// @return amount0 raw units of token0 paid
    /// @return amount1 raw units of token1 paid
    function burn(address to) external lock returns (uint256 amount0, uint256 amount1) {
        (uint112 reserve0_, uint112 reserve1_,) = getReserves();
        address token0_ = token0;
        address token1_ = token1;
        uint256 balance0 = IERC20(token0_).balanceOf(address(this));
        uint256 balance1 = IERC20(token1_).balanceOf(address(this));
        uint256 liquidity = balanceOf[address(this)];

        bool feeOn = _mintFee(reserve0_, reserve1_);
        uint256 supply = totalSupply;
        if (supply == 0) revert InsufficientLiquidityBurned();
        amount0 = liquidity * balance0 / supply; // balances, not reserves: donations go to LPs
        amount1 = liquidity * balance1 / supply;
        if (amount0 == 0 || amount1 == 0) revert InsufficientLiquidityBurned();
        _burn(address(this), liquidity);
        SafeTransferLib.safeTransfer(token0_, to, amount0);
        SafeTransferLib.safeTransfer(token1_, to, amount1);
        balance0 = IERC20(token0_).balanceOf(address(this));
        balance1 = IERC20(token1_).balanceOf(address(this));

        _update(balance0, balance1, reserve0_, reserve1_);
        if (feeOn) kLast = uint256(reserve0) * reserve1;
        emit IUniswapV2Pair.Burn(msg.sender, amount0, amount1, to);
    }

    /// @notice Sends out `amount0Out`/`amount1Out` (raw units) to `to`, optionally calls
    ///         `to.uniswapV2Call(msg.sender, amount0Out, amount1Out, data)` when `data` is non-empty, then
    ///         measures what was paid in and enforces the fee-adjusted K check (`KInvariant`).
    /// @dev Exact-in input for an output: see AmmLibrary.getAmountIn; a flash swap repaying in the same
    ///      token must return at least ceil(amountOut * 1000 / 997) raw units.
    function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes calldata data) external lock {
        if (amount0Out == 0 && amount1Out == 0) revert InsufficientOutputAmount();
        (uint112 reserve0_, uint112 reserve1_,) = getReserves();
        if (amount0Out >= reserve0_ || amount1Out >= reserve1_) revert InsufficientLiquidity();

        uint256 balance0;
        uint256 balance1;
        {
            address token0_ = token0;
            address token1_ = token1;
            if (to == token0_ || to == token1_) revert InvalidTo(to);
            if (amount0Out > 0) SafeTransferLib.safeTransfer(token0_, to, amount0Out); // optimistic
            if (amount1Out > 0) SafeTransferLib.safeTransfer(token1_, to, amount1Out); // optimistic
            if (data.length > 0) IUniswapV2Callee(to).uniswapV2Call(msg.sender, amount0Out, amount1Out, data);
            balance0 = IERC20(token0_).balanceOf(address(this));
            balance1 = IERC20(token1_).balanceOf(address(this));
        }
        uint256 amount0In = balance0 > reserve0_ - amount0Out ? balance0 - (reserve0_ - amount0Out) : 0;
        uint256 amount1In = balance1 > reserve1_ - amount1Out ? balance1 - (reserve1_ - amount1Out) : 0;
        if (amount0In == 0 && amount1In == 0) revert InsufficientInputAmount();
        // Bounding balances by uint112 first keeps the products below 2**244 (no overflow panic).
        _requireFitsReserves(balance0, balance1);
        {
            uint256 balance0Adjusted = balance0 * 1000 - amount0In * 3;
            uint256 balance1Adjusted = balance1 * 1000 - amount1In * 3;
            uint256 balanceProduct = balance0Adjusted * balance1Adjusted;
            uint256 reserveProduct = uint256(reserve0_) * reserve1_ * 1000 ** 2;
            if (balanceProduct < reserveProduct) revert KInvariant(balanceProduct, reserveProduct);
        }

        _update(balance0, balance1, reserve0_, reserve1_);
        emit IUniswapV2Pair.Swap(msg.sender, amount0In, amount1In, amount0Out, amount1Out, to);
    }

    /// @notice Sends to `to` whatever the pair holds above its reserves (raw units), leaving reserves as they are.
    function skim(address to) external lock {
        address token0_ = token0;
        address token1_ = token1;
        SafeTransferLib.safeTransfer(token0_, to, IERC20(token0_).balanceOf(address(this)) - reserve0);
        SafeTransferLib.safeTransfer(token1_, to, IERC20(token1_).balanceOf(address(this)) - reserve1);
    }

    /// @notice Sets the reserves to the pair's balances (accumulating prices for the elapsed time first).
    function sync() external lock {
        _update(IERC20(token0).balanceOf(address(this)), IERC20(token1).balanceOf(address(this)), reserve0, reserve1);
    }

    function _requireFitsReserves(uint256 balance0, uint256 balance1) private pure {
        if (balance0 > type(uint112).max || balance1 > type(uint112).max) revert Overflow(balance0, balance1);
    }

    /// @dev Accumulates the old reserves' prices for the seconds since the last update (once per block),
    ///      then stores the new reserves.
    function _update(uint256 balance0, uint256 balance1, uint112 reserve0_, uint112 reserve1_) private {
        _requireFitsReserves(balance0, balance1);
        uint32 blockTimestamp = uint32(block.timestamp % 2 ** 32);
        unchecked {
            uint32 timeElapsed = blockTimestamp - blockTimestampLast; // overflow is desired
            if (timeElapsed > 0 && reserve0_ != 0 && reserve1_ != 0) {
                // + overflow is desired: consumers difference two readings modulo 2**256
                price0CumulativeLast += uint256(UQ112x112.encode(reserve1_).uqdiv(reserve0_)) * timeElapsed;
                price1CumulativeLast += uint256(UQ112x112.encode(reserve0_).uqdiv(reserve1_)) * timeElapsed;
            }
        }
        reserve0 = uint112(balance0);
        reserve1 = uint112(balance1);
        blockTimestampLast = blockTimestamp;
        emit IUniswapV2Pair.Sync(reserve0, reserve1);
    }

    /// @dev If the protocol fee is on, mints feeTo LP shares equal to 1/6 of the growth in sqrt(k):
    ///      supply * (rootK - rootKLast) / (5 * rootK + rootKLast), rounded down.
    function _mintFee(uint112 reserve0_, uint112 reserve1_) private returns (bool feeOn) {
        address feeTo = IAmmFactory(factory).feeTo();
        feeOn = feeTo != address(0);
        uint256 kLast_ = kLast;
        if (feeOn) {
            if (kLast_ != 0) {
                uint256 rootK = AmmMath.sqrtDown(uint256(reserve0_) * reserve1_);
                uint256 rootKLast = AmmMath.sqrtDown(kLast_);
                if (rootK > rootKLast) {
                    uint256 numerator = totalSupply * (rootK - rootKLast);
                    uint256 denominator = rootK * 5 + rootKLast;
                    uint256 liquidity = numerator / denominator;
                    if (liquidity > 0) _mint(feeTo, liquidity);
                }
            }
        } else if (kLast_ != 0) {
            kLast = 0;
        }
    }
}
