"""Hand-made run folders for the metrics and report tests (no chain).

The numbers are chosen so every expected metric can be worked out by hand in the tests:
13 steps of 10 s (t = 0 .. 120 s), WBTC and WETH as collateral, USDC as the base.

- WBTC reference 60,000 until t = 20, then 58,800 (-2 %). Its feed lags: 60,000 until t = 50
  (rows t = 30, 40, 50 are 1,200 / 58,800 = 2.0408 % off: 30 s above 1 %), 58,800 from t = 60.
- WETH reference 3,000; its feed 3,015 at t = 80 (0.5 %: below the 1 % line).
- USDC feed 1.05 at t = 100: a 5 % deviation that must NOT count (USDC is the base, not collateral).
- AMM WBTC spot: 58,212 at t = 70 (the low; 1 % under the reference); WETH spot 2,940 at t = 90 (2 %).
- Accounts below HF 1 at reference prices from t = 40.
- Liquidations (USDC = 1 USD, 6 decimals):
    A t = 60 keeper:fast  repaid 11,760  seized 0.21 WBTC    (value 12,348 at 58,800)
    B t = 70 keeper:slow  repaid  1,000  seized 0.34 WETH    (value  1,020 at 3,000)
    C t = 120 keeper:fast repaid    588  seized 0.0105 WBTC  (value 617.4)
    D t = 120 keeper:slow repaid    294  seized 0.00525 WBTC (value 308.7)
  One failed liquidation of keeper:slow at t = 60.
- Swaps: keeper:fast sells 0.21 WBTC for 12,000 USDC (t = 60); the arbitrageur buys 0.1 WBTC
  for 5,900 USDC (t = 70); keeper:slow sells 0.34 WETH for 990 USDC (t = 70).
- Addresses: USDC 0x..0100, WBTC 0x..0200 (USDC is token0 of its pair), WETH 0x..0050
  (WETH is token0 of its pair).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from defidrill.run_folder import (
    DRILL_YAML, ContractsBook, RunFolderWriter, StepRecorder, parse_line, write_cex_files, write_text_atomic,
)

USDC = "0x" + "0" * 36 + "0100"
WBTC = "0x" + "0" * 36 + "0200"
WETH = "0x" + "0" * 36 + "0050"
PAIR_WBTC = "0x" + "0" * 36 + "1000"
PAIR_WETH = "0x" + "0" * 36 + "2000"
POOL = "0x" + "0" * 36 + "3000"

DRILL_YAML_TEXT = """\
name: synthetic
description: A 2 % WBTC dip with a lagging feed; two keepers.
seed: 3
market:
  step: 10s
  duration: 2m
  assets:
    WBTC: {start: 60000, path: {kind: step, at: 30s, change: -2%}}
    WETH: {start: 3000}
    USDC: 1
protocol:
  collateral:
    WBTC: {ltv: 70%, liquidation_threshold: 78%, bonus: 5%}
    WETH: {ltv: 75%, liquidation_threshold: 82%, bonus: 5%}
