"""Fork mode's first gate: the fork URL must answer before anvil starts or anything is deployed.

anvil given a dead ``--fork-url`` retries, then dies with a long log; a drill would only learn of
it after its startup timeout. One eth_chainId + eth_blockNumber with a short timeout gives one
clear message instead: ChainError (exit 4) when the URL does not answer, ConfigError (exit 2)
when ``fork_block`` lies past the URL's head.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests

from defidrill.errors import ChainError, ConfigError


@dataclass(frozen=True)
class ForkSource:
    url: str
    chain_id: int
    head_block: int


def probe_fork_url(url: str, *, fork_block: int | None = None, timeout_s: float = 5.0,
                   where: str = "chain.fork_url", block_where: str = "chain.fork_block") -> ForkSource:
    """Ask ``url`` for its chain id and head block; refuse it by name when it cannot be forked."""
    if not url.startswith(("http://", "https://", "ws://", "wss://")):
        raise ConfigError("a fork URL is an http(s) or ws(s) JSON-RPC endpoint", path=where, value=url)
    payload = [{"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []},
               {"jsonrpc": "2.0", "id": 2, "method": "eth_blockNumber", "params": []}]
    try:
        reply = requests.post(url, json=payload, timeout=timeout_s)
        data = reply.json()
        by_id = {item["id"]: item["result"] for item in data}
        source = ForkSource(url, int(by_id[1], 16), int(by_id[2], 16))
    except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
        raise ChainError(f"fork URL {url} does not answer eth_chainId/eth_blockNumber within {timeout_s:g} s "
                         f"({type(exc).__name__}: {str(exc)[:200]}); nothing was started") from None
    if fork_block is not None and fork_block > source.head_block:
        raise ConfigError(f"fork block {fork_block} is past the head of {url} (block {source.head_block})",
                          path=block_where, value=fork_block)
    return source
