// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Fixed-point helpers for the lending pool, every rounding direction named.
/// @notice WAD = 1e18 (prices in USD per whole token, indices, rates, health factors);
///         BPS = 1e4 (loan-to-value, liquidation threshold, bonus, close factor, reserve factor).
/// @dev `Down` floors, `Up` ceils, `HalfUp` rounds to nearest with ties up (Aave's PercentageMath).
///      The pool picks the direction that favours the protocol unless it reproduces an Aave V3
///      formula, in which case it uses Aave's rounding and says so at the call site.
library WadMath {
    /// @dev 1.0 in 18-decimal fixed point.
    uint256 internal constant WAD = 1e18;
    /// @dev 100% in basis points.
    uint256 internal constant BPS = 1e4;
    /// @dev Half of BPS, the tie-breaker of Aave's percentMul/percentDiv.
    uint256 internal constant HALF_BPS = 5e3;

    /// @notice floor(x * y / WAD)
    function mulWadDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return x * y / WAD;
    }

    /// @notice ceil(x * y / WAD)
    function mulWadUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return divUp(x * y, WAD);
    }

    /// @notice floor(x * WAD / y)
    function divWadDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return x * WAD / y;
    }

    /// @notice ceil(x * WAD / y)
    function divWadUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return divUp(x * WAD, y);
    }

    /// @notice ceil(x / y); reverts (panic 0x12) when y == 0, like `/`.
    function divUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return x == 0 ? x / y : (x - 1) / y + 1;
    }

    /// @notice floor(x * bps / BPS)
    function bpsMulDown(uint256 x, uint256 bps) internal pure returns (uint256) {
        return x * bps / BPS;
    }

    /// @notice Aave V3 `PercentageMath.percentMul`: (x * bps + BPS/2) / BPS, nearest with ties up.
    function bpsMulHalfUp(uint256 x, uint256 bps) internal pure returns (uint256) {
        return (x * bps + HALF_BPS) / BPS;
    }

    /// @notice Aave V3.3 `PercentageMath.percentDivCeil`: ceil(x * BPS / bps).
    function bpsDivUp(uint256 x, uint256 bps) internal pure returns (uint256) {
        return divUp(x * BPS, bps);
    }

    /// @notice floor(x * y / d). Checked: a product beyond 2**256 reverts (panic 0x11) instead of
    ///         wrapping; every call site documents why its operands stay far below that.
    function mulDivDown(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return x * y / d;
    }

    /// @notice ceil(x * y / d), checked like `mulDivDown`.
    function mulDivUp(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return divUp(x * y, d);
    }
}
