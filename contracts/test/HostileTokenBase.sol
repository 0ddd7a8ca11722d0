// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title TEST ONLY. Storage and free minting shared by the hostile tokens that misbehave on purpose.
/// @dev Does not implement IERC20: each hostile token declares transfer/transferFrom/approve with the
///      (wrong) return shape it is meant to have. 18 decimals; anyone may mint.
abstract contract HostileTokenBase {
    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    /// @notice A transfer or transferFrom exceeded a balance or an allowance.
    error HostileTokenInsufficient(uint256 available, uint256 needed);

    string public name;
    string public symbol;
    uint8 public constant decimals = 18;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    constructor(string memory name_, string memory symbol_) {
        name = name_;
        symbol = symbol_;
    }

    /// @notice Creates `amount` raw units (18 decimals) for `to`; open to anyone (test token).
    function mint(address to, uint256 amount) external {
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    function _move(address from, address to, uint256 amount) internal {
        if (balanceOf[from] < amount) revert HostileTokenInsufficient(balanceOf[from], amount);
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
        emit Transfer(from, to, amount);
    }

    function _spend(address owner, uint256 amount) internal {
        uint256 allowed = allowance[owner][msg.sender];
        if (allowed == type(uint256).max) return;
        if (allowed < amount) revert HostileTokenInsufficient(allowed, amount);
        allowance[owner][msg.sender] = allowed - amount;
    }

    function _approve(address spender, uint256 amount) internal {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
    }
}
