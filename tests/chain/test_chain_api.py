"""The chain interface is an abstract base: each backend implements all of it, and a backend that
misses a method cannot be made (ape's ProviderAPI works the same way)."""

from __future__ import annotations

from typing import Any

import pytest
from web3 import Web3

from defidrill.chain import Chain, ChainAPI
from defidrill.chain.backends import AnyChain
from defidrill.chain.revm_chain import RevmChain

#: What the engine and the protocol layer may ask of any chain, written out here so that dropping
#: one from the interface (or adding one no backend was made to implement) shows up as a failure.
INTERFACE = {
    "location", "call_many", "raw_logs", "code_at", "creation_output",
    "send_many", "send_block", "send_one_block", "receipts", "revert_reasons",
    "latest_block", "block_number", "timestamp", "mine", "set_next_timestamp", "set_block_interval",
    "set_block_gas_limit", "next_base_fee_wei", "set_automine", "automine",
    "snapshot", "revert",
    "set_balance", "set_balances", "balance", "impersonate", "stop_impersonating",
    "set_storage", "set_storages", "get_storage", "set_code",
}


def test_interface_is_the_abstract_methods() -> None:
    assert ChainAPI.__abstractmethods__ == frozenset(INTERFACE)
    assert AnyChain is ChainAPI


@pytest.mark.parametrize("backend", [Chain, RevmChain])
def test_each_backend_implements_every_method(backend: type[ChainAPI]) -> None:
    assert issubclass(backend, ChainAPI)
    assert backend.__abstractmethods__ == frozenset()
    for name in INTERFACE:  # its own implementation, not the abstract declaration
        assert not getattr(getattr(backend, name), "__isabstractmethod__", False), name


def test_each_backend_can_be_made(artifacts: Any) -> None:
    with Chain.launch(None, artifacts) as anvil, RevmChain.launch(None, artifacts) as revm:
        assert isinstance(anvil, ChainAPI) and isinstance(revm, ChainAPI)
        assert revm.location == "revm (in process)" and anvil.location == anvil.rpc_url


def _backend_without(missing: str) -> type[ChainAPI]:
    """A ChainAPI subclass implementing every abstract method except ``missing``."""
    def stub(self: Any, *args: Any, **kwargs: Any) -> None:
        return None
    body = {name: (property(stub) if isinstance(getattr(ChainAPI, name), property) else stub)
            for name in INTERFACE - {missing}}
    return type(f"Without_{missing}", (ChainAPI,), body)


def test_a_backend_missing_a_method_cannot_be_made(artifacts: Any) -> None:
    complete = _backend_without("")
    assert isinstance(complete(artifacts, Web3()), ChainAPI)
    for missing in ("snapshot", "send_many", "automine"):
        with pytest.raises(TypeError, match=f"abstract method.*{missing}"):
            _backend_without(missing)(artifacts, Web3())
