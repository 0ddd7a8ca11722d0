"""Read a run folder (docs/run-folder.md) into plain columns, typed event lines and typed JSON.

The only reader of the run folder: metrics, report, pytest plugin and tests go through
:func:`load_run`. Nothing here talks to the chain, so a run folder copied to another
machine gives the same numbers. Required: ``steps.csv`` and ``events.jsonl``. Optional:
``cex_steps.csv``, ``cex_events.csv`` (the CEX replay), ``summary.json``
(:class:`~defidrill.run_folder.models.RunSummary`), ``drill.yaml`` (names the collateral
and the base asset) and ``contracts.json`` (:class:`~defidrill.run_folder.models.ContractsBook`).
Each line of events.jsonl is read as its record (:mod:`defidrill.run_folder.records`):
``run.liquidations()``, ``run.bad_debts()``, ``run.dropped_txs()``, ``run.failed_txs()``; other
decoded events by name (``run.events_named("Swap")``).

A missing required file, a missing column or a value that is not a number raises
:class:`RunFolderError` naming the file (and line and column where one is at fault).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pydantic

from defidrill.drill.limits import MAX_DRILL_FILE_BYTES
from defidrill.drill.yaml_source import read_yaml
from defidrill.errors import ConfigError, DrillError
from defidrill.input_files import UnreadableFile, read_text
from defidrill.protocol_terms.parameters import token_decimals
from defidrill.run_folder.models import ContractsBook, RunSummary
from defidrill.run_folder.names import (
    BORROWERS_CSV, CEX_EVENTS_CSV, CEX_STEPS_CSV, CONTRACTS_JSON, DRILL_YAML, EVENTS_JSONL, STEPS_CSV, SUMMARY_JSON,
)
from defidrill.run_folder.records import (
    RECORD_KINDS, BadDebtLine, Event, Line, LiquidationLine, TxDroppedLine, TxFailedLine, parse_line,
)

__all__ = [
    "AddressBook", "DrillInfo", "Event", "RunFolder", "RunFolderError", "Table",
    "load_run", "read_table", "read_events", "read_json", "read_summary", "read_contracts",
]

FloatArray = npt.NDArray[np.float64]

#: Largest steps/CSV/events file read: 50,000 steps x 20,000 borrowers stays far below it; a bigger one
#: is not a run folder we wrote (a planted /dev/zero, a 50 GB file) and is refused, named.
MAX_RUN_TABLE_BYTES = 2_000_000_000
#: Largest summary.json / contracts.json read (a summary with per-minute series is a few MB).
MAX_RUN_JSON_BYTES = 100_000_000


def _read(path: Path, max_bytes: int) -> str:
    """A run folder file's text: a regular file, at most ``max_bytes``, UTF-8; else a RunFolderError naming it."""
    try:
        return read_text(path, max_bytes=max_bytes, what="run folder file")
    except UnreadableFile as err:
        raise RunFolderError("file not found" if err.reason == "not found" else f"cannot read it: it {err.reason}",
                             file=path) from None


class RunFolderError(DrillError):
    """A run folder lacks a file, or a file in it is not in the documented format."""

    exit_status = 2

    def __init__(self, message: str, *, file: Path, line: int | None = None, column: str | None = None) -> None:
        self.file = file
        self.line = line
        self.column = column
        where = str(file) + (f":{line}" if line is not None else "")
        if column is not None:
            where += f": column {column!r}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Table:
    """A CSV file as columns of raw strings; typed access raises with file, line and column."""

    path: Path
    columns: dict[str, list[str]]

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()), []))

    def has(self, name: str) -> bool:
        return name in self.columns

    def names(self) -> list[str]:
        return list(self.columns)

    def rows(self) -> list[dict[str, str]]:
        """Row by row (raw strings), in file order."""
        names = self.names()
        return [dict(zip(names, cells)) for cells in zip(*(self.columns[n] for n in names))]

    def text(self, name: str) -> list[str]:
        return self._column(name)

    def floats(self, name: str) -> FloatArray:
        """The column as float64; an empty cell is NaN (a value the step could not observe)."""
        raw = self._column(name)
        out = np.empty(len(raw), dtype=np.float64)
        for i, cell in enumerate(raw):
            cell = cell.strip()
            if cell == "" or cell.lower() in ("nan", "none", "null"):
                out[i] = math.nan
                continue
            try:
                out[i] = float(cell)
            except ValueError:
                # line i + 2: the header is line 1
                raise RunFolderError(f"not a number: {cell!r}", file=self.path, line=i + 2, column=name) from None
        return out

    def _column(self, name: str) -> list[str]:
        if name not in self.columns:
            raise RunFolderError(f"missing column (has: {', '.join(self.columns)})", file=self.path, column=name)
        return self.columns[name]


