"""Calldata for a contract call without web3.py's per-call encoding pipeline.

Profiled (bench/bench_chain.py, 2,000 ``store(v)`` transactions): web3's
``_encode_transaction_data`` re-derives the ABI and normalises every argument on each
call, ~2 ms a call on this machine, more than anvil spends executing the transaction; building
the bound ``ContractFunction`` itself costs another 0.1-0.5 ms (20,000 of them at 10,000 borrowers'
seeding). Here the selector and argument types are derived once per function and the arguments
go straight to eth_abi: ``fast_calldata`` for a bound ContractFunction, ``FunctionEncoder`` (through
``Deployed.encoder``) without one. Only plain cases take this path (positional arguments of
elementary types: addresses, integers, bools, strings, bytes, and arrays and structs of those);
any other call (bytes given as hex text, keyword arguments) uses web3's encoder.
tests/chain/test_calldata.py checks both give the same bytes for every compiled function.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from eth_abi.abi import encode as abi_encode
from eth_utils.abi import collapse_if_tuple, function_signature_to_4byte_selector

from defidrill.chain.types import PreparedCall
from defidrill.errors import ChainError

__all__ = ["FunctionEncoder", "fast_calldata", "function_encoder"]


@functools.lru_cache(maxsize=4096)
def _selector(name: str, types: tuple[str, ...]) -> bytes:
    return function_signature_to_4byte_selector(f"{name}({','.join(types)})")


def _plain(abi_input: Mapping[str, Any], value: Any) -> bool:
    """Whether eth_abi takes ``value`` for this ABI input as web3 would after its normalisation."""
    abi_type = str(abi_input["type"])
    if abi_type.endswith("]"):
        inner = dict(abi_input, type=abi_type[: abi_type.rindex("[")])
        size = abi_type[abi_type.rindex("[") + 1 : -1]
        return (isinstance(value, (list, tuple)) and (not size or len(value) == int(size))
                and all(_plain(inner, v) for v in value))
    if abi_type == "tuple":
        components = abi_input.get("components", [])
        return (isinstance(value, (list, tuple)) and len(value) == len(components)
                and all(_plain(c, v) for c, v in zip(components, value)))
    if abi_type == "address" or abi_type == "string":
        return isinstance(value, str)
    if abi_type == "bool":
        return isinstance(value, bool)
    if abi_type.startswith(("uint", "int")):
        return isinstance(value, int) and not isinstance(value, bool)
    if abi_type.startswith("bytes"):
        return isinstance(value, bytes)
    return False


def _types(inputs: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    return tuple(str(collapse_if_tuple(dict(i))) for i in inputs)


def _encode(name: str, inputs: Sequence[Mapping[str, Any]], types: tuple[str, ...], args: Sequence[Any]) -> str | None:
    if len(types) != len(args) or not all(_plain(i, a) for i, a in zip(inputs, args)):
        return None
    return "0x" + (_selector(name, types) + abi_encode(list(types), list(args))).hex()


def fast_calldata(fn: Any) -> str | None:
    """``0x`` + selector + encoded arguments of a bound ContractFunction, or None (use web3's encoder)."""
    abi = getattr(fn, "abi", None)
    args = getattr(fn, "args", None)
    if not abi or getattr(fn, "kwargs", None) or args is None or abi.get("type") != "function":
        return None
    inputs = abi.get("inputs", [])
    return _encode(str(abi["name"]), inputs, _types(inputs), args)


@dataclass(frozen=True)
class FunctionEncoder:
    """One function of a deployed contract with its selector and argument types derived once:
    ``prepare(*args)`` is the call's ``PreparedCall`` (``ChainAPI.tx`` and ``call_many`` take it) without
    building a web3 ContractFunction. Arguments outside the plain cases go through web3 (``web3_functions``,
    the contract's ``contract.functions``)."""

    to: str
    abi: Mapping[str, Any] = field(repr=False)
    web3_functions: Any = field(repr=False, compare=False)
    types: tuple[str, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "types", _types(self.abi.get("inputs", [])))

    @property
    def name(self) -> str:
        return str(self.abi["name"])

    @property
    def signature(self) -> str:
        return f"{self.name}({','.join(self.types)})"

    def data(self, *args: Any) -> str:
        """The calldata of ``name(*args)``: the same bytes as web3's encoder (tests/chain/test_calldata.py)."""
        fast = _encode(self.name, self.abi.get("inputs", []), self.types, args)
        if fast is not None:
            return fast
        return str(self.web3_functions.get_function_by_signature(self.signature)(*args)._encode_transaction_data())

    def prepare(self, *args: Any) -> PreparedCall:
        return PreparedCall(self.name, self.to, self.data(*args), self.abi.get("outputs", []))


def function_encoder(address: str, abi: Sequence[Mapping[str, Any]], name: str, web3_functions: Any) -> FunctionEncoder:
    """The encoder of function ``name`` (or a full signature such as ``f(uint256)`` for an overloaded name)
    of the contract at ``address``; ``web3_functions`` is its web3 ``contract.functions`` (the fallback)."""
    entries = [e for e in abi if e.get("type") == "function"]
    def signature(e: Mapping[str, Any]) -> str:
        return f"{e['name']}({','.join(_types(e.get('inputs', [])))})"
    matches = [e for e in entries if (signature(e) if "(" in name else e.get("name")) == name]
    if len(matches) != 1:
        found = sorted(signature(e) for e in entries if e.get("name") == name.split("(")[0])
        raise ChainError(f"no single function {name!r} at {address}: "
                         + (f"overloaded, name one of {found}" if found else "not in its ABI"))
    return FunctionEncoder(address, matches[0], web3_functions)
