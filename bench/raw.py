"""The raw chain baseline every engine row is divided by: plain JSON-RPC, one HTTP session, no web3.py.

- tx/s: one batch of N ``eth_sendTransaction`` (nonces given, automine off), then ``evm_mine``;
- eth_call/s: one batch of N ``eth_call``.

Both run against the same anvil as the engine row they pair with, in the same process, so
the ratio cancels the machine's speed and load.
"""

from __future__ import annotations

import json
import time
from typing import Any

import requests


class RawRpc:
    """A bare JSON-RPC client: ``batch`` posts a list of (method, params) and returns the results."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.headers["Content-Type"] = "application/json"

    def batch(self, calls: list[tuple[str, list[Any]]]) -> list[Any]:
        payload = [{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(calls)]
        replies = self.session.post(self.url, data=json.dumps(payload)).json()
        by_id = {r["id"]: r for r in replies}
        errors = [by_id[i]["error"] for i in range(len(calls)) if "error" in by_id[i]]
        if errors:
            raise RuntimeError(f"raw batch: {len(errors)} errors, e.g. {errors[0]}")
        return [by_id[i]["result"] for i in range(len(calls))]

    def call(self, method: str, params: list[Any]) -> Any:
        return self.batch([(method, params)])[0]


def _raw_txs(rpc: RawRpc, senders: list[str], to: str, data: list[str], gas: int) -> list[dict[str, str]]:
    """``data[i]`` to ``to`` from the senders in turn, each with its next pending nonce (one batch of reads)."""
    nonces = {s: int(n, 16) for s, n in zip(senders, rpc.batch([("eth_getTransactionCount", [s, "pending"])
                                                                for s in senders]))}
    txs = []
    for i, d in enumerate(data):
        s = senders[i % len(senders)]
        txs.append({"from": s, "to": to, "data": d, "gas": hex(gas), "nonce": hex(nonces[s])})
        nonces[s] += 1
    return txs


def raw_tx_per_s(rpc: RawRpc, senders: list[str], to: str, data: list[str], gas: int = 100_000) -> float:
    """N transactions (``data[i]`` to ``to``, senders in turn) sent in one batch and mined in one block."""
    txs = _raw_txs(rpc, senders, to, data, gas)
    rpc.call("evm_setAutomine", [False])
    try:
        t0 = time.perf_counter()
        rpc.batch([("eth_sendTransaction", [tx]) for tx in txs])
        rpc.call("evm_mine", [])
        seconds = time.perf_counter() - t0
    finally:
        rpc.call("evm_setAutomine", [True])
    block = rpc.call("eth_getBlockByNumber", ["latest", False])
    if len(block["transactions"]) != len(txs):
        raise RuntimeError(f"raw baseline: {len(block['transactions'])} of {len(txs)} transactions in the block")
    return len(txs) / seconds


def raw_tx_with_receipts_per_s(rpc: RawRpc, senders: list[str], to: str, data: list[str], gas: int = 100_000,
                               block_txs: int = 250) -> float:
    """The same transactions doing the engine's work: sent in blocks of ``block_txs`` (one batch of
    sends then ``evm_mine`` each, as ``Chain.send_block``), then every receipt, logs included, in one
    batch and parsed from JSON. What the engine adds beyond this is its own Python (encoding, ordering,
    decoding events), so the ratio to it is the engine's overhead; ``raw_tx_per_s`` (no receipts) is the
    chain's ceiling."""
    txs = _raw_txs(rpc, senders, to, data, gas)
    rpc.call("evm_setAutomine", [False])
    try:
        t0 = time.perf_counter()
        hashes: list[str] = []
        for start in range(0, len(txs), block_txs):
            hashes += rpc.batch([("eth_sendTransaction", [tx]) for tx in txs[start : start + block_txs]])
            rpc.call("evm_mine", [])
        receipts = rpc.batch([("eth_getTransactionReceipt", [h]) for h in hashes])
        seconds = time.perf_counter() - t0
    finally:
        rpc.call("evm_setAutomine", [True])
    if any(r is None or int(r["status"], 16) != 1 for r in receipts):
        raise RuntimeError("raw baseline with receipts: a transaction is missing or failed")
    return len(txs) / seconds


def raw_call_per_s(rpc: RawRpc, to: str, data: str, n: int) -> float:
    """N identical eth_calls in one batch."""
    calls = [("eth_call", [{"to": to, "data": data}, "latest"]) for _ in range(n)]
    t0 = time.perf_counter()
    rpc.batch(calls)
    return n / (time.perf_counter() - t0)
