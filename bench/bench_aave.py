"""Benchmark genuine Aave V3 on anvil: deploy time and one step's read of N accounts per strategy.

Strategies (``defidrill.protocol.aave_v3.reads``): ``lens`` = our AaveLens looping
getUserAccountData and balances for up to 250 accounts per eth_call; ``rpc`` = plain
JSON-RPC batching (per account getUserAccountData, debt and aToken balances). Each read
is timed as the engine does it (prepared once, then send + decode every step), median of
``--repeat`` runs and the best (the
machine's load shows in the median, not in the best). Run: PYTHONPATH=src python -m bench.bench_aave [--accounts 200]
"""

from __future__ import annotations

import argparse
import statistics
import time

from defidrill.chain import AnvilConfig, Chain
from defidrill.chain.abi_registry import checksum
from defidrill.protocol.aave_v3.adapter import AaveV3Adapter
from defidrill.protocol.adapter import SeedPosition
from defidrill.protocol_terms.parameters import ProtocolSpec
from defidrill.protocol.market import deploy_market


def bench(n_accounts: int, repeat: int) -> list[tuple[str, float]]:
    rows: list[tuple[str, float]] = []
    with Chain.launch(AnvilConfig(gas_limit=1_000_000_000)) as chain:
        config = ProtocolSpec()
        market = deploy_market(chain, config)
        t0 = time.perf_counter()
        adapter = AaveV3Adapter.deploy(chain, market, config)
        rows.append(("deploy Aave V3 (s)", time.perf_counter() - t0))
        accounts = [checksum(f"0x{0xA0000 + i:040x}") for i in range(n_accounts)]
        chain.rpc.batch([("anvil_setBalance", [a, hex(10**20)]) for a in accounts])
        raw = 10**17  # 0.1 WETH ($300), $200 debt: HF 1.23
        chain.transact(market.tokens["WETH"].functions.mint(chain.deployer, raw * n_accounts))
        chain.set_automine(False)
        t0 = time.perf_counter()
        adapter.open_positions(chain, chain.deployer,
                               [SeedPosition(a, "WETH", raw, 200 * 10**6, f"b{i}") for i, a in enumerate(accounts)])
        rows.append((f"seed {n_accounts} positions (s)", time.perf_counter() - t0))
        chain.set_automine(True)
        for strategy in ("lens", "rpc"):
            reader = AaveV3Adapter(chain, market, adapter.aave, read_strategy=strategy)  # type: ignore[arg-type]
            calls = reader.prepare_reads(chain, accounts)
            times = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                reads = reader.decode_reads(chain.call_many(calls))
                times.append(time.perf_counter() - t0)
            assert len(reads.accounts) == n_accounts
            label = f"read {n_accounts} accounts, {strategy} ({len(calls)} eth_call) ms"
            rows.append((f"{label}, median", 1000 * statistics.median(times)))
            rows.append((f"{label}, best", 1000 * min(times)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print_table(args.accounts, args.repeat)


def print_table(accounts: int = 200, repeat: int = 7) -> None:
    for label, value in bench(accounts, repeat):
        print(f"{label:<60}{value:>10.3f}")


if __name__ == "__main__":
    main()
