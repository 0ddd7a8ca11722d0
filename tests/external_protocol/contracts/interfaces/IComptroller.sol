// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice The risk engine every market asks before it moves value. Errors are declared once, here.
interface IComptroller {
    error NotAdmin(address caller);
    error MarketNotListed(address cToken);
    error MarketAlreadyListed(address cToken);
    error ComptrollerMismatch(address cToken);
    error CollateralFactorTooHigh(uint256 collateralFactorMantissa);
    error CloseFactorOutOfRange(uint256 closeFactorMantissa);
    error IncentiveOutOfRange(uint256 liquidationIncentiveMantissa);
    error PriceUnavailable(address cToken);
    /// @notice The action would leave the account short of collateral by `shortfallUsdWad`.
    error InsufficientLiquidity(address account, uint256 shortfallUsdWad);
    /// @notice Liquidating an account that has no shortfall.
    error InsufficientShortfall(address borrower);
    /// @notice One liquidation may repay at most closeFactor x the borrow balance.
    error TooMuchRepay(uint256 repayRaw, uint256 maxRepayRaw);
    error NotAMarket(address caller);
    error TooManyMarkets(address account);

    event MarketListed(address indexed cToken);
    event MarketEntered(address indexed cToken, address indexed account);
    event NewCollateralFactor(address indexed cToken, uint256 oldMantissa, uint256 newMantissa);
    event NewCloseFactor(uint256 oldMantissa, uint256 newMantissa);
    event NewLiquidationIncentive(uint256 oldMantissa, uint256 newMantissa);
    event NewPriceOracle(address oldOracle, address newOracle);

    function mintAllowed(address cToken) external view;
    function redeemAllowed(address cToken, address redeemer, uint256 redeemTokens) external view;
    function borrowAllowed(address cToken, address borrower, uint256 borrowAmountRaw) external;
    function repayAllowed(address cToken) external view;
    function liquidateBorrowAllowed(address cTokenBorrowed, address cTokenCollateral, address borrower, uint256 repayAmountRaw)
        external
        view;
    function seizeAllowed(address cTokenCollateral, address cTokenBorrowed) external view;
    function liquidateCalculateSeizeTokens(address cTokenBorrowed, address cTokenCollateral, uint256 repayAmountRaw)
        external
        view
        returns (uint256 seizeTokens);
}
