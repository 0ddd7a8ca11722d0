// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @dev Our declarations of the parts of genuine Morpho Blue (npm @morpho-org/morpho-blue 1.0.0) that our
///      contracts call; the ABI shapes are Morpho's, the text is ours (Morpho's sources are never copied).

/// @notice A Morpho Blue market's key; its id is keccak256(abi.encode(params)). `lltv` is a wad (0.86e18 = 86%).
struct MorphoMarketParams {
    address loanToken;
    address collateralToken;
    address oracle;
    address irm;
    uint256 lltv;
}

/// @notice A market's stored state (totals as of `lastUpdate`, seconds; `fee` a wad share of interest).
struct MorphoMarket {
    uint128 totalSupplyAssets;
    uint128 totalSupplyShares;
    uint128 totalBorrowAssets;
    uint128 totalBorrowShares;
    uint128 lastUpdate;
    uint128 fee;
}

interface IMorphoBlue {
    function market(bytes32 id)
        external
        view
        returns (
            uint128 totalSupplyAssets,
            uint128 totalSupplyShares,
            uint128 totalBorrowAssets,
            uint128 totalBorrowShares,
            uint128 lastUpdate,
            uint128 fee
        );

    function position(bytes32 id, address user)
        external
        view
        returns (uint256 supplyShares, uint128 borrowShares, uint128 collateral);

    /// @notice Seizes `seizedAssets` of collateral, or repays `repaidShares` of debt (exactly one non-zero);
    ///         sends the collateral, calls `onMorphoLiquidate` when `data` is not empty, then pulls the loan tokens.
    /// @return seized collateral raw units; repaid loan token raw units
    function liquidate(
        MorphoMarketParams memory marketParams,
        address borrower,
        uint256 seizedAssets,
        uint256 repaidShares,
        bytes calldata data
    ) external returns (uint256 seized, uint256 repaid);
}

/// @notice Morpho's IOracle: the price of one raw collateral unit in raw loan units, scaled by 1e36.
interface IMorphoOracle {
    function price() external view returns (uint256);
}

/// @notice Morpho's IIrm: the borrow rate per second, wad.
interface IMorphoIrm {
    function borrowRate(MorphoMarketParams memory marketParams, MorphoMarket memory market) external returns (uint256);
    function borrowRateView(MorphoMarketParams memory marketParams, MorphoMarket memory market)
        external
        view
        returns (uint256);
}

/// @notice Morpho's liquidation callback, called on the liquidator after the collateral is sent.
interface IMorphoLiquidateCallback {
    function onMorphoLiquidate(uint256 repaidAssets, bytes calldata data) external;
}
