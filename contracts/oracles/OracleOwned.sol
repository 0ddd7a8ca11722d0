// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Single-owner access control shared by the oracle contracts.
/// @dev Kept inside oracles/ so the oracle family has no dependency on other families.
abstract contract OracleOwned {
    /// @notice The account allowed to call owner-only setters.
    address public owner;

    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    error NotOwner(address caller);
    error ZeroAddress();

    constructor() {
        owner = msg.sender;
        emit OwnershipTransferred(address(0), msg.sender);
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    /// @notice Hand the owner role to `newOwner` (owner only; not to the zero address).
    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert ZeroAddress();
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }
}
