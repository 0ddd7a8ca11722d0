"""The ``gas`` object of summary.json's ``onchain``: what congestion did to the keepers.

From steps.csv (``base_fee_gwei``, the cumulative ``keeper_gas_eth`` / ``keeper_gas_usd`` /
``keeper_profit_usd``) and events.jsonl (``TxDropped`` lines and ``Liquidation`` events).
One definition per field (docs/metrics.md repeats them):

- ``max_base_fee_gwei``: the highest base fee of an agents' block (block B of a step).
- ``keeper_gas_eth`` / ``keeper_gas_usd``: gas every keeper transaction paid (mined ones,
  reverted included), ETH valued at the step's WETH reference.
- ``keeper_profit_net_usd``: the ledger's keeper profit (seized at reference - repaid - gas);
  ``keeper_profit_gross_usd`` = net + gas.
- ``dropped_liquidation_txs``: keepers' liquidation transactions that never landed, by reason:
  ``fee_cap_below_base_fee`` (the node refused them: the keeper's ``max_gas_price`` was under the
  base fee) and ``block_full`` (accepted, but the other senders and better tips filled the block).
- An account is ``delayed by gas`` when a liquidation of it was dropped at step k and its first
  Liquidation after that came at a LATER step (``gas_delay_s`` = the time between, mean and max);
  it is ``missed by gas`` when a liquidation of it was dropped and no Liquidation came at or after
  that step until the end. An account another keeper liquidated in the very step of the drop was
  neither (the chain lost nothing). A dropped call's account is read from its decoded calldata
  (``TxDroppedLine.call``), never from the label.
"""

from __future__ import annotations

from collections import Counter

from defidrill.metrics.decode import KEEPER_PREFIX
from defidrill.run_folder.models import GasMetrics
from defidrill.run_folder.reader import RunFolder
from defidrill.metrics.series import clean


def gas_metrics(run: RunFolder) -> GasMetrics | None:
    """None for a run folder written before the gas columns existed."""
    steps = run.steps
    if not steps.has("base_fee_gwei") or len(steps) == 0:
        return None
    last = {c: clean(float(steps.floats(c)[-1])) for c in ("keeper_gas_eth", "keeper_gas_usd", "keeper_profit_usd")}
    reasons: Counter[str] = Counter()
    first_drop: dict[str, tuple[int, float]] = {}  # account -> (step, t_s) of its first dropped liquidation
    for drop in run.dropped_txs():
        account = drop.call.liquidated_account if drop.call is not None else None
        if not drop.agent.startswith(KEEPER_PREFIX) or account is None:
            continue
        reasons[drop.reason] += 1
        if account not in first_drop:
            first_drop[account] = (drop.step, drop.t_s)
    liquidated: dict[str, list[tuple[int, float]]] = {}
    for line in run.liquidations():
        liquidated.setdefault(line.liquidation.account.lower(), []).append((line.step, line.t_s))
    delays: list[float] = []
    missed = 0
    for account, (step, t_s) in first_drop.items():
        after = [(s, t) for s, t in liquidated.get(account, []) if s >= step]
        if not after:
            missed += 1
        elif min(after)[0] > step:
            delays.append(min(after)[1] - t_s)
    gas_usd, net = last["keeper_gas_usd"] or 0.0, last["keeper_profit_usd"] or 0.0
    return GasMetrics(
        max_base_fee_gwei=clean(float(steps.floats("base_fee_gwei").max())),
        keeper_gas_eth=last["keeper_gas_eth"] or 0.0,
        keeper_gas_usd=gas_usd,
        keeper_profit_net_usd=net,
        keeper_profit_gross_usd=net + gas_usd,
        dropped_liquidation_txs=dict(sorted(reasons.items())),
        accounts_delayed_by_gas=len(delays),
        gas_delay_s_mean=(sum(delays) / len(delays) if delays else None),
        gas_delay_s_max=(max(delays) if delays else None),
        accounts_missed_by_gas=missed,
    )
