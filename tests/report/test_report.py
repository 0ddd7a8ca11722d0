"""report.md / report.html: content from summary.json, valid inline SVG, errors that name the file."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from defidrill.cli.report_cmd import report_cmd
from defidrill.errors import DrillError
from defidrill.run_folder import RunFolderError
from defidrill.report import write_report
from defidrill.report.svg import nice_ticks

SVG_NS = "{http://www.w3.org/2000/svg}"


def test_report_has_comparison_tables_and_invariants(finished_run: Path) -> None:
    md_path, html_path = write_report(finished_run)
    md, page = md_path.read_text(), html_path.read_text()
    summary = json.loads((finished_run / "summary.json").read_text())
    for text in (md, page):
        assert "On chain versus CEX" in text
        assert "A 2 % WBTC dip with a lagging feed; two keepers." in text   # the drill's description
        assert "How to read this" in text
        for entry in summary["comparison"].values():
            assert entry["definition"].split(":")[0] in text.replace("&#x27;", "'")
    # numbers come from summary.json: the comparison row of the liquidated notional
    assert re.search(r"\| liquidated notional \| \$14,294 \| \$150,000 \| USD \|", md)
    assert "| no account liquidated while healthy | FAIL |" in md
    assert '<tr class="fail">' in page and '<tr class="pass">' in page
    assert "1 of 2 passed." in md


def test_html_is_self_contained_with_valid_svg(finished_run: Path) -> None:
    _, html_path = write_report(finished_run)
    page = html_path.read_text()
    assert not re.search(r"(src|href)=\"https?:", page) and "<script" not in page and "@import" not in page
    svgs = re.findall(r"<svg.*?</svg>", page, re.S)
    # WBTC and WETH prices, per-minute liquidations (one panel per venue), accounts below HF 1,
    # debt under water, CEX prices, insurance fund
    assert len(svgs) == 8
    for svg in svgs:
        root = ET.fromstring(svg)
        assert root.tag == f"{SVG_NS}svg"
        texts = [t.text for t in root.iter(f"{SVG_NS}text")]
        assert any(t and "minutes" in t for t in texts)                 # an x-axis label
        assert root.findall(f".//{SVG_NS}polyline") or root.findall(f".//{SVG_NS}rect")
    wbtc = ET.fromstring(svgs[0])
    legend = {t.text for t in wbtc.iter(f"{SVG_NS}text")}
    assert {"reference", "feed", "guard", "AMM spot"} <= legend
    # the guard had no price at t = 50 s: its line is broken into two pieces, not dragged to 0
    guard_color = "#2ca02c"
    assert len([p for p in wbtc.iter(f"{SVG_NS}polyline") if p.get("stroke") == guard_color]) == 2


def test_nice_ticks_cover_the_range() -> None:
    assert nice_ticks(58_212, 60_000) == [58_000, 58_500, 59_000, 59_500, 60_000]
    assert nice_ticks(0, 1) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]


def test_missing_summary_names_the_file(tmp_path: Path, finished_run: Path) -> None:
    (finished_run / "summary.json").unlink()
    with pytest.raises(RunFolderError) as err:
        write_report(finished_run)
    assert isinstance(err.value, DrillError)
    assert str(finished_run / "summary.json") in str(err.value)


@pytest.mark.parametrize("name", ["steps.csv", "events.jsonl"])
def test_missing_run_file_names_it(finished_run: Path, name: str) -> None:
    (finished_run / name).unlink()
    with pytest.raises(RunFolderError, match=re.escape(str(finished_run / name)) + ": file not found"):
        write_report(finished_run)


def test_bad_cell_names_file_line_and_column(finished_run: Path) -> None:
    path = finished_run / "steps.csv"
    lines = path.read_text().splitlines()
    lines[4] = lines[4].replace(",58800,", ",oops,", 1)   # ref_WBTC_usd of the step at t = 30 s (line 5)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(RunFolderError, match=r"steps\.csv:5: column 'ref_WBTC_usd': not a number: 'oops'"):
        write_report(finished_run)


def test_cli_writes_both_files_and_maps_errors(finished_run: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(report_cmd, [str(finished_run)])
    assert result.exit_code == 0, result.output
    assert str(finished_run / "report.html") in result.output
    assert (finished_run / "report.md").is_file()

    (finished_run / "summary.json").unlink()
    missing = CliRunner().invoke(report_cmd, [str(finished_run)])
    assert missing.exit_code == RunFolderError.exit_status
    assert "summary.json: file not found" in missing.output

    rebuilt = CliRunner().invoke(report_cmd, [str(finished_run), "--recompute"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert json.loads((finished_run / "summary.json").read_text())["onchain"]["liquidation_count"] == 4


def test_chromium_renders_the_page(finished_run: Path, tmp_path: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed: the headless screenshot check needs it")
    _, html_path = write_report(finished_run)
    png = tmp_path / "report.png"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={png}", "--window-size=1200,2400",
                    html_path.resolve().as_uri()], check=True, timeout=120, capture_output=True)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000      # a blank page compresses to a few kB; tables and charts do not


def test_first_screen_comes_before_the_raw_figures(finished_run: Path) -> None:
    md_path, _ = write_report(finished_run)
    md = md_path.read_text()
    order = [md.index(h) for h in ("## Verdict", "## On chain beside the CEX, normalised", "## Expectations",
                                   "**Invariants:** 1 of 2 BROKE (no account liquidated while healthy)", "## Charts",
                                   "## The drill", "## How to read this", "## On chain versus CEX\n")]
    assert order == sorted(order)
    verdict = md.split("## Verdict\n\n")[1].split("\n")[0]
    # the fixture's WBTC: 60,000 -> 58,800 (-2 %) over 120 s; 4 liquidations; one of two invariants broke
    assert verdict.startswith("WBTC fell 2 % on the reference path (from $60k to $58.8k)")
    assert "4 liquidations followed" in verdict and "1 of 2 invariants broke (no account liquidated while healthy)" in verdict


def test_a_run_without_the_cex_says_what_is_absent(finished_run: Path) -> None:
    summary = json.loads((finished_run / "summary.json").read_text())
    summary["cex"] = None
    (finished_run / "summary.json").write_text(json.dumps(summary))
    for name in ("cex_steps.csv", "cex_events.csv"):
        (finished_run / name).unlink(missing_ok=True)
    md = write_report(finished_run)[0].read_text()
    assert "This run has no CEX replay (cex disabled or not reached): the chain stands alone." in md
    assert "The CEX replay is not part of this run" in md


def test_time_axes_end_at_the_drills_end(finished_run: Path) -> None:
    # the fixture's last step is t = 120 s = 2 min: every chart's x axis ends there, at 760 - 16 px
    _, html_path = write_report(finished_run)
    for svg in re.findall(r"<svg.*?</svg>", html_path.read_text(), re.S):
        root = ET.fromstring(svg)
        xs = [float(p.split(",")[0]) for pl in root.iter(f"{SVG_NS}polyline") for p in pl.get("points", "").split()]
        xs += [float(r.get("x", "0")) + float(r.get("width", "0")) for r in root.iter(f"{SVG_NS}rect")
               if r.get("data-series")]
        assert xs and max(xs) <= 744.05
        ticks = [t.text for t in root.iter(f"{SVG_NS}text") if t.get("class") == "tick"]
        assert "2" in ticks and "2.5" not in ticks and "3" not in ticks


def test_the_last_minutes_liquidations_stay_on_the_chart(finished_run: Path) -> None:
    # liquidations C and D land at t = 120 s, the drill's last step: their minute [120, 180) starts at the
    # axis end; its bar is cut there, not dropped (on chain: minute 1 has A + B at 60 and 70 s, minute 2 has C + D)
    _, html_path = write_report(finished_run)
    svgs = [ET.fromstring(s) for s in re.findall(r"<svg.*?</svg>", html_path.read_text(), re.S)]
    [onchain] = [s for s in svgs if "Liquidated notional per minute: on chain" in (s.findtext(f"{SVG_NS}desc") or "")]
    bars = [r for r in onchain.iter(f"{SVG_NS}rect") if r.get("data-series")]
    assert len(bars) == 2
    last = max(bars, key=lambda r: float(r.get("x", "0")))
    assert float(last.get("x", "0")) + float(last.get("width", "0")) == pytest.approx(744.0, abs=0.05)
