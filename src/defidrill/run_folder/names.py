"""Every file of a run folder by name, with when it is written and what it holds.

The one list docs/run-folder.md is checked against (tests/run_folder/test_docs.py): add a
file here and the docs must say what it is.
"""

from __future__ import annotations

from dataclasses import dataclass

DRILL_YAML = "drill.yaml"
SEED_TXT = "seed.txt"
REPLAY_DIR = "replay"
CONTRACTS_JSON = "contracts.json"
BORROWERS_CSV = "borrowers.csv"
STEPS_CSV = "steps.csv"
EVENTS_JSONL = "events.jsonl"
CEX_STEPS_CSV = "cex_steps.csv"
CEX_EVENTS_CSV = "cex_events.csv"
SUMMARY_JSON = "summary.json"
REPORT_MD = "report.md"
REPORT_HTML = "report.html"
ERROR_TXT = "error.txt"
LOCK_FILE = ".lock"


@dataclass(frozen=True)
class FileSpec:
    name: str
    written: str
    content: str


FILES: tuple[FileSpec, ...] = (
    FileSpec(DRILL_YAML, "at start", "the drill file as run (replay CSV paths pointing into replay/ when copied)"),
    FileSpec(SEED_TXT, "at start", "the seed actually used (one line)"),
    FileSpec(REPLAY_DIR + "/", "at start", "copies of the replay CSVs the drill reads: the folder reruns itself"),
    FileSpec(CONTRACTS_JSON, "after deployment", "address book: protocol, contracts, decimals, agents"),
    FileSpec(BORROWERS_CSV, "after seeding", "the drawn borrower population"),
    FileSpec(STEPS_CSV, "appended every step (flushed)", "one row per step"),
    FileSpec(EVENTS_JSONL, "appended every step (flushed)", "one JSON object per decoded event or failed transaction"),
    FileSpec(CEX_STEPS_CSV, "after the CEX replay", "one row per step of the CEX venue"),
    FileSpec(CEX_EVENTS_CSV, "after the CEX replay", "one row per CEX liquidation / ADL fill"),
    FileSpec(SUMMARY_JSON, "at start (running), at the end, on failure or interrupt",
             "header, activity, onchain / cex / comparison metrics (schema below)"),
    FileSpec(REPORT_MD, "at the end", "the human report (Markdown)"),
    FileSpec(REPORT_HTML, "at the end", "the human report (self-contained HTML)"),
    FileSpec(ERROR_TXT, "when the user's code ended the run",
             "the traceback of the adapter's or custom invariant's exception (summary.json's error names it)"),
    FileSpec(LOCK_FILE, "while a run (or report) writes",
             "flock'ed, holds the writer's pid; another writer is refused; left behind only by a killed writer"),
)

#: Names whose presence means the folder holds (part of) a run: `--force` clears exactly these.
RUN_FILES: tuple[str, ...] = tuple(f.name.rstrip("/") for f in FILES if f.name != LOCK_FILE)
