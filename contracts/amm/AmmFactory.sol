// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAmmFactory} from "../interfaces/IAmmFactory.sol";
import {AmmPair} from "./AmmPair.sol";

/// @title Uniswap V2 compatible factory: one AmmPair per unordered token pair, deployed with CREATE2.
/// @notice The pair address is create2(factory, salt = keccak256(token0, token1), pairInitCodeHash),
///         computable off chain. `feeTo` (off by default) turns on the 1/6 protocol fee (see AmmPair).
contract AmmFactory is IAmmFactory {
    /// @notice Both tokens are the same address.
    error IdenticalAddresses(address token);
    /// @notice A token is address(0).
    error ZeroAddress();
    /// @notice The pair already exists (at `pair`).
    error PairExists(address pair);
    /// @notice The caller is not `feeToSetter`.
    error NotFeeToSetter(address caller);

    /// @inheritdoc IAmmFactory
    address public override feeTo;
    /// @inheritdoc IAmmFactory
    address public override feeToSetter;
    /// @notice keccak256 of AmmPair's creation code, the CREATE2 init-code hash of every pair.
    bytes32 public immutable pairInitCodeHash;

    /// @notice The pair for two tokens, in either order (address(0) when none).
    mapping(address => mapping(address => address)) public override getPair;
    /// @notice Every pair, in creation order.
    address[] public override allPairs;

    /// @param feeToSetter_ the account allowed to set `feeTo` (the protocol fee receiver)
    constructor(address feeToSetter_) {
        feeToSetter = feeToSetter_;
        pairInitCodeHash = keccak256(type(AmmPair).creationCode);
    }

    /// @notice Number of pairs created.
    function allPairsLength() external view override returns (uint256) {
        return allPairs.length;
    }

    /// @notice Deploys the pair of `tokenA` and `tokenB` (any order) and registers it under both orders.
    /// @return pair the new pair's address
    function createPair(address tokenA, address tokenB) external override returns (address pair) {
        if (tokenA == tokenB) revert IdenticalAddresses(tokenA);
        (address token0, address token1) = tokenA < tokenB ? (tokenA, tokenB) : (tokenB, tokenA);
        if (token0 == address(0)) revert ZeroAddress();
        address existing = getPair[token0][token1];
        if (existing != address(0)) revert PairExists(existing);
        pair = address(new AmmPair{salt: keccak256(abi.encodePacked(token0, token1))}());
        AmmPair(pair).initialize(token0, token1);
        getPair[token0][token1] = pair;
        getPair[token1][token0] = pair;
        allPairs.push(pair);
        emit PairCreated(token0, token1, pair, allPairs.length);
    }

    /// @notice Sets the protocol-fee receiver (address(0) turns the fee off). `feeToSetter` only.
    function setFeeTo(address feeTo_) external override {
        if (msg.sender != feeToSetter) revert NotFeeToSetter(msg.sender);
        feeTo = feeTo_;
    }

    /// @notice Hands the fee switch to `feeToSetter_`. `feeToSetter` only.
    function setFeeToSetter(address feeToSetter_) external override {
        if (msg.sender != feeToSetter) revert NotFeeToSetter(msg.sender);
        feeToSetter = feeToSetter_;
    }
}
