"""The human report of a run folder: report.md and a self-contained report.html.

    md_path, html_path = write_report("runs/flash-crash-...")

Reads summary.json (required) and the CSVs; never talks to the chain. Every number shown
comes from those files, so the report is reproducible from the drill file and its seed.
"""

from __future__ import annotations

from pathlib import Path

from defidrill.report.document import build_document
from defidrill.report.render import to_html, to_markdown
from defidrill.run_folder import REPORT_HTML, REPORT_MD, load_run, write_text_atomic


def write_report(run_dir: str | Path) -> tuple[Path, Path]:
    """Write report.md and report.html into ``run_dir``; RunFolderError names a missing or bad file."""
    run = load_run(run_dir, require_summary=True)
    summary = run.summary or {}
    blocks = build_document(summary, run)
    title = f"defidrill report: {summary.get('drill') or run.drill.name}"
    md_path, html_path = run.path / REPORT_MD, run.path / REPORT_HTML
    write_text_atomic(md_path, to_markdown(blocks))
    write_text_atomic(html_path, to_html(blocks, title))
    return md_path, html_path


__all__ = ["REPORT_HTML", "REPORT_MD", "write_report"]