@dataclass(frozen=True)
class DrillInfo:
    """What the metrics need from drill.yaml (read as plain YAML: a copied drill may name a
    replay CSV relative to where it was run, so it is not re-validated here)."""

    name: str
    description: str
    seed: int | None
    base_asset: str
    collateral: list[str]
    cex_asset: str | None
    bonus_by_asset: dict[str, float] = field(default_factory=dict)
    targets: list[dict[str, Any]] = field(default_factory=list)  # the drill's ``targets:`` as written
    #: the whole drill.yaml mapping as written (metrics/expectations.py reads ``expect:`` from it with the run's --set)
    document: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AddressBook:
    """Addresses the event decoders need: tokens and pairs by symbol, token decimals.

    Read from ``contracts.json`` (``{"contracts": {NAME: address}, "decimals": {SYM: int}}``,
    names as ``defidrill chain up`` prints them: ``WBTC``, ``USDC``, ``PAIR_WBTC_USDC`` ...).
    Collateral decimals missing there are taken
    from the pool's ``CollateralConfigured`` events, and any still missing from the drill
    engine's token table (``defidrill.protocol_terms.parameters.token_decimals``: what it deploys).
    """

    tokens: dict[str, str]      # symbol -> lower-case address
    pairs: dict[str, str]       # collateral symbol -> lower-case pair address (pair with the base)
    decimals: dict[str, int]    # symbol -> token decimals

    def symbol_of(self, address: str) -> str | None:
        address = address.lower()
        return next((s for s, a in self.tokens.items() if a == address), None)

    def collateral_is_token0(self, symbol: str, base: str) -> bool:
        """Uniswap V2 orders a pair's tokens by address: token0 is the smaller one."""
        return int(self.tokens[symbol], 16) < int(self.tokens[base], 16)


@dataclass(frozen=True)
class RunFolder:
    """Everything a run folder holds, loaded once."""

    path: Path
    steps: Table
    events: list[Line]      # every line of events.jsonl in file order, each as its record (records.py)
    drill: DrillInfo
    summary: dict[str, Any] | None = None       # summary.json validated by RunSummary, as JSON
    cex_steps: Table | None = None
    cex_events: Table | None = None
    contracts: AddressBook | None = None
    borrowers: Table | None = None

    def events_named(self, name: str) -> Iterator[Event]:
        """Decoded events with no record of ours (Swap, AnswerUpdated...) by name; a line that has a
        record is read through its accessor (``liquidations()``...), never by argument name."""
        if name in RECORD_KINDS:
            raise ValueError(f"{name} lines are typed records: read them with RunFolder.liquidations(), "
                             "bad_debts(), dropped_txs() or failed_txs()")
        return (e for e in self.events if isinstance(e, Event) and e.event == name)

    def liquidations(self) -> list[LiquidationLine]:
        return [e for e in self.events if isinstance(e, LiquidationLine)]

    def bad_debts(self) -> list[BadDebtLine]:
        return [e for e in self.events if isinstance(e, BadDebtLine)]

    def dropped_txs(self) -> list[TxDroppedLine]:
        return [e for e in self.events if isinstance(e, TxDroppedLine)]

    def failed_txs(self) -> list[TxFailedLine]:
        return [e for e in self.events if isinstance(e, TxFailedLine)]

    @property
    def step_s(self) -> float:
        """The grid spacing (median spacing of t_s; 0 with fewer than two rows)."""
        t = self.steps.floats("t_s")
        return float(np.median(np.diff(t))) if t.size > 1 else 0.0


