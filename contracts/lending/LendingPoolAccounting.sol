// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "../interfaces/IERC20.sol";
import {SafeTransferLib} from "../libraries/SafeTransferLib.sol";
import {LendingPoolStorage} from "./LendingPoolStorage.sol";
import {DataTypes} from "./libraries/DataTypes.sol";
import {InterestLogic} from "./libraries/InterestLogic.sol";

/// @title The lending pool's books: interest accrual, debts, bad-debt write-offs, reserves, rounding and cash.
/// @dev Internal only. Every rounding is InterestLogic's (against the account, in the pool's favour); the
///      one token movement here is `_pullExact`, which books what actually arrived.
abstract contract LendingPoolAccounting is LendingPoolStorage {
    /// @dev Writes the indices and reserves up to this block (once per block: a second call is free).
    function _accrue() internal {
        if (_market.lastAccrualTimestamp == block.timestamp) return;
        DataTypes.Accrual memory a = _previewAccrual();
        _market.borrowIndexWad = a.borrowIndexWad;
        _market.supplyIndexWad = a.supplyIndexWad;
        _market.totalReservesBase = a.totalReservesBase;
        _market.lastAccrualTimestamp = block.timestamp;
        roundingDustBase += a.roundingBase;
        emit InterestAccrued(a.borrowIndexWad, a.supplyIndexWad, a.interestBase, a.reservesAddedBase);
    }

    /// @dev The market as `_accrue` would write it in this block, for views and for debts before accrual.
    function _previewAccrual() internal view returns (DataTypes.Accrual memory) {
        return InterestLogic.previewAccrual(_market, _rateModel, reserveFactorBps, block.timestamp);
    }

    /// @dev Debt of `account` as of this block, base raw units, rounded up.
    function _debtOf(address account) internal view returns (uint256) {
        return InterestLogic.debtUp(borrowPrincipalOf[account], _previewAccrual().borrowIndexWad);
    }

    /// @dev Removes `repaidBase` of `debtBase`: the whole principal when it is all repaid, otherwise
    ///      floor(repaid * 1e18 / index) of it (the account keeps the rounding, never the pool).
    function _reduceDebt(address account, uint256 repaidBase, uint256 debtBase) internal returns (uint256 debtAfterBase) {
        uint256 accountPrincipal = borrowPrincipalOf[account];
        uint256 borrowIndexWad = _market.borrowIndexWad;
        uint256 principal = repaidBase == debtBase
            ? accountPrincipal
            : InterestLogic.repayPrincipalDown(repaidBase, borrowIndexWad);
        accountPrincipal -= principal;
        borrowPrincipalOf[account] = accountPrincipal;
        _market.totalBorrowPrincipal -= principal;
        return InterestLogic.debtUp(accountPrincipal, borrowIndexWad);
    }

    /// @dev Removes the whole debt of `account` and charges it to reserves (which may go negative).
    function _writeOffBadDebt(address account) internal returns (uint256 writtenOffBase) {
        uint256 accountPrincipal = borrowPrincipalOf[account];
        writtenOffBase = InterestLogic.debtUp(accountPrincipal, _market.borrowIndexWad);
        borrowPrincipalOf[account] = 0;
        _market.totalBorrowPrincipal -= accountPrincipal;
        _market.totalReservesBase -= int256(writtenOffBase);
        emit BadDebtWrittenOff(account, writtenOffBase);
    }

    /// @dev The books at the written indices (call after `_accrue`): present borrows, supply and reserves.
    function _books() internal view returns (DataTypes.Books memory b) {
        b.borrowsBase = InterestLogic.debtUp(_market.totalBorrowPrincipal, _market.borrowIndexWad);
        b.suppliedBase = InterestLogic.supplyDown(_market.totalSupplyPrincipal, _market.supplyIndexWad);
        b.reservesBase = _market.totalReservesBase;
    }

    /// @dev Books an action's rounding as reserves, so cash + totalBorrow = totalSupply + totalReserves holds
    ///      to the raw unit. `before` = `_books()` after the action's accrual; `cashInBase` / `cashOutBase` =
    ///      the base the action moves (its booked amounts, never a balance read: a donation stays visible).
    ///      The dust is cash moved + borrows' growth - supply's growth - reserves' explicit change; InterestLogic's
    ///      rounding makes it >= 0 and at most floor(index / 1e18) + 1 per principal conversion
    ///      (docs/lending.md, "Rounding, action by action"); a negative one reverts (a bug of the pool).
    function _keepRounding(DataTypes.Books memory before, uint256 cashInBase, uint256 cashOutBase) internal {
        DataTypes.Books memory books = _books();
        int256 dustBase = int256(cashInBase) - int256(cashOutBase)
            + (int256(books.borrowsBase) - int256(before.borrowsBase))
            - (int256(books.suppliedBase) - int256(before.suppliedBase))
            - (books.reservesBase - before.reservesBase);
        if (dustBase < 0) revert RoundingAgainstPool(dustBase);
        if (dustBase == 0) return;
        _market.totalReservesBase = books.reservesBase + dustBase;
        roundingDustBase += uint256(dustBase);
    }

    /// @dev The pool's base token balance, base raw units.
    function _cash() internal view returns (uint256) {
        return IERC20(baseToken).balanceOf(address(this));
    }

    /// @dev transferFrom, then checks the pool received exactly `amountRaw` (never trusts the token).
    function _pullExact(address token, address from, uint256 amountRaw) internal {
        uint256 balanceBeforeRaw = IERC20(token).balanceOf(address(this));
        SafeTransferLib.safeTransferFrom(token, from, address(this), amountRaw);
        uint256 receivedRaw = IERC20(token).balanceOf(address(this)) - balanceBeforeRaw;
        if (receivedRaw != amountRaw) revert TransferAmountMismatch(token, amountRaw, receivedRaw);
    }
}
