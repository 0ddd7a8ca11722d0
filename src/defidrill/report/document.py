"""The report as a list of neutral blocks (headings, paragraphs, tables, charts), built once
from summary.json and the run folder and rendered twice (Markdown and HTML).

Reading order: the first screen (first_screen.py: verdict, normalised side by side, expectations,
invariants), the charts, then the drill's prose, how to read the figures and every raw figure with
its definition."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any, get_args

from defidrill.drill.schema.protocol import ProtocolKind
from defidrill.run_folder import DRILL_YAML, RunFolder
from defidrill.report.blocks import Block, Bullets, Chart, Heading, Para, TableBlock
from defidrill.report.charts import all_charts
from defidrill.report.first_screen import first_screen, normalised_definitions
from defidrill.report.format import MISSING, fmt
from defidrill.report.model_check import model_check_blocks
from defidrill.report.timeline import drill_timeline

__all__ = ["Block", "Bullets", "Chart", "Heading", "Para", "TableBlock", "build_document"]

HOW_TO_READ = [
    "Both venues saw the same exogenous price path (the drill's reference). Everything else is what "
    "each venue's own mechanics did with it.",
    "Comparison table: one row per metric, one definition for both venues. A dash means it never "
    "happened (no liquidation, no breach) or this run folder cannot support it (see the notes).",
    "First-liquidation delay: on chain oracles (deviation threshold, heartbeat, injected failures) and "
    "keepers (latency, minimum profit, gas races) stand between an underwater account and its "
    "liquidation; the CEX engine acts in the step the mark crosses the liquidation price.",
    "Execution slippage: on chain it is mostly the liquidation bonus (b / (1 + b), e.g. 4.76 % for 5 %), "
    "paid to the keeper whatever the market does; at the CEX it is book impact, which grows with "
    "liquidation size and thins with market-maker withdrawal.",
    "Amplification 0 means the venue's own trading never took its price below the reference low; 0.5 "
    "means liquidation selling added half the exogenous drop again.",
    "Passive net flow > 0: the venue's passive side (AMM LPs on chain, book makers at the CEX) bought "
    "the risky asset that liquidations sold: 'AMMs bought the dip'.",
    "Every number here is read from summary.json and the CSVs in this folder; rerunning the drill "
    "file with the same seed reproduces them.",
]

ONCHAIN_ROWS: list[tuple[str, str, str]] = [
    ("liquidation_count", "liquidations", "count"),
    ("liquidated_debt_usd", "debt repaid by liquidators", "USD"),
    ("seized_collateral_usd", "collateral seized (at reference)", "USD"),
    ("bad_debt_usd", "bad debt written off", "USD"),
    ("uncovered_debt_usd", "debt no longer covered at reference (not written off)", "USD"),
    ("first_breach_s", "first account below HF 1 at reference", "s"),
    ("first_liquidation_s", "first liquidation", "s"),
    ("first_liquidation_delay_s", "first-liquidation delay", "s"),
    ("max_oracle_deviation_pct", "max oracle deviation from reference", "%"),
    ("oracle_time_above_1pct_s", "time with an oracle > 1 % off", "s"),
    ("max_amm_deviation_pct", "max AMM deviation from reference", "%"),
    ("min_health_factor", "lowest health factor", ""),
    ("liquidation_slippage_pct", "liquidation execution vs reference", "%"),
    ("keeper_amm_sell_slippage_pct", "keepers' AMM sells vs reference", "%"),
    ("liquidated_notional_per_minute_peak_usd", "peak liquidated notional per minute", "USD/min"),
    ("keeper_profit_usd", "keeper profit", "USD"),
    ("keeper_gas_eth", "keeper gas", "ETH"),
    ("failed_liquidation_txs", "failed liquidation transactions", "count"),
]

CEX_ROWS: list[tuple[str, str, str]] = [
    ("positions_count", "positions", "count"),
    ("liquidation_count", "positions liquidated", "count"),
    ("liquidated_notional_usd", "liquidated notional (at mark)", "USD"),
    ("first_threshold_breach_s", "first position at its liquidation price", "s"),
    ("first_liquidation_delay_s", "first-liquidation delay", "s"),
    ("insurance_fund_start_usd", "insurance fund at start", "USD"),
    ("insurance_fund_draw_usd", "insurance fund drawn (gross)", "USD"),
    ("insurance_fund_credit_usd", "insurance fund credited (clearance fees)", "USD"),
    ("insurance_fund_end_usd", "insurance fund at end", "USD"),
    ("unresolved_deficit_usd", "deficit neither fund nor ADL absorbed", "USD"),
    ("adl_count", "positions auto-deleveraged", "count"),
    ("adl_notional_usd", "ADL notional", "USD"),
    ("max_book_depth_withdrawn_pct", "max book depth withdrawn", "%"),
    ("exogenous_drop_pct", "exogenous drop (reference)", "%"),
    ("endogenous_drop_pct", "endogenous drop (own trading)", "%"),
    ("amplification", "amplification", "ratio"),
    ("slippage_vs_index_pct", "liquidation fills vs index", "%"),
    ("net_flow_usd", "makers' net buying from the engine", "USD"),
]


def _kv_table(obj: dict[str, Any], rows: list[tuple[str, str, str]]) -> TableBlock:
    return TableBlock(["metric", "value", "key"],
                      [[label, fmt(obj.get(key), unit), f"`{key}`"] for key, label, unit in rows if key in obj])


def _header(summary: dict[str, Any], run: RunFolder) -> list[Block]:
    title = f"defidrill report: {summary.get('drill') or run.drill.name}"
    status = summary.get("status") or "unknown"
    bits = [f"status **{status}**"]
    if summary.get("error"):
        bits.append(f"error: {summary['error']}")
    if summary.get("seed") is not None:
        bits.append(f"seed {summary['seed']}")
    if summary.get("steps_completed") is not None:
        bits.append(f"{summary['steps_completed']} of {summary.get('steps_total', '?')} steps")
    if summary.get("duration_s") is not None:
        bits.append(f"drill time {fmt(summary['duration_s'], 's')}")
    if summary.get("wall_time_s") is not None:
        bits.append(f"wall time {fmt(summary['wall_time_s'], 's')}")
    return [Heading(title, 1), Para(" · ".join(bits)), *_book(summary, run)]


def _book(summary: dict[str, Any], run: RunFolder) -> list[Block]:
    """The population by source (borrowers.csv's ``source``) when it is not all drawn by the drill, and how
    the forked book was found (summary.json protocol.fork.book)."""
    sources = run.borrowers.text("source") if run.borrowers is not None and run.borrowers.has("source") else []
    counts = {s: sum(1 for v in sources if v == s) for s in dict.fromkeys(sources)}
    if set(counts) <= {"seeded"}:
        return []
    text = f"Book: {len(sources):,} accounts, " + ", ".join(f"{n:,} {s}" for s, n in counts.items()) + "."
    book = ((summary.get("protocol") or {}).get("fork") or {}).get("book")
    if book:
        dropped = ", ".join(f"{n:,} {why}" for why, n in book["dropped"].items() if n)
        blocks = (f" from block {book['from_block']:,} to {book['to_block']:,} in {book['log_requests']:,} log "
                  f"requests" if book.get("from_block") is not None else "")
        text += (f" The forked book: {book['kept']:,} of {book['found']:,} found kept ({book['method']}{blocks}; "
                 f"{fmt(book['wall_time_s'], 's')})" + (f", dropped: {dropped}" if dropped else "") + ".")
        if book.get("unreadable"):
            text += f" Unreadable (not drilled): {', '.join(u['account'] for u in book['unreadable'])}."
    return [Para(text)]


COMPARISON_LABELS = {
    "liquidation_count": "liquidations",
    "liquidated_notional_usd": "liquidated notional",
    "liquidated_notional_per_minute_peak_usd": "liquidated notional per minute, peak",
    "liquidated_notional_per_minute_mean_usd": "liquidated notional per minute, mean",
    "first_breach_s": "first threshold breach",
    "first_liquidation_delay_s": "first-liquidation delay after the breach",
    "execution_slippage_pct": "execution price vs reference (slippage)",
    "losses_socialised_usd": "losses socialised",
    "amplification": "amplification of the exogenous drop",
    "passive_net_flow_usd": "passive side's net buying",
    "liquidated_share_1_5x_pct": "share of 1-5x positions liquidated",
}


def _comparison(summary: dict[str, Any]) -> list[Block]:
    comp = summary.get("comparison") or {}
    rows = [[COMPARISON_LABELS.get(name, name.replace("_", " ")), fmt(e.get("onchain"), e.get("unit", "")),
             fmt(e.get("cex"), e.get("unit", "")), e.get("unit", ""), e.get("definition", "")] for name, e in comp.items()]
    if not rows:
        return [Heading("On chain versus CEX"), Para("summary.json has no comparison object.")]
    return [Heading("On chain versus CEX"), TableBlock(["metric", "on chain", "CEX", "unit", "definition"], rows)]


def _onchain(on: dict[str, Any]) -> list[Block]:
    out: list[Block] = [Heading("On chain"), _kv_table(on, ONCHAIN_ROWS)]
    feeds = on.get("oracle_deviation_by_feed") or {}
    if feeds:
        out += [Heading("Oracle deviation by feed", 3), TableBlock(
            ["feed", "max deviation", "time above 1 %", "AMM max deviation"],
            [[a, fmt(f.get("max_pct"), "%"), fmt(f.get("time_above_1pct_s"), "s"),
              fmt((on.get("amm_deviation_by_pair") or {}).get(a), "%")] for a, f in feeds.items()])]
    keepers = on.get("liquidations_by_keeper") or {}
    if keepers:
        out += [Heading("Liquidations by keeper", 3), TableBlock(
            ["agent", "liquidations", "repaid", "failed transactions"],
            [[a, fmt(k.get("count"), "count"), fmt(k.get("repaid_usd"), "USD"), fmt(k.get("failed_txs"), "count")]
             for a, k in keepers.items()])]
    slip = on.get("liquidation_slippage_by_asset")
    if slip:
        out += [Heading("Liquidation execution price by collateral", 3), TableBlock(
            ["asset", "liquidations", "seized units", "repaid", "effective price", "slippage vs reference"],
            [[a, fmt(s.get("count"), "count"), fmt(s.get("seized_units"), "units"), fmt(s.get("repaid_usd"), "USD"),
              fmt(s.get("effective_price_usd"), "USD"), fmt(s.get("slippage_pct"), "%")] for a, s in slip.items()])]
    amps = on.get("amplification_by_pair") or {}
    if amps:
        out += [Heading("AMM amplification by pair", 3), TableBlock(
            ["pair", "start reference", "min reference", "min AMM", "exogenous drop", "endogenous drop",
             "amplification"],
            [[a, fmt(p.get("start_reference_usd"), "USD"), fmt(p.get("min_reference_usd"), "USD"),
              fmt(p.get("min_amm_usd"), "USD"), fmt(p.get("exogenous_drop_pct"), "%"),
              fmt(p.get("endogenous_drop_pct"), "%"), fmt(p.get("amplification"), "ratio")] for a, p in amps.items()])]
    flow = on.get("amm_net_flow")
    if flow:
        out += [Heading("What the AMM's LPs bought (collateral in minus out)", 3), TableBlock(
            ["pair", "from keepers (liquidations)", "from the arbitrageur", "from others", "total"],
            [[a, f"{fmt(p['liquidation_units'], 'units')} ({fmt(p['liquidation_usd'], 'USD')})",
              f"{fmt(p['arbitrage_units'], 'units')} ({fmt(p['arbitrage_usd'], 'USD')})",
              f"{fmt(p['other_units'], 'units')} ({fmt(p['other_usd'], 'USD')})",
              f"{fmt(p['total_units'], 'units')} ({fmt(p['total_usd'], 'USD')})"] for a, p in flow.items()])]
    gas = on.get("gas")
    if gas:
        dropped = gas.get("dropped_liquidation_txs") or {}
        out += [Heading("Gas and congestion", 3), TableBlock(["metric", "value"], [
            ["highest base fee of an agents' block", fmt(gas.get("max_base_fee_gwei"), "gwei")],
            ["keeper gas paid", f"{fmt(gas.get('keeper_gas_eth'), 'ETH')} ({fmt(gas.get('keeper_gas_usd'), 'USD')})"],
            ["keeper profit before gas / net of gas",
             f"{fmt(gas.get('keeper_profit_gross_usd'), 'USD')} / {fmt(gas.get('keeper_profit_net_usd'), 'USD')}"],
            ["liquidation transactions refused (fee cap under the base fee)",
             fmt(dropped.get("fee_cap_below_base_fee", 0), "count")],
            ["liquidation transactions dropped (block full)", fmt(dropped.get("block_full", 0), "count")],
            ["accounts whose liquidation gas delayed (mean / max delay)",
             f"{fmt(gas.get('accounts_delayed_by_gas'), 'count')} "
             f"({fmt(gas.get('gas_delay_s_mean'), 's')} / {fmt(gas.get('gas_delay_s_max'), 's')})"],
            ["accounts gas kept from liquidation to the end", fmt(gas.get("accounts_missed_by_gas"), "count")],
        ])]
    if on.get("notes"):
        out += [Heading("Notes", 3), Bullets(list(on["notes"]))]
    return out


def _cex(cex: dict[str, Any] | None) -> list[Block]:
    if not cex:
        return [Heading("CEX venue"), Para("The CEX replay is not part of this run (cex disabled or not reached).")]
    out: list[Block] = [Heading("CEX venue"), _kv_table(cex, CEX_ROWS)]
    lev = cex.get("liquidations_by_leverage") or {}
    if lev:
        out += [Heading("Liquidations by leverage", 3), TableBlock(
            ["leverage", "positions", "notional"],
            [[b, fmt(v.get("count"), "count"), fmt(v.get("notional_usd"), "USD")] for b, v in lev.items()])]
    return out


def _coupling(c: dict[str, Any] | None) -> list[Block]:
    """``two_way`` runs: how much of each venue's drop came from the other."""
    if not c:
        return []
    return [Heading("Venues coupled both ways"), TableBlock(["metric", "value"], [
        ["start / exogenous low", f"{fmt(c.get('start_usd'), 'USD')} / {fmt(c.get('exogenous_low_usd'), 'USD')}"],
        ["CEX low coupled / the venue alone", f"{fmt(c.get('cex_low_usd'), 'USD')} / {fmt(c.get('cex_alone_low_usd'), 'USD')}"],
        ["CEX drop / of it from the chain", f"{fmt(c.get('cex_drop_pct'), '%')} / {fmt(c.get('cex_drop_from_chain_pct'), '%')}"],
        ["AMM drop / of it from the CEX", f"{fmt(c.get('amm_drop_pct'), '%')} / {fmt(c.get('amm_drop_from_cex_pct'), '%')}"],
        ["arbitrage flow into the CEX book", f"{fmt(c.get('arb_flow_to_cex_btc'), 'units')} "
                                             f"({fmt(c.get('arb_flow_to_cex_usd'), 'USD')} traded)"],
    ])]


def _fit(rows: list[dict[str, Any]] | None) -> list[Block]:
    """The drill's documented figures (``targets:``) beside the model's."""
    if not rows:
        return []
    def val(metric: str, v: Any) -> str:
        return fmt(v, "USD" if metric.endswith("_usd") else "%" if metric.endswith("_pct") else "count")
    inside = sum(1 for r in rows if r.get("inside"))
    return [Heading("Fit to the documented event"),
            Para(f"{inside} of {len(rows)} documented figures are within the factor the drill claims."),
            TableBlock(["figure", "documented", "model", "model / documented", "claimed within", "source"],
                       [[r["meaning"], val(r["metric"], r.get("documented")), val(r["metric"], r.get("model")),
                         fmt(r.get("ratio"), "ratio"), f"x{r.get('within'):g}", r.get("source", "")] for r in rows],
                       ["pass" if r.get("inside") else "fail" for r in rows])]


def _invariants(on: dict[str, Any], policy: dict[str, Any] | None) -> list[Block]:
    inv = on.get("invariants") or []
    if not inv:
        return [Heading("Invariants"), Para("No invariants were recorded for this run.")]
    rows = [[i.get("name", MISSING), "PASS" if i.get("passed") else "FAIL", _broken_where(i), str(i.get("detail") or "")]
            for i in inv]
    failed = sum(1 for i in inv if not i.get("passed"))
    verdict = f"{len(inv) - failed} of {len(inv)} passed." + (" A failed invariant is a protocol bug or a "
                                                                "broken drill: read its detail first." if failed else "")
    if policy:
        cost = policy.get("cost_pct_of_step")
        verdict += (f" Checked {policy.get('checks_run')} times (every {policy.get('every')} step(s) and after the last; "
                    f"on failure: {policy.get('on_failure')})" + (f", {cost:.1f}% of a step's wall time" if cost is not None
                                                                   else "") + ".")
        if policy.get("flagged"):
            verdict += f" Flagged: {policy['flagged']} broken check(s); the drill ran on (on_failure: flag)."
    return [Heading("Invariants"), Para(verdict),
            TableBlock(["invariant", "result", "first broken", "detail"], rows,
                       ["pass" if i.get("passed") else "fail" for i in inv])]


def _broken_where(inv: dict[str, Any]) -> str:
    """"step 41 (3 of 70 checks); accounts 0xab.., 0xcd.." for a broken invariant, "" otherwise."""
    if inv.get("passed") or inv.get("first_broken_step") is None:
        return ""
    text = f"step {inv['first_broken_step']} ({inv.get('broken_checks')} of {inv.get('checks')} checks)"
    accounts = inv.get("accounts") or []
    return text + (f"; accounts {', '.join(accounts)}" if accounts else "")


def rerun_command(run_path: Path, seed: object, overrides: list[str] | None = None,
                   drill_dir: str | None = None) -> str:
    """The command that reruns a run folder's drill into a new folder (tests run it as printed).

    Every argument is shell-quoted (``shlex.quote``): a folder named ``a b; rm -rf ~`` is one argument
    when the line is pasted into a shell, never a second command. ``drill_dir``: the drill file's own
    folder, for a drill naming a user's adapter module (imported from the current folder when the
    drill's folder, here the run folder, does not hold it)."""
    q = shlex.quote
    sets = "".join(f" --set {q(item)}" for item in overrides or [])
    cd = f"cd {q(drill_dir)} && " if drill_dir else ""
    return f"`{cd}defidrill run {q(str(run_path / DRILL_YAML))} --seed {q(str(seed))} --out {q(f'{run_path}-rerun')}{sets}`"


def _user_adapter_dir(summary: dict[str, Any]) -> str | None:
    """The drill's folder when the run used a user's adapter (its kind is none of defidrill's own)."""
    kind = (summary.get("protocol") or {}).get("kind")
    own = set(get_args(ProtocolKind)) - {"external"}
    return summary.get("drill_dir") if kind is not None and kind not in own else None


def build_document(summary: dict[str, Any], run: RunFolder, *, charts: bool = True) -> list[Block]:
    """The report's blocks in reading order."""
    on = summary.get("onchain") or {}
    blocks: list[Block] = _header(summary, run) + first_screen(summary)
    if charts:
        timeline = drill_timeline(run, summary)
        chart_list = all_charts(run, summary, timeline)
        if chart_list:
            blocks.append(Heading("Charts"))
            blocks += [Chart(svg, caption) for svg, caption in chart_list]
        if timeline.note:
            blocks.append(Para(f"Note: {timeline.note}."))
    if run.drill.description:
        blocks += [Heading("The drill"), Para(run.drill.description)]
    blocks += [Heading("How to read this"), Bullets(HOW_TO_READ)]
    blocks += _fit(summary.get("fit"))
    blocks += _comparison(summary)
    blocks += normalised_definitions(summary)
    blocks += _onchain(on)
    blocks += _cex(summary.get("cex"))
    blocks += _coupling(summary.get("coupling"))
    blocks += _invariants(on, summary.get("invariant_checks"))
    blocks += model_check_blocks(run.path)
    seed = summary.get("seed", run.drill.seed)
    report_line = f"`defidrill report {shlex.quote(str(run.path))}`"
    rerun = rerun_command(run.path, seed, summary.get("overrides"), _user_adapter_dir(summary))
    blocks += [Heading("Reproduce"), Para(
        f"{rerun} reruns this drill (the folder holds the drill and any "
        f"replay CSV it reads); {report_line} rebuilds this report from the files: steps.csv, events.jsonl, "
        "cex_steps.csv, cex_events.csv, summary.json.")]
    return blocks
