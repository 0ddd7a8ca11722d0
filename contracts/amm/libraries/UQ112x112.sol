// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Binary fixed point with 112 fraction bits (range [0, 2**112 - 1], resolution 1 / 2**112).
/// @notice Uniswap V2 encodes prices as UQ112x112 inside uint224 so that price * seconds accumulates in
///         the 32 spare bits of a uint256 (and wraps, by design, after enough time).
library UQ112x112 {
    /// @notice 2**112, the scale of a UQ112x112 number.
    uint224 internal constant Q112 = 2 ** 112;

    /// @notice `y` as UQ112x112 (y * 2**112); never overflows because y < 2**112.
    function encode(uint112 y) internal pure returns (uint224 z) {
        z = uint224(y) * Q112;
    }

    /// @notice UQ112x112 `x` divided by the integer `y`, rounded down (a reserve ratio: UQ112x112).
    function uqdiv(uint224 x, uint112 y) internal pure returns (uint224 z) {
        z = x / uint224(y);
    }
}
