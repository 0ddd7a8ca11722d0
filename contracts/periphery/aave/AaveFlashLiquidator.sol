// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "../../interfaces/IERC20.sol";
import {IUniswapV2Pair} from "../../interfaces/IUniswapV2Pair.sol";
import {IUniswapV2Callee} from "../../interfaces/IUniswapV2Callee.sol";
import {
    IAaveV3Pool, IAaveV3AddressesProvider, IAaveV3Oracle, IAaveV3DataProvider
} from "../../interfaces/IAaveV3.sol";
import {SafeTransferLib} from "../../libraries/SafeTransferLib.sol";
import {ReentrancyGuard} from "../../libraries/ReentrancyGuard.sol";
import {AmmLibrary} from "../../amm/libraries/AmmLibrary.sol";

/// @title Liquidates on a genuine Aave V3 pool with no capital: flash-borrows the debt asset from the
///        collateral/debt Uniswap-V2 pair, calls `Pool.liquidationCall`, repays the pair in collateral, sells
///        the rest of the seizure into the same pair and pays the profit (in the debt asset) to the caller.
/// @notice The Aave twin of `FlashLiquidator`. Holds nothing between calls.
contract AaveFlashLiquidator is IUniswapV2Callee, ReentrancyGuard {
    /// @dev Aave V3's close factor rule (LiquidationLogic: 50%, 100% at HF <= CLOSE_FACTOR_HF_THRESHOLD 0.95).
    uint256 public constant DEFAULT_CLOSE_FACTOR_BPS = 5000;
    uint256 public constant CLOSE_FACTOR_HF_THRESHOLD_WAD = 0.95e18;
    uint256 internal constant BPS = 10_000;

    /// @notice The liquidation earned `profitBase` (debt asset raw units), less than the caller's `minProfitBase`.
    error InsufficientProfit(uint256 profitBase, uint256 minProfitBase);
    /// @notice `pair` does not trade exactly `debtAsset` against `collateralAsset`.
    error PairMismatch(address pair, address debtAsset, address collateralAsset);
    /// @notice `uniswapV2Call` came from someone other than the pair of the flash swap in progress.
    error UnauthorizedCallback(address caller);
    /// @notice The flash swap was not initiated by this contract.
    error UnexpectedInitiator(address initiator);
    /// @notice The seized collateral does not cover what the pair must be repaid (both raw units).
    error SeizedBelowRepayment(uint256 seizedRaw, uint256 owedRaw);
    /// @notice The account is healthy (HF >= 1, wad) or has no debt or collateral to liquidate.
    error NothingToLiquidate(address account, uint256 healthFactorWad);

    /// @notice One completed flash liquidation; Aave's `LiquidationCall` in the same transaction has the amounts.
    event FlashLiquidation(
        address indexed caller,
        address indexed pool,
        address indexed account,
        address collateralAsset,
        uint256 borrowedBase,
        uint256 soldRaw,
        uint256 profitBase
    );

    /// @dev The pair whose flash swap is in progress; zero outside `liquidate`.
    address private _activePair;

    struct Job {
        address pool;
        address account;
        address collateralAsset;
        address debtAsset;
        bool debtIsToken0;
    }

    /// @notice Liquidates `account` on `pool`, seizing `collateralAsset` for `debtAsset` flash-borrowed from `pair`.
    /// @param repayAmountBase the most debt (raw units) to repay; Aave's close factor and the account's
    ///        collateral cap it (the amount borrowed is the smallest of the three)
    /// @param minProfitBase the least profit (debt asset raw units) to accept; otherwise `InsufficientProfit`
    /// @return profitBase debt asset raw units sent to the caller
    function liquidate(
        address pool,
        address pair,
        address account,
        address collateralAsset,
        address debtAsset,
        uint256 repayAmountBase,
        uint256 minProfitBase
    ) external nonReentrant returns (uint256 profitBase) {
        Job memory job = _job(pool, pair, account, collateralAsset, debtAsset);
        uint256 baseBeforeRaw = IERC20(debtAsset).balanceOf(address(this));
        uint256 collateralBeforeRaw = IERC20(collateralAsset).balanceOf(address(this));
        uint256 borrowBase = _min(repayAmountBase, maxRepayBase(pool, account, collateralAsset, debtAsset));

        _activePair = pair;
        IUniswapV2Pair(pair).swap(
            job.debtIsToken0 ? borrowBase : 0, job.debtIsToken0 ? 0 : borrowBase, address(this), abi.encode(job)
        );
        _activePair = address(0);

        uint256 soldRaw = IERC20(collateralAsset).balanceOf(address(this)) - collateralBeforeRaw;
        if (soldRaw != 0) _sell(pair, collateralAsset, soldRaw, job.debtIsToken0);

        profitBase = IERC20(debtAsset).balanceOf(address(this)) - baseBeforeRaw;
        if (profitBase < minProfitBase) revert InsufficientProfit(profitBase, minProfitBase);
        SafeTransferLib.safeTransfer(debtAsset, msg.sender, profitBase);
        emit FlashLiquidation(msg.sender, pool, account, collateralAsset, borrowBase, soldRaw, profitBase);
    }

    /// @notice The most debt (raw units, rounded down) one liquidationCall can repay for `account`: the close
    ///         factor share of its debt, and no more than its collateral buys at the bonus at the oracle's prices.
    /// @dev Reverts `NothingToLiquidate` when the account is healthy or either amount is zero.
    function maxRepayBase(address pool, address account, address collateralAsset, address debtAsset)
        public
        view
        returns (uint256)
    {
        (,,,,, uint256 healthFactorWad) = IAaveV3Pool(pool).getUserAccountData(account);
        if (healthFactorWad >= 1e18) revert NothingToLiquidate(account, healthFactorWad);
        IAaveV3AddressesProvider provider = IAaveV3AddressesProvider(IAaveV3Pool(pool).ADDRESSES_PROVIDER());
        IAaveV3DataProvider data = IAaveV3DataProvider(provider.getPoolDataProvider());
        (, address stableDebt, address variableDebt) = data.getReserveTokensAddresses(debtAsset);
        uint256 debtRaw = IERC20(variableDebt).balanceOf(account) + IERC20(stableDebt).balanceOf(account);
        uint256 closeCapBase =
            healthFactorWad <= CLOSE_FACTOR_HF_THRESHOLD_WAD ? debtRaw : debtRaw * DEFAULT_CLOSE_FACTOR_BPS / BPS;
        uint256 collateralCapBase = _collateralCapBase(provider, data, account, collateralAsset, debtAsset);
        uint256 cap = _min(closeCapBase, collateralCapBase);
        if (cap == 0) revert NothingToLiquidate(account, healthFactorWad);
        return cap;
    }

    /// @dev Debt (raw, rounded down) whose value times the bonus equals the account's whole collateral balance.
    function _collateralCapBase(
        IAaveV3AddressesProvider provider,
        IAaveV3DataProvider data,
        address account,
        address collateralAsset,
        address debtAsset
    ) internal view returns (uint256) {
        (address aToken,,) = data.getReserveTokensAddresses(collateralAsset);
        uint256 collateralRaw = IERC20(aToken).balanceOf(account);
        (uint256 collateralDecimals,,, uint256 bonusBps,,,,,,) = data.getReserveConfigurationData(collateralAsset);
        (uint256 debtDecimals,,,,,,,,,) = data.getReserveConfigurationData(debtAsset);
        IAaveV3Oracle oracle = IAaveV3Oracle(provider.getPriceOracle());
        uint256 collateralPrice = oracle.getAssetPrice(collateralAsset);
        uint256 debtPrice = oracle.getAssetPrice(debtAsset);
        return collateralRaw * collateralPrice * 10 ** debtDecimals * BPS
            / (debtPrice * 10 ** collateralDecimals * bonusBps);
    }

    /// @notice Flash-swap callback: liquidates with the borrowed debt asset, then repays the pair in collateral,
    ///         getAmountIn(borrowed, collateralReserve, debtReserve) raw units (Uniswap V2's formula).
    /// @dev Only the pair of the swap in progress may call, and only for a swap this contract initiated.
    function uniswapV2Call(address sender, uint256 amount0, uint256 amount1, bytes calldata data) external override {
        if (msg.sender != _activePair || msg.sender == address(0)) revert UnauthorizedCallback(msg.sender);
        if (sender != address(this)) revert UnexpectedInitiator(sender);
        Job memory job = abi.decode(data, (Job));
        uint256 borrowedBase = job.debtIsToken0 ? amount0 : amount1;

        // Measure what Aave took and gave: the liquidation's own amounts, whatever it capped.
        uint256 collateralBeforeRaw = IERC20(job.collateralAsset).balanceOf(address(this));
        SafeTransferLib.safeApprove(job.debtAsset, job.pool, borrowedBase);
        IAaveV3Pool(job.pool).liquidationCall(job.collateralAsset, job.debtAsset, job.account, borrowedBase, false);
        // Whatever Aave did not pull stays here and counts as profit; leave no allowance behind.
        SafeTransferLib.safeApprove(job.debtAsset, job.pool, 0);
        uint256 seizedRaw = IERC20(job.collateralAsset).balanceOf(address(this)) - collateralBeforeRaw;

        // Reserves are still the pre-swap ones: the pair updates them after this callback returns.
        (uint112 reserve0, uint112 reserve1,) = IUniswapV2Pair(msg.sender).getReserves();
        (uint256 reserveCollateral, uint256 reserveBase) =
            job.debtIsToken0 ? (uint256(reserve1), uint256(reserve0)) : (uint256(reserve0), uint256(reserve1));
        uint256 owedRaw = AmmLibrary.getAmountIn(borrowedBase, reserveCollateral, reserveBase);
        if (seizedRaw < owedRaw) revert SeizedBelowRepayment(seizedRaw, owedRaw);
        SafeTransferLib.safeTransfer(job.collateralAsset, msg.sender, owedRaw);
    }

    function _job(address pool, address pair, address account, address collateralAsset, address debtAsset)
        internal
        view
        returns (Job memory job)
    {
        address token0 = IUniswapV2Pair(pair).token0();
        address token1 = IUniswapV2Pair(pair).token1();
        bool matches = (token0 == debtAsset && token1 == collateralAsset) || (token0 == collateralAsset && token1 == debtAsset);
        if (!matches) revert PairMismatch(pair, debtAsset, collateralAsset);
        job = Job(pool, account, collateralAsset, debtAsset, token0 == debtAsset);
    }

    /// @dev Exact-in sale of `amountRaw` collateral for the debt asset at the pair's current reserves.
    function _sell(address pair, address collateralAsset, uint256 amountRaw, bool debtIsToken0) internal {
        (uint112 reserve0, uint112 reserve1,) = IUniswapV2Pair(pair).getReserves();
        (uint256 reserveIn, uint256 reserveOut) =
            debtIsToken0 ? (uint256(reserve1), uint256(reserve0)) : (uint256(reserve0), uint256(reserve1));
        uint256 outBase = AmmLibrary.getAmountOut(amountRaw, reserveIn, reserveOut);
        SafeTransferLib.safeTransfer(collateralAsset, pair, amountRaw);
        IUniswapV2Pair(pair).swap(debtIsToken0 ? outBase : 0, debtIsToken0 ? 0 : outBase, address(this), "");
    }

    function _min(uint256 a, uint256 b) internal pure returns (uint256) {
        return a < b ? a : b;
    }
}
