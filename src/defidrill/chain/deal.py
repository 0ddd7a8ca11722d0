"""Give an account ERC-20 balance on a fork by writing the token's storage (forge-std's ``deal``).

Seeding positions on a fork needs tokens we cannot mint. Impersonating a whale works only
up to the whale's balance and moves the whale's own positions; writing the balance slot
works for any amount and touches nobody else, so defidrill deals. The balance mapping's slot
is found by probing: for each candidate slot index, write a marker into
keccak256(holder . slot) (Solidity layout) or keccak256(slot . holder) (Vyper), and keep the one
``balanceOf`` then reports; the probe is undone. ``totalSupply`` is not adjusted (as
``deal(token, to, amount)`` without ``adjust``): a consumer summing balances against it would
notice, Aave's accounting does not read it.
"""

from __future__ import annotations

from eth_utils.crypto import keccak

from defidrill.chain.api import ChainAPI
from defidrill.errors import ChainError

#: How many mapping slot indices are probed (OpenZeppelin ERC20: 0; USDC's FiatToken: 9; WBTC: 3).
MAX_PROBE_SLOTS = 64
MARKER = 0x5EED_DEA1


def _slot(holder: str, index: int, vyper: bool) -> int:
    key = bytes.fromhex(holder[2:].rjust(64, "0"))
    idx = index.to_bytes(32, "big")
    return int.from_bytes(keccak(idx + key if vyper else key + idx), "big")


def balance_slot(chain: ChainAPI, token: str, holder: str) -> int:
    """The storage slot holding ``holder``'s balance of ``token`` (probed, then restored).

    The mapping's layout (slot index, Solidity or Vyper key order) is probed once per token and
    kept on the chain object: every later holder's slot is computed from it (a fork drill deals
    to dozens of agents)."""
    layouts: dict[str, tuple[int, bool]] = chain.__dict__.setdefault("_balance_layouts", {})
    if token.lower() in layouts:
        index, vyper = layouts[token.lower()]
        return _slot(holder, index, vyper)
    erc20 = chain.at("IERC20", token).functions
    for vyper in (False, True):
        for index in range(MAX_PROBE_SLOTS):
            slot = _slot(holder, index, vyper)
            before = chain.get_storage(token, slot)
            chain.set_storage(token, slot, MARKER)
            seen = chain.call(erc20.balanceOf(holder))
            chain.set_storage(token, slot, before)
            if seen == MARKER:
                layouts[token.lower()] = (index, vyper)
                return slot
    raise ChainError(f"deal: no balance mapping found in the first {MAX_PROBE_SLOTS} slots of token {token} "
                     "(a proxy with unstructured storage or rebasing balances?); fund the account from a whale")


def deal(chain: ChainAPI, token: str, holder: str, amount_raw: int) -> None:
    """Set ``holder``'s balance of ``token`` to ``amount_raw`` (raw units)."""
    chain.set_storage(token, balance_slot(chain, token, holder), amount_raw)


def deal_more(chain: ChainAPI, token: str, holder: str, amount_raw: int) -> int:
    """Add ``amount_raw`` to ``holder``'s balance; returns the new balance."""
    current = chain.call(chain.at("IERC20", token).functions.balanceOf(holder))
    deal(chain, token, holder, current + amount_raw)
    return int(current + amount_raw)
