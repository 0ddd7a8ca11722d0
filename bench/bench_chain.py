"""The engine's chain paths against the raw chain, measured in the same run on the same anvil.

- batched transactions: ``Chain.send_block`` (calldata from the contract's cached encoder,
  ``Deployed.encoder``, as seeding builds it; ordered by tip tie-breaks, mined in blocks of 250,
  receipts fetched and decoded; through web3's ContractFunction objects in the detail) versus
  the raw chain doing the same work (sends in blocks of 250, mined, every receipt fetched:
  target >= 0.9), and versus one raw batch of N ``eth_sendTransaction`` + ``evm_mine`` without
  receipts (the chain's ceiling, bench/raw.py).
- per-step health read: the lending adapter's batched read of every seeded account (the
  Lens carries many accounts per eth_call), accounts per second, versus raw eth_calls per
  second. Target >= 2.
- seeding: the flagship's lending adapter opening N positions (``open_positions``: every collateral
  deposit, then every borrow, in blocks of 250, checked through ``send_setup_block``), wall seconds.
  Target < 4 s at 10,000 (issue 22).
Run: PYTHONPATH=src python -m bench.bench_chain [--n 2000] [--accounts 2000] [--positions 10000]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from bench.raw import RawRpc, raw_call_per_s, raw_tx_per_s, raw_tx_with_receipts_per_s
from bench.rows import Row, best_of
from defidrill.chain import AnvilConfig, Chain
from defidrill.drill import Override, build_paths, load_drill, resolve_drill
from defidrill.engine.chain_setup import DRILL_STATE_HISTORY_BLOCKS
from defidrill.engine.world import build_world
from defidrill.protocol.reference.adapter import ReferenceAdapter
from defidrill.toolchain import compile_project

REPEATS = 3


def tx_rows(n: int) -> list[Row]:
    with Chain.launch(AnvilConfig(gas_limit=1_000_000_000)) as chain:
        probe = chain.deploy("ChainProbe", 10**18)
        raw = RawRpc(chain.rpc.url)
        senders = list(chain.accounts[:10])
        data = [chain.encode(probe.functions.store(v))[1] for v in range(n)]
        raw_rate = best_of(REPEATS, lambda: raw_tx_per_s(raw, senders, probe.address, data))
        raw_receipts_rate = best_of(REPEATS, lambda: raw_tx_with_receipts_per_s(raw, senders, probe.address, data))

        store = probe.encoder("store")

        def engine(web3_functions: bool = False) -> float:
            chain.set_automine(False)
            try:
                t0 = time.perf_counter()
                txs = [chain.tx(probe.functions.store(v) if web3_functions else store.prepare(v), sender=senders[v % 10],
                                gas=100_000) for v in range(n)]
                receipts = chain.send_block(txs)
                seconds = time.perf_counter() - t0
            finally:
                chain.set_automine(True)
            assert all(getattr(r, "ok", False) for r in receipts)
            return n / seconds

        engine_rate = best_of(REPEATS, engine)
        web3_rate = best_of(REPEATS, lambda: engine(web3_functions=True))
    detail = {"engine_tx_per_s": engine_rate, "engine_web3_functions_tx_per_s": web3_rate, "raw_tx_per_s": raw_rate,
              "raw_with_receipts_tx_per_s": raw_receipts_rate}
    return [Row(f"engine batched tx / raw tx + receipts (N={n})", engine_rate / raw_receipts_rate, "ratio", 0.9, True,
                detail),
            Row(f"engine batched tx / raw tx, no receipts: ceiling (N={n})", engine_rate / raw_rate, "ratio",
                0.9, True, detail)]


def health_rows(accounts: int, n_calls: int) -> list[Row]:
    drill = load_drill(resolve_drill("flash-crash"), [Override.of("borrowers.count", accounts, label="bench"),
                                                      Override.of("cex.enabled", False, label="bench")])
    path = build_paths(drill)
    config = AnvilConfig(gas_limit=int(drill.chain.gas_limit), timestamp=1_704_067_200)
    with Chain.launch(config, compile_project()) as chain:
        chain.set_block_interval(1)
        world = build_world(chain, drill, path)
        probe = chain.deploy("ChainProbe", 10**18)
        raw = RawRpc(chain.rpc.url)
        value_data = chain.encode(probe.functions.value())[1]
        raw_rate = best_of(REPEATS, lambda: raw_call_per_s(raw, probe.address, value_data, n_calls))
        calls = world.lending.prepare_reads(chain, world.accounts)   # encoded once per drill, as the loop does

        def engine() -> float:
            t0 = time.perf_counter()
            reads = world.lending.decode_reads(chain.call_many(calls))
            seconds = time.perf_counter() - t0
            assert len(reads.accounts) == len(world.accounts)
            return len(world.accounts) / seconds

        engine_rate = best_of(REPEATS, engine)
    return [Row(f"health read accounts/s / raw eth_call/s ({accounts} accounts)", engine_rate / raw_rate, "x", 2.0,
                True, {"engine_accounts_per_s": engine_rate, "raw_eth_call_per_s": raw_rate,
                       "engine_calls": len(calls)})]


#: Opening 10,000 positions through the protocol's real entry points, wall seconds (issue 22).
SEEDING_TARGET_S = 4.0


def seeding_rows(positions: int) -> list[Row]:
    """The flagship world built with ``positions`` borrowers; the row is ``open_positions`` alone (the adapter's
    deposits and borrows), timed around the adapter's own method."""
    drill = load_drill(resolve_drill("flash-crash"), [Override.of("borrowers.count", positions, label="bench"),
                                                      Override.of("cex.enabled", False, label="bench"),
                                                      Override.of("chain.gas_limit", "1000M", label="bench")])
    path = build_paths(drill)
    seconds: list[float] = []
    opened = ReferenceAdapter.open_positions

    def timed_open(self: ReferenceAdapter, *args: Any) -> None:
        t0 = time.perf_counter()
        opened(self, *args)
        seconds.append(time.perf_counter() - t0)

    config = AnvilConfig(gas_limit=int(drill.chain.gas_limit), timestamp=1_704_067_200,
                         state_history_blocks=DRILL_STATE_HISTORY_BLOCKS)
    with Chain.launch(config, compile_project()) as chain:
        chain.set_block_interval(1)
        ReferenceAdapter.open_positions = timed_open  # type: ignore[method-assign]
        try:
            t0 = time.perf_counter()
            build_world(chain, drill, path)
            world_s = time.perf_counter() - t0
        finally:
            ReferenceAdapter.open_positions = opened  # type: ignore[method-assign]
    [open_s] = seconds
    return [Row(f"opening {positions:,} positions (open_positions, blocks of 250)", open_s, "s", SEEDING_TARGET_S, False,
                {"positions": positions, "open_positions_s": open_s, "build_world_s": world_s})]


def rows(n: int = 2000, accounts: int = 2000, positions: int = 10_000) -> list[Row]:
    return tx_rows(n) + health_rows(accounts, n) + seeding_rows(positions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--positions", type=int, default=10_000)
    args = parser.parse_args()
    for row in rows(args.n, args.accounts, args.positions):
        print(row.line(), row.detail)


if __name__ == "__main__":
    main()
