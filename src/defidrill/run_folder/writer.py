"""Open a run folder for one run: refuse one that holds a run, lock it, copy the drill in.

:func:`open_run_folder` is the only way a run gets a folder. It

- keeps drill names inside the runs folder (``../../x`` and absolute names are refused);
- refuses a folder that already holds a run unless ``force`` (which removes the run's files
  first, and nothing else); refuses a non-empty folder that holds no run even then;
- takes the folder's lock first (:mod:`defidrill.run_folder.lock`): a second run, a ``report`` or a
  ``--force`` into a folder another process is writing is refused and touches nothing;
- never writes through a symbolic link planted in the folder (the lock, every file, ``replay/``);
- copies the drill file in as ``drill.yaml`` with ``seed.txt``, and every replay CSV into
  ``replay/`` (drill.yaml then names the copies), so ``defidrill run RUN/drill.yaml`` reruns it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import shutil
import stat
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from defidrill.errors import ConfigError, OutputError
from defidrill.run_folder.atomic import (
    TMP_INFIX, cell, ensure_dir, os_errors_as_output_errors, write_bytes_atomic, write_csv_atomic, write_json_atomic,
    write_text_atomic,
)
from defidrill.run_folder.lock import HeldLock, folder_lock
from defidrill.run_folder.models import ContractsBook, RunSummary
from defidrill.run_folder.names import (
    BORROWERS_CSV, CEX_EVENTS_CSV, CEX_STEPS_CSV, CONTRACTS_JSON, DRILL_YAML, LOCK_FILE, REPLAY_DIR, RUN_FILES,
    SEED_TXT, STEPS_CSV, SUMMARY_JSON, ERROR_TXT,
)
from defidrill.run_folder.reader import read_summary, read_table
from defidrill.run_folder.recorder import StepRecorder

#: Where runs go when ``--out`` is not given.
DEFAULT_RUNS_ROOT = Path("runs")


def default_run_dir(drill_name: str, root: Path | None = None, *, now: dt.datetime | None = None) -> Path:
    """``runs/<name>-<UTC stamp>``; a name that would land outside ``root`` is refused (exit 2)."""
    root = root or DEFAULT_RUNS_ROOT
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    leaf = f"{drill_name}-{stamp}"
    candidate = root / leaf
    escapes = (Path(drill_name).is_absolute() or "/" in drill_name or "\\" in drill_name or "\0" in drill_name
               or drill_name in ("", ".", "..") or candidate.resolve().parent != root.resolve())
    if escapes:
        raise ConfigError("a drill name becomes a folder under runs/ and cannot name another place",
                          path="name", value=drill_name,
                          allowed="letters, digits, '.', '-', '_' (no '/', no absolute path, not '..')")
    return candidate


def holds_run(path: Path) -> bool:
    """Whether ``path`` holds (part of) a run: any of the run folder's own files (a link counts)."""
    return any(os.path.lexists(path / name) for name in RUN_FILES)


def _ours(name: str) -> bool:
    """A run file, or the temporary of one a killed writer left (``.summary.json.tmp-<pid>``)."""
    return name in RUN_FILES or (name.startswith(".") and TMP_INFIX in name
                                 and name[1:name.index(TMP_INFIX)] in RUN_FILES)


def _remove(victim: Path) -> None:
    """Remove a run file; a symbolic link goes itself (what it points to is never touched)."""
    with os_errors_as_output_errors(victim, "remove the previous run's file"):
        if stat.S_ISDIR(os.lstat(victim).st_mode):
            shutil.rmtree(victim)  # never follows the links inside
        else:
            victim.unlink()


def _prepare(path: Path, force: bool) -> None:
    """Make the (locked) folder ``path`` empty for a run, or refuse (exit 2: the user's choice)."""
    if holds_run(path) and not force:
        raise ConfigError("the folder already holds a run", file=str(path), path="--out",
                          allowed="a new or empty folder, or --force to clear this run first")
    if force:
        for name in os.listdir(path):
            if _ours(name):
                _remove(path / name)
    leftover = [name for name in os.listdir(path) if name != LOCK_FILE]
    if leftover:
        raise ConfigError(f"the folder is not empty and holds no run ({', '.join(sorted(leftover)[:5])})",
                          file=str(path), path="--out", allowed="a new or empty folder (--force clears only "
                                                                "a previous run's files)")


