// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IRateModel} from "./interfaces/IRateModel.sol";

/// @title Compound's JumpRateModel, per second: base + multiplier x U up to the kink, + jump above it.
contract KinkRateModel is IRateModel {
    error KinkOutOfRange(uint256 kinkMantissa);

    uint256 public constant SECONDS_PER_YEAR = 365 days;
    /// @dev Per-second rates, 1e18 = 100% per second (annual rate / SECONDS_PER_YEAR, rounded down).
    uint256 public immutable baseRatePerSecond;
    uint256 public immutable multiplierPerSecond;
    uint256 public immutable jumpMultiplierPerSecond;
    /// @dev Utilisation where the jump starts, 1e18 = 100%.
    uint256 public immutable kinkMantissa;

    /// @param baseRatePerYear the rate at zero utilisation (1e18 = 100% a year)
    /// @param slope1PerYear added at the kink (the rate rises linearly to base + slope1 there)
    /// @param slope2PerYear added from the kink to 100% utilisation
    constructor(uint256 baseRatePerYear, uint256 slope1PerYear, uint256 slope2PerYear, uint256 kink) {
        if (kink == 0 || kink > 1e18) revert KinkOutOfRange(kink);
        baseRatePerSecond = baseRatePerYear / SECONDS_PER_YEAR;
        multiplierPerSecond = slope1PerYear * 1e18 / (kink * SECONDS_PER_YEAR);
        jumpMultiplierPerSecond = slope2PerYear * 1e18 / ((1e18 - kink + (kink == 1e18 ? 1 : 0)) * SECONDS_PER_YEAR);
        kinkMantissa = kink;
    }

    /// @notice borrows / (cash + borrows - reserves), 1e18 = 100%; zero without borrows.
    function utilization(uint256 cashRaw, uint256 borrowsRaw, uint256 reservesRaw) public pure returns (uint256) {
        if (borrowsRaw == 0) return 0;
        return borrowsRaw * 1e18 / (cashRaw + borrowsRaw - reservesRaw);
    }

    /// @inheritdoc IRateModel
    function getBorrowRate(uint256 cashRaw, uint256 borrowsRaw, uint256 reservesRaw) external view returns (uint256) {
        uint256 util = utilization(cashRaw, borrowsRaw, reservesRaw);
        if (util <= kinkMantissa) return util * multiplierPerSecond / 1e18 + baseRatePerSecond;
        uint256 normal = kinkMantissa * multiplierPerSecond / 1e18 + baseRatePerSecond;
        return (util - kinkMantissa) * jumpMultiplierPerSecond / 1e18 + normal;
    }
}
