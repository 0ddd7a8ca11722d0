// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {DataTypes} from "../lending/libraries/DataTypes.sol";

/// @title The lending pool's errors, events and external API (Compound III layout, Aave V3 liquidations).
/// @notice Units used in every name: `Base` = raw units of the base token, `Raw` = raw units of a collateral
///         token, `UsdWad` = USD scaled 1e18, `Wad` = 1e18 fixed point, `Bps` = basis points (1e4 = 100%).
interface ILendingPool {
    // ------------------------------------------------------------------ errors (declared once, Comet style)
    /// @notice Only the owner may call this function.
    error NotOwner(address caller);
    /// @notice An address argument was the zero address.
    error ZeroAddress();
    /// @notice An amount was zero (or too small to change any principal).
    error ZeroAmount();
    /// @notice `asset` is not a listed collateral asset.
    error AssetNotListed(address asset);
    /// @notice The base asset cannot also be collateral (its balance is the pool's cash).
    error BaseCannotBeCollateral(address asset);
    /// @notice No more than `max` collateral assets can be listed (bounds the gas of every health check).
    error TooManyCollateralAssets(uint256 max);
    /// @notice A token's decimals are above what the fixed-point math supports.
    error UnsupportedDecimals(address token, uint8 decimals);
    /// @notice Loan-to-value must not exceed the liquidation threshold.
    error LtvAboveThreshold(uint256 ltvBps, uint256 liquidationThresholdBps);
    /// @notice The liquidation threshold must be in (0, 100%].
    error InvalidLiquidationThreshold(uint256 liquidationThresholdBps);
    /// @notice A liquidation must pay the liquidator something: the bonus must be > 0.
    error ZeroLiquidationBonus();
    /// @notice threshold x (1 + bonus) > 100%: a liquidation at the threshold could not be collateralised
    ///         (Aave V3 `ValidationLogic`: liquidationThreshold.percentMul(liquidationBonus) <= 100%).
    error LiquidationNotCollateralised(uint256 liquidationThresholdBps, uint256 liquidationBonusBps);
    /// @notice The default close factor must be in (0, 100%] and the full-close health factor in [0, 1e18].
    error InvalidCloseFactor(uint256 defaultBps, uint256 fullCloseHealthFactorWad);
    /// @notice The kink must lie strictly between 0 and 1e18.
    error InvalidKink(uint256 kinkWad);
    /// @notice The reserve factor must not exceed 100%.
    error ReserveFactorTooHigh(uint256 reserveFactorBps);
    /// @notice Depositing would take the asset's total deposits above its supply cap (raw units).
    error SupplyCapExceeded(address asset, uint256 supplyCapRaw, uint256 totalAfterRaw);
    /// @notice A lender asked to withdraw more base than it has supplied (base units).
    error InsufficientSupplyBalance(address account, uint256 balanceBase, uint256 requestedBase);
    /// @notice An account asked to withdraw more collateral than it holds (raw units).
    error InsufficientCollateral(address account, address asset, uint256 balanceRaw, uint256 requestedRaw);
    /// @notice The pool does not hold enough base to pay out (base units).
    error InsufficientCash(uint256 cashBase, uint256 requestedBase);
    /// @notice After the action the account's debt would exceed its borrow limit (both USD, Wad).
    error NotCollateralized(address account, uint256 borrowLimitUsdWad, uint256 debtUsdWad);
    /// @notice The account has no debt to repay, liquidate or write off.
    error NoDebt(address account);
    /// @notice Liquidation needs a health factor below 1e18.
    error HealthyAccount(address account, uint256 healthFactorWad);
    /// @notice The account holds none of the collateral asset the liquidator asked for.
    error NoCollateralToSeize(address account, address asset);
    /// @notice Bad debt can only be written off once the account holds no collateral at all.
    error AccountHasCollateral(address account);
    /// @notice The owner asked for more than the (positive) reserves (base units).
    error InsufficientReserves(int256 reservesBase, uint256 requestedBase);
    /// @notice A token moved a different amount than requested (fee-on-transfer tokens are unsupported).
    error TransferAmountMismatch(address token, uint256 expectedRaw, uint256 receivedRaw);
    /// @notice A view needed the price of `asset` and the oracle's peekPrice reported it unavailable.
    error OraclePriceUnavailable(address asset);
    /// @notice An action's rounding went against the pool (`dustBase` < 0): impossible by InterestLogic's
    ///         rounding rules (docs/lending.md), so a bug of the pool, never a user's mistake.
    error RoundingAgainstPool(int256 dustBase);

