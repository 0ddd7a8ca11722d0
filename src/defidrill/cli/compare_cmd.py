"""`defidrill compare RUN_A RUN_B ...` (runs side by side) and `defidrill list` (the drill library)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from defidrill.cli.exit_status import reports_errors
from defidrill.metrics.headline import headline, headline_names, read_run_summary
from defidrill.report.format import fmt
from defidrill.run_folder import STEPS_CSV, probe_lock, read_table


def unit_of(name: str) -> str:
    """A flat headline name's unit, from the units-in-names convention (``_usd``, ``_pct``, ``_s``)."""
    leaf = name.removesuffix(".onchain").removesuffix(".cex")
    for suffix, unit in (("_usd", "USD"), ("_pct", "%"), ("_s", "s"), ("_eth", "ETH"), ("_count", "count"),
                         ("_txs", "count"), ("amplification", "ratio")):
        if leaf.endswith(suffix):
            return unit
    return ""


def difference(a: float | int | None, b: float | int | None) -> float | int | None:
    """b - a, or None when either side did not produce the metric."""
    return None if a is None or b is None else b - a


@click.command("compare")
@click.argument("runs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print {metric: {values, differences}} as JSON.")
@click.option("--changed", is_flag=True, help="Only the metrics whose value differs between the runs.")
@reports_errors
def compare_cmd(runs: tuple[Path, ...], as_json: bool, changed: bool) -> None:
    """Put run folders side by side: every headline metric, and each run's difference to the first.

    \b
    Example (guarded versus naive oracle):
      defidrill run minanswer-clamp --out runs/guarded
      defidrill run minanswer-clamp-naive --out runs/naive
      defidrill compare runs/guarded runs/naive
    """
    if len(runs) < 2:
        raise click.UsageError("compare needs at least two run folders")
    summaries = [read_run_summary(r) for r in runs]
    statuses = [run_status(r, s) for r, s in zip(runs, summaries)]
    for run, summary, status in zip(runs, summaries, statuses):
        if status != "ok":
            click.echo(f"defidrill: warning: {run}: {not_ok(run, summary, status)}", err=True)
    heads = [headline(s) for s in summaries]
    rows = []
    for name in headline_names():
        values = [h[name] for h in heads]
        if all(v is None for v in values) or (changed and len(set(values)) == 1):
            continue
        rows.append((name, values, [difference(values[0], v) for v in values[1:]]))
    if as_json:
        click.echo(json.dumps({"runs": [str(r) for r in runs], "statuses": statuses,
                               "metrics": {n: {"values": v, "differences": d} for n, v, d in rows}}, indent=2))
        return
    labels = [r.name or str(r) for r in runs]
    header = f"{'metric':<56}" + "".join(f"{label[:18]:>20}" for label in labels)
    header += "".join(f"{('Δ ' + label)[:18]:>20}" for label in labels[1:])
    click.echo(header)
    for name, values, diffs in rows:
        unit = unit_of(name)
        line = f"{name:<56}" + "".join(f"{fmt(v, unit):>20}" for v in values)
        line += "".join(f"{_signed(d, unit):>20}" for d in diffs)
        click.echo(line)


def run_status(run: Path, summary: dict[str, object]) -> str:
    """summary.json's status, or ``killed`` for a ``running`` run whose lock no live process holds."""
    status = str(summary.get("status") or "unknown")
    if status == "running" and not probe_lock(run).held:
        return "killed"
    return status


def not_ok(run: Path, summary: dict[str, object], status: str) -> str:
    """Why a run's figures are not a finished run's: its status, the steps on disk, its error."""
    steps = len(read_table(run / STEPS_CSV)) if (run / STEPS_CSV).is_file() else 0
    total = summary.get("steps_total")
    on_disk = f"{steps}{f' of {total}' if total is not None else ''} steps on disk"
    if status == "killed" and summary.get("status") == "running":
        return (f"status killed (summary.json says running but no process is writing it: its writer died); "
                f"{on_disk}; `defidrill report {run}` marks it")
    if status == "running":
        return f"status running (a process is still writing it); {on_disk}: its figures are partial"
    error = summary.get("error")
    return f"status {status}; {on_disk}" + (f"; error: {error}" if error else "")


def _signed(value: float | int | None, unit: str) -> str:
    text = fmt(value, unit)
    return text if value is None or value < 0 else "+" + text


@click.command("list")
def list_cmd() -> None:
    """The library's drills (oracles/), one line each: name, size, what happens.

    Run one by name from any folder: defidrill run flash-crash
    """
    from defidrill.drill import library_drills, load_drill
    from defidrill.drill.overrides import library_name

    for path in library_drills():
        drill = load_drill(path)
        size = (f"{drill.market.step_count} steps of {drill.market.step_s:g} s, "
                f"{drill.borrowers.count} borrowers")
        click.echo(f"{library_name(path):<36}{size:<34}{first_sentence(drill.description)}")


def first_sentence(text: str) -> str:
    """The description's first sentence (a drill's one-line summary)."""
    flat = " ".join(text.split())
    head, dot, _ = flat.partition(". ")
    return head + ("." if dot else "")
