// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Integer helpers of Uniswap V2's `Math` library, with the same rounding.
library AmmMath {
    /// @notice The smaller of `x` and `y`.
    function min(uint256 x, uint256 y) internal pure returns (uint256) {
        return x < y ? x : y;
    }

    /// @notice floor(sqrt(y)) by the Babylonian method, exactly as Uniswap V2 computes it
    ///         (first LP shares and the protocol fee depend on this rounding).
    function sqrtDown(uint256 y) internal pure returns (uint256 z) {
        if (y > 3) {
            z = y;
            uint256 x = y / 2 + 1;
            while (x < z) {
                z = x;
                x = (y / x + x) / 2;
            }
        } else if (y != 0) {
            z = 1;
        }
    }
}
