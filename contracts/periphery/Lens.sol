// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "../interfaces/IERC20.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {ILendingPool} from "../interfaces/ILendingPool.sol";
import {DataTypes} from "../lending/libraries/DataTypes.sol";
import {AccountLogic} from "../lending/libraries/AccountLogic.sol";

/// @title Read-only batch views over a LendingPool for keepers, drill agents and invariant checks.
/// @notice `scan` values many accounts in one eth_call: prices are peeked once per asset per scan, then each
///         account costs its storage reads in one `accountBalancesMany` call and runs the pool's own AccountLogic, so its numbers
///         equal the pool's `accountData` / `healthFactor` exactly.
contract Lens {
    /// @notice One account, valued at `peekPrice` prices as of the block of the call.
    struct AccountScan {
        address account;
        /// @dev Wad; type(uint256).max without debt (or when the base price is unavailable, see pricesOk).
        uint256 healthFactorWad;
        uint256 collateralValueUsdWad;
        uint256 liquidationValueUsdWad;
        uint256 borrowLimitUsdWad;
        /// @dev Base raw units, rounded up.
        uint256 debtBase;
        uint256 debtUsdWad;
        /// @dev False when the base price or the price of an asset the account holds is unavailable: the
        ///      numbers then count that asset (or the debt) at 0 and a liquidation would revert.
        bool pricesOk;
        /// @dev Raw units per listed asset, in the order of the `assets` array `scan` returns.
        uint256[] collateralRaw;
    }

    /// @notice Book-keeping of one collateral asset against the tokens the pool actually holds.
    struct AssetState {
        address asset;
        uint256 totalCollateralRaw;
        uint256 poolBalanceRaw;
        uint256 priceUsdWad;
        bool priceOk;
    }

    /// @notice The pool's totals for invariant checks (all as of the block of the call).
    struct PoolState {
        uint256 cashBase;
        uint256 totalSupplyBase;
        uint256 totalBorrowBase;
        int256 totalReservesBase;
        uint256 borrowIndexWad;
        uint256 supplyIndexWad;
        uint256 utilizationWad;
        uint256 basePriceUsdWad;
        bool basePriceOk;
        AssetState[] assets;
    }

    /// @dev Prices and risk parameters shared by every account of one scan.
    struct Market {
        address[] assets;
        DataTypes.CollateralInput[] template;
        bool[] priceOk;
        uint256 basePriceUsdWad;
        bool basePriceOk;
        uint256 baseUnit;
    }

    /// @notice Values every account of `accounts` in `pool`.
    /// @return assets the pool's listed collateral assets (the order of each `collateralRaw`)
    /// @return results one entry per account, in the order given
    function scan(address pool, address[] calldata accounts)
        external
        view
        returns (address[] memory assets, AccountScan[] memory results)
    {
        Market memory m = _market(ILendingPool(pool));
        assets = m.assets;
        (uint256[] memory debtsBase, uint256[] memory flatRaw) = ILendingPool(pool).accountBalancesMany(accounts);
        results = new AccountScan[](accounts.length);
        for (uint256 a = 0; a < accounts.length; ++a) {
            results[a] = _scanOne(m, accounts[a], debtsBase[a], flatRaw, a * assets.length);
        }
    }

    /// @notice The pool's totals and, per collateral asset, its book-kept total next to the token balance
    ///         the pool holds (they must be equal) and the peeked price.
    function poolState(address pool) external view returns (PoolState memory s) {
        ILendingPool p = ILendingPool(pool);
        IPriceOracle oracle = IPriceOracle(p.oracle());
        s.cashBase = p.cash();
        s.totalSupplyBase = p.totalSupply();
        s.totalBorrowBase = p.totalBorrow();
        s.totalReservesBase = p.totalReserves();
        s.borrowIndexWad = p.borrowIndex();
        s.supplyIndexWad = p.supplyIndex();
        s.utilizationWad = p.utilization();
        (s.basePriceUsdWad, s.basePriceOk) = oracle.peekPrice(p.baseToken());
        address[] memory assets = p.collateralAssets();
        s.assets = new AssetState[](assets.length);
        for (uint256 i = 0; i < assets.length; ++i) {
            AssetState memory a = s.assets[i];
            a.asset = assets[i];
            a.totalCollateralRaw = p.totalCollateral(assets[i]);
            a.poolBalanceRaw = IERC20(assets[i]).balanceOf(pool);
            (a.priceUsdWad, a.priceOk) = oracle.peekPrice(assets[i]);
        }
    }

    function _market(ILendingPool pool) internal view returns (Market memory m) {
        IPriceOracle oracle = IPriceOracle(pool.oracle());
        m.assets = pool.collateralAssets();
        m.template = new DataTypes.CollateralInput[](m.assets.length);
        m.priceOk = new bool[](m.assets.length);
        for (uint256 i = 0; i < m.assets.length; ++i) {
            DataTypes.CollateralConfig memory config = pool.collateralConfig(m.assets[i]);
            (uint256 priceUsdWad, bool ok) = oracle.peekPrice(m.assets[i]);
            ok = ok && priceUsdWad != 0;
            m.priceOk[i] = ok;
            m.template[i] = DataTypes.CollateralInput({
                balanceRaw: 0,
                priceUsdWad: ok ? priceUsdWad : 0,
                decimals: config.decimals,
                ltvBps: config.ltvBps,
                liquidationThresholdBps: config.liquidationThresholdBps
            });
        }
        (m.basePriceUsdWad, m.basePriceOk) = oracle.peekPrice(pool.baseToken());
        m.basePriceOk = m.basePriceOk && m.basePriceUsdWad != 0;
        if (!m.basePriceOk) m.basePriceUsdWad = 0;
        m.baseUnit = 10 ** pool.baseDecimals();
    }

    /// @dev Values one account by reusing the scan's `template` inputs (only balances change), so memory
    ///      grows by the result row alone: a 1,000-account scan stays linear in gas.
    function _scanOne(Market memory m, address account, uint256 debtBase, uint256[] memory flatRaw, uint256 offset)
        internal
        pure
        returns (AccountScan memory r)
    {
        DataTypes.CollateralInput[] memory inputs = m.template;
        uint256[] memory collateralRaw = new uint256[](inputs.length);
        bool pricesOk = m.basePriceOk;
        for (uint256 i = 0; i < inputs.length; ++i) {
            uint256 balanceRaw = flatRaw[offset + i];
            collateralRaw[i] = balanceRaw;
            inputs[i].balanceRaw = balanceRaw;
            if (balanceRaw != 0 && !m.priceOk[i]) pricesOk = false;
        }
        DataTypes.AccountValues memory v = AccountLogic.value(inputs, debtBase, m.basePriceUsdWad, m.baseUnit);
        r.account = account;
        r.healthFactorWad = v.healthFactorWad;
        r.collateralValueUsdWad = v.collateralValueUsdWad;
        r.liquidationValueUsdWad = v.liquidationValueUsdWad;
        r.borrowLimitUsdWad = v.borrowLimitUsdWad;
        r.debtBase = v.debtBase;
        r.debtUsdWad = v.debtUsdWad;
        r.pricesOk = pricesOk;
        r.collateralRaw = collateralRaw;
    }
}
