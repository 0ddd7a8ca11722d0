// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IComptroller} from "./interfaces/IComptroller.sol";
import {ICToken} from "./interfaces/ICToken.sol";
import {IPriceOracle} from "./interfaces/IPriceOracle.sol";

/// @title A Compound-V2-style risk engine: listed markets, one collateral factor per market, a close
///        factor and one liquidation incentive for all markets.
/// @notice An account's collateral counts in the markets it entered. Liquidity is
///         sum(cTokens x exchangeRate x price x collateralFactor) - sum(borrow x price), in USD wad;
///         `getAccountLiquidity` returns it split into (error, liquidity, shortfall), one of the last
///         two zero. A liquidation needs a shortfall.
contract Comptroller is IComptroller {
    /// @dev Compound V2's error code for "a price is unavailable" in getAccountLiquidity.
    uint256 public constant PRICE_ERROR = 13;
    uint256 public constant MAX_COLLATERAL_FACTOR = 0.9e18;
    uint256 public constant MIN_CLOSE_FACTOR = 0.05e18;
    uint256 public constant MAX_CLOSE_FACTOR = 1e18;
    uint256 public constant MAX_INCENTIVE = 1.5e18;
    uint256 public constant MAX_ASSETS = 16;

    struct Market {
        bool listed;
        uint256 collateralFactorMantissa; // 1e18 = 100% of the collateral's value counts
    }

    address public immutable admin;
    IPriceOracle public oracle;
    uint256 public closeFactorMantissa;
    uint256 public liquidationIncentiveMantissa; // 1.08e18 = the liquidator seizes 108% of the repaid value
    mapping(address cToken => Market) public markets;
    mapping(address account => address[]) internal _assetsIn;
    mapping(address account => mapping(address cToken => bool)) public checkMembership;
    address[] public allMarkets;

    modifier onlyAdmin() {
        if (msg.sender != admin) revert NotAdmin(msg.sender);
        _;
    }

    constructor(address admin_, address oracle_, uint256 closeFactor, uint256 incentive) {
        admin = admin_;
        oracle = IPriceOracle(oracle_);
        _checkCloseFactor(closeFactor);
        _checkIncentive(incentive);
        closeFactorMantissa = closeFactor;
        liquidationIncentiveMantissa = incentive;
    }

    // ---------------------------------------------------------------- admin

    function supportMarket(address cToken) external onlyAdmin {
        if (markets[cToken].listed) revert MarketAlreadyListed(cToken);
        if (ICToken(cToken).comptroller() != address(this)) revert ComptrollerMismatch(cToken);
        markets[cToken].listed = true;
        allMarkets.push(cToken);
        emit MarketListed(cToken);
    }

    /// @param mantissa share of the collateral's value that counts, 1e18 = 100%, at most 90%
    function setCollateralFactor(address cToken, uint256 mantissa) external onlyAdmin {
        Market storage m = _listed(cToken);
        if (mantissa > MAX_COLLATERAL_FACTOR) revert CollateralFactorTooHigh(mantissa);
        emit NewCollateralFactor(cToken, m.collateralFactorMantissa, mantissa);
        m.collateralFactorMantissa = mantissa;
    }

    function setCloseFactor(uint256 mantissa) external onlyAdmin {
        _checkCloseFactor(mantissa);
        emit NewCloseFactor(closeFactorMantissa, mantissa);
        closeFactorMantissa = mantissa;
    }

    function setLiquidationIncentive(uint256 mantissa) external onlyAdmin {
        _checkIncentive(mantissa);
        emit NewLiquidationIncentive(liquidationIncentiveMantissa, mantissa);
        liquidationIncentiveMantissa = mantissa;
    }

    function setPriceOracle(address newOracle) external onlyAdmin {
        emit NewPriceOracle(address(oracle), newOracle);
        oracle = IPriceOracle(newOracle);
    }

    // ---------------------------------------------------------------- accounts

    /// @notice Count the caller's balances in `cTokens` as collateral (and their borrows as debt).
    function enterMarkets(address[] calldata cTokens) external {
        for (uint256 i = 0; i < cTokens.length; i++) {
            _listed(cTokens[i]);
            _enter(cTokens[i], msg.sender);
        }
    }

    function getAssetsIn(address account) external view returns (address[] memory) {
        return _assetsIn[account];
    }

    /// @notice Every listed market, in listing order (Compound V2's `getAllMarkets`).
    function getAllMarkets() external view returns (address[] memory) {
        return allMarkets;
    }

    /// @return error 0, or PRICE_ERROR when a market the account is in has no price
    /// @return liquidityUsdWad how much more the account could borrow (USD wad)
    /// @return shortfallUsdWad how far its debt exceeds its borrowing power (USD wad): liquidatable when > 0
    function getAccountLiquidity(address account) external view returns (uint256, uint256, uint256) {
        return _liquidity(account, address(0), 0, 0);
    }

    // ---------------------------------------------------------------- hooks (called by markets)

    function mintAllowed(address cToken) external view {
        _listed(cToken);
    }

    function redeemAllowed(address cToken, address redeemer, uint256 redeemTokens) external view {
        _listed(cToken);
        if (!checkMembership[redeemer][cToken]) return;
        _requireNoShortfall(redeemer, cToken, redeemTokens, 0);
    }

    /// @dev Called by the market itself: a first borrow enters the borrower into it (as Compound does).
    function borrowAllowed(address cToken, address borrower, uint256 borrowAmountRaw) external {
        _listed(cToken);
        if (!checkMembership[borrower][cToken]) {
            if (msg.sender != cToken) revert NotAMarket(msg.sender);
            _enter(cToken, borrower);
        }
        _requireNoShortfall(borrower, cToken, 0, borrowAmountRaw);
    }

    function repayAllowed(address cToken) external view {
        _listed(cToken);
    }

    /// @notice A liquidation needs a shortfall and repays at most closeFactor x the borrow balance.
    function liquidateBorrowAllowed(address cTokenBorrowed, address cTokenCollateral, address borrower, uint256 repayAmountRaw)
        external
        view
    {
        _listed(cTokenBorrowed);
        _listed(cTokenCollateral);
        (uint256 err,, uint256 shortfall) = _liquidity(borrower, address(0), 0, 0);
        if (err != 0) revert PriceUnavailable(cTokenCollateral);
        if (shortfall == 0) revert InsufficientShortfall(borrower);
        uint256 maxRepay = ICToken(cTokenBorrowed).borrowBalanceStored(borrower) * closeFactorMantissa / 1e18;
        if (repayAmountRaw > maxRepay) revert TooMuchRepay(repayAmountRaw, maxRepay);
    }

    /// @dev Listing checks a market's comptroller, so two listed markets always share this one.
    function seizeAllowed(address cTokenCollateral, address cTokenBorrowed) external view {
        _listed(cTokenCollateral);
        if (!markets[cTokenBorrowed].listed) revert NotAMarket(cTokenBorrowed);
    }

    /// @notice cTokens of `cTokenCollateral` for repaying `repayAmountRaw` of `cTokenBorrowed`'s underlying:
    ///         repay x incentive x priceBorrowed / (priceCollateral x exchangeRate), in Compound's order of
    ///         truncations (each product of mantissas divided by 1e18, rounded down).
    function liquidateCalculateSeizeTokens(address cTokenBorrowed, address cTokenCollateral, uint256 repayAmountRaw)
        external
        view
        returns (uint256 seizeTokens)
    {
        uint256 priceBorrowed = oracle.getUnderlyingPrice(cTokenBorrowed);
        uint256 priceCollateral = oracle.getUnderlyingPrice(cTokenCollateral);
        if (priceBorrowed == 0) revert PriceUnavailable(cTokenBorrowed);
        if (priceCollateral == 0) revert PriceUnavailable(cTokenCollateral);
        uint256 exchangeRate = ICToken(cTokenCollateral).exchangeRateStored();
        uint256 numerator = liquidationIncentiveMantissa * priceBorrowed / 1e18;
        uint256 denominator = priceCollateral * exchangeRate / 1e18;
        uint256 ratio = numerator * 1e18 / denominator;
        seizeTokens = ratio * repayAmountRaw / 1e18;
    }

    // ---------------------------------------------------------------- internals

    function _listed(address cToken) internal view returns (Market storage m) {
        m = markets[cToken];
        if (!m.listed) revert MarketNotListed(cToken);
    }

    function _enter(address cToken, address account) internal {
        if (checkMembership[account][cToken]) return;
        if (_assetsIn[account].length >= MAX_ASSETS) revert TooManyMarkets(account);
        checkMembership[account][cToken] = true;
        _assetsIn[account].push(cToken);
        emit MarketEntered(cToken, account);
    }

    function _requireNoShortfall(address account, address cTokenModify, uint256 redeemTokens, uint256 borrowAmountRaw)
        internal
        view
    {
        (uint256 err,, uint256 shortfall) = _liquidity(account, cTokenModify, redeemTokens, borrowAmountRaw);
        if (err != 0) revert PriceUnavailable(cTokenModify);
        if (shortfall > 0) revert InsufficientLiquidity(account, shortfall);
    }

    /// @dev The account's liquidity as if it redeemed `redeemTokens` of and borrowed `borrowAmountRaw` from
    ///      `cTokenModify`. Values: cTokens x exchangeRate / 1e18 = underlying raw; x price / 1e18 = USD wad.
    function _liquidity(address account, address cTokenModify, uint256 redeemTokens, uint256 borrowAmountRaw)
        internal
        view
        returns (uint256 err, uint256 liquidityUsdWad, uint256 shortfallUsdWad)
    {
        uint256 powerUsdWad;
        uint256 debtUsdWad;
        address[] memory assets = _assetsIn[account];
        for (uint256 i = 0; i < assets.length; i++) {
            ICToken market = ICToken(assets[i]);
            uint256 tokens = market.balanceOf(account);
            uint256 borrowed = market.borrowBalanceStored(account);
            uint256 price = oracle.getUnderlyingPrice(assets[i]);
            if (price == 0) return (PRICE_ERROR, 0, 0);
            uint256 collateralFactor = markets[assets[i]].collateralFactorMantissa;
            // tokensToDenom = collateralFactor x exchangeRate x price (three mantissas, two truncations)
            uint256 tokensToDenom = collateralFactor * market.exchangeRateStored() / 1e18 * price / 1e18;
            powerUsdWad += tokensToDenom * tokens / 1e18;
            debtUsdWad += price * borrowed / 1e18;
            if (assets[i] == cTokenModify) {
                debtUsdWad += tokensToDenom * redeemTokens / 1e18;
                debtUsdWad += price * borrowAmountRaw / 1e18;
            }
        }
        if (powerUsdWad > debtUsdWad) return (0, powerUsdWad - debtUsdWad, 0);
        return (0, 0, debtUsdWad - powerUsdWad);
    }

    function _checkCloseFactor(uint256 mantissa) internal pure {
        if (mantissa < MIN_CLOSE_FACTOR || mantissa > MAX_CLOSE_FACTOR) revert CloseFactorOutOfRange(mantissa);
    }

    function _checkIncentive(uint256 mantissa) internal pure {
        if (mantissa < 1e18 || mantissa > MAX_INCENTIVE) revert IncentiveOutOfRange(mantissa);
    }
}