def read_table(path: Path) -> Table:
    """Read a CSV with a header row into columns; a short or long row is an error."""
    reader = csv.reader(io.StringIO(_read(path, MAX_RUN_TABLE_BYTES), newline=""))
    try:
        header = next(reader, None)
        if not header:
            raise RunFolderError("empty file (no header row)", file=path)
        cols: dict[str, list[str]] = {h: [] for h in header}
        for lineno, row in enumerate(reader, start=2):
            if not row:
                continue
            if len(row) != len(header):
                raise RunFolderError(f"{len(row)} cells, header has {len(header)}", file=path, line=lineno)
            for h, cell in zip(header, row):
                cols[h].append(cell)
    except csv.Error as exc:
        raise RunFolderError(f"not a readable CSV ({exc})", file=path) from None
    return Table(path, cols)


def _validated(model: type[pydantic.BaseModel], obj: dict[str, Any], path: Path) -> Any:
    try:
        return model.model_validate(obj)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise RunFolderError(f"{where}: {first['msg']}{more}", file=path) from None


def read_summary(path: Path) -> RunSummary:
    """summary.json as its model; an unknown ``schema_version`` or a stray key is refused, named."""
    obj = read_json(path)
    version = obj.get("schema_version", 1)
    if version != RunSummary.model_fields["schema_version"].default:
        raise RunFolderError(f"schema_version {version!r} is not one this defidrill reads (1); "
                             "rebuild it with `defidrill report --recompute`", file=path)
    summary: RunSummary = _validated(RunSummary, obj, path)
    return summary


def read_contracts(path: Path) -> ContractsBook:
    book: ContractsBook = _validated(ContractsBook, read_json(path), path)
    return book


