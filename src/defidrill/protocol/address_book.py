"""What `defidrill chain up` publishes about its chain: one JSON line and, on request, the ABIs.

The line names the RPC URL, the chain id, the accounts and what each deploy-time account
may do (the deployer owns every token's mint, transmits every feed's rounds, updates the
sequencer feed and administers the guard and the pool: it deploys them all, and each
contract gives those rights to its deployer), and every contract with its address (tokens
and feeds also with their decimals, so nobody guesses 1e6, 1e8 or 1e18).

``--abi-dir DIR`` writes one Foundry-style file per contract, ``DIR/<NAME>.json`` =
``{"abi": [...], "address": "0x..."}``, which cast, viem, ethers, web3 and ape's
``Contract(address, abi=...)`` read as they are; :func:`read_abi_dir` reads it back (the
``ape run crash`` script does, to drive a running `chain up`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from defidrill.chain import Chain, Deployed
from defidrill.errors import ConfigError, OutputError
from defidrill.protocol.market import Market

#: What each account the deployment used may do, by role (the accounts list's order).
ROLES: dict[str, tuple[int, str]] = {
    "deployer": (0, "owner of every token (mint), transmitter of every feed (transmit), updater of the sequencer "
                    "feed (setStatus), owner of the oracle guard and the lending pool (risk parameters)"),
    "liquidity_provider": (1, "holds the AMM pairs' LP tokens"),
    "lender": (2, "supplied the pool's base asset"),
}


@dataclass(frozen=True)
class BookEntry:
    """One contract of an ABI folder: its address and ABI (``DIR/<name>.json``)."""

    name: str
    address: str
    abi: list[dict[str, Any]]


def chain_up_line(chain: Chain, market: Market, contracts: dict[str, Deployed], abi_dir: Path | None) -> dict[str, Any]:
    """The one JSON line `chain up` prints (docs/cli.md lists its keys)."""
    decimals: dict[str, int] = {}
    for sym, token in market.tokens.items():
        decimals[token.address] = market.config.asset(sym).decimals
    for sym, feed in [*market.feeds.items(), *market.fallback_feeds.items()]:
        decimals[feed.address] = market.config.asset(sym).feed_decimals
    entries: dict[str, dict[str, Any]] = {}
    for name, handle in contracts.items():
        entry: dict[str, Any] = {"address": handle.address, "contract": handle.name}
        if handle.address in decimals:
            entry["decimals"] = decimals[handle.address]
        if abi_dir is not None:
            entry["abi"] = str(abi_dir / f"{name}.json")
        entries[name] = entry
    roles = {role: {"address": chain.accounts[index], "may": text}
             for role, (index, text) in ROLES.items() if index < len(chain.accounts)}
    return {"rpc_url": chain.rpc_url, "chain_id": chain.chain_id, "accounts": chain.accounts, "roles": roles,
            "contracts": entries, "abi_dir": str(abi_dir) if abi_dir is not None else None}


def write_abi_dir(abi_dir: Path, contracts: dict[str, Deployed]) -> list[Path]:
    """One ``{abi, address}`` JSON per contract; an unwritable folder is an OutputError naming it."""
    written = []
    try:
        abi_dir.mkdir(parents=True, exist_ok=True)
        for name, handle in contracts.items():
            path = abi_dir / f"{name}.json"
            path.write_text(json.dumps({"abi": handle.abi, "address": handle.address}, indent=1) + "\n")
            written.append(path)
    except OSError as exc:
        raise OutputError("cannot write the ABI folder", file=str(exc.filename or abi_dir), reason=exc.strerror) from None
    return written


def read_abi_dir(abi_dir: Path) -> dict[str, BookEntry]:
    """Name -> entry of every ``*.json`` in ``abi_dir``; a folder that is not one is a ConfigError."""
    if not abi_dir.is_dir():
        raise ConfigError("not a folder of ABIs", file=str(abi_dir),
                          allowed="the --abi-dir of a running `defidrill chain up`")
    book: dict[str, BookEntry] = {}
    for path in sorted(abi_dir.glob("*.json")):
        try:
            data = json.loads(path.read_text())
            book[path.stem] = BookEntry(path.stem, str(data["address"]), list(data["abi"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"not an {{abi, address}} file ({type(exc).__name__}: {exc})", file=str(path),
                              allowed='{"abi": [...], "address": "0x..."}') from None
    if not book:
        raise ConfigError("no <NAME>.json files", file=str(abi_dir), allowed="the --abi-dir of a running `defidrill chain up`")
    return book
