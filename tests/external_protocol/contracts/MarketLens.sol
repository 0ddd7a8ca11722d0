// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ICToken} from "./interfaces/ICToken.sol";
import {IPriceOracle} from "./interfaces/IPriceOracle.sol";

interface IComptrollerViews {
    function oracle() external view returns (IPriceOracle);
    function getAccountLiquidity(address account) external view returns (uint256, uint256, uint256);
}

interface ICTokenTotals {
    function totalBorrows() external view returns (uint256);
    function totalReserves() external view returns (uint256);
    function totalSupply() external view returns (uint256);
    function getCash() external view returns (uint256);
}

/// @title Many accounts' liquidity and balances in one call (the role of Compound's CompoundLens).
/// @notice Returns one flat uint256 array, so a client decodes it word by word:
///         per market (6 words): exchangeRate, oracle price (0 = unavailable), totalBorrows (raw),
///         totalReserves (raw), cash (raw), totalSupply (cTokens); then per account (3 + 2 x markets):
///         error, liquidity (USD wad), shortfall (USD wad), and per market its cToken balance and borrow
///         balance (raw, stored).
contract MarketLens {
    uint256 public constant MARKET_WORDS = 6;

    function scan(address comptroller, address[] calldata markets, address[] calldata accounts)
        external
        view
        returns (uint256[] memory out)
    {
        uint256 n = markets.length;
        out = new uint256[](n * MARKET_WORDS + accounts.length * (3 + 2 * n));
        IPriceOracle oracle = IComptrollerViews(comptroller).oracle();
        uint256 k = 0;
        for (uint256 i = 0; i < n; i++) {
            ICToken market = ICToken(markets[i]);
            ICTokenTotals totals = ICTokenTotals(markets[i]);
            out[k++] = market.exchangeRateStored();
            out[k++] = oracle.getUnderlyingPrice(markets[i]);
            out[k++] = totals.totalBorrows();
            out[k++] = totals.totalReserves();
            out[k++] = totals.getCash();
            out[k++] = totals.totalSupply();
        }
        for (uint256 a = 0; a < accounts.length; a++) {
            (out[k], out[k + 1], out[k + 2]) = IComptrollerViews(comptroller).getAccountLiquidity(accounts[a]);
            k += 3;
            for (uint256 i = 0; i < n; i++) {
                out[k++] = ICToken(markets[i]).balanceOf(accounts[a]);
                out[k++] = ICToken(markets[i]).borrowBalanceStored(accounts[a]);
            }
        }
    }
}