def read_events(path: Path) -> list[Line]:
    """Read events.jsonl, each line as its record; a torn last line (the run died mid-write) is ignored,
    any other bad line is an error."""
    lines = _read(path, MAX_RUN_TABLE_BYTES).splitlines()
    out: list[Line] = []
    for lineno, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            if lineno == len(lines):
                break
            raise RunFolderError(f"not JSON: {exc.msg}", file=path, line=lineno) from None
        try:
            out.append(parse_line(obj))
        except (KeyError, TypeError, ValueError) as exc:
            raise RunFolderError(f"event line lacks or mistypes a field ({exc})", file=path, line=lineno) from None
    return out


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object file of the run folder (summary.json, contracts.json), read within MAX_RUN_JSON_BYTES."""
    text = _read(path, MAX_RUN_JSON_BYTES)
    try:
        obj = json.loads(text)
    except RecursionError:
        raise RunFolderError("not JSON: nested too deeply", file=path) from None
    except json.JSONDecodeError as exc:
        raise RunFolderError(f"not JSON: {exc.msg}", file=path, line=exc.lineno) from None
    if not isinstance(obj, dict):
        raise RunFolderError("expected a JSON object", file=path)
    return obj


def _symbols(steps: Table, prefix: str, suffix: str) -> list[str]:
    return [c[len(prefix):-len(suffix)] for c in steps.names() if c.startswith(prefix) and c.endswith(suffix)
            and len(c) > len(prefix) + len(suffix) and "_" not in c[len(prefix):-len(suffix)]]


def _drill_info(run_dir: Path, steps: Table) -> DrillInfo:
    path = run_dir / DRILL_YAML
    raw: dict[str, Any] = {}
    if path.exists():
        try:
            loaded, _marks = read_yaml(path, what="run folder's drill.yaml", max_bytes=MAX_DRILL_FILE_BYTES)
        except ConfigError as exc:
            raise RunFolderError(exc.message, file=path, line=exc.line) from None
        raw = loaded if isinstance(loaded, dict) else {}
    protocol = raw.get("protocol") or {}
    base = str(protocol.get("base_asset") or "USDC")
    market_assets = list(((raw.get("market") or {}).get("assets") or {}).keys()) or _symbols(steps, "ref_", "_usd")
    coll_cfg = protocol.get("collateral")
    collateral = list(coll_cfg) if isinstance(coll_cfg, dict) and coll_cfg else [a for a in market_assets if a != base]
    bonus: dict[str, float] = {}
    if isinstance(coll_cfg, dict):
        for sym, params in coll_cfg.items():
            if isinstance(params, dict) and "bonus" in params:
                bonus[sym] = _fraction(params["bonus"])
    cex = raw.get("cex") or {}
    return DrillInfo(
        name=str(raw.get("name") or run_dir.name), description=str(raw.get("description") or ""),
        seed=(int(raw["seed"]) if isinstance(raw.get("seed"), int) else None), base_asset=base,
        collateral=collateral, cex_asset=(cex.get("asset") or (collateral[0] if collateral else None)),
        bonus_by_asset={k: v for k, v in bonus.items() if not math.isnan(v)},
        targets=[t for t in (raw.get("targets") or []) if isinstance(t, dict)],
        document=raw,
    )


def _fraction(value: Any) -> float:
    """A drill percentage (``5%`` or ``0.05``) as a fraction; NaN when unreadable (display only)."""
    text = str(value).strip()
    try:
        return float(text[:-1]) / 100.0 if text.endswith("%") else float(text)
    except ValueError:
        return math.nan


def _address_book(run_dir: Path, events: list[Line], drill: DrillInfo) -> AddressBook | None:
    path = run_dir / CONTRACTS_JSON
    if not path.exists():
        return None
    book = read_contracts(path)
    contracts = book.contracts
    if not contracts:
        return None
    symbols = [drill.base_asset, *drill.collateral]
    tokens = {s: str(contracts[s]).lower() for s in symbols if s in contracts}
    pairs = {s: str(contracts[f"PAIR_{s}_{drill.base_asset}"]).lower() for s in drill.collateral
             if f"PAIR_{s}_{drill.base_asset}" in contracts}
    decimals = dict(book.decimals)
    for ev in events:
        if isinstance(ev, Event) and ev.event == "CollateralConfigured" and "asset" in ev.args and "decimals" in ev.args:
            sym = next((s for s, a in tokens.items() if a == ev.address_arg("asset")), None)
            if sym is not None:
                decimals.setdefault(sym, ev.int_arg("decimals"))
    missing = [s for s in tokens if s not in decimals]
    if missing:
        decimals.update({s: token_decimals(s) for s in missing})
    return AddressBook(tokens=tokens, pairs=pairs, decimals=decimals)


def load_run(run_dir: str | Path, *, require_summary: bool = False) -> RunFolder:
    """Load a run folder; raises :class:`RunFolderError` naming any missing or malformed file."""
    root = Path(run_dir)
    if not root.is_dir():
        raise RunFolderError("run folder not found", file=root)
    steps = read_table(root / STEPS_CSV)
    events = read_events(root / EVENTS_JSONL)
    summary_path = root / SUMMARY_JSON
    if require_summary and not summary_path.exists():
        raise RunFolderError("file not found (the run did not finish; rerun it, or `defidrill report "
                             "--recompute` to build it from the CSVs)", file=summary_path)
    summary = read_summary(summary_path).as_json() if summary_path.exists() else None
    drill = _drill_info(root, steps)
    cex_steps = read_table(root / CEX_STEPS_CSV) if (root / CEX_STEPS_CSV).exists() else None
    cex_events = read_table(root / CEX_EVENTS_CSV) if (root / CEX_EVENTS_CSV).exists() else None
    borrowers = read_table(root / BORROWERS_CSV) if (root / BORROWERS_CSV).exists() else None
    return RunFolder(path=root, steps=steps, events=events, drill=drill, summary=summary,
                     cex_steps=cex_steps, cex_events=cex_events,
                     contracts=_address_book(root, events, drill), borrowers=borrowers)