class RunFolderWriter:
    """The writer of one run folder (held open, and locked, for the length of the run)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.recorder: StepRecorder | None = None

    # ---- at start ------------------------------------------------------------------------

    def copy_drill(self, drill_path: Path, seed: int, replay_csvs: Sequence[str] = (),
                   overrides: Sequence[str] = ()) -> None:
        """drill.yaml (byte for byte, or with replay CSVs renamed to their copies; ``--set`` overrides
        appended as comments: the rerun line repeats them) and seed.txt."""
        with os_errors_as_output_errors(drill_path, "read the drill file"):
            source = drill_path.read_bytes()
        if _relative_artifacts(source):
            source = _renamed_csvs(source, drill_path.parent, {})
        if replay_csvs:
            replay_dir = ensure_dir(self.path / REPLAY_DIR, "the replay folder")
            renames: dict[str, str] = {}
            for i, csv_path in enumerate(dict.fromkeys(replay_csvs)):
                target = replay_dir / f"{i}-{Path(csv_path).name}"
                with os_errors_as_output_errors(Path(csv_path), "read the replay CSV"):
                    data = Path(csv_path).read_bytes()
                write_bytes_atomic(target, data)
                renames[csv_path] = f"{REPLAY_DIR}/{target.name}"
            source = _renamed_csvs(source, drill_path.parent, renames)
        if overrides:  # the run folder must say how its drill differs from the file
            source += "".join(f"\n# --set {item}" for item in overrides).encode("utf-8") + b"\n"
        write_bytes_atomic(self.path / DRILL_YAML, source)
        write_text_atomic(self.path / SEED_TXT, f"{seed}\n")

    def write_summary(self, summary: RunSummary) -> Path:
        return write_summary(self.path, summary)

    def write_error(self, text: str) -> Path:
        """error.txt: the traceback of the user's code that ended the run (named in summary.json's error)."""
        return write_text_atomic(self.path / ERROR_TXT, text)

    # ---- after deployment and seeding ---------------------------------------------------------

    def write_contracts(self, book: ContractsBook) -> Path:
        return write_json_atomic(self.path / CONTRACTS_JSON, book.model_dump(mode="json"))

    def write_borrowers(self, borrowers: Sequence[Any]) -> Path:
        """borrowers.csv: the population (index, address, collateral, USD sizes, health, leverage, source)."""
        rows = []
        for b in borrowers:
            equity = b.collateral_usd - b.debt_usd
            leverage = b.collateral_usd / equity if equity > 0 else float("inf")
            rows.append([b.index, b.address, b.collateral, cell(b.collateral_usd), cell(b.debt_usd), cell(b.health),
                         cell(leverage), int(b.reacts), b.source])
        return write_csv_atomic(self.path / BORROWERS_CSV, BORROWER_COLUMNS, rows)

    def open_recorder(self, columns: list[str]) -> StepRecorder:
        self.recorder = StepRecorder(self.path, columns)
        return self.recorder

    # ---- after the CEX replay --------------------------------------------------------------

    def write_cex(self, steps: Sequence[dict[str, Any]], events: Mapping[str, Sequence[Any]] | None) -> None:
        """``events`` None: no cex_events.csv (a lean run, ``run_drill(lean=True)``)."""
        write_cex_files(self.path, steps, events)

    def join_cex_columns(self, steps: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
        """Add the CEX's per-step columns to steps.csv (prefixed ``cex_``), rewritten atomically."""
        table = read_table(self.path / STEPS_CSV)
        if not len(table):
            return
        by_step = {int(s["step"]): s for s in steps}
        names = table.names()
        header = names + [f"cex_{c}" for c in columns]
        rows = []
        for i, step in enumerate(table.text("step")):
            cex = by_step.get(int(step), {})
            rows.append([table.columns[n][i] for n in names] + [cell(cex.get(c)) for c in columns])
        write_csv_atomic(self.path / STEPS_CSV, header, rows)


#: ``source`` (seeded | file | forked) is last so that readers of the older columns keep working.
BORROWER_COLUMNS = ["index", "address", "collateral", "collateral_usd", "debt_usd", "health", "leverage", "reacts",
                    "source"]


def write_summary(run_dir: str | Path, summary: RunSummary) -> Path:
    """summary.json, atomically (a reader never sees half a file; a full disk keeps the old one).

    A NaN or infinite figure (a venue summary of a run that never traded, say) is written as
    null, the format's "cannot be computed": JSON has no NaN, and strict readers refuse it."""
    return write_json_atomic(Path(run_dir) / SUMMARY_JSON, _finite(summary.as_json()))


def _finite(obj: Any) -> Any:
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_finite(v) for v in obj]
    return obj


@contextlib.contextmanager
def lock_run_folder(path: Path, *, field: str = "RUN_DIR") -> Iterator[HeldLock]:
    """Hold an existing run folder's lock while rewriting its files (``report``); refused while any other
    process holds it. ``previous_pid``: the pid a writer that never released the lock left (killed)."""
    with folder_lock(path, field=field) as held:
        yield held


