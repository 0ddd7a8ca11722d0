// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Fixed-point helpers for the oracle family: full-precision mulDiv and decimal scaling.
library OracleMath {
    /// @notice Decimals of a wad (1e18 = 1.0).
    uint8 internal constant WAD_DECIMALS = 18;

    error MulDivOverflow(uint256 a, uint256 b, uint256 denominator);

    /// @notice floor(a * b / denominator) with a 512-bit intermediate product (rounds down).
    /// @dev Reverts with `MulDivOverflow` when the result does not fit 256 bits or denominator is 0.
    ///      The 512-bit division follows the well-known Remco Bloemen construction.
    function mulDivDown(uint256 a, uint256 b, uint256 denominator) internal pure returns (uint256 result) {
        unchecked {
            uint256 prod0;
            uint256 prod1;
            assembly {
                let mm := mulmod(a, b, not(0))
                prod0 := mul(a, b)
                prod1 := sub(sub(mm, prod0), lt(mm, prod0))
            }
            if (denominator <= prod1) revert MulDivOverflow(a, b, denominator);
            if (prod1 == 0) return prod0 / denominator;

            uint256 remainder;
            assembly {
                remainder := mulmod(a, b, denominator)
                prod1 := sub(prod1, gt(remainder, prod0))
                prod0 := sub(prod0, remainder)
            }
            // Largest power of two dividing the denominator; divide it out of both sides.
            uint256 twos = denominator & (~denominator + 1);
            assembly {
                denominator := div(denominator, twos)
                prod0 := div(prod0, twos)
                twos := add(div(sub(0, twos), twos), 1)
            }
            prod0 |= prod1 * twos;
            // Modular inverse of the (now odd) denominator mod 2^256 by Newton iteration:
            // each step doubles the number of correct bits (4 -> 8 -> ... -> 256).
            uint256 inverse = (3 * denominator) ^ 2;
            inverse *= 2 - denominator * inverse;
            inverse *= 2 - denominator * inverse;
            inverse *= 2 - denominator * inverse;
            inverse *= 2 - denominator * inverse;
            inverse *= 2 - denominator * inverse;
            inverse *= 2 - denominator * inverse;
            result = prod0 * inverse;
        }
    }

    /// @notice Rescale a positive `amount` from `fromDecimals` to 18 decimals (rounds down when
    ///         `fromDecimals > 18`). Callers bound `fromDecimals` to <= 36 and `amount` so it cannot overflow.
    function toWad(uint256 amount, uint8 fromDecimals) internal pure returns (uint256 amountWad) {
        if (fromDecimals <= WAD_DECIMALS) return amount * 10 ** (WAD_DECIMALS - fromDecimals);
        return amount / 10 ** (fromDecimals - WAD_DECIMALS);
    }
}
