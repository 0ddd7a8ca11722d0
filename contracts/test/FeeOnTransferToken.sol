// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MintableERC20} from "../tokens/MintableERC20.sol";

/// @title TEST ONLY. A token that burns 1% of every transferFrom, so the recipient gets less than asked:
///        proves that the lending pool measures what it receives instead of trusting the amount.
contract FeeOnTransferToken is MintableERC20 {
    constructor(uint8 decimals_) MintableERC20("Fee Token", "FEE", decimals_) {}

    /// @notice Moves `value` minus a 1% fee (burnt) from `from` to `to` against the caller's allowance.
    function transferFrom(address from, address to, uint256 value) external override returns (bool) {
        _spendAllowance(from, msg.sender, value);
        uint256 fee = value / 100;
        _burn(from, fee);
        _transfer(from, to, value - fee);
        return true;
    }
}
