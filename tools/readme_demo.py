"""The README's demo section, produced from a run of the demo drill (never typed by hand).

    python tools/readme_demo.py                 # runs the demo drill, rewrites the README block and the chart
    python tools/readme_demo.py --run DIR       # from an existing run folder of the demo drill
    python tools/readme_demo.py --check --run DIR   # exit 1 if README.md or the chart is not what DIR gives

The block between ``<!-- demo:start -->`` and ``<!-- demo:end -->`` in README.md holds the run's
verdict (the report's own first paragraph, :func:`defidrill.report.verdict.verdict_paragraph`) and its
expectations; ``docs/assets/demo-cex-price.svg`` is the report's CEX price chart of the same run.
tests/e2e/test_readme_demo.py runs the demo drill and checks both are current.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import textwrap
from pathlib import Path

from defidrill.cli.run_cmd import DEMO_DRILL
from defidrill.metrics.expectations import describe
from defidrill.report.charts import cex_price_chart
from defidrill.report.timeline import drill_timeline
from defidrill.report.verdict import verdict_paragraph
from defidrill.run_folder import Expectation, load_run
from defidrill.toolchain import project_root

START, END = "<!-- demo:start -->", "<!-- demo:end -->"
CHART = Path("docs/assets/demo-cex-price.svg")


def demo_block(run_dir: Path) -> str:
    """The README block for a finished run of the demo drill."""
    run = load_run(run_dir, require_summary=True)
    summary = run.summary or {}
    lines = [START, "", "> " + "\n> ".join(textwrap.wrap(verdict_paragraph(summary), width=100)), ""]
    expectations = [Expectation.model_validate(e) for e in summary.get("expectations") or []]
    if expectations:
        lines += ["Its drill file states what it expects; the run checks each:", ""]
        lines += [f"- {'met' if e.met else 'NOT MET'}: {describe(e)}" for e in expectations]
        lines.append("")
    lines += [f"![The CEX's index, mark and last traded price through the demo's hour]({CHART.as_posix()})", "",
              f"(`python tools/readme_demo.py` writes this section from a run of `{DEMO_DRILL}`; "
              "`tests/e2e/test_readme_demo.py` runs the drill and checks it is current.)", "", END]
    return "\n".join(lines)


def demo_chart(run_dir: Path) -> str:
    run = load_run(run_dir, require_summary=True)
    svg = cex_price_chart(run, drill_timeline(run, run.summary or {}))
    if svg is None:
        raise SystemExit(f"{run_dir} has no CEX steps: not a run of {DEMO_DRILL}")
    return svg + "\n"


def replace_block(readme: str, block: str) -> str:
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    if not pattern.search(readme):
        raise SystemExit(f"README.md has no {START} ... {END} block")
    return pattern.sub(lambda _: block, readme)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, help="a run folder of the demo drill (default: run it now)")
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    root = project_root()
    run_dir = args.run
    if run_dir is None:
        from defidrill.runner import run_drill

        run_dir = Path(tempfile.mkdtemp(prefix="readme-demo-")) / "demo"
        run_drill(root / DEMO_DRILL, out_dir=run_dir, progress=False)
    readme_path, chart_path = root / "README.md", root / CHART
    readme = readme_path.read_text()
    new_readme, new_chart = replace_block(readme, demo_block(run_dir)), demo_chart(run_dir)
    if args.check:
        stale = [p.name for p, old, new in ((readme_path, readme, new_readme),
                                            (chart_path, chart_path.read_text() if chart_path.is_file() else "", new_chart))
                 if old != new]
        if stale:
            print(f"not current: {', '.join(stale)} (run: python tools/readme_demo.py --run {run_dir})", file=sys.stderr)
            return 1
        return 0
    readme_path.write_text(new_readme)
    chart_path.parent.mkdir(parents=True, exist_ok=True)
    chart_path.write_text(new_chart)
    print(f"README.md and {CHART} written from {run_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
