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

/// @title The lending pool's state and internal machinery (accrual, valuation, transfers, setters).
/// @dev Split from LendingPool by concern: state + internals here, external views in LendingPoolViews,
///      admin and actions in LendingPool. Nothing here is external except the public state getters.
abstract contract LendingPoolState is ILendingPool, ReentrancyGuard {
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
