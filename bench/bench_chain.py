"""Benchmark the chain runtime against a real anvil: what the drill engine is built on.

Rows: sequential `transact` (one HTTP round trip and one block per tx), one JSON-RPC batch
of N transactions mined in one block (automine off), one batch of N eth_calls, and one
Lens scan of N accounts. DESIGN.md's reference (anvil 1.7.1, one Python process):
~230 tx/s sequential, ~4,000 tx/s batched, ~31,000 eth_call/s batched.
Run: PYTHONPATH=src python -m bench.bench_chain [--n 2000]
"""

from __future__ import annotations

import argparse
import time

from defidrill.chain import AnvilConfig, Chain


def _rate(label: str, n: int, seconds: float) -> dict[str, object]:
    return {"case": label, "n": n, "seconds": seconds, "per_s": n / seconds}


def bench(n: int) -> list[dict[str, object]]:
    rows = []
    with Chain.launch(AnvilConfig(gas_limit=1_000_000_000)) as chain:
        probe = chain.deploy("ChainProbe", 10**18)
        seq = min(n, 300)
        t0 = time.perf_counter()
        for v in range(seq):
            chain.transact(probe.functions.store(v), gas=100_000)
        rows.append(_rate("sequential transact", seq, time.perf_counter() - t0))

        txs = [chain.tx(probe.functions.store(v), sender=chain.accounts[v % 10], gas=100_000) for v in range(n)]
        chain.set_automine(False)
        t0 = time.perf_counter()
        receipts = chain.send_block(txs)
        rows.append(_rate("batched tx, blocks of 250", n, time.perf_counter() - t0))
        chain.set_automine(True)
        assert all(getattr(r, "ok", False) for r in receipts)

        calls = [chain.prepare(probe.functions.value()) for _ in range(n)]
        t0 = time.perf_counter()
        chain.call_many(calls)
        rows.append(_rate("batched eth_call", n, time.perf_counter() - t0))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    print(f"{'case':<26}{'n':>8}{'seconds':>10}{'per second':>14}")
    for row in bench(args.n):
        print(f"{row['case']:<26}{row['n']:>8}{row['seconds']:>10.2f}{row['per_s']:>14,.0f}")


if __name__ == "__main__":
    main()
