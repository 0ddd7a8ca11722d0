// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {DataTypes} from "./DataTypes.sol";
import {WadMath} from "./WadMath.sol";

/// @title Kinked rate model and index accrual (Compound III style), plus principal <-> present value.
/// @notice Rounding, always against the account: a debt is rounded up (borrow principal added = ceil,
///         principal removed by a repay = floor, present debt = ceil); a supply balance is rounded down
///         (principal added = floor, principal removed by a withdrawal = ceil, present balance = floor).
///         With totals kept as principals, every action therefore moves
///         cash + totalBorrow - totalSupply - totalReserves by a non-negative amount, and the pool books
///         that amount as reserves (LendingPoolAccounting._keepRounding; an accrual's in previewAccrual):
///         cash + totalBorrow = totalSupply + totalReserves holds to the raw unit (docs/lending.md, "Invariant").
library InterestLogic {
    using WadMath for uint256;

    /// @dev Compound's and Aave's year: rates per year are divided by this to get rates per second.
    uint256 internal constant SECONDS_PER_YEAR = 365 days;

    /// @notice totalBorrow / totalSupply, Wad, floored; 0 when nothing is supplied.
    function utilizationWad(uint256 totalBorrowBase, uint256 totalSupplyBase) internal pure returns (uint256) {
        return totalSupplyBase == 0 ? 0 : totalBorrowBase.mulDivDown(WadMath.WAD, totalSupplyBase);
    }

    /// @notice base + slope1 * U / kink for U <= kink, else base + slope1 + slope2 * (U - kink) / (1 - kink);
    ///         per year, Wad, each division floored.
    function borrowRatePerYearWad(DataTypes.RateModel memory model, uint256 utilizationWad_)
        internal
        pure
        returns (uint256)
    {
        if (utilizationWad_ <= model.kinkWad) {
            return model.baseRatePerYearWad + model.slope1PerYearWad.mulDivDown(utilizationWad_, model.kinkWad);
        }
        return model.baseRatePerYearWad + model.slope1PerYearWad
            + model.slope2PerYearWad.mulDivDown(utilizationWad_ - model.kinkWad, WadMath.WAD - model.kinkWad);
    }

    /// @notice Present debt of a borrow principal: ceil(principal * borrowIndex / 1e18), base units.
    function debtUp(uint256 principal, uint256 borrowIndexWad) internal pure returns (uint256) {
        return principal.mulWadUp(borrowIndexWad);
    }

    /// @notice Present claim of a supply principal: floor(principal * supplyIndex / 1e18), base units.
    function supplyDown(uint256 principal, uint256 supplyIndexWad) internal pure returns (uint256) {
        return principal.mulWadDown(supplyIndexWad);
    }

    /// @notice Principal to add for a borrow of `amountBase`: ceil(amount * 1e18 / borrowIndex).
    function borrowPrincipalUp(uint256 amountBase, uint256 borrowIndexWad) internal pure returns (uint256) {
        return amountBase.divWadUp(borrowIndexWad);
    }

    /// @notice Principal a partial repay of `amountBase` removes: floor(amount * 1e18 / borrowIndex).
    function repayPrincipalDown(uint256 amountBase, uint256 borrowIndexWad) internal pure returns (uint256) {
        return amountBase.divWadDown(borrowIndexWad);
    }

    /// @notice Principal a supply of `amountBase` adds: floor(amount * 1e18 / supplyIndex).
    function supplyPrincipalDown(uint256 amountBase, uint256 supplyIndexWad) internal pure returns (uint256) {
        return amountBase.divWadDown(supplyIndexWad);
    }

    /// @notice Principal a partial withdrawal of `amountBase` removes: ceil(amount * 1e18 / supplyIndex).
    function withdrawPrincipalUp(uint256 amountBase, uint256 supplyIndexWad) internal pure returns (uint256) {
        return amountBase.divWadUp(supplyIndexWad);
    }

    /// @notice The market state after accruing interest up to `nowTimestamp`, without writing it.
    /// @dev Recipe: U from present totals; rate per second = ratePerYear / 365 days (floored);
    ///      borrowIndex += floor(borrowIndex * ratePerSecond * dt / 1e18) (simple interest within one
    ///      accrual, like Comet); interest = growth of ceil(totalBorrowPrincipal * index); reserves take
    ///      floor(interest * reserveFactor / 1e4); the rest goes to lenders as
    ///      supplyIndex += floor(rest * 1e18 / totalSupplyPrincipal), so lenders never receive more than
    ///      `rest`; what the floor keeps back (below totalSupplyPrincipal / 1e18 + 1 base units) is added
    ///      to reserves too, so reserves + supplied grow by exactly the interest. With no lender
    ///      principal, the whole interest is reserves.
    function previewAccrual(
        DataTypes.Market memory market,
        DataTypes.RateModel memory model,
        uint256 reserveFactorBps,
        uint256 nowTimestamp
    ) internal pure returns (DataTypes.Accrual memory a) {
        a.borrowIndexWad = market.borrowIndexWad;
        a.supplyIndexWad = market.supplyIndexWad;
        a.totalReservesBase = market.totalReservesBase;
        uint256 elapsedSeconds = nowTimestamp - market.lastAccrualTimestamp;
        if (elapsedSeconds == 0) return a;

        uint256 totalBorrowBase = debtUp(market.totalBorrowPrincipal, market.borrowIndexWad);
        uint256 totalSupplyBase = supplyDown(market.totalSupplyPrincipal, market.supplyIndexWad);
        uint256 ratePerSecondWad =
            borrowRatePerYearWad(model, utilizationWad(totalBorrowBase, totalSupplyBase)) / SECONDS_PER_YEAR;
        a.borrowIndexWad = market.borrowIndexWad + market.borrowIndexWad.mulWadDown(ratePerSecondWad * elapsedSeconds);

        a.interestBase = debtUp(market.totalBorrowPrincipal, a.borrowIndexWad) - totalBorrowBase;
        if (market.totalSupplyPrincipal == 0) {
            a.reservesAddedBase = a.interestBase;
        } else {
            uint256 factorShareBase = a.interestBase.bpsMulDown(reserveFactorBps);
            uint256 lenderInterestBase = a.interestBase - factorShareBase;
            a.supplyIndexWad =
                market.supplyIndexWad + lenderInterestBase.mulDivDown(WadMath.WAD, market.totalSupplyPrincipal);
            // What the lenders' present value actually grew by; never above lenderInterestBase, and short of
            // it by less than totalSupplyPrincipal / 1e18 + 1 (docs/lending.md, "Rounding, action by action").
            uint256 creditedBase =
                supplyDown(market.totalSupplyPrincipal, a.supplyIndexWad) - totalSupplyBase;
            a.roundingBase = lenderInterestBase - creditedBase;
            a.reservesAddedBase = factorShareBase + a.roundingBase;
        }
        a.totalReservesBase = market.totalReservesBase + int256(a.reservesAddedBase);
    }
}
