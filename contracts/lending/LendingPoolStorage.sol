// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "../interfaces/IERC20.sol";
import {ILendingPool} from "../interfaces/ILendingPool.sol";
import {DataTypes} from "./libraries/DataTypes.sol";
import {WadMath} from "./libraries/WadMath.sol";
import {ValidationLogic} from "./libraries/ValidationLogic.sol";

/// @title The lending pool's storage: its immutables and state variables, nothing else (Aave's PoolStorage,
///        Comet's CometStorage).
/// @dev The pool is one contract built in layers, each a file with one job: this storage, then the
///      internal logic by concern (LendingPoolAccounting: interest, debt, reserves, cash; LendingPoolValuation:
///      collateral and what an account is worth), the external views (LendingPoolViews) and the entry points
///      (LendingPool). The constructor only initialises what is declared here (immutables must be written
///      by the contract that declares them); the default risk parameters are set by LendingPool's.
abstract contract LendingPoolStorage is ILendingPool {
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
    /// @inheritdoc ILendingPool
    /// @dev Written accruals and actions only (a view's preview accrual is not counted until written).
    uint256 public override roundingDustBase;
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

    /// @param baseToken_ the borrowable asset (any decimals up to 30; USDC has 6)
    /// @param oracle_ the IPriceOracle every price comes from
    /// @dev Both indices start at 1.0 (Wad), accrued up to now; owner = deployer.
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
    }
}
