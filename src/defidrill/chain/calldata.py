"""Calldata for a bound contract call without web3.py's per-call encoding pipeline.

Profiled (bench/bench_chain.py, 2,000 ``store(v)`` transactions): web3's
``_encode_transaction_data`` re-derives the ABI and normalises every argument on each
call, ~2 ms a call on this machine, more than anvil spends executing the transaction. Here
the selector and argument types are derived once per function signature and the
arguments go straight to eth_abi. Only plain cases take this path (positional arguments
of elementary types: addresses, integers, bools, strings, dynamic arrays of those); any
other call (structs, bytes given as hex text, keyword arguments) returns None and the
caller uses web3's encoder. tests/chain/test_calldata.py checks both give the same bytes.
"""

from __future__ import annotations

import functools
from typing import Any

from eth_abi.abi import encode as abi_encode
from eth_utils.abi import function_signature_to_4byte_selector

__all__ = ["fast_calldata"]


@functools.lru_cache(maxsize=4096)
def _selector(name: str, types: tuple[str, ...]) -> bytes:
    return function_signature_to_4byte_selector(f"{name}({','.join(types)})")


def _plain(abi_type: str, value: Any) -> bool:
    base = abi_type.removesuffix("[]")
    if base.startswith("tuple") or "[" in base:
        return False
    if abi_type.endswith("[]"):
        return isinstance(value, (list, tuple)) and all(_plain(base, v) for v in value)
    if base == "address" or base == "string":
        return isinstance(value, str)
    if base == "bool":
        return isinstance(value, bool)
    if base.startswith(("uint", "int")):
        return isinstance(value, int) and not isinstance(value, bool)
    if base.startswith("bytes"):
        return isinstance(value, bytes)
    return False


def fast_calldata(fn: Any) -> str | None:
    """``0x`` + selector + encoded arguments of a bound ContractFunction, or None (use web3's encoder)."""
    abi = getattr(fn, "abi", None)
    args = getattr(fn, "args", None)
    if not abi or getattr(fn, "kwargs", None) or args is None or abi.get("type") != "function":
        return None
    types = tuple(str(i["type"]) for i in abi.get("inputs", []))
    if len(types) != len(args) or not all(_plain(t, a) for t, a in zip(types, args)):
        return None
    return "0x" + (_selector(str(abi["name"]), types) + abi_encode(list(types), list(args))).hex()