cex: {asset: WBTC}
"""

STEP_COLUMNS = [
    "step", "t_s", "block", "timestamp",
    "ref_WBTC_usd", "ref_WETH_usd", "ref_USDC_usd",
    "feed_WBTC_usd", "feed_WETH_usd", "feed_USDC_usd",
    "feed_WBTC_age_s", "feed_WETH_age_s", "feed_USDC_age_s",
    "guard_WBTC_usd", "guard_WETH_usd", "guard_USDC_usd",
    "guard_WBTC_rule", "guard_WETH_rule", "guard_USDC_rule",
    "guard_WBTC_fallback", "guard_WETH_fallback", "guard_USDC_fallback",
    "amm_WBTC_usd", "amm_WETH_usd", "amm_WBTC_base_reserve_usd", "amm_WETH_base_reserve_usd",
    "accounts_below_1", "accounts_below_1_ref", "min_health_factor",
    "liquidations", "liquidated_debt_usd", "seized_collateral_usd", "failed_liquidations",
    "total_debt_usd", "bad_debt_usd", "keeper_profit_usd", "keeper_gas_eth", "lp_withdrawn_pct",
    "arb_volume_usd",
]

# step -> (liquidations, repaid USD, seized USD at reference, failed)
LIQ_BY_STEP = {6: (1, 11_760.0, 12_348.0, 1), 7: (1, 1_000.0, 1_020.0, 0), 12: (2, 882.0, 925.65, 0)}


def step_rows() -> list[dict[str, Any]]:
    rows = []
    bad = 0.0
    for k in range(13):
        t = 10 * k
        ref_btc = 60_000.0 if t < 30 else 58_800.0
        feed_btc = 60_000.0 if t < 60 else 58_800.0
        liq, repaid, seized, failed = LIQ_BY_STEP.get(k, (0, 0.0, 0.0, 0))
        if k == 12:
            bad = 150.0
        rows.append({
            "step": k, "t_s": float(t), "block": 100 + k, "timestamp": 1_700_000_000 + t,
            "ref_WBTC_usd": ref_btc, "ref_WETH_usd": 3000.0, "ref_USDC_usd": 1.0,
            "feed_WBTC_usd": feed_btc, "feed_WETH_usd": 3015.0 if t == 80 else 3000.0,
            "feed_USDC_usd": 1.05 if t == 100 else 1.0,
            "feed_WBTC_age_s": 0, "feed_WETH_age_s": 0, "feed_USDC_age_s": 0,
            "guard_WBTC_usd": 0.0 if t == 50 else feed_btc, "guard_WETH_usd": 3000.0, "guard_USDC_usd": 1.0,
            "guard_WBTC_rule": "STALE" if t == 50 else "OK", "guard_WETH_rule": "OK", "guard_USDC_rule": "OK",
            "guard_WBTC_fallback": 0, "guard_WETH_fallback": 0, "guard_USDC_fallback": 0,
            "amm_WBTC_usd": 58_212.0 if t == 70 else ref_btc, "amm_WETH_usd": 2940.0 if t == 90 else 3000.0,
            "amm_WBTC_base_reserve_usd": 10e6, "amm_WETH_base_reserve_usd": 10e6,
            "accounts_below_1": 2 if t >= 60 else 0, "accounts_below_1_ref": 2 if t >= 40 else 0,
            "min_health_factor": 0.97 if t >= 40 else 1.05,
            "liquidations": liq, "liquidated_debt_usd": repaid, "seized_collateral_usd": seized,
            "failed_liquidations": failed, "total_debt_usd": 1e6, "bad_debt_usd": bad,
            "keeper_profit_usd": 500.0 if t >= 60 else 0.0, "keeper_gas_eth": 0.01 if t >= 60 else 0.0,
            "lp_withdrawn_pct": 0.0, "arb_volume_usd": 0.0,
        })
    return rows


def _ev(step: int, agent: str, event: str, address: str, args: dict[str, Any]) -> dict[str, Any]:
    return {"step": step, "t_s": 10.0 * step, "block": 100 + step, "tx": f"0x{step:064x}", "agent": agent,
            "event": event, "contract": "X", "address": address, "args": args}


def _liq(step: int, agent: str, asset: str, repaid_raw: int, seized_raw: int) -> dict[str, Any]:
    return _ev(step, agent, "Liquidation", POOL, {
        "liquidator": "0x" + "a" * 40, "account": "0x" + "b" * 40, "collateralAsset": asset,
        "repaidBase": repaid_raw, "seizedCollateral": seized_raw, "healthFactorBeforeWad": 97 * 10**16})


def _swap(step: int, agent: str, pair: str, a0in: int, a1in: int, a0out: int, a1out: int) -> dict[str, Any]:
    return _ev(step, agent, "Swap", pair, {"sender": "0x" + "c" * 40, "amount0In": a0in, "amount1In": a1in,
                                          "amount0Out": a0out, "amount1Out": a1out, "to": "0x" + "d" * 40})


def event_rows(*, with_collateral_configured: bool = False) -> list[dict[str, Any]]:
    rows = []
    if with_collateral_configured:
        for asset, dec in ((WBTC, 8), (WETH, 18)):
            rows.append(_ev(0, "setup", "CollateralConfigured", POOL, {
                "asset": asset, "decimals": dec, "ltvBps": 7000, "liquidationThresholdBps": 7800,
                "liquidationBonusBps": 500, "supplyCapRaw": 0}))
    rows += [
        _ev(3, "feeder", "AnswerUpdated", "0x" + "e" * 40, {"current": 6_000_000_000_000, "roundId": 2, "updatedAt": 1}),
        _liq(6, "keeper:fast", WBTC, 11_760 * 10**6, 21_000_000),                      # 0.21 WBTC
        _ev(6, "keeper:slow", "TxFailed", POOL, {"label": "liquidate", "revert": "NotLiquidatable",
                                               "revert_args": {}, "gas_used": 50_000, "fee_wei": 10**14}),
        # USDC token0, WBTC token1: keeper sells 0.21 WBTC in, 12,000 USDC out
        _swap(6, "keeper:fast", PAIR_WBTC, 0, 21_000_000, 12_000 * 10**6, 0),
        _liq(7, "keeper:slow", WETH, 1_000 * 10**6, 34 * 10**16),                       # 0.34 WETH
        # arbitrageur buys 0.1 WBTC out for 5,900 USDC in
        _swap(7, "arbitrageur", PAIR_WBTC, 5_900 * 10**6, 0, 0, 10_000_000),
        # WETH token0, USDC token1: keeper sells 0.34 WETH for 990 USDC
        _swap(7, "keeper:slow", PAIR_WETH, 34 * 10**16, 0, 0, 990 * 10**6),
        _liq(12, "keeper:fast", WBTC, 588 * 10**6, 1_050_000),                          # 0.0105 WBTC
        _liq(12, "keeper:slow", WBTC, 294 * 10**6, 525_000),                            # 0.00525 WBTC
        _ev(12, "keeper:fast", "BadDebtWrittenOff", POOL, {"account": "0x" + "b" * 40, "amountBase": 150 * 10**6}),
    ]
    return rows


def write_onchain_run(root: Path, *, contracts: bool = True, decimals: bool = True,
                      with_collateral_configured: bool = False) -> Path:
    """steps.csv, events.jsonl, drill.yaml and (optionally) contracts.json, through the run folder's writers."""
    root.mkdir(parents=True, exist_ok=True)
    events = event_rows(with_collateral_configured=with_collateral_configured)
    with StepRecorder(root, STEP_COLUMNS) as recorder:
        for row in step_rows():
            recorder.record(row, [parse_line(e) for e in events if e["step"] == row["step"]])
    assert recorder.events_written == len(events), "every hand-made event belongs to a step"
    write_text_atomic(root / DRILL_YAML, DRILL_YAML_TEXT)
    if contracts:
        RunFolderWriter(root).write_contracts(ContractsBook(
            contracts={"USDC": USDC, "WBTC": WBTC, "WETH": WETH, "PAIR_WBTC_USDC": PAIR_WBTC,
                       "PAIR_WETH_USDC": PAIR_WETH, "LENDING_POOL": POOL},
            decimals={"USDC": 6, "WBTC": 8, "WETH": 18} if decimals else {"USDC": 6}))
    return root


