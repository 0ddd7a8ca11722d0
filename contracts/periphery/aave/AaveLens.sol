// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "../../interfaces/IERC20.sol";
import {IAaveV3Pool, IAaveV3Oracle, IAaveV3Sentinel, IAaveV3ScaledToken} from "../../interfaces/IAaveV3.sol";

/// @title Read-only batch view over a genuine Aave V3 pool: many accounts' health in one eth_call.
/// @notice `scan` returns one flat array of 32-byte words (a Python decoder reads it without ABI decoding):
///         header [nAssets, nAccounts, sentinel], then per asset its oracle price (base currency unit, 0 when
///         the oracle reverts), then per asset [aToken totalSupply, underlying held by the aToken], then
///         [variable debt totalSupply, stable debt totalSupply] of the borrowed asset, then per account
///         ACCOUNT_WORDS + nAssets - 1 words: [totalCollateralBase, totalDebtBase, liquidationThresholdBps,
///         healthFactorWad, debtRaw (variable + stable), ok, aToken balance per collateral (assets[1:])...].
///         Balances are the tokens' own `balanceOf` formula (scaled balance rayMul the reserve's index,
///         rounded half up), with each index read once per scan instead of once per balance. `sentinel` is
///         NO_SENTINEL without a PriceOracleSentinel, else 1 when it allows liquidations and 0 when not.
///         An account whose `getUserAccountData` reverts (a price it needs is unavailable) has ok = 0 and
///         zeros for the four account-data words; its balances are still read.
contract AaveLens {
    uint256 public constant HEADER_WORDS = 3;
    uint256 public constant ACCOUNT_WORDS = 6;
    uint256 public constant NO_SENTINEL = 2;
    uint256 internal constant RAY = 1e27;
    uint256 internal constant HALF_RAY = 0.5e27;

    /// @notice The pool and its tokens as the caller deployed them; `assets`, `aTokens` in the same order,
    ///         the borrowed asset first (its debt tokens apart), then the collaterals.
    struct Market {
        address pool;
        address oracle;
        address sentinel;
        address[] assets;
        address[] aTokens;
        address variableDebtToken;
        address stableDebtToken;
    }

    /// @dev Per-scan constants: the reserves' indexes (ray) and whether any stable debt exists.
    struct Indexes {
        uint256[] incomeRay;
        uint256 variableDebtRay;
        bool anyStableDebt;
    }

    /// @notice Everything one drill step reads, for `accounts`, as of the block of the call.
    function scan(Market calldata m, address[] calldata accounts) external view returns (uint256[] memory words) {
        uint256 n = m.assets.length;
        uint256 stride = ACCOUNT_WORDS + n - 1;
        uint256 accountsAt = HEADER_WORDS + 3 * n + 2;
        words = new uint256[](accountsAt + stride * accounts.length);
        words[0] = n;
        words[1] = accounts.length;
        words[2] = m.sentinel == address(0) ? NO_SENTINEL : (IAaveV3Sentinel(m.sentinel).isLiquidationAllowed() ? 1 : 0);
        for (uint256 i = 0; i < n; ++i) {
            try IAaveV3Oracle(m.oracle).getAssetPrice(m.assets[i]) returns (uint256 price) {
                words[HEADER_WORDS + i] = price;
            } catch {}
            words[HEADER_WORDS + n + 2 * i] = IERC20(m.aTokens[i]).totalSupply();
            words[HEADER_WORDS + n + 2 * i + 1] = IERC20(m.assets[i]).balanceOf(m.aTokens[i]);
        }
        words[HEADER_WORDS + 3 * n] = IERC20(m.variableDebtToken).totalSupply();
        words[HEADER_WORDS + 3 * n + 1] = IERC20(m.stableDebtToken).totalSupply();
        Indexes memory ix;
        ix.incomeRay = new uint256[](n);
        for (uint256 i = 1; i < n; ++i) {
            ix.incomeRay[i] = IAaveV3Pool(m.pool).getReserveNormalizedIncome(m.assets[i]);
        }
        ix.variableDebtRay = IAaveV3Pool(m.pool).getReserveNormalizedVariableDebt(m.assets[0]);
        ix.anyStableDebt = words[HEADER_WORDS + 3 * n + 1] != 0;
        for (uint256 a = 0; a < accounts.length; ++a) {
            _account(m, ix, accounts[a], words, accountsAt + a * stride);
        }
    }

    /// @dev WadRayMath.rayMul: a x b / 1e27, rounded half up (how Aave's tokens scale balances).
    function _rayMul(uint256 a, uint256 b) internal pure returns (uint256) {
        return (a * b + HALF_RAY) / RAY;
    }

    function _account(Market calldata m, Indexes memory ix, address account, uint256[] memory words, uint256 at)
        internal
        view
    {
        try IAaveV3Pool(m.pool).getUserAccountData(account) returns (
            uint256 collateralBase, uint256 debtBase, uint256, uint256 thresholdBps, uint256, uint256 healthFactor
        ) {
            words[at] = collateralBase;
            words[at + 1] = debtBase;
            words[at + 2] = thresholdBps;
            words[at + 3] = healthFactor;
            words[at + 5] = 1;
        } catch {}
        uint256 debtRaw = _rayMul(IAaveV3ScaledToken(m.variableDebtToken).scaledBalanceOf(account), ix.variableDebtRay);
        if (ix.anyStableDebt) debtRaw += IERC20(m.stableDebtToken).balanceOf(account);
        words[at + 4] = debtRaw;
        for (uint256 i = 1; i < m.aTokens.length; ++i) {
            words[at + ACCOUNT_WORDS + i - 1] =
                _rayMul(IAaveV3ScaledToken(m.aTokens[i]).scaledBalanceOf(account), ix.incomeRay[i]);
        }
    }
}
