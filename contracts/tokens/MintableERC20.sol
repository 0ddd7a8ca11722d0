// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {BaseERC20} from "./BaseERC20.sol";

/// @title The drill's test assets (WBTC 8 decimals, WETH 18, USDC 6): an ERC-20 only its owner can mint.
/// @notice Supply changes only by `mint` (owner) and `burn` (holder), so a drill can check that
///         totalSupply == sum of Transfer-from-zero minus sum of Transfer-to-zero at any time.
contract MintableERC20 is BaseERC20 {
    /// @notice The caller is not the owner.
    error NotOwner(address caller);
    /// @notice Ownership cannot be handed to address(0): minting would be lost for good.
    error ZeroOwner();

    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    /// @notice The only account allowed to mint (the deployer until `transferOwnership`).
    address public owner;

    /// @param name_ token name, e.g. "Wrapped Bitcoin"
    /// @param symbol_ token symbol, e.g. "WBTC"
    /// @param decimals_ decimals of the raw unit (8 for WBTC, 18 for WETH, 6 for USDC)
    constructor(string memory name_, string memory symbol_, uint8 decimals_) BaseERC20(name_, symbol_, decimals_) {
        owner = msg.sender;
        emit OwnershipTransferred(address(0), msg.sender);
    }

    /// @notice Creates `amount` raw units (10**decimals per whole token) for `to`. Owner only.
    function mint(address to, uint256 amount) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _mint(to, amount);
    }

    /// @notice Destroys `amount` raw units of the caller's balance.
    function burn(uint256 amount) external {
        _burn(msg.sender, amount);
    }

    /// @notice Hands the mint right to `newOwner`. Owner only.
    function transferOwnership(address newOwner) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        if (newOwner == address(0)) revert ZeroOwner();
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }
}