def mark_killed(path: Path, held: HeldLock) -> RunSummary | None:
    """A run whose summary.json still says ``running`` while we hold its lock lost its writer (SIGKILL, out of
    memory, power): rewrite it as ``killed``, with the steps on disk; None when the run is not in that state."""
    summary_path = path / SUMMARY_JSON
    if not summary_path.is_file():
        return None
    summary = read_summary(summary_path)
    if summary.status != "running":
        return None
    steps = len(read_table(path / STEPS_CSV)) if (path / STEPS_CSV).is_file() else 0
    who = f"pid {held.previous_pid}" if held.previous_pid is not None else "its process"
    of = f" of {summary.steps_total}" if summary.steps_total is not None else ""
    killed = summary.model_copy(update={
        "status": "killed", "steps_completed": steps,
        "error": f"the run's writer ({who}) died without finishing (SIGKILL, out of memory, power loss): "
                 f"{steps}{of} steps on disk in {STEPS_CSV}"})
    write_summary(path, killed)
    return killed


def write_cex_files(run_dir: str | Path, steps: Sequence[dict[str, Any]],
                    events: Mapping[str, Sequence[Any]] | None) -> tuple[Path, Path | None]:
    """cex_steps.csv (one row per venue step) and cex_events.csv (one row per fill, ``kind`` by name;
    not written when ``events`` is None: readers take a missing file as "no fill table")."""
    root = Path(run_dir)
    header = list(steps[0]) if steps else []
    steps_path = write_csv_atomic(root / CEX_STEPS_CSV, header,
                                  ([cell(s[c], exact=True) for c in header] for s in steps))
    if events is None:
        return steps_path, None
    cols = list(events)
    n = len(events[cols[0]]) if cols else 0
    events_path = write_csv_atomic(root / CEX_EVENTS_CSV, cols,
                                   ([cell(_scalar(events[c][i]), exact=True) for c in cols] for i in range(n)))
    return steps_path, events_path


def _scalar(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _relative_artifacts(source: bytes) -> bool:
    """Whether the drill's ``protocol.artifacts`` is a relative path (it would not resolve from the run folder)."""
    try:
        doc = yaml.safe_load(source)
    except yaml.YAMLError:
        return False
    protocol = doc.get("protocol") if isinstance(doc, dict) else None
    artifacts = protocol.get("artifacts") if isinstance(protocol, dict) else None
    return isinstance(artifacts, str) and not Path(artifacts).expanduser().is_absolute()


def _renamed_csvs(source: bytes, base_dir: Path, renames: dict[str, str]) -> bytes:
    """The drill document with each replay ``csv:`` (and a ``borrowers.from`` positions file, a
    ``borrowers.accounts_csv``) replaced by
    its copy's path (relative to the folder), and a relative ``protocol.artifacts`` by its absolute path:
    the folder re-validates and reruns on its own."""
    doc = yaml.safe_load(source)
    borrowers = doc.get("borrowers")
    if isinstance(borrowers, dict) and isinstance(borrowers.get("from"), str) and borrowers["from"] != "protocol":
        resolved = str((base_dir / borrowers["from"]).resolve())
        borrowers["from"] = renames.get(resolved, borrowers["from"])
    if isinstance(borrowers, dict) and isinstance(borrowers.get("accounts_csv"), str):  # the forked book's list
        resolved = str((base_dir / borrowers["accounts_csv"]).resolve())
        borrowers["accounts_csv"] = renames.get(resolved, borrowers["accounts_csv"])
    protocol = doc.get("protocol")
    if isinstance(protocol, dict) and isinstance(protocol.get("artifacts"), str):
        protocol["artifacts"] = str((base_dir / Path(protocol["artifacts"]).expanduser()).resolve())
    for asset in ((doc.get("market") or {}).get("assets") or {}).values():
        path = asset.get("path") if isinstance(asset, dict) else None
        if isinstance(path, dict) and path.get("kind") == "replay" and "csv" in path:
            resolved = str((base_dir / str(path["csv"])).resolve())
            path["csv"] = renames.get(resolved, path["csv"])
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True).encode("utf-8")


@contextlib.contextmanager
def open_run_folder(path: Path, *, force: bool = False) -> Iterator[RunFolderWriter]:
    """The run folder for one run, locked, then emptied of a previous run (``force``) or refused.

    The lock comes first, so ``--force`` never clears a folder another process is writing."""
    if path.exists() and not path.is_dir():
        raise OutputError("cannot use as the run folder: it is a file, not a folder", file=str(path))
    with os_errors_as_output_errors(path, "create the run folder"):
        path.mkdir(parents=True, exist_ok=True)
    with folder_lock(path, field="--out"):
        _prepare(path, force)
        writer = RunFolderWriter(path)
        try:
            yield writer
        finally:
            if writer.recorder is not None:
                writer.recorder.close()
