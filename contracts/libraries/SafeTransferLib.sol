// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Token transfers that never trust a token's return value.
/// @notice Every contract in defidrill moves ERC-20s through this library. A transfer succeeds only when
///         the call succeeded AND the token either returned nothing (USDT-style tokens that predate
///         EIP-20's `bool`) or returned exactly an ABI-encoded `true`. A call to an address without
///         code "succeeds" at the EVM level, so when no data comes back we also require code at `token`.
/// @dev Any failure (revert, `false`, malformed return data, no code) becomes one custom error naming the
///      token and amounts; the token's own revert reason is deliberately not bubbled up, so callers see a
///      single error shape whatever the token does.
library SafeTransferLib {
    /// @notice `token.transfer(to, amount)` reverted, returned false or returned malformed data.
    error TransferFailed(address token, address to, uint256 amount);
    /// @notice `token.transferFrom(from, to, amount)` reverted, returned false or returned malformed data.
    error TransferFromFailed(address token, address from, address to, uint256 amount);
    /// @notice `token.approve(spender, amount)` reverted, returned false or returned malformed data.
    error ApproveFailed(address token, address spender, uint256 amount);

    /// @notice Sends `amount` (token's raw units) of `token` from this contract to `to`.
    function safeTransfer(address token, address to, uint256 amount) internal {
        if (!_callOptionalReturn(token, abi.encodeWithSelector(0xa9059cbb, to, amount))) {
            revert TransferFailed(token, to, amount);
        }
    }

    /// @notice Moves `amount` (token's raw units) of `token` from `from` to `to` using this contract's allowance.
    function safeTransferFrom(address token, address from, address to, uint256 amount) internal {
        if (!_callOptionalReturn(token, abi.encodeWithSelector(0x23b872dd, from, to, amount))) {
            revert TransferFromFailed(token, from, to, amount);
        }
    }

    /// @notice Sets this contract's allowance for `spender` to `amount` (token's raw units).
    /// @dev Tokens that refuse to change a non-zero allowance to another non-zero value (USDT) need a
    ///      zero approval first; callers that approve the same spender repeatedly must do that themselves.
    function safeApprove(address token, address spender, uint256 amount) internal {
        if (!_callOptionalReturn(token, abi.encodeWithSelector(0x095ea7b3, spender, amount))) {
            revert ApproveFailed(token, spender, amount);
        }
    }

    /// @dev True when the call succeeded and returned either nothing (from a contract) or exactly `true`.
    function _callOptionalReturn(address token, bytes memory callData) private returns (bool ok) {
        (bool success, bytes memory returnData) = token.call(callData);
        if (!success) return false;
        if (returnData.length == 0) return token.code.length > 0;
        // Exactly one 32-byte word holding 1: anything else (false, garbage, short data) is a failure.
        return returnData.length == 32 && abi.decode(returnData, (uint256)) == 1;
    }
}
