"""Feed takeover adds no per-step cost: gas of what a drill step does to a feed, ours vs taken over.

Per step the feeder sends `transmit` and the protocol reads `latestRoundData` / `latestAnswer`.
The table gives each one's gas on our ChainlinkFeed and on a taken-over third-party feed (after its
first new round, as during a drill), from eth_estimateGas / receipts, plus wall time of 200 transmits.
Run: PYTHONPATH=src python -m bench.bench_feed_takeover
"""

from __future__ import annotations

import time

from defidrill.chain import AnvilConfig, Chain
from defidrill.protocol.feeds import take_over_feed


def _gas_call(chain: Chain, fn) -> int:  # type: ignore[no-untyped-def]
    to, data = chain.encode(fn)
    return int(chain.rpc.request("eth_estimateGas", [{"to": to, "data": data}]), 16)


def bench(n: int = 200) -> list[dict[str, object]]:
    rows = []
    with Chain.launch(AnvilConfig()) as chain:
        ours = chain.deploy("ChainlinkFeed", 8, "ETH / USD", 1, 10**16, chain.deployer)
        chain.transact(ours.functions.transmit(3_000 * 10**8))
        foreign = chain.deploy("ForeignAggregator", 8, "ETH / USD", 1)
        chain.transact(foreign.functions.report(3_000 * 10**8))
        taken = take_over_feed(chain, foreign.address).handle
        chain.transact(taken.functions.transmit(3_000 * 10**8))
        for label, feed in (("ChainlinkFeed (ours)", ours), ("TakeoverFeed (taken over)", taken)):
            f = feed.functions
            t0 = time.perf_counter()
            gas = [chain.transact(f.transmit(2_999 * 10**8 - i)).gas_used for i in range(n)]
            wall = time.perf_counter() - t0
            rows.append({"feed": label, "transmit_gas": max(gas), "latestRoundData_gas": _gas_call(chain, f.latestRoundData()),
                         "latestAnswer_gas": _gas_call(chain, f.latestAnswer()), "transmit_ms": 1000 * wall / n})
    return rows


def print_table(n: int = 200) -> None:
    print(f"{'feed':28} {'transmit gas':>13} {'latestRoundData':>16} {'latestAnswer':>13} {'ms/transmit':>12}")
    for r in bench(n):
        print(f"{r['feed']:28} {r['transmit_gas']:>13,} {r['latestRoundData_gas']:>16,} {r['latestAnswer_gas']:>13,} "
              f"{r['transmit_ms']:>12.2f}")


def main() -> None:
    print_table()


if __name__ == "__main__":
    main()
