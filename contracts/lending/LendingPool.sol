// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "../interfaces/IERC20.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {ILendingPool} from "../interfaces/ILendingPool.sol";
import {SafeTransferLib} from "../libraries/SafeTransferLib.sol";
import {ReentrancyGuard} from "../libraries/ReentrancyGuard.sol";
import {DataTypes} from "./libraries/DataTypes.sol";
import {WadMath} from "./libraries/WadMath.sol";
import {InterestLogic} from "./libraries/InterestLogic.sol";
import {AccountLogic} from "./libraries/AccountLogic.sol";
import {LiquidationLogic} from "./libraries/LiquidationLogic.sol";
import {ValidationLogic} from "./libraries/ValidationLogic.sol";

/// @title Lending pool: one borrowable base asset against several collateral assets (Compound III layout),
///        liquidations with Aave V3's close factor and bonus, bad debt written off against reserves.
/// @notice Prices come only from `oracle` (USD per whole token, Wad), the base asset's too. Lenders' and
///         borrowers' balances are principals times an index (see InterestLogic for rounding). Collateral
///         earns nothing and is held 1:1: `totalCollateral(asset)` equals the pool's token balance.
/// @dev Each action reads as a recipe: accrue -> validate -> effects -> token transfer -> event. Math and
///      checks live in libraries/; this contract holds state and wires them.
contract LendingPool is ILendingPool, ReentrancyGuard {
    using WadMath for uint256;

    /// @inheritdoc ILendingPool
    address public immutable override baseToken;
    /// @inheritdoc ILendingPool
    uint8 public immutable override baseDecimals;
    /// @dev 10**baseDecimals: raw base units per whole base token.
    uint256 internal immutable baseUnit;

    /// @inheritdoc ILendingPool
    address public override owner;
    /// @inheritdoc ILendingPool
    address public override oracle;
    /// @inheritdoc ILendingPool
    uint256 public override reserveFactorBps;

    DataTypes.Market internal _market;
    DataTypes.RateModel internal _rateModel;
    DataTypes.CloseFactor internal _closeFactor;

    address[] internal _collateralAssets;
    mapping(address asset => DataTypes.CollateralConfig) internal _collateralConfigs;
    /// @inheritdoc ILendingPool
    mapping(address asset => uint256 totalRaw) public override totalCollateral;
    mapping(address account => mapping(address asset => uint256 balanceRaw)) internal _collateralBalances;
    /// @inheritdoc ILendingPool
    mapping(address account => uint256 principal) public override borrowPrincipalOf;
    /// @inheritdoc ILendingPool
    mapping(address account => uint256 principal) public override supplyPrincipalOf;

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    /// @param baseToken_ the borrowable asset (any decimals up to 30; USDC has 6)
    /// @param oracle_ the IPriceOracle every price comes from
    /// @dev Defaults: close factor 50% / full below HF 0.95 (Aave V3), rate model 0% + 4% to a kink at 80%
    ///      + 75% above it (per year), reserve factor 10%. Owner = deployer.
    constructor(address baseToken_, address oracle_) {
        if (baseToken_ == address(0) || oracle_ == address(0)) revert ZeroAddress();
        uint8 decimals_ = IERC20(baseToken_).decimals();
        if (decimals_ > ValidationLogic.MAX_DECIMALS) revert UnsupportedDecimals(baseToken_, decimals_);
        baseToken = baseToken_;
        baseDecimals = decimals_;
        baseUnit = 10 ** decimals_;
        _market.borrowIndexWad = WadMath.WAD;
        _market.supplyIndexWad = WadMath.WAD;
        _market.lastAccrualTimestamp = block.timestamp;

        owner = msg.sender;
        emit OwnershipTransferred(address(0), msg.sender);
        oracle = oracle_;
        emit OracleUpdated(address(0), oracle_);
        _setCloseFactor(5000, 0.95e18);
        _setRateModel(0, 0.04e18, 0.75e18, 0.8e18);
        _setReserveFactor(1000);
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

    // =================================================================== lenders

    /// @notice Accrues interest up to this block (anyone). Every action does it first anyway.
    function accrue() external override {
        _accrue();
    }

    /// @notice Lends `amountBase` (base raw units) to the pool; it earns the supply index's growth.
    function supply(uint256 amountBase) external override nonReentrant {
        _accrue();
        uint256 principal = InterestLogic.supplyPrincipalDown(amountBase, _market.supplyIndexWad);
        if (principal == 0) revert ZeroAmount();
        uint256 accountPrincipal = supplyPrincipalOf[msg.sender] + principal;
        supplyPrincipalOf[msg.sender] = accountPrincipal;
        _market.totalSupplyPrincipal += principal;
        _pullExact(baseToken, msg.sender, amountBase);
        emit Supply(msg.sender, amountBase, InterestLogic.supplyDown(accountPrincipal, _market.supplyIndexWad));
    }

    /// @notice Withdraws `amountBase` of the caller's supply (type(uint256).max = all of it).
    /// @return withdrawnBase base raw units sent to the caller
    function withdraw(uint256 amountBase) external override nonReentrant returns (uint256 withdrawnBase) {
        _accrue();
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
        SafeTransferLib.safeTransfer(baseToken, msg.sender, withdrawnBase);
        emit Withdraw(msg.sender, withdrawnBase, InterestLogic.supplyDown(accountPrincipal, supplyIndexWad));
    }

    // =================================================================== borrowers

    /// @notice Deposits `amountRaw` (the asset's raw units) of a listed collateral for the caller.
    function depositCollateral(address asset, uint256 amountRaw) external override nonReentrant {
        _depositCollateral(msg.sender, asset, amountRaw);
    }

    /// @notice Deposits `amountRaw` of the caller's `asset` as collateral of `onBehalf` (Aave's onBehalfOf).
    function depositCollateralFor(address onBehalf, address asset, uint256 amountRaw) external override nonReentrant {
        if (onBehalf == address(0)) revert ZeroAddress();
        _depositCollateral(onBehalf, asset, amountRaw);
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

    /// @notice Borrows `amountBase` (base raw units); afterwards debt x basePrice must not exceed
    ///         sum(collateral_i x price_i x ltv_i) at oracle prices (both in USD, Wad; see AccountLogic).
    function borrow(uint256 amountBase) external override nonReentrant {
        _accrue();
        if (amountBase == 0) revert ZeroAmount();
        ValidationLogic.validateCash(_cash(), amountBase);
        uint256 principal = InterestLogic.borrowPrincipalUp(amountBase, _market.borrowIndexWad);
        uint256 accountPrincipal = borrowPrincipalOf[msg.sender] + principal;
        borrowPrincipalOf[msg.sender] = accountPrincipal;
        _market.totalBorrowPrincipal += principal;
        uint256 debtBase = InterestLogic.debtUp(accountPrincipal, _market.borrowIndexWad);
        (DataTypes.AccountValues memory values,,) = _liveValues(msg.sender, debtBase);
        ValidationLogic.validateCollateralized(msg.sender, values);
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

        _reduceDebt(account, repaidBase, debtBase);
        _collateralBalances[account][collateralAsset] = balanceRaw - seizedCollateral;
        totalCollateral[collateralAsset] -= seizedCollateral;
        emit Liquidation(msg.sender, account, collateralAsset, repaidBase, seizedCollateral, values.healthFactorWad);
        if (repaidBase < debtBase && !_hasCollateral(account)) _writeOffBadDebt(account);

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
        return _writeOffBadDebt(account);
    }

    // =================================================================== views

    /// @notice Listed collateral assets, in listing order (the order of every per-asset array).
    function collateralAssets() external view override returns (address[] memory) {
        return _collateralAssets;
    }

    /// @notice Risk parameters of `asset` (all zero when unlisted).
    function collateralConfig(address asset) external view override returns (DataTypes.CollateralConfig memory) {
        return _collateralConfigs[asset];
    }

    /// @notice Close factor: default share of the debt in bps, and the health factor (Wad) at or below
    ///         which the whole debt may be repaid.
    function closeFactor() external view override returns (uint256 defaultBps, uint256 fullCloseHealthFactorWad) {
        return (_closeFactor.defaultBps, _closeFactor.fullCloseHealthFactorWad);
    }

    /// @notice The kinked model: per-year rates and the kink, all Wad.
    function rateModel()
        external
        view
        override
        returns (uint256 baseRatePerYearWad, uint256 slope1PerYearWad, uint256 slope2PerYearWad, uint256 kinkWad)
    {
        DataTypes.RateModel memory m = _rateModel;
        return (m.baseRatePerYearWad, m.slope1PerYearWad, m.slope2PerYearWad, m.kinkWad);
    }

    /// @notice Health factor (Wad) as of this block, at `peekPrice` prices; max uint without debt.
    /// @dev A collateral whose price is unavailable counts as worth 0 (the account looks weaker); an
    ///      unavailable base price values the debt at 0, so the result reads max uint. Use the Lens's
    ///      `pricesOk` (or `previewLiquidation`, which reverts instead) to tell these cases apart.
    function healthFactor(address account) external view override returns (uint256 healthFactorWad) {
        return _viewValues(account).healthFactorWad;
    }

    /// @notice The account valued as of this block at `peekPrice` prices (same rules as `healthFactor`).
    /// @return collateralValueUsdWad sum of balance x price, USD Wad (floored per asset)
    /// @return liquidationValueUsdWad sum of value x liquidation threshold, USD Wad
    /// @return borrowLimitUsdWad sum of value x ltv, USD Wad
    /// @return debtBase debt in base raw units (rounded up)
    /// @return debtUsdWad debt x base price, USD Wad (rounded up)
    /// @return healthFactorWad liquidation value / debt value, Wad (max uint without debt)
    function accountData(address account)
        external
        view
        override
        returns (
            uint256 collateralValueUsdWad,
            uint256 liquidationValueUsdWad,
            uint256 borrowLimitUsdWad,
            uint256 debtBase,
            uint256 debtUsdWad,
            uint256 healthFactorWad
        )
    {
        DataTypes.AccountValues memory v = _viewValues(account);
        return (
            v.collateralValueUsdWad,
            v.liquidationValueUsdWad,
            v.borrowLimitUsdWad,
            v.debtBase,
            v.debtUsdWad,
            v.healthFactorWad
        );
    }

    /// @notice Debt (base raw units, as of this block) and collateral balances (raw units, in
    ///         `collateralAssets()` order) of `account`: what the Lens reads per account.
    function accountBalances(address account)
        external
        view
        override
        returns (uint256 debtBase, uint256[] memory collateralRaw)
    {
        address[] memory assets = _collateralAssets;
        collateralRaw = new uint256[](assets.length);
        for (uint256 i = 0; i < assets.length; ++i) {
            collateralRaw[i] = _collateralBalances[account][assets[i]];
        }
        debtBase = _debtOf(account);
    }

    /// @notice `accountBalances` for many accounts in one call (the Lens's per-scan read): debts in base
    ///         raw units, and collateral balances flattened account-major, `collateralAssets()` order
    ///         (entry [a * assets + i] = account a's balance of asset i).
    function accountBalancesMany(address[] calldata accounts)
        external
        view
        override
        returns (uint256[] memory debtsBase, uint256[] memory collateralRawFlat)
    {
        address[] memory assets = _collateralAssets;
        uint256 borrowIndexWad = _previewAccrual().borrowIndexWad;
        debtsBase = new uint256[](accounts.length);
        collateralRawFlat = new uint256[](accounts.length * assets.length);
        for (uint256 a = 0; a < accounts.length; ++a) {
            debtsBase[a] = InterestLogic.debtUp(borrowPrincipalOf[accounts[a]], borrowIndexWad);
            mapping(address => uint256) storage balances = _collateralBalances[accounts[a]];
            for (uint256 i = 0; i < assets.length; ++i) {
                collateralRawFlat[a * assets.length + i] = balances[assets[i]];
            }
        }
    }

    /// @notice What `liquidate(account, collateralAsset, repayAmountBase)` would repay and seize in this
    ///         block at `peekPrice` prices; reverts with the errors `liquidate` would, and with
    ///         `OraclePriceUnavailable` where `getPrice` would revert.
    /// @return repaidBase base raw units the liquidator would pay
    /// @return seizedCollateral raw units of `collateralAsset` the liquidator would receive
    function previewLiquidation(address account, address collateralAsset, uint256 repayAmountBase)
        external
        view
        override
        returns (uint256 repaidBase, uint256 seizedCollateral)
    {
        _requireListed(collateralAsset);
        if (repayAmountBase == 0) revert ZeroAmount();
        uint256 debtBase = _debtOf(account);
        uint256 balanceRaw = _collateralBalances[account][collateralAsset];
        ValidationLogic.validateLiquidation(account, collateralAsset, debtBase, balanceRaw);
        (DataTypes.CollateralInput[] memory inputs, uint256 basePriceUsdWad, bool pricesOk) = _peekInputs(account);
        if (!pricesOk) {
            if (basePriceUsdWad == 0) revert OraclePriceUnavailable(baseToken);
            for (uint256 i = 0; i < inputs.length; ++i) {
                if (inputs[i].balanceRaw != 0 && inputs[i].priceUsdWad == 0) {
                    revert OraclePriceUnavailable(_collateralAssets[i]);
                }
            }
        }
        DataTypes.AccountValues memory values = AccountLogic.value(inputs, debtBase, basePriceUsdWad, baseUnit);
        ValidationLogic.validateUnhealthy(account, values.healthFactorWad);
        return LiquidationLogic.computeAmounts(
            _liquidationInput(collateralAsset, repayAmountBase, values, inputs, basePriceUsdWad)
        );
    }

    /// @notice Collateral of `account` in `asset`, raw units.
    function collateralBalance(address account, address asset) external view override returns (uint256 balanceRaw) {
        return _collateralBalances[account][asset];
    }

    /// @notice Debt of `account` as of this block, base raw units, rounded up.
    function debtOf(address account) external view override returns (uint256 debtBase) {
        return _debtOf(account);
    }

    /// @notice Supply balance of `account` as of this block, base raw units, rounded down.
    function supplyBalanceOf(address account) external view override returns (uint256 balanceBase) {
        return InterestLogic.supplyDown(supplyPrincipalOf[account], _previewAccrual().supplyIndexWad);
    }

    /// @notice Lenders' claims as of this block: floor(totalSupplyPrincipal x supplyIndex), base raw units.
    function totalSupply() external view override returns (uint256 totalSupplyBase) {
        return InterestLogic.supplyDown(_market.totalSupplyPrincipal, _previewAccrual().supplyIndexWad);
    }

    /// @notice Borrowers' debt as of this block: ceil(totalBorrowPrincipal x borrowIndex), base raw units.
    function totalBorrow() external view override returns (uint256 totalBorrowBase) {
        return InterestLogic.debtUp(_market.totalBorrowPrincipal, _previewAccrual().borrowIndexWad);
    }

    /// @notice Protocol equity as of this block, base raw units; negative after bad debt beyond reserves.
    function totalReserves() external view override returns (int256 totalReservesBase) {
        return _previewAccrual().totalReservesBase;
    }

    /// @notice The pool's base token balance, base raw units.
    /// @dev Invariant: cash + totalBorrow - totalSupply - totalReserves is >= 0 and only rounding dust
    ///      (plus anything donated to the pool); see docs/lending.md.
    function cash() external view override returns (uint256 cashBase) {
        return _cash();
    }

    /// @notice Borrow index as of this block, Wad.
    function borrowIndex() external view override returns (uint256 borrowIndexWad) {
        return _previewAccrual().borrowIndexWad;
    }

    /// @notice Supply index as of this block, Wad.
    function supplyIndex() external view override returns (uint256 supplyIndexWad) {
        return _previewAccrual().supplyIndexWad;
    }

    /// @notice Timestamp of the last stored accrual, seconds.
    function lastAccrualTimestamp() external view override returns (uint256) {
        return _market.lastAccrualTimestamp;
    }

    /// @notice totalBorrow / totalSupply as of this block, Wad (floored; 0 without supply).
    function utilization() public view override returns (uint256 utilizationWad) {
        DataTypes.Accrual memory a = _previewAccrual();
        return InterestLogic.utilizationWad(
            InterestLogic.debtUp(_market.totalBorrowPrincipal, a.borrowIndexWad),
            InterestLogic.supplyDown(_market.totalSupplyPrincipal, a.supplyIndexWad)
        );
    }

    /// @notice Borrow rate per year at the current utilisation, Wad (the next accrual divides it by 365 days).
    function borrowRatePerYear() external view override returns (uint256 borrowRatePerYearWad) {
        return InterestLogic.borrowRatePerYearWad(_rateModel, utilization());
    }

    // =================================================================== internals

    function _accrue() internal {
        if (_market.lastAccrualTimestamp == block.timestamp) return;
        DataTypes.Accrual memory a = _previewAccrual();
        _market.borrowIndexWad = a.borrowIndexWad;
        _market.supplyIndexWad = a.supplyIndexWad;
        _market.totalReservesBase = a.totalReservesBase;
        _market.lastAccrualTimestamp = block.timestamp;
        emit InterestAccrued(a.borrowIndexWad, a.supplyIndexWad, a.interestBase, a.reservesAddedBase);
    }

    function _previewAccrual() internal view returns (DataTypes.Accrual memory) {
        return InterestLogic.previewAccrual(_market, _rateModel, reserveFactorBps, block.timestamp);
    }

    function _debtOf(address account) internal view returns (uint256) {
        return InterestLogic.debtUp(borrowPrincipalOf[account], _previewAccrual().borrowIndexWad);
    }

    function _cash() internal view returns (uint256) {
        return IERC20(baseToken).balanceOf(address(this));
    }

    function _requireListed(address asset) internal view {
        if (!_collateralConfigs[asset].listed) revert AssetNotListed(asset);
    }

    function _depositCollateral(address account, address asset, uint256 amountRaw) internal {
        _requireListed(asset);
        if (amountRaw == 0) revert ZeroAmount();
        uint256 totalAfterRaw = totalCollateral[asset] + amountRaw;
        ValidationLogic.validateSupplyCap(asset, _collateralConfigs[asset].supplyCap, totalAfterRaw);
        totalCollateral[asset] = totalAfterRaw;
        _collateralBalances[account][asset] += amountRaw;
        _pullExact(asset, msg.sender, amountRaw);
        emit CollateralDeposited(msg.sender, account, asset, amountRaw);
    }

    function _repay(address account, uint256 amountBase) internal returns (uint256 repaidBase) {
        if (account == address(0)) revert ZeroAddress();
        _accrue();
        if (amountBase == 0) revert ZeroAmount();
        uint256 debtBase = _debtOf(account);
        if (debtBase == 0) revert NoDebt(account);
        repaidBase = amountBase < debtBase ? amountBase : debtBase;
        uint256 debtAfterBase = _reduceDebt(account, repaidBase, debtBase);
        _pullExact(baseToken, msg.sender, repaidBase);
        emit Repay(msg.sender, account, repaidBase, debtAfterBase);
    }

    /// @dev Removes `repaidBase` of `debtBase`: the whole principal when it is all repaid, otherwise
    ///      floor(repaid * 1e18 / index) of it (the account keeps the rounding, never the pool).
    function _reduceDebt(address account, uint256 repaidBase, uint256 debtBase) internal returns (uint256 debtAfterBase) {
        uint256 accountPrincipal = borrowPrincipalOf[account];
        uint256 borrowIndexWad = _market.borrowIndexWad;
        uint256 principal = repaidBase == debtBase
            ? accountPrincipal
            : InterestLogic.repayPrincipalDown(repaidBase, borrowIndexWad);
        accountPrincipal -= principal;
        borrowPrincipalOf[account] = accountPrincipal;
        _market.totalBorrowPrincipal -= principal;
        return InterestLogic.debtUp(accountPrincipal, borrowIndexWad);
    }

    function _writeOffBadDebt(address account) internal returns (uint256 writtenOffBase) {
        uint256 accountPrincipal = borrowPrincipalOf[account];
        writtenOffBase = InterestLogic.debtUp(accountPrincipal, _market.borrowIndexWad);
        borrowPrincipalOf[account] = 0;
        _market.totalBorrowPrincipal -= accountPrincipal;
        _market.totalReservesBase -= int256(writtenOffBase);
        emit BadDebtWrittenOff(account, writtenOffBase);
    }

    function _hasCollateral(address account) internal view returns (bool) {
        address[] memory assets = _collateralAssets;
        for (uint256 i = 0; i < assets.length; ++i) {
            if (_collateralBalances[account][assets[i]] != 0) return true;
        }
        return false;
    }

    /// @dev Balances and configs of every listed asset, prices left at 0 for the callers to fill.
    function _collateralInputs(address account) internal view returns (DataTypes.CollateralInput[] memory inputs) {
        address[] memory assets = _collateralAssets;
        inputs = new DataTypes.CollateralInput[](assets.length);
        for (uint256 i = 0; i < assets.length; ++i) {
            DataTypes.CollateralConfig memory config = _collateralConfigs[assets[i]];
            inputs[i] = DataTypes.CollateralInput({
                balanceRaw: _collateralBalances[account][assets[i]],
                priceUsdWad: 0,
                decimals: config.decimals,
                ltvBps: config.ltvBps,
                liquidationThresholdBps: config.liquidationThresholdBps
            });
        }
    }

    /// @dev Values the account at `getPrice` prices, asked only for the assets it holds (a dead feed of an
    ///      asset it does not hold never blocks it) and for the base asset. Any unavailable price reverts
    ///      with the oracle's error.
    function _liveValues(address account, uint256 debtBase)
        internal
        returns (
            DataTypes.AccountValues memory values,
            DataTypes.CollateralInput[] memory inputs,
            uint256 basePriceUsdWad
        )
    {
        inputs = _collateralInputs(account);
        IPriceOracle oracle_ = IPriceOracle(oracle);
        for (uint256 i = 0; i < inputs.length; ++i) {
            if (inputs[i].balanceRaw != 0) inputs[i].priceUsdWad = _livePrice(oracle_, _collateralAssets[i]);
        }
        basePriceUsdWad = _livePrice(oracle_, baseToken);
        values = AccountLogic.value(inputs, debtBase, basePriceUsdWad, baseUnit);
    }

    /// @dev `getPrice`, refusing a zero answer as Comet refuses price <= 0 (a zero would divide by zero
    ///      or value collateral at nothing).
    function _livePrice(IPriceOracle oracle_, address asset) internal returns (uint256 priceUsdWad) {
        priceUsdWad = oracle_.getPrice(asset);
        if (priceUsdWad == 0) revert OraclePriceUnavailable(asset);
    }

    /// @dev The `peekPrice` counterpart of `_liveValues`: unavailable prices become 0 and `pricesOk` false.
    function _peekInputs(address account)
        internal
        view
        returns (DataTypes.CollateralInput[] memory inputs, uint256 basePriceUsdWad, bool pricesOk)
    {
        inputs = _collateralInputs(account);
        IPriceOracle oracle_ = IPriceOracle(oracle);
        pricesOk = true;
        bool ok;
        for (uint256 i = 0; i < inputs.length; ++i) {
            if (inputs[i].balanceRaw == 0) continue;
            (inputs[i].priceUsdWad, ok) = oracle_.peekPrice(_collateralAssets[i]);
            if (!ok || inputs[i].priceUsdWad == 0) {
                inputs[i].priceUsdWad = 0;
                pricesOk = false;
            }
        }
        (basePriceUsdWad, ok) = oracle_.peekPrice(baseToken);
        if (!ok || basePriceUsdWad == 0) {
            basePriceUsdWad = 0;
            pricesOk = false;
        }
    }

    function _viewValues(address account) internal view returns (DataTypes.AccountValues memory) {
        (DataTypes.CollateralInput[] memory inputs, uint256 basePriceUsdWad,) = _peekInputs(account);
        return AccountLogic.value(inputs, _debtOf(account), basePriceUsdWad, baseUnit);
    }

    /// @dev Liquidation inputs from the account's valuation: balance and price of `collateralAsset` are
    ///      the ones `inputs` were valued with.
    function _liquidationInput(
        address collateralAsset,
        uint256 repayAmountBase,
        DataTypes.AccountValues memory values,
        DataTypes.CollateralInput[] memory inputs,
        uint256 basePriceUsdWad
    ) internal view returns (DataTypes.LiquidationInput memory p) {
        for (uint256 i = 0; i < inputs.length; ++i) {
            if (_collateralAssets[i] != collateralAsset) continue;
            p.collateralBalanceRaw = inputs[i].balanceRaw;
            p.collateralPriceUsdWad = inputs[i].priceUsdWad;
            p.collateralUnit = 10 ** inputs[i].decimals;
        }
        p.debtBase = values.debtBase;
        p.healthFactorWad = values.healthFactorWad;
        p.requestedRepayBase = repayAmountBase;
        p.basePriceUsdWad = basePriceUsdWad;
        p.baseUnit = baseUnit;
        p.liquidationBonusBps = _collateralConfigs[collateralAsset].liquidationBonusBps;
        p.closeFactorDefaultBps = _closeFactor.defaultBps;
        p.fullCloseHealthFactorWad = _closeFactor.fullCloseHealthFactorWad;
    }

    /// @dev transferFrom, then checks the pool received exactly `amountRaw` (never trusts the token).
    function _pullExact(address token, address from, uint256 amountRaw) internal {
        uint256 balanceBeforeRaw = IERC20(token).balanceOf(address(this));
        SafeTransferLib.safeTransferFrom(token, from, address(this), amountRaw);
        uint256 receivedRaw = IERC20(token).balanceOf(address(this)) - balanceBeforeRaw;
        if (receivedRaw != amountRaw) revert TransferAmountMismatch(token, amountRaw, receivedRaw);
    }

    function _setCloseFactor(uint256 defaultBps, uint256 fullCloseHealthFactorWad) internal {
        ValidationLogic.validateCloseFactor(defaultBps, fullCloseHealthFactorWad);
        _closeFactor = DataTypes.CloseFactor(defaultBps, fullCloseHealthFactorWad);
        emit CloseFactorUpdated(defaultBps, fullCloseHealthFactorWad);
    }

    function _setRateModel(uint256 baseRatePerYearWad, uint256 slope1PerYearWad, uint256 slope2PerYearWad, uint256 kinkWad)
        internal
    {
        ValidationLogic.validateRateModel(kinkWad);
        _rateModel = DataTypes.RateModel(baseRatePerYearWad, slope1PerYearWad, slope2PerYearWad, kinkWad);
        emit RateModelUpdated(baseRatePerYearWad, slope1PerYearWad, slope2PerYearWad, kinkWad);
    }

    function _setReserveFactor(uint256 reserveFactorBps_) internal {
        ValidationLogic.validateReserveFactor(reserveFactorBps_);
        reserveFactorBps = reserveFactorBps_;
        emit ReserveFactorUpdated(reserveFactorBps_);
    }
}