# ---- a hand-made CEX replay ------------------------------------------------------------
# 7 steps (t = 0 .. 60). A long is taken over at t = 30 (notional 100k at the mark) and filled
# at 58,000 against an index of 58,500 (fund -200); a short at t = 60 (50k), filled at 59,100
# against 59,000 (fund +100). Lowest last price 58,000 at t = 30.

CEX_STEP_COLUMNS = ["step", "t_s", "index_price_usd", "mark_price_usd", "last_price_usd", "mid_price_usd",
                    "vwap_price_usd", "volatility", "book_depth_withdrawn_pct", "liquidation_count",
                    "liquidated_notional_usd", "liquidation_fill_notional_usd", "insurance_fund_usd",
                    "adl_count", "adl_notional_usd", "net_flow_btc"]


def cex_step_rows() -> list[dict[str, Any]]:
    index = [60_000.0, 59_500.0, 59_000.0, 58_500.0, 58_700.0, 58_900.0, 59_000.0]
    rows = []
    fund = 1_000_000.0
    for k, ix in enumerate(index):
        liq = {3: (1, 100_000.0), 6: (1, 50_000.0)}.get(k, (0, 0.0))
        fund += {3: -200.0, 6: 100.0}.get(k, 0.0)
        last = 58_000.0 if k == 3 else ix
        rows.append({"step": k, "t_s": 10.0 * k, "index_price_usd": ix, "mark_price_usd": ix, "last_price_usd": last,
                     "mid_price_usd": last, "vwap_price_usd": "", "volatility": 0.0,
                     "book_depth_withdrawn_pct": 40.0 if k >= 4 else 0.0, "liquidation_count": liq[0],
                     "liquidated_notional_usd": liq[1], "liquidation_fill_notional_usd": liq[1],
                     "insurance_fund_usd": fund, "adl_count": 0, "adl_notional_usd": 0.0,
                     "net_flow_btc": {3: 100_000 / 58_000, 6: -50_000 / 59_100}.get(k, 0.0)})
    return rows


def cex_event_rows() -> list[dict[str, Any]]:
    return [
        {"step": 3, "t_s": 30.0, "kind": "liquidation_book", "position_id": 7, "side": 1, "leverage": 50.0,
         "qty_btc": 100_000 / 58_000, "notional_usd": 100_000.0, "exec_price_usd": 58_000.0,
         "bankruptcy_price_usd": 58_100.0, "index_price_usd": 58_500.0, "fund_delta_usd": -200.0},
        {"step": 6, "t_s": 60.0, "kind": "liquidation_book", "position_id": 9, "side": -1, "leverage": 20.0,
         "qty_btc": 50_000 / 59_100, "notional_usd": 50_000.0, "exec_price_usd": 59_100.0,
         "bankruptcy_price_usd": 59_200.0, "index_price_usd": 59_000.0, "fund_delta_usd": 100.0},
    ]


def write_cex_run(root: Path) -> Path:
    events = cex_event_rows()
    steps = [{c: r[c] for c in CEX_STEP_COLUMNS} for r in cex_step_rows()]
    write_cex_files(root, steps, {c: [e[c] for e in events] for c in events[0]})
    return root
