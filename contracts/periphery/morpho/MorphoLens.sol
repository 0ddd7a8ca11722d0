// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "../../interfaces/IERC20.sol";
import {IOracleGuard} from "../../interfaces/IOracleGuard.sol";
import {
    IMorphoBlue, IMorphoOracle, IMorphoIrm, MorphoMarketParams, MorphoMarket
} from "../../lending/morpho/IMorphoBlue.sol";

/// @title Read-only batch view over genuine Morpho Blue markets: many positions' health in one eth_call.
/// @notice `scan` returns one flat array of 32-byte words (decoded in Python without ABI decoding):
///         header [nAssets, nMarkets, nAccounts, loan token held by Morpho], then per asset (loan token first,
///         then each market's collateral) GUARD_WORDS [priceWad, ok, primaryRule, usedFallback] from the guard,
///         then per market MARKET_WORDS [oracle price (1e36 scale, 0 when it reverts), oracle ok,
///         totalSupplyAssets, totalSupplyShares, totalBorrowAssets, totalBorrowShares, collateral token held
///         by Morpho], then per account and market POSITION_WORDS [collateral raw, borrowShares, debt raw
///         (borrowShares.toAssetsUp), maxBorrow raw (collateral x price / 1e36, wMulDown lltv)].
///         Totals include the interest Morpho would accrue at this block (its MorphoBalancesLib's rule:
///         the IRM's borrowRateView compounded by wTaylorCompounded, the fee minted as supply shares), so a
///         position is liquidatable here exactly when `liquidate` would accept it now: debt > maxBorrow.
contract MorphoLens {
    uint256 public constant HEADER_WORDS = 4;
    uint256 public constant GUARD_WORDS = 4;
    uint256 public constant MARKET_WORDS = 7;
    uint256 public constant POSITION_WORDS = 4;
    uint256 internal constant WAD = 1e18;
    uint256 internal constant ORACLE_PRICE_SCALE = 1e36;
    /// @dev Morpho's SharesMathLib virtual shares and assets.
    uint256 internal constant VIRTUAL_SHARES = 1e6;
    uint256 internal constant VIRTUAL_ASSETS = 1;

    /// @dev One market's totals as `liquidate` would see them now.
    struct Totals {
        uint256 supplyAssets;
        uint256 supplyShares;
        uint256 borrowAssets;
        uint256 borrowShares;
        uint256 price;
        bool priceOk;
    }

    /// @notice Everything one drill step reads for `accounts` on `markets` (all with loan token `assets[0]`).
    function scan(
        address morpho,
        address guard,
        address[] calldata assets,
        MorphoMarketParams[] calldata markets,
        address[] calldata accounts
    ) external view returns (uint256[] memory words) {
        uint256 nMarkets = markets.length;
        uint256 accountsAt = HEADER_WORDS + GUARD_WORDS * assets.length + MARKET_WORDS * nMarkets;
        words = new uint256[](accountsAt + POSITION_WORDS * nMarkets * accounts.length);
        words[0] = assets.length;
        words[1] = nMarkets;
        words[2] = accounts.length;
        words[3] = IERC20(assets[0]).balanceOf(morpho);
        for (uint256 i = 0; i < assets.length; ++i) {
            IOracleGuard.Evaluation memory e = IOracleGuard(guard).check(assets[i]);
            uint256 at = HEADER_WORDS + GUARD_WORDS * i;
            words[at] = e.priceWad;
            words[at + 1] = e.ok ? 1 : 0;
            words[at + 2] = uint256(e.primaryRule);
            words[at + 3] = e.usedFallback ? 1 : 0;
        }
        Totals[] memory totals = new Totals[](nMarkets);
        for (uint256 m = 0; m < nMarkets; ++m) {
            totals[m] = expectedTotals(morpho, markets[m]);
            uint256 at = HEADER_WORDS + GUARD_WORDS * assets.length + MARKET_WORDS * m;
            words[at] = totals[m].price;
            words[at + 1] = totals[m].priceOk ? 1 : 0;
            words[at + 2] = totals[m].supplyAssets;
            words[at + 3] = totals[m].supplyShares;
            words[at + 4] = totals[m].borrowAssets;
            words[at + 5] = totals[m].borrowShares;
            words[at + 6] = IERC20(markets[m].collateralToken).balanceOf(morpho);
        }
        for (uint256 a = 0; a < accounts.length; ++a) {
            for (uint256 m = 0; m < nMarkets; ++m) {
                uint256 at = accountsAt + POSITION_WORDS * (a * nMarkets + m);
                _position(morpho, markets[m], totals[m], accounts[a], words, at);
            }
        }
    }

    /// @notice A market's totals with the interest accrued up to this block, and its oracle price.
    function expectedTotals(address morpho, MorphoMarketParams calldata params) public view returns (Totals memory t) {
        bytes32 id = keccak256(abi.encode(params));
        MorphoMarket memory m;
        (m.totalSupplyAssets, m.totalSupplyShares, m.totalBorrowAssets, m.totalBorrowShares, m.lastUpdate, m.fee) =
            IMorphoBlue(morpho).market(id);
        t.supplyAssets = m.totalSupplyAssets;
        t.supplyShares = m.totalSupplyShares;
        t.borrowAssets = m.totalBorrowAssets;
        t.borrowShares = m.totalBorrowShares;
        uint256 elapsed = block.timestamp - m.lastUpdate;
        if (elapsed != 0 && t.borrowAssets != 0 && params.irm != address(0)) {
            uint256 rate = IMorphoIrm(params.irm).borrowRateView(params, m);
            uint256 interest = _wMulDown(t.borrowAssets, _wTaylorCompounded(rate, elapsed));
            t.borrowAssets += interest;
            t.supplyAssets += interest;
            if (m.fee != 0) {
                uint256 feeAmount = _wMulDown(interest, m.fee);
                t.supplyShares += _mulDivDown(feeAmount, t.supplyShares + VIRTUAL_SHARES,
                    t.supplyAssets - feeAmount + VIRTUAL_ASSETS);
            }
        }
        try IMorphoOracle(params.oracle).price() returns (uint256 p) {
            t.price = p;
            t.priceOk = true;
        } catch {}
    }

    function _position(
        address morpho,
        MorphoMarketParams calldata params,
        Totals memory t,
        address account,
        uint256[] memory words,
        uint256 at
    ) internal view {
        (, uint128 borrowShares, uint128 collateral) = IMorphoBlue(morpho).position(keccak256(abi.encode(params)), account);
        words[at] = collateral;
        words[at + 1] = borrowShares;
        // SharesMathLib.toAssetsUp: the debt Morpho compares against the borrowing power (rounded up).
        words[at + 2] = _mulDivUp(borrowShares, t.borrowAssets + VIRTUAL_ASSETS, t.borrowShares + VIRTUAL_SHARES);
        words[at + 3] = _wMulDown(_mulDivDown(collateral, t.price, ORACLE_PRICE_SCALE), params.lltv);
    }

    /// @dev e^(r n) - 1 by its first three Taylor terms (Morpho's MathLib.wTaylorCompounded).
    function _wTaylorCompounded(uint256 ratePerSecondWad, uint256 n) internal pure returns (uint256) {
        uint256 firstTerm = ratePerSecondWad * n;
        uint256 secondTerm = _mulDivDown(firstTerm, firstTerm, 2 * WAD);
        uint256 thirdTerm = _mulDivDown(secondTerm, firstTerm, 3 * WAD);
        return firstTerm + secondTerm + thirdTerm;
    }

    function _wMulDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return _mulDivDown(x, y, WAD);
    }

    function _mulDivDown(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return x * y / d;
    }

    function _mulDivUp(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return (x * y + (d - 1)) / d;
    }
}
