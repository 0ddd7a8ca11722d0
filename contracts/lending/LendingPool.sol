// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "../interfaces/IERC20.sol";
import {SafeTransferLib} from "../libraries/SafeTransferLib.sol";
import {ReentrancyGuard} from "../libraries/ReentrancyGuard.sol";
import {LendingPoolStorage} from "./LendingPoolStorage.sol";
import {LendingPoolViews} from "./LendingPoolViews.sol";
import {DataTypes} from "./libraries/DataTypes.sol";
import {InterestLogic} from "./libraries/InterestLogic.sol";
import {LiquidationLogic} from "./libraries/LiquidationLogic.sol";
import {ValidationLogic} from "./libraries/ValidationLogic.sol";

/// @title Lending pool: one borrowable base asset against several collateral assets (Compound III layout),
///        liquidations with Aave V3's close factor and bonus, bad debt written off against reserves.
/// @notice Prices come only from `oracle` (USD per whole token, Wad), the base asset's too. Lenders' and
///         borrowers' balances are principals times an index (see InterestLogic for rounding). Collateral
///         earns nothing and is held 1:1: `totalCollateral(asset)` equals the pool's token balance.
/// @dev Each action reads as a recipe: accrue -> validate -> effects -> token transfer -> event. Math and
///      checks live in libraries/; storage, the internal accounting and valuation and the views are the
///      layers below (LendingPoolStorage, LendingPoolAccounting, LendingPoolValuation, LendingPoolViews).
///      This contract holds the entry points, by action: admin, lenders, collateral, borrowers, liquidation.
///      ReentrancyGuard is listed first so its lock keeps storage slot 0.
contract LendingPool is ReentrancyGuard, LendingPoolViews {
    /// @param baseToken_ the borrowable asset (any decimals up to 30; USDC has 6)
    /// @param oracle_ the IPriceOracle every price comes from
    /// @dev Defaults: close factor 50% / full below HF 0.95 (Aave V3), rate model 0% + 4% to a kink at 80%
    ///      + 75% above it (per year), reserve factor 10%. Owner = deployer.
    constructor(address baseToken_, address oracle_) LendingPoolStorage(baseToken_, oracle_) {
        _setCloseFactor(5000, 0.95e18);
        _setRateModel(0, 0.04e18, 0.75e18, 0.8e18);
        _setReserveFactor(1000);
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    // =================================================================== admin

    /// @notice Lists `asset` as collateral or updates its parameters (owner only).
    /// @param ltvBps loan-to-value, bps (7000 = 70% of the value may be borrowed)
    /// @param liquidationThresholdBps share of the value counted in the health factor, bps
    /// @param liquidationBonusBps bonus on top of the repaid value, bps (500 = liquidator gets 105%)
    /// @param supplyCapRaw maximum total deposits in the asset's raw units, 0 = uncapped
    function listCollateral(
        address asset,
        uint256 ltvBps,
        uint256 liquidationThresholdBps,
        uint256 liquidationBonusBps,
        uint256 supplyCapRaw
    ) external override onlyOwner {
        if (asset == address(0)) revert ZeroAddress();
        if (asset == baseToken) revert BaseCannotBeCollateral(asset);
        ValidationLogic.validateCollateralParams(ltvBps, liquidationThresholdBps, liquidationBonusBps);
        DataTypes.CollateralConfig storage config = _collateralConfigs[asset];
        if (!config.listed) {
            if (_collateralAssets.length == ValidationLogic.MAX_COLLATERAL_ASSETS) {
                revert TooManyCollateralAssets(ValidationLogic.MAX_COLLATERAL_ASSETS);
            }
            uint8 decimals_ = IERC20(asset).decimals();
            if (decimals_ > ValidationLogic.MAX_DECIMALS) revert UnsupportedDecimals(asset, decimals_);
            config.listed = true;
            config.decimals = decimals_;
            _collateralAssets.push(asset);
        }
        // All three fit uint16: validation bounds them by 1e4.
        config.ltvBps = uint16(ltvBps);
        config.liquidationThresholdBps = uint16(liquidationThresholdBps);
        config.liquidationBonusBps = uint16(liquidationBonusBps);
        config.supplyCap = supplyCapRaw;
        emit CollateralConfigured(
            asset, config.decimals, ltvBps, liquidationThresholdBps, liquidationBonusBps, supplyCapRaw
        );
    }

    /// @notice Sets the close factor (owner only). Aave V3: 5000 bps, full close at HF <= 0.95e18.
    /// @param defaultBps share of the debt one liquidation may repay while HF > the threshold, bps
    /// @param fullCloseHealthFactorWad at or below this health factor (Wad) the whole debt may be repaid
    function setCloseFactor(uint256 defaultBps, uint256 fullCloseHealthFactorWad) external override onlyOwner {
        _setCloseFactor(defaultBps, fullCloseHealthFactorWad);
    }

    /// @notice Sets the kinked rate model (owner only); interest up to now accrues at the old model first.
    /// @param baseRatePerYearWad rate at 0% utilisation, per year, Wad (0.02e18 = 2%)
    /// @param slope1PerYearWad rate added between 0 and the kink, per year, Wad
    /// @param slope2PerYearWad rate added between the kink and 100%, per year, Wad
    /// @param kinkWad utilisation where slope2 starts, Wad, strictly between 0 and 1e18
    function setRateModel(uint256 baseRatePerYearWad, uint256 slope1PerYearWad, uint256 slope2PerYearWad, uint256 kinkWad)
        external
        override
        onlyOwner
    {
        _accrue();
        _setRateModel(baseRatePerYearWad, slope1PerYearWad, slope2PerYearWad, kinkWad);
    }

    /// @notice Sets the share of interest kept as reserves, bps (owner only); accrues at the old factor first.
    function setReserveFactor(uint256 reserveFactorBps_) external override onlyOwner {
        _accrue();
        _setReserveFactor(reserveFactorBps_);
    }

    /// @notice Points the pool at another IPriceOracle (owner only).
    function setOracle(address newOracle) external override onlyOwner {
        if (newOracle == address(0)) revert ZeroAddress();
        emit OracleUpdated(oracle, newOracle);
        oracle = newOracle;
    }

    /// @notice Hands the admin role to `newOwner` (owner only).
    function transferOwnership(address newOwner) external override onlyOwner {
        if (newOwner == address(0)) revert ZeroAddress();
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    /// @notice Sends `amountBase` of positive reserves to `to` (owner only), like Comet's withdrawReserves.
    function withdrawReserves(address to, uint256 amountBase) external override onlyOwner nonReentrant {
        if (to == address(0)) revert ZeroAddress();
        _accrue();
        int256 reservesBase = _market.totalReservesBase;
        if (reservesBase < 0 || uint256(reservesBase) < amountBase) revert InsufficientReserves(reservesBase, amountBase);
        ValidationLogic.validateCash(_cash(), amountBase);
        _market.totalReservesBase = reservesBase - int256(amountBase);
        SafeTransferLib.safeTransfer(baseToken, to, amountBase);
        emit ReservesWithdrawn(to, amountBase);
    }

    function _setCloseFactor(uint256 defaultBps, uint256 fullCloseHealthFactorWad) private {
        ValidationLogic.validateCloseFactor(defaultBps, fullCloseHealthFactorWad);
        _closeFactor = DataTypes.CloseFactor(defaultBps, fullCloseHealthFactorWad);
        emit CloseFactorUpdated(defaultBps, fullCloseHealthFactorWad);
    }

    function _setRateModel(uint256 baseRatePerYearWad, uint256 slope1PerYearWad, uint256 slope2PerYearWad, uint256 kinkWad)
        private
    {
        ValidationLogic.validateRateModel(kinkWad);
        _rateModel = DataTypes.RateModel(baseRatePerYearWad, slope1PerYearWad, slope2PerYearWad, kinkWad);
        emit RateModelUpdated(baseRatePerYearWad, slope1PerYearWad, slope2PerYearWad, kinkWad);
    }

    function _setReserveFactor(uint256 reserveFactorBps_) private {
        ValidationLogic.validateReserveFactor(reserveFactorBps_);
        reserveFactorBps = reserveFactorBps_;
        emit ReserveFactorUpdated(reserveFactorBps_);
    }

    // =================================================================== lenders

    /// @notice Accrues interest up to this block (anyone). Every action does it first anyway.
    function accrue() external override {
        _accrue();
    }

    /// @notice Lends `amountBase` (base raw units) to the pool; it earns the supply index's growth.
    function supply(uint256 amountBase) external override nonReentrant {
        _accrue();
        DataTypes.Books memory before = _books();
        uint256 principal = InterestLogic.supplyPrincipalDown(amountBase, _market.supplyIndexWad);
        if (principal == 0) revert ZeroAmount();
        uint256 accountPrincipal = supplyPrincipalOf[msg.sender] + principal;
        supplyPrincipalOf[msg.sender] = accountPrincipal;
        _market.totalSupplyPrincipal += principal;
        _keepRounding(before, amountBase, 0);
        _pullExact(baseToken, msg.sender, amountBase);
        emit Supply(msg.sender, amountBase, InterestLogic.supplyDown(accountPrincipal, _market.supplyIndexWad));
    }

    /// @notice Withdraws `amountBase` of the caller's supply (type(uint256).max = all of it).
    /// @return withdrawnBase base raw units sent to the caller
    function withdraw(uint256 amountBase) external override nonReentrant returns (uint256 withdrawnBase) {
        _accrue();
        DataTypes.Books memory before = _books();
        uint256 supplyIndexWad = _market.supplyIndexWad;
        uint256 accountPrincipal = supplyPrincipalOf[msg.sender];
        uint256 balanceBase = InterestLogic.supplyDown(accountPrincipal, supplyIndexWad);
        withdrawnBase = amountBase == type(uint256).max ? balanceBase : amountBase;
        if (withdrawnBase == 0) revert ZeroAmount();
        if (withdrawnBase > balanceBase) revert InsufficientSupplyBalance(msg.sender, balanceBase, withdrawnBase);
        ValidationLogic.validateCash(_cash(), withdrawnBase);
        // ceil(balance * 1e18 / index) <= principal, so the full balance never removes more than the principal.
        uint256 principal = withdrawnBase == balanceBase
            ? accountPrincipal
            : InterestLogic.withdrawPrincipalUp(withdrawnBase, supplyIndexWad);
        accountPrincipal -= principal;
        supplyPrincipalOf[msg.sender] = accountPrincipal;
        _market.totalSupplyPrincipal -= principal;
        _keepRounding(before, 0, withdrawnBase);
        SafeTransferLib.safeTransfer(baseToken, msg.sender, withdrawnBase);
        emit Withdraw(msg.sender, withdrawnBase, InterestLogic.supplyDown(accountPrincipal, supplyIndexWad));
    }

    // =================================================================== collateral

    /// @notice Deposits `amountRaw` (the asset's raw units) of a listed collateral for the caller.
    function depositCollateral(address asset, uint256 amountRaw) external override nonReentrant {
        _depositCollateral(msg.sender, asset, amountRaw);
    }

    /// @notice Deposits `amountRaw` of the caller's `asset` as collateral of `onBehalf` (Aave's onBehalfOf).
    function depositCollateralFor(address onBehalf, address asset, uint256 amountRaw) external override nonReentrant {
        if (onBehalf == address(0)) revert ZeroAddress();
        _depositCollateral(onBehalf, asset, amountRaw);
    }

    function _depositCollateral(address account, address asset, uint256 amountRaw) private {
        _requireListed(asset);
        if (amountRaw == 0) revert ZeroAmount();
        uint256 totalAfterRaw = totalCollateral[asset] + amountRaw;
        ValidationLogic.validateSupplyCap(asset, _collateralConfigs[asset].supplyCap, totalAfterRaw);
        totalCollateral[asset] = totalAfterRaw;
        _collateralBalances[account][asset] += amountRaw;
        _pullExact(asset, msg.sender, amountRaw);
        emit CollateralDeposited(msg.sender, account, asset, amountRaw);
    }

    /// @notice Withdraws `amountRaw` of the caller's collateral (type(uint256).max = all); with debt
    ///         outstanding the account must stay within its borrow limit at oracle prices afterwards.
    /// @return withdrawnRaw raw units sent to the caller
    function withdrawCollateral(address asset, uint256 amountRaw)
        external
        override
        nonReentrant
        returns (uint256 withdrawnRaw)
    {
        _requireListed(asset);
        _accrue();
        uint256 balanceRaw = _collateralBalances[msg.sender][asset];
        withdrawnRaw = amountRaw == type(uint256).max ? balanceRaw : amountRaw;
        if (withdrawnRaw == 0) revert ZeroAmount();
        if (withdrawnRaw > balanceRaw) revert InsufficientCollateral(msg.sender, asset, balanceRaw, withdrawnRaw);
        _collateralBalances[msg.sender][asset] = balanceRaw - withdrawnRaw;
        totalCollateral[asset] -= withdrawnRaw;
        uint256 debtBase = _debtOf(msg.sender);
        if (debtBase != 0) {
            (DataTypes.AccountValues memory values,,) = _liveValues(msg.sender, debtBase);
            ValidationLogic.validateCollateralized(msg.sender, values);
        }
        SafeTransferLib.safeTransfer(asset, msg.sender, withdrawnRaw);
        emit CollateralWithdrawn(msg.sender, asset, withdrawnRaw);
    }

    // =================================================================== borrowers

    /// @notice Borrows `amountBase` (base raw units); afterwards debt x basePrice must not exceed
    ///         sum(collateral_i x price_i x ltv_i) at oracle prices (both in USD, Wad; see AccountLogic).
    function borrow(uint256 amountBase) external override nonReentrant {
        _accrue();
        if (amountBase == 0) revert ZeroAmount();
        ValidationLogic.validateCash(_cash(), amountBase);
        DataTypes.Books memory before = _books();
        uint256 principal = InterestLogic.borrowPrincipalUp(amountBase, _market.borrowIndexWad);
        uint256 accountPrincipal = borrowPrincipalOf[msg.sender] + principal;
        borrowPrincipalOf[msg.sender] = accountPrincipal;
        _market.totalBorrowPrincipal += principal;
        uint256 debtBase = InterestLogic.debtUp(accountPrincipal, _market.borrowIndexWad);
        (DataTypes.AccountValues memory values,,) = _liveValues(msg.sender, debtBase);
        ValidationLogic.validateCollateralized(msg.sender, values);
        _keepRounding(before, 0, amountBase);
        SafeTransferLib.safeTransfer(baseToken, msg.sender, amountBase);
        emit Borrow(msg.sender, amountBase, debtBase);
    }

    /// @notice Repays up to `amountBase` of the caller's debt; pulls only what is owed.
    /// @return repaidBase base raw units taken from the caller
    function repay(uint256 amountBase) external override nonReentrant returns (uint256 repaidBase) {
        return _repay(msg.sender, amountBase);
    }

    /// @notice Repays up to `amountBase` of `onBehalf`'s debt from the caller's base; pulls only what is owed.
    /// @return repaidBase base raw units taken from the caller
    function repayFor(address onBehalf, uint256 amountBase) external override nonReentrant returns (uint256 repaidBase) {
        return _repay(onBehalf, amountBase);
    }

    function _repay(address account, uint256 amountBase) private returns (uint256 repaidBase) {
        if (account == address(0)) revert ZeroAddress();
        _accrue();
        if (amountBase == 0) revert ZeroAmount();
        uint256 debtBase = _debtOf(account);
        if (debtBase == 0) revert NoDebt(account);
        repaidBase = amountBase < debtBase ? amountBase : debtBase;
        DataTypes.Books memory before = _books();
        uint256 debtAfterBase = _reduceDebt(account, repaidBase, debtBase);
        _keepRounding(before, repaidBase, 0);
        _pullExact(baseToken, msg.sender, repaidBase);
        emit Repay(msg.sender, account, repaidBase, debtAfterBase);
    }

    // =================================================================== liquidation

    /// @notice Repays up to `repayAmountBase` of an account with health factor < 1 and seizes its
    ///         `collateralAsset` worth the repaid value plus the asset's bonus, at oracle prices.
    ///         Capped by the close factor (50%, 100% when HF <= 0.95; Aave V3), by the debt, and by the
    ///         account's balance of the asset (then the repay shrinks, rounded up). When the account is
    ///         left with no collateral at all, its remaining debt is written off against reserves.
    /// @dev Every collateral price the account's valuation needs, and the base price, come from
    ///      `getPrice`: an unavailable price reverts the liquidation (the oracle's error bubbles up).
    /// @return repaidBase base raw units taken from the liquidator
    /// @return seizedCollateral raw units of `collateralAsset` sent to the liquidator
    function liquidate(address account, address collateralAsset, uint256 repayAmountBase)
        external
        override
        nonReentrant
        returns (uint256 repaidBase, uint256 seizedCollateral)
    {
        _requireListed(collateralAsset);
        _accrue();
        if (repayAmountBase == 0) revert ZeroAmount();
        uint256 debtBase = _debtOf(account);
        uint256 balanceRaw = _collateralBalances[account][collateralAsset];
        ValidationLogic.validateLiquidation(account, collateralAsset, debtBase, balanceRaw);

        (DataTypes.AccountValues memory values, DataTypes.CollateralInput[] memory inputs, uint256 basePriceUsdWad) =
            _liveValues(account, debtBase);
        ValidationLogic.validateUnhealthy(account, values.healthFactorWad);
        (repaidBase, seizedCollateral) = LiquidationLogic.computeAmounts(
            _liquidationInput(collateralAsset, repayAmountBase, values, inputs, basePriceUsdWad)
        );

        DataTypes.Books memory before = _books();
        _reduceDebt(account, repaidBase, debtBase);
        _collateralBalances[account][collateralAsset] = balanceRaw - seizedCollateral;
        totalCollateral[collateralAsset] -= seizedCollateral;
        emit Liquidation(msg.sender, account, collateralAsset, repaidBase, seizedCollateral, values.healthFactorWad);
        if (repaidBase < debtBase && !_hasCollateral(account)) _writeOffBadDebt(account);
        _keepRounding(before, repaidBase, 0);

        _pullExact(baseToken, msg.sender, repaidBase);
        SafeTransferLib.safeTransfer(collateralAsset, msg.sender, seizedCollateral);
    }

    /// @notice Writes off the debt of an account that holds no collateral at all against reserves
    ///         (anyone may call; reserves may go negative).
    /// @return writtenOffBase the debt removed, base raw units
    function absorbBadDebt(address account) external override nonReentrant returns (uint256 writtenOffBase) {
        _accrue();
        if (_debtOf(account) == 0) revert NoDebt(account);
        if (_hasCollateral(account)) revert AccountHasCollateral(account);
        DataTypes.Books memory before = _books();
        writtenOffBase = _writeOffBadDebt(account);
        _keepRounding(before, 0, 0);
    }
}
