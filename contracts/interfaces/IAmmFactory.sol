// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IUniswapV2Factory} from "./IUniswapV2Factory.sol";

/// @title Uniswap V2 factory plus its protocol-fee switch (`feeTo`, `feeToSetter`), as in v2-core.
interface IAmmFactory is IUniswapV2Factory {
    /// @notice Receiver of the protocol fee (1/6 of the 0.3% swap fee, minted as LP shares); 0 = fee off.
    function feeTo() external view returns (address);
    /// @notice The only account allowed to change `feeTo` and `feeToSetter`.
    function feeToSetter() external view returns (address);
    function setFeeTo(address feeTo) external;
    function setFeeToSetter(address feeToSetter) external;
}
