// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IComptroller} from "./interfaces/IComptroller.sol";
import {ICToken} from "./interfaces/ICToken.sol";
import {IERC20Minimal} from "./interfaces/IERC20Minimal.sol";
import {IRateModel} from "./interfaces/IRateModel.sol";
import {Guarded} from "./libraries/Guarded.sol";
import {SafeToken} from "./libraries/SafeToken.sol";

/// @title A Compound-V2-style market token over one ERC-20 underlying.
/// @notice Suppliers hold cTokens (8 decimals) worth `exchangeRate` underlying each:
///         exchangeRate = (cash + totalBorrows - totalReserves) x 1e18 / totalSupply (underlying raw per
///         cToken raw, mantissa), the initial rate while nothing is supplied. Borrows accrue simple
///         interest per second on a borrow index. A market may be collateral-only (`borrowable` false).
///         Amounts round in the market's favour: fewer cTokens minted, more burned.
contract CToken is ICToken, Guarded {
    address public immutable admin;
    address public immutable underlying;
    address public immutable comptroller;
    IRateModel public immutable rateModel;
    bool public immutable borrowable;
    /// @dev underlying raw per cToken raw x 1e18 until the first mint (Compound: 0.02 x 10^(18 + d - 8)).
    uint256 public immutable initialExchangeRateMantissa;
    uint256 public constant MAX_RESERVE_FACTOR = 1e18;

    string public name;
    string public symbol;
    uint8 public constant decimals = 8;

    uint256 public totalSupply;
    mapping(address account => uint256) public balanceOf;

    struct BorrowSnapshot {
        uint256 principalRaw;
        uint256 interestIndex;
    }

    mapping(address account => BorrowSnapshot) internal _borrows;
    uint256 public borrowIndex = 1e18;
    uint256 public totalBorrows;
    uint256 public totalReserves;
    uint256 public reserveFactorMantissa;
    uint256 public accrualTimestamp;

    constructor(
        address admin_,
        address underlying_,
        address comptroller_,
        address rateModel_,
        uint256 initialExchangeRate,
        bool borrowable_,
        string memory name_,
        string memory symbol_
    ) {
        admin = admin_;
        underlying = underlying_;
        comptroller = comptroller_;
        rateModel = IRateModel(rateModel_);
        initialExchangeRateMantissa = initialExchangeRate;
        borrowable = borrowable_;
        name = name_;
        symbol = symbol_;
        accrualTimestamp = block.timestamp;
    }

    // ---------------------------------------------------------------- views

    function getCash() public view returns (uint256) {
        return IERC20Minimal(underlying).balanceOf(address(this));
    }

    /// @inheritdoc ICToken
    function exchangeRateStored() public view returns (uint256) {
        if (totalSupply == 0) return initialExchangeRateMantissa;
        return (getCash() + totalBorrows - totalReserves) * 1e18 / totalSupply;
    }

    /// @notice The account's debt at the last accrual, underlying raw (principal x index / its index, rounded down).
    function borrowBalanceStored(address account) public view returns (uint256) {
        BorrowSnapshot memory s = _borrows[account];
        if (s.principalRaw == 0) return 0;
        return s.principalRaw * borrowIndex / s.interestIndex;
    }

    /// @notice Compound's snapshot: (error, cToken balance, borrow balance raw, exchange rate mantissa).
    function getAccountSnapshot(address account) external view returns (uint256, uint256, uint256, uint256) {
        return (0, balanceOf[account], borrowBalanceStored(account), exchangeRateStored());
    }

    // ---------------------------------------------------------------- admin

    function setReserveFactor(uint256 mantissa) external {
        if (msg.sender != admin) revert NotAdmin(msg.sender);
        if (mantissa > MAX_RESERVE_FACTOR) revert ReserveFactorTooHigh(mantissa);
        accrueInterest();
        emit NewReserveFactor(reserveFactorMantissa, mantissa);
        reserveFactorMantissa = mantissa;
    }

    // ---------------------------------------------------------------- interest

    /// @notice Accrue simple interest since the last accrual: rate x seconds on borrows, the reserve
    ///         factor's share of it to reserves, the borrow index scaled by the same factor.
    function accrueInterest() public {
        uint256 elapsed = block.timestamp - accrualTimestamp;
        if (elapsed == 0) return;
        accrualTimestamp = block.timestamp;
        uint256 borrows = totalBorrows;
        if (borrows == 0) return;
        uint256 cash = getCash();
        uint256 factor = rateModel.getBorrowRate(cash, borrows, totalReserves) * elapsed;
        uint256 interest = factor * borrows / 1e18;
        totalBorrows = borrows + interest;
        totalReserves += interest * reserveFactorMantissa / 1e18;
        borrowIndex += factor * borrowIndex / 1e18;
        emit AccrueInterest(cash, interest, borrowIndex, totalBorrows);
    }

    // ---------------------------------------------------------------- supply

    /// @inheritdoc ICToken
    function mint(uint256 mintAmountRaw) external nonReentrant returns (uint256) {
        return _mint(msg.sender, msg.sender, mintAmountRaw);
    }

    /// @notice Supply `mintAmountRaw` of the caller's underlying; `receiver` gets the cTokens (Venus's mintBehalf).
    function mintBehalf(address receiver, uint256 mintAmountRaw) external nonReentrant returns (uint256) {
        return _mint(msg.sender, receiver, mintAmountRaw);
    }

    /// @inheritdoc ICToken
    function redeem(uint256 redeemTokens) external nonReentrant returns (uint256 redeemAmountRaw) {
        if (redeemTokens == 0) revert ZeroAmount();
        accrueInterest();
        redeemAmountRaw = redeemTokens * exchangeRateStored() / 1e18;
        _redeem(msg.sender, redeemTokens, redeemAmountRaw);
    }

    /// @notice Redeem cTokens for exactly `redeemAmountRaw` underlying (cTokens burned rounded up).
    function redeemUnderlying(uint256 redeemAmountRaw) external nonReentrant returns (uint256 redeemTokens) {
        if (redeemAmountRaw == 0) revert ZeroAmount();
        accrueInterest();
        uint256 rate = exchangeRateStored();
        redeemTokens = (redeemAmountRaw * 1e18 + rate - 1) / rate;
        _redeem(msg.sender, redeemTokens, redeemAmountRaw);
    }

    // ---------------------------------------------------------------- borrow

    function borrow(uint256 borrowAmountRaw) external nonReentrant {
        if (borrowAmountRaw == 0) revert ZeroAmount();
        if (!borrowable) revert BorrowNotAllowed(address(this));
        accrueInterest();
        IComptroller(comptroller).borrowAllowed(address(this), msg.sender, borrowAmountRaw);
        uint256 cash = getCash();
        if (cash < borrowAmountRaw) revert InsufficientCash(cash, borrowAmountRaw);
        uint256 owed = borrowBalanceStored(msg.sender) + borrowAmountRaw;
        _borrows[msg.sender] = BorrowSnapshot(owed, borrowIndex);
        totalBorrows += borrowAmountRaw;
        emit Borrow(msg.sender, borrowAmountRaw, owed, totalBorrows);
        SafeToken.safeTransfer(underlying, msg.sender, borrowAmountRaw);
    }

    /// @notice Repay up to `repayAmountRaw` of the caller's debt (capped at what is owed).
    function repayBorrow(uint256 repayAmountRaw) external nonReentrant returns (uint256) {
        accrueInterest();
        return _repay(msg.sender, msg.sender, repayAmountRaw);
    }

    /// @notice Repay up to `repayAmountRaw` of `borrower`'s debt from the caller (capped at what is owed).
    function repayBorrowBehalf(address borrower, uint256 repayAmountRaw) external nonReentrant returns (uint256) {
        accrueInterest();
        return _repay(msg.sender, borrower, repayAmountRaw);
    }

    // ---------------------------------------------------------------- liquidation

    /// @inheritdoc ICToken
    /// @notice The caller repays `repayAmountRaw` of `borrower`'s debt in this market and receives
    ///         `seizeTokens` of `cTokenCollateral` (Comptroller.liquidateCalculateSeizeTokens). Reverts unless
    ///         the borrower has a shortfall, the repay is within the close factor and the borrower holds
    ///         the seizure.
    function liquidateBorrow(address borrower, uint256 repayAmountRaw, address cTokenCollateral)
        external
        nonReentrant
        returns (uint256 seizeTokens)
    {
        if (repayAmountRaw == 0) revert ZeroAmount();
        if (borrower == msg.sender) revert LiquidatorIsBorrower(borrower);
        accrueInterest();
        if (cTokenCollateral != address(this)) ICToken(cTokenCollateral).accrueInterest();
        IComptroller(comptroller).liquidateBorrowAllowed(address(this), cTokenCollateral, borrower, repayAmountRaw);
        seizeTokens = IComptroller(comptroller).liquidateCalculateSeizeTokens(address(this), cTokenCollateral, repayAmountRaw);
        uint256 held = ICToken(cTokenCollateral).balanceOf(borrower);
        if (seizeTokens > held) revert SeizeTooMuch(seizeTokens, held);
        _repay(msg.sender, borrower, repayAmountRaw);
        if (cTokenCollateral == address(this)) {
            _seize(msg.sender, borrower, seizeTokens);
        } else {
            ICToken(cTokenCollateral).seize(msg.sender, borrower, seizeTokens);
        }
        emit LiquidateBorrow(msg.sender, borrower, repayAmountRaw, cTokenCollateral, seizeTokens);
    }

    /// @inheritdoc ICToken
    /// @dev Only another listed market of the same comptroller, during its liquidateBorrow.
    function seize(address liquidator, address borrower, uint256 seizeTokens) external nonReentrant {
        IComptroller(comptroller).seizeAllowed(address(this), msg.sender);
        _seize(liquidator, borrower, seizeTokens);
    }

    // ---------------------------------------------------------------- internals

    function _mint(address payer, address receiver, uint256 amountRaw) internal returns (uint256 mintTokens) {
        if (amountRaw == 0) revert ZeroAmount();
        accrueInterest();
        IComptroller(comptroller).mintAllowed(address(this));
        uint256 rate = exchangeRateStored();
        uint256 received = _pull(payer, amountRaw);
        mintTokens = received * 1e18 / rate;
        if (mintTokens == 0) revert ZeroAmount();
        totalSupply += mintTokens;
        balanceOf[receiver] += mintTokens;
        emit Mint(payer, receiver, received, mintTokens);
        emit Transfer(address(this), receiver, mintTokens);
    }

    function _redeem(address redeemer, uint256 redeemTokens, uint256 redeemAmountRaw) internal {
        uint256 balance = balanceOf[redeemer];
        if (balance < redeemTokens) revert InsufficientBalance(redeemer, balance, redeemTokens);
        IComptroller(comptroller).redeemAllowed(address(this), redeemer, redeemTokens);
        uint256 cash = getCash();
        if (cash < redeemAmountRaw) revert InsufficientCash(cash, redeemAmountRaw);
        balanceOf[redeemer] = balance - redeemTokens;
        totalSupply -= redeemTokens;
        emit Redeem(redeemer, redeemAmountRaw, redeemTokens);
        emit Transfer(redeemer, address(this), redeemTokens);
        SafeToken.safeTransfer(underlying, redeemer, redeemAmountRaw);
    }

    function _repay(address payer, address borrower, uint256 repayAmountRaw) internal returns (uint256 repaidRaw) {
        IComptroller(comptroller).repayAllowed(address(this));
        uint256 owed = borrowBalanceStored(borrower);
        repaidRaw = repayAmountRaw < owed ? repayAmountRaw : owed;
        if (repaidRaw == 0) revert ZeroAmount();
        uint256 left = owed - repaidRaw;
        _borrows[borrower] = BorrowSnapshot(left, borrowIndex);
        // the index rounds each account's balance down, so the sum may exceed totalBorrows by dust
        totalBorrows = totalBorrows > repaidRaw ? totalBorrows - repaidRaw : 0;
        emit RepayBorrow(payer, borrower, repaidRaw, left, totalBorrows);
        _pull(payer, repaidRaw);
    }

    /// @dev liquidateBorrow, the only way here, has refused a borrower liquidating itself.
    function _seize(address liquidator, address borrower, uint256 seizeTokens) internal {
        uint256 held = balanceOf[borrower];
        if (seizeTokens > held) revert SeizeTooMuch(seizeTokens, held);
        balanceOf[borrower] = held - seizeTokens;
        balanceOf[liquidator] += seizeTokens;
        emit Transfer(borrower, liquidator, seizeTokens);
    }

    /// @dev Pull `amountRaw` underlying from `payer` and return what arrived (measured, never trusted);
    ///      a fee-on-transfer token is refused rather than under-credited silently.
    function _pull(address payer, uint256 amountRaw) internal returns (uint256 received) {
        uint256 before = getCash();
        SafeToken.safeTransferFrom(underlying, payer, address(this), amountRaw);
        received = getCash() - before;
        if (received != amountRaw) revert TransferShortfall(received, amountRaw);
    }
}
