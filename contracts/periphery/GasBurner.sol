// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The other senders of a congested chain: transactions that only burn gas.
/// @notice A drill's `congestion` failure fills each block with calls to `burn` from senders
///         that are not the drill's agents, so a block's gas used (and with it the EIP-1559
///         base fee anvil computes for the next block) is that of a real busy chain, and the
///         drill's own transactions get only the space the crowd leaves.
/// @dev Burns all but `RESERVE_GAS` of the gas it is given: the transaction's gas limit sets
///      how much block space it takes. Anyone may call it; it holds no state and no funds.
contract GasBurner {
    /// @dev Gas kept back to return cleanly (the loop's last iteration and the call's epilogue).
    uint256 public constant RESERVE_GAS = 5_000;

    /// @notice Emitted once per call: how much gas the loop burned.
    event Burned(address indexed sender, uint256 gasBurned);

    error GasBelowReserve(uint256 gasLeft, uint256 reserve);

    /// @notice Burn the gas this call was given, down to `RESERVE_GAS`.
    function burn() external {
        uint256 start = gasleft();
        if (start <= RESERVE_GAS) revert GasBelowReserve(start, RESERVE_GAS);
        while (gasleft() > RESERVE_GAS) {}
        emit Burned(msg.sender, start - gasleft());
    }
}
