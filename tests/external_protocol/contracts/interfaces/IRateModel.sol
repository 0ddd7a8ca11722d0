// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

interface IRateModel {
    /// @return ratePerSecondMantissa the borrow rate per second, 1e18 = 100% per second
    function getBorrowRate(uint256 cashRaw, uint256 borrowsRaw, uint256 reservesRaw)
        external
        view
        returns (uint256 ratePerSecondMantissa);
}