    // ------------------------------------------------------------------ events
    event Supply(address indexed account, uint256 amountBase, uint256 supplyBalanceBase);
    event Withdraw(address indexed account, uint256 amountBase, uint256 supplyBalanceBase);
    event CollateralDeposited(address indexed funder, address indexed account, address indexed asset, uint256 amountRaw);
    event CollateralWithdrawn(address indexed account, address indexed asset, uint256 amountRaw);
    event Borrow(address indexed account, uint256 amountBase, uint256 debtBase);
    event Repay(address indexed payer, address indexed account, uint256 amountBase, uint256 debtBase);
    event Liquidation(
        address indexed liquidator,
        address indexed account,
        address indexed collateralAsset,
        uint256 repaidBase,
        uint256 seizedCollateral,
        uint256 healthFactorBeforeWad
    );
    event BadDebtWrittenOff(address indexed account, uint256 amountBase);
    event InterestAccrued(uint256 borrowIndexWad, uint256 supplyIndexWad, uint256 interestBase, uint256 reservesAddedBase);
    event ReservesWithdrawn(address indexed to, uint256 amountBase);
    event CollateralConfigured(
        address indexed asset,
        uint8 decimals,
        uint256 ltvBps,
        uint256 liquidationThresholdBps,
        uint256 liquidationBonusBps,
        uint256 supplyCapRaw
    );
    event CloseFactorUpdated(uint256 defaultBps, uint256 fullCloseHealthFactorWad);
    event RateModelUpdated(uint256 baseRatePerYearWad, uint256 slope1PerYearWad, uint256 slope2PerYearWad, uint256 kinkWad);
    event ReserveFactorUpdated(uint256 reserveFactorBps);
    event OracleUpdated(address indexed previousOracle, address indexed newOracle);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    // ------------------------------------------------------------------ admin (owner only)
    function listCollateral(
        address asset,
        uint256 ltvBps,
        uint256 liquidationThresholdBps,
        uint256 liquidationBonusBps,
        uint256 supplyCapRaw
    ) external;
    function setCloseFactor(uint256 defaultBps, uint256 fullCloseHealthFactorWad) external;
    function setRateModel(uint256 baseRatePerYearWad, uint256 slope1PerYearWad, uint256 slope2PerYearWad, uint256 kinkWad)
        external;
    function setReserveFactor(uint256 reserveFactorBps) external;
    function setOracle(address newOracle) external;
    function transferOwnership(address newOwner) external;
    function withdrawReserves(address to, uint256 amountBase) external;

    // ------------------------------------------------------------------ actions
    function accrue() external;
    function supply(uint256 amountBase) external;
    function withdraw(uint256 amountBase) external returns (uint256 withdrawnBase);
    function depositCollateral(address asset, uint256 amountRaw) external;
    function depositCollateralFor(address onBehalf, address asset, uint256 amountRaw) external;
    function withdrawCollateral(address asset, uint256 amountRaw) external returns (uint256 withdrawnRaw);
    function borrow(uint256 amountBase) external;
    function repay(uint256 amountBase) external returns (uint256 repaidBase);
    function repayFor(address onBehalf, uint256 amountBase) external returns (uint256 repaidBase);
    function liquidate(address account, address collateralAsset, uint256 repayAmountBase)
        external
        returns (uint256 repaidBase, uint256 seizedCollateral);
    function absorbBadDebt(address account) external returns (uint256 writtenOffBase);

    // ------------------------------------------------------------------ views
    function owner() external view returns (address);
    function baseToken() external view returns (address);
    function baseDecimals() external view returns (uint8);
    function oracle() external view returns (address);
    function collateralAssets() external view returns (address[] memory);
    function collateralConfig(address asset) external view returns (DataTypes.CollateralConfig memory);
    function closeFactor() external view returns (uint256 defaultBps, uint256 fullCloseHealthFactorWad);
    function rateModel()
        external
        view
        returns (uint256 baseRatePerYearWad, uint256 slope1PerYearWad, uint256 slope2PerYearWad, uint256 kinkWad);
    function reserveFactorBps() external view returns (uint256);
    function healthFactor(address account) external view returns (uint256 healthFactorWad);
    function accountData(address account)
        external
        view
        returns (
            uint256 collateralValueUsdWad,
            uint256 liquidationValueUsdWad,
            uint256 borrowLimitUsdWad,
            uint256 debtBase,
            uint256 debtUsdWad,
            uint256 healthFactorWad
        );
    function accountBalances(address account) external view returns (uint256 debtBase, uint256[] memory collateralRaw);
    function accountBalancesMany(address[] calldata accounts)
        external
        view
        returns (uint256[] memory debtsBase, uint256[] memory collateralRawFlat);
    function previewLiquidation(address account, address collateralAsset, uint256 repayAmountBase)
        external
        view
        returns (uint256 repaidBase, uint256 seizedCollateral);
    function collateralBalance(address account, address asset) external view returns (uint256 balanceRaw);
    function debtOf(address account) external view returns (uint256 debtBase);
    function supplyBalanceOf(address account) external view returns (uint256 balanceBase);
    function borrowPrincipalOf(address account) external view returns (uint256 principal);
    function supplyPrincipalOf(address account) external view returns (uint256 principal);
    function totalCollateral(address asset) external view returns (uint256 totalRaw);
    function totalSupply() external view returns (uint256 totalSupplyBase);
    function totalBorrow() external view returns (uint256 totalBorrowBase);
    function totalReserves() external view returns (int256 totalReservesBase);
    /// @notice The part of reserves that is rounding kept by the pool (every action's and accrual's), base units.
    function roundingDustBase() external view returns (uint256 dustBase);
    function cash() external view returns (uint256 cashBase);
    function borrowIndex() external view returns (uint256 borrowIndexWad);
    function supplyIndex() external view returns (uint256 supplyIndexWad);
    function lastAccrualTimestamp() external view returns (uint256);
    function utilization() external view returns (uint256 utilizationWad);
    function borrowRatePerYear() external view returns (uint256 borrowRatePerYearWad);
}
