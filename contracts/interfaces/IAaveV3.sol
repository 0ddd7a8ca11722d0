// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Our own minimal declarations of the Aave V3 (core-v3 1.19.3) functions our periphery calls.
/// @notice Written from Aave's published interface (function names and shapes), not copied: only what the
///         Aave lens and the Aave flash liquidator need. Prices are in the oracle's base currency unit
///         (1e8 = 1 USD in defidrill's deployment); amounts in the asset's raw units.

interface IAaveV3Pool {
    /// @notice Account totals in the oracle's base currency (1e8 USD), the weighted liquidation threshold and
    ///         LTV in basis points, and the health factor in wad (type(uint256).max without debt).
    function getUserAccountData(address user)
        external
        view
        returns (
            uint256 totalCollateralBase,
            uint256 totalDebtBase,
            uint256 availableBorrowsBase,
            uint256 currentLiquidationThreshold,
            uint256 ltv,
            uint256 healthFactor
        );

    /// @notice Repays up to `debtToCover` (debt asset raw units) of `user`'s debt, seizing `collateralAsset`.
    function liquidationCall(
        address collateralAsset,
        address debtAsset,
        address user,
        uint256 debtToCover,
        bool receiveAToken
    ) external;

    function ADDRESSES_PROVIDER() external view returns (address);

    /// @notice The reserve's liquidity index (ray): an aToken balance is its scaled balance times it.
    function getReserveNormalizedIncome(address asset) external view returns (uint256);

    /// @notice The reserve's variable debt index (ray): a variable debt is its scaled balance times it.
    function getReserveNormalizedVariableDebt(address asset) external view returns (uint256);
}

interface IAaveV3ScaledToken {
    function scaledBalanceOf(address user) external view returns (uint256);
}

interface IAaveV3AddressesProvider {
    function getPriceOracle() external view returns (address);
    function getPoolDataProvider() external view returns (address);
}

interface IAaveV3Oracle {
    /// @notice The asset's price in the base currency unit (1e8 = 1 USD here); reverts when unavailable.
    function getAssetPrice(address asset) external view returns (uint256);
}

interface IAaveV3DataProvider {
    function getReserveTokensAddresses(address asset)
        external
        view
        returns (address aTokenAddress, address stableDebtTokenAddress, address variableDebtTokenAddress);

    /// @notice Risk parameters in basis points (`liquidationBonus` 10500 = the liquidator receives 105%).
    function getReserveConfigurationData(address asset)
        external
        view
        returns (
            uint256 decimals,
            uint256 ltv,
            uint256 liquidationThreshold,
            uint256 liquidationBonus,
            uint256 reserveFactor,
            bool usageAsCollateralEnabled,
            bool borrowingEnabled,
            bool stableBorrowRateEnabled,
            bool isActive,
            bool isFrozen
        );
}

interface IAaveV3Sentinel {
    function isLiquidationAllowed() external view returns (bool);
}
