"""The run folder: the one module that names, writes and reads every file of a run.

    with open_run_folder(Path("runs/x"), force=False) as folder:   # refuses a folder holding a run
        folder.copy_drill(drill_path, seed, replay_csvs)           # drill.yaml, seed.txt, replay/
        folder.write_summary(RunSummary(drill="x"))                 # status: running
        folder.write_contracts(book); folder.write_borrowers(borrowers)
        with folder.open_recorder(columns) as rec:                  # steps.csv + events.jsonl
            rec.record(row, lines)                                  # lines: records.py's typed lines
    run = load_run("runs/x")                                        # RunFolderError names any bad file
    run.liquidations()                                              # the Liquidation lines, typed

One writer per folder: :func:`folder_lock` (lock.py) is the lock every command that writes into a folder
takes (run, report, sweep, risk), :func:`probe_lock` a reader's look at it.

Every whole file is written atomically (temp + rename); steps.csv and events.jsonl are
appended a whole step at a time. OS failures are :class:`~defidrill.errors.OutputError`
(exit 4). The format, with the JSON Schema of summary.json and contracts.json, is in
docs/run-folder.md; the schemas are generated into docs/schema/ (``python -m defidrill.run_folder.schema --write docs/schema``).
"""

from defidrill.run_folder.atomic import ensure_dir, write_bytes_atomic, write_json_atomic, write_text_atomic
from defidrill.run_folder.lock import HeldLock, LockProbe, folder_lock, probe_lock
from defidrill.run_folder.models import (
    SCHEMA_VERSION, Activity, AssetSlippage, Amplification, ComparisonEntry, ContractsBook, Expectation, FeedDeviation, Invariant,
    ForkInfo, InvariantChecks, KeeperLiquidations, OnchainMetrics, PairFlow, PerMinuteSeries, ProtocolInfo, RunStatus,
    RunSummary, dump,
)
from defidrill.run_folder.names import (
    BORROWERS_CSV, CEX_EVENTS_CSV, CEX_STEPS_CSV, CONTRACTS_JSON, DRILL_YAML, ERROR_TXT, EVENTS_JSONL, FILES, LOCK_FILE,
    REPLAY_DIR, REPORT_HTML, REPORT_MD, SEED_TXT, STEPS_CSV, SUMMARY_JSON,
)
from defidrill.run_folder.reader import (
    AddressBook, DrillInfo, Event, RunFolder, RunFolderError, Table, load_run, read_contracts, read_events,
    read_json, read_summary, read_table,
)
from defidrill.run_folder.recorder import StepRecorder
from defidrill.run_folder.records import (
    BadDebt, BadDebtLine, DecodedCall, Line, Liquidation, LiquidationLine, ProtocolEvent, TxDroppedLine, TxFailedLine,
    parse_line,
)
from defidrill.run_folder.writer import (
    BORROWER_COLUMNS, RunFolderWriter, default_run_dir, holds_run, lock_run_folder, mark_killed, open_run_folder,
    write_cex_files, write_summary,
)

__all__ = [
    "Expectation", "ForkInfo", "ProtocolInfo",
    "BadDebt", "BadDebtLine", "DecodedCall", "Line", "Liquidation", "LiquidationLine", "ProtocolEvent",
    "TxDroppedLine", "TxFailedLine", "parse_line",
    "Activity", "AddressBook", "Amplification", "AssetSlippage", "BORROWERS_CSV", "BORROWER_COLUMNS",
    "CEX_EVENTS_CSV", "CEX_STEPS_CSV", "CONTRACTS_JSON", "ComparisonEntry", "ContractsBook", "DRILL_YAML",
    "DrillInfo", "EVENTS_JSONL", "Event", "FILES", "FeedDeviation", "Invariant", "InvariantChecks", "KeeperLiquidations",
    "LOCK_FILE", "ERROR_TXT", "HeldLock", "LockProbe", "folder_lock", "probe_lock", "holds_run", "mark_killed",
    "ensure_dir", "write_bytes_atomic",
    "OnchainMetrics", "PairFlow", "PerMinuteSeries", "REPLAY_DIR", "REPORT_HTML", "REPORT_MD", "RunFolder",
    "RunFolderError", "RunFolderWriter", "RunStatus", "RunSummary", "SCHEMA_VERSION", "SEED_TXT", "STEPS_CSV",
    "SUMMARY_JSON", "StepRecorder", "Table", "default_run_dir", "dump", "load_run", "lock_run_folder",
    "open_run_folder",
    "read_contracts", "read_events", "read_json", "read_summary", "read_table", "write_cex_files",
    "write_json_atomic", "write_summary", "write_text_atomic",
]
