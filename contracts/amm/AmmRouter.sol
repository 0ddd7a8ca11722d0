// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IUniswapV2Pair} from "../interfaces/IUniswapV2Pair.sol";
import {IAmmFactory} from "../interfaces/IAmmFactory.sol";
import {SafeTransferLib} from "../libraries/SafeTransferLib.sol";
import {AmmLibrary} from "./libraries/AmmLibrary.sol";

/// @title Router for EOAs over AmmFactory pairs, the token-only subset of Uniswap V2's Router02.
/// @notice Same selectors and math as UniswapV2Router02 for the functions it has. All amounts are raw
///         token units (10**decimals per whole token); `deadline` is a unix timestamp in seconds,
///         checked against block.timestamp (inclusive). The router never holds tokens between calls:
///         the caller approves the router, which moves tokens straight to the pairs.
contract AmmRouter {
    /// @notice `block.timestamp` (`now_s`) is past `deadline_s`.
    error Expired(uint256 deadline_s, uint256 now_s);
    /// @notice The optimal tokenA deposit `amountA` is below the caller's `amountAMin`.
    error InsufficientAAmount(uint256 amountA, uint256 amountAMin);
    /// @notice The optimal tokenB deposit `amountB` is below the caller's `amountBMin`.
    error InsufficientBAmount(uint256 amountB, uint256 amountBMin);
    /// @notice A swap's final output `amountOut` is below the caller's `amountOutMin`.
    error OutputBelowMinimum(uint256 amountOut, uint256 amountOutMin);
    /// @notice An exact-out swap needs `amountIn`, above the caller's `amountInMax`.
    error InputAboveMaximum(uint256 amountIn, uint256 amountInMax);

    /// @notice The factory whose pairs this router trades.
    address public immutable factory;

    modifier ensure(uint256 deadline) {
        if (deadline < block.timestamp) revert Expired(deadline, block.timestamp);
        _;
    }

    /// @param factory_ the AmmFactory
    constructor(address factory_) {
        factory = factory_;
    }

    // ---------------------------------------------------------------- liquidity

    /// @notice Deposits tokenA and tokenB at the pool's current ratio (creating the pair if needed) and
    ///         mints LP shares (18 decimals) to `to`. Empty pool: the desired amounts set the price.
    /// @dev Of (amountADesired, amountBDesired), one is used in full and the other reduced to
    ///      quote(..) (rounded down); each must stay >= its minimum.
    /// @return amountA raw tokenA deposited
    /// @return amountB raw tokenB deposited
    /// @return liquidity LP shares minted
    function addLiquidity(
        address tokenA,
        address tokenB,
        uint256 amountADesired,
        uint256 amountBDesired,
        uint256 amountAMin,
        uint256 amountBMin,
        address to,
        uint256 deadline
    ) external ensure(deadline) returns (uint256 amountA, uint256 amountB, uint256 liquidity) {
        if (IAmmFactory(factory).getPair(tokenA, tokenB) == address(0)) {
            IAmmFactory(factory).createPair(tokenA, tokenB);
        }
        (amountA, amountB) = _optimalDeposit(tokenA, tokenB, amountADesired, amountBDesired, amountAMin, amountBMin);
        address pair = AmmLibrary.pairOf(factory, tokenA, tokenB);
        SafeTransferLib.safeTransferFrom(tokenA, msg.sender, pair, amountA);
        SafeTransferLib.safeTransferFrom(tokenB, msg.sender, pair, amountB);
        liquidity = IUniswapV2Pair(pair).mint(to);
    }

    /// @notice Burns `liquidity` LP shares of the caller (approve the router on the pair first) and sends
    ///         the pro-rata tokens to `to`.
    /// @return amountA raw tokenA paid out (>= amountAMin)
    /// @return amountB raw tokenB paid out (>= amountBMin)
    function removeLiquidity(
        address tokenA,
        address tokenB,
        uint256 liquidity,
        uint256 amountAMin,
        uint256 amountBMin,
        address to,
        uint256 deadline
    ) public ensure(deadline) returns (uint256 amountA, uint256 amountB) {
        address pair = AmmLibrary.pairOf(factory, tokenA, tokenB);
        SafeTransferLib.safeTransferFrom(pair, msg.sender, pair, liquidity);
        (uint256 amount0, uint256 amount1) = IUniswapV2Pair(pair).burn(to);
        (address token0,) = AmmLibrary.sortTokens(tokenA, tokenB);
        (amountA, amountB) = tokenA == token0 ? (amount0, amount1) : (amount1, amount0);
        if (amountA < amountAMin) revert InsufficientAAmount(amountA, amountAMin);
        if (amountB < amountBMin) revert InsufficientBAmount(amountB, amountBMin);
    }

    // ---------------------------------------------------------------- swaps

    /// @notice Sells exactly `amountIn` of path[0] along `path`, sending the last token to `to`.
    /// @return amounts raw amounts per hop: amounts[0] = amountIn, amounts[last] = output (>= amountOutMin)
    function swapExactTokensForTokens(
        uint256 amountIn,
        uint256 amountOutMin,
        address[] calldata path,
        address to,
        uint256 deadline
    ) external ensure(deadline) returns (uint256[] memory amounts) {
        amounts = AmmLibrary.getAmountsOut(factory, amountIn, path);
        uint256 amountOut = amounts[amounts.length - 1];
        if (amountOut < amountOutMin) revert OutputBelowMinimum(amountOut, amountOutMin);
        SafeTransferLib.safeTransferFrom(path[0], msg.sender, AmmLibrary.pairOf(factory, path[0], path[1]), amounts[0]);
        _swap(amounts, path, to);
    }

    /// @notice Buys exactly `amountOut` of the last token of `path`, paying at most `amountInMax` of path[0].
    /// @return amounts raw amounts per hop: amounts[0] = input paid (<= amountInMax), amounts[last] = amountOut
    function swapTokensForExactTokens(
        uint256 amountOut,
        uint256 amountInMax,
        address[] calldata path,
        address to,
        uint256 deadline
    ) external ensure(deadline) returns (uint256[] memory amounts) {
        amounts = AmmLibrary.getAmountsIn(factory, amountOut, path);
        if (amounts[0] > amountInMax) revert InputAboveMaximum(amounts[0], amountInMax);
        SafeTransferLib.safeTransferFrom(path[0], msg.sender, AmmLibrary.pairOf(factory, path[0], path[1]), amounts[0]);
        _swap(amounts, path, to);
    }

    // ---------------------------------------------------------------- pure pricing (UniswapV2Library)

    /// @notice amountB = amountA * reserveB / reserveA (raw units, rounded down, no fee).
    function quote(uint256 amountA, uint256 reserveA, uint256 reserveB) external pure returns (uint256 amountB) {
        return AmmLibrary.quote(amountA, reserveA, reserveB);
    }

    /// @notice amountOut = amountIn*997*reserveOut / (reserveIn*1000 + amountIn*997) (raw units, rounded down).
    function getAmountOut(uint256 amountIn, uint256 reserveIn, uint256 reserveOut)
        external
        pure
        returns (uint256 amountOut)
    {
        return AmmLibrary.getAmountOut(amountIn, reserveIn, reserveOut);
    }

    /// @notice amountIn = reserveIn*amountOut*1000 / ((reserveOut - amountOut)*997) + 1 (raw units, rounded up).
    function getAmountIn(uint256 amountOut, uint256 reserveIn, uint256 reserveOut)
        external
        pure
        returns (uint256 amountIn)
    {
        return AmmLibrary.getAmountIn(amountOut, reserveIn, reserveOut);
    }

    /// @notice Outputs of each hop for selling `amountIn` (raw units) along `path` at current reserves.
    function getAmountsOut(uint256 amountIn, address[] calldata path) external view returns (uint256[] memory) {
        return AmmLibrary.getAmountsOut(factory, amountIn, path);
    }

    /// @notice Inputs of each hop for buying `amountOut` (raw units) at the end of `path` at current reserves.
    function getAmountsIn(uint256 amountOut, address[] calldata path) external view returns (uint256[] memory) {
        return AmmLibrary.getAmountsIn(factory, amountOut, path);
    }

    // ---------------------------------------------------------------- internals

    /// @dev The optimal (amountA, amountB) to deposit, as UniswapV2Router02._addLiquidity.
    function _optimalDeposit(
        address tokenA,
        address tokenB,
        uint256 amountADesired,
        uint256 amountBDesired,
        uint256 amountAMin,
        uint256 amountBMin
    ) private view returns (uint256 amountA, uint256 amountB) {
        (uint256 reserveA, uint256 reserveB) = AmmLibrary.getReserves(factory, tokenA, tokenB);
        if (reserveA == 0 && reserveB == 0) return (amountADesired, amountBDesired);
        uint256 amountBOptimal = AmmLibrary.quote(amountADesired, reserveA, reserveB);
        if (amountBOptimal <= amountBDesired) {
            if (amountBOptimal < amountBMin) revert InsufficientBAmount(amountBOptimal, amountBMin);
            return (amountADesired, amountBOptimal);
        }
        uint256 amountAOptimal = AmmLibrary.quote(amountBDesired, reserveB, reserveA);
        // amountAOptimal <= amountADesired holds here because amountBOptimal > amountBDesired.
        if (amountAOptimal < amountAMin) revert InsufficientAAmount(amountAOptimal, amountAMin);
        return (amountAOptimal, amountBDesired);
    }

    /// @dev Runs each hop, the first pair having been paid already; each pair pays the next one directly.
    function _swap(uint256[] memory amounts, address[] calldata path, address to) private {
        for (uint256 i; i < path.length - 1; i++) {
            (address input, address output) = (path[i], path[i + 1]);
            (address token0,) = AmmLibrary.sortTokens(input, output);
            uint256 amountOut = amounts[i + 1];
            (uint256 amount0Out, uint256 amount1Out) = input == token0 ? (uint256(0), amountOut) : (amountOut, uint256(0));
            address recipient = i < path.length - 2 ? AmmLibrary.pairOf(factory, output, path[i + 2]) : to;
            IUniswapV2Pair(AmmLibrary.pairOf(factory, input, output)).swap(amount0Out, amount1Out, recipient, new bytes(0));
        }
    }
}
