// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice A market token: supply the underlying, hold cTokens that appreciate by the exchange rate.
interface ICToken {
    error NotAdmin(address caller);
    error ZeroAmount();
    error BorrowNotAllowed(address cToken);
    error InsufficientCash(uint256 cashRaw, uint256 neededRaw);
    error InsufficientBalance(address account, uint256 balanceTokens, uint256 neededTokens);
    error TransferShortfall(uint256 receivedRaw, uint256 expectedRaw);
    error LiquidatorIsBorrower(address account);
    /// @notice The seizure is more cTokens than the borrower holds (Compound's LIQUIDATE_SEIZE_TOO_MUCH).
    error SeizeTooMuch(uint256 seizeTokens, uint256 borrowerTokens);
    error ReserveFactorTooHigh(uint256 reserveFactorMantissa);

    event AccrueInterest(uint256 cashPriorRaw, uint256 interestAccumulatedRaw, uint256 borrowIndex, uint256 totalBorrowsRaw);
    event Mint(address indexed payer, address indexed receiver, uint256 mintAmountRaw, uint256 mintTokens);
    event Redeem(address indexed redeemer, uint256 redeemAmountRaw, uint256 redeemTokens);
    event Borrow(address indexed borrower, uint256 borrowAmountRaw, uint256 accountBorrowsRaw, uint256 totalBorrowsRaw);
    event RepayBorrow(address indexed payer, address indexed borrower, uint256 repayAmountRaw, uint256 accountBorrowsRaw,
        uint256 totalBorrowsRaw);
    /// @notice Compound V2's event: `seizeTokens` cTokens of `cTokenCollateral` moved from borrower to liquidator.
    event LiquidateBorrow(address liquidator, address borrower, uint256 repayAmount, address cTokenCollateral,
        uint256 seizeTokens);
    event Transfer(address indexed from, address indexed to, uint256 amount);
    event NewReserveFactor(uint256 oldMantissa, uint256 newMantissa);

    function underlying() external view returns (address);
    function comptroller() external view returns (address);
    function balanceOf(address account) external view returns (uint256);
    function exchangeRateStored() external view returns (uint256);
    function borrowBalanceStored(address account) external view returns (uint256);
    function accrueInterest() external;
    function mint(uint256 mintAmountRaw) external returns (uint256 mintTokens);
    function redeem(uint256 redeemTokens) external returns (uint256 redeemAmountRaw);
    function liquidateBorrow(address borrower, uint256 repayAmountRaw, address cTokenCollateral)
        external
        returns (uint256 seizeTokens);
    function seize(address liquidator, address borrower, uint256 seizeTokens) external;
}
