// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "../interfaces/IERC20.sol";

/// @title Minimal EIP-20 base shared by defidrill's tokens and the AMM's LP share.
/// @notice Balances and allowances in the token's raw units (10**decimals per whole token).
///         An allowance of `type(uint256).max` is infinite: `transferFrom` never decrements it
///         (the convention of OpenZeppelin, solmate and Uniswap V2's LP token).
/// @dev Supply changes only through `_mint` and `_burn`, each emitting `Transfer` from/to address(0),
///      so an indexer can rebuild `totalSupply` from events. Transfers to address(0) are allowed (as in
///      Uniswap V2's ERC-20, which locks MINIMUM_LIQUIDITY there) and do not change the supply.
abstract contract BaseERC20 is IERC20 {
    /// @notice `from` holds `balance` raw units but `needed` were to be moved or burnt.
    error InsufficientBalance(address from, uint256 balance, uint256 needed);
    /// @notice `spender` may move `allowance` raw units of `owner`'s balance but tried `needed`.
    error InsufficientAllowance(address owner, address spender, uint256 allowance, uint256 needed);

    string public override name;
    string public override symbol;
    /// @notice Decimals of the raw unit: 1 whole token = 10**decimals raw units.
    uint8 public immutable override decimals;

    /// @notice Total supply in raw units.
    uint256 public override totalSupply;
    /// @notice Balance of an account in raw units.
    mapping(address => uint256) public override balanceOf;
    /// @notice Remaining raw units `spender` may move from `owner` (max = infinite).
    mapping(address => mapping(address => uint256)) public override allowance;

    constructor(string memory name_, string memory symbol_, uint8 decimals_) {
        name = name_;
        symbol = symbol_;
        decimals = decimals_;
    }

    /// @notice Lets `spender` move up to `value` raw units of the caller's balance (max = infinite).
    /// @return always true (reverts on failure)
    function approve(address spender, uint256 value) external virtual override returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    /// @notice Moves `value` raw units from the caller to `to`.
    /// @return always true (reverts with `InsufficientBalance` otherwise)
    function transfer(address to, uint256 value) external virtual override returns (bool) {
        _transfer(msg.sender, to, value);
        return true;
    }

    /// @notice Moves `value` raw units from `from` to `to` against the caller's allowance.
    /// @return always true (reverts with `InsufficientAllowance` or `InsufficientBalance` otherwise)
    function transferFrom(address from, address to, uint256 value) external virtual override returns (bool) {
        _spendAllowance(from, msg.sender, value);
        _transfer(from, to, value);
        return true;
    }

    function _spendAllowance(address owner, address spender, uint256 value) internal {
        uint256 allowed = allowance[owner][spender];
        if (allowed == type(uint256).max) return;
        if (allowed < value) revert InsufficientAllowance(owner, spender, allowed, value);
        unchecked {
            allowance[owner][spender] = allowed - value;
        }
    }

    function _transfer(address from, address to, uint256 value) internal {
        uint256 fromBalance = balanceOf[from];
        if (fromBalance < value) revert InsufficientBalance(from, fromBalance, value);
        unchecked {
            // Cannot overflow: the sum of all balances is totalSupply, itself checked on mint.
            balanceOf[from] = fromBalance - value;
            balanceOf[to] += value;
        }
        emit Transfer(from, to, value);
    }

    function _mint(address to, uint256 value) internal {
        totalSupply += value;
        unchecked {
            balanceOf[to] += value;
        }
        emit Transfer(address(0), to, value);
    }

    function _burn(address from, uint256 value) internal {
        uint256 fromBalance = balanceOf[from];
        if (fromBalance < value) revert InsufficientBalance(from, fromBalance, value);
        unchecked {
            balanceOf[from] = fromBalance - value;
            totalSupply -= value;
        }
        emit Transfer(from, address(0), value);
    }
}
