// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMorphoIrm, MorphoMarketParams, MorphoMarket} from "./IMorphoBlue.sol";

/// @title A kinked interest rate model for Morpho Blue markets: the drill's `interest:` section.
/// @notice Per year: base + slope1 x U / kink for U <= kink, else base + slope1 + slope2 x (U - kink) / (1 - kink),
///         U = totalBorrowAssets / totalSupplyAssets (wad, floored; 0 without supply): the reference pool's
///         InterestLogic.borrowRatePerYearWad, divided by 365 days for Morpho's per-second rate (floored).
///         Morpho compounds it (wTaylorCompounded); the reference pool accrues it simply. Immutable: no owner.
contract MorphoKinkedIrm is IMorphoIrm {
    uint256 internal constant WAD = 1e18;
    /// @dev The reference pool's year (InterestLogic.SECONDS_PER_YEAR).
    uint256 public constant SECONDS_PER_YEAR = 365 days;

    /// @notice The kink must lie in (0, 1] (wad).
    error KinkOutOfRange(uint256 kinkWad);

    uint256 public immutable BASE_RATE_PER_YEAR_WAD;
    uint256 public immutable SLOPE1_PER_YEAR_WAD;
    uint256 public immutable SLOPE2_PER_YEAR_WAD;
    uint256 public immutable KINK_WAD;

    constructor(uint256 baseRatePerYearWad, uint256 slope1PerYearWad, uint256 slope2PerYearWad, uint256 kinkWad) {
        if (kinkWad == 0 || kinkWad > WAD) revert KinkOutOfRange(kinkWad);
        BASE_RATE_PER_YEAR_WAD = baseRatePerYearWad;
        SLOPE1_PER_YEAR_WAD = slope1PerYearWad;
        SLOPE2_PER_YEAR_WAD = slope2PerYearWad;
        KINK_WAD = kinkWad;
    }

    /// @notice Borrow rate per second, wad (what Morpho accrues with).
    function borrowRate(MorphoMarketParams memory marketParams, MorphoMarket memory market)
        external
        view
        override
        returns (uint256)
    {
        return borrowRateView(marketParams, market);
    }

    /// @notice Borrow rate per second, wad, for `market`'s utilisation.
    function borrowRateView(MorphoMarketParams memory, MorphoMarket memory market)
        public
        view
        override
        returns (uint256)
    {
        return borrowRatePerYearWad(utilizationWad(market.totalBorrowAssets, market.totalSupplyAssets)) / SECONDS_PER_YEAR;
    }

    /// @notice totalBorrow / totalSupply, wad, floored; 0 when nothing is supplied.
    function utilizationWad(uint256 totalBorrowAssets, uint256 totalSupplyAssets) public pure returns (uint256) {
        return totalSupplyAssets == 0 ? 0 : totalBorrowAssets * WAD / totalSupplyAssets;
    }

    /// @notice The kinked rate per year at `utilization` (wad), each division floored.
    function borrowRatePerYearWad(uint256 utilization) public view returns (uint256) {
        if (utilization <= KINK_WAD) return BASE_RATE_PER_YEAR_WAD + SLOPE1_PER_YEAR_WAD * utilization / KINK_WAD;
        return BASE_RATE_PER_YEAR_WAD + SLOPE1_PER_YEAR_WAD
            + SLOPE2_PER_YEAR_WAD * (utilization - KINK_WAD) / (WAD - KINK_WAD);
    }
}
