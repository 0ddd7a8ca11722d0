"""The report of a real drill run, laid out by headless Chromium at 1280x800 and measured in its DOM.

The page is a copy of report.html with one measuring script appended (the report itself carries no
script): on load it writes, as JSON into a <pre>, the verdict's box, the first table's and the first
chart's tops, the page's scroll width, and for every chart how many pixels each series covers
(polylines: drawn length; bars: their summed area and tallest bar, from getBoundingClientRect).
``chromium --dump-dom`` prints the DOM after the script ran, so every figure is Chromium's own layout.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from defidrill.report import write_report

pytestmark = pytest.mark.slow

WINDOW_W, WINDOW_H = 1280, 800
#: A line is visibly drawn when at least this long on screen (px), a bar series when its bars cover
#: at least MIN_BAR_AREA_PX2 and its tallest bar stands MIN_BAR_HEIGHT_PX: a 760 x 220 px chart whose
#: smallest series is a 1 px sliver (the old shared linear axis: $100k beside $500k... $500M) fails.
MIN_LINE_PX = 150.0
MIN_BAR_AREA_PX2 = 300.0
MIN_BAR_HEIGHT_PX = 40.0

MEASURE = """
<script>
window.addEventListener('load', () => {
  const box = el => { const r = el.getBoundingClientRect(); return {top: r.top + scrollY, bottom: r.bottom + scrollY}; };
  const h2 = [...document.querySelectorAll('h2')].find(h => h.textContent.trim() === 'Verdict');
  const verdict = h2 ? h2.nextElementSibling : null;
  const table = document.querySelector('table'), chart = document.querySelector('figure svg');
  const charts = [...document.querySelectorAll('figure svg')].map(svg => {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    const series = {};
    for (const el of svg.querySelectorAll('[data-series]')) {
      const s = series[el.dataset.series] ||= {line_px: 0, bar_area_px2: 0, bar_max_height_px: 0};
      if (el.tagName === 'polyline') s.line_px += el.getTotalLength() * scale;
      if (el.tagName === 'circle') s.line_px += 4 * scale;
      if (el.tagName === 'rect') {
        const r = el.getBoundingClientRect();
        s.bar_area_px2 += r.width * r.height;
        s.bar_max_height_px = Math.max(s.bar_max_height_px, r.height);
      }
    }
    return {title: svg.querySelector('.title').textContent, series,
            ticks: [...svg.querySelectorAll('.tick')].map(t => t.textContent)};
  });
  const out = document.createElement('pre');
  out.id = 'measure';
  out.textContent = JSON.stringify({
    inner_width: innerWidth, inner_height: innerHeight,
    verdict: verdict ? {tag: verdict.tagName, text: verdict.textContent, ...box(verdict)} : null,
    first_table_top: table ? box(table).top : null, first_chart_top: chart ? box(chart).top : null,
    scroll_width: document.documentElement.scrollWidth, charts});
  document.body.appendChild(out);
});
</script>
"""


def _measure(page: Path, tmp: Path) -> dict[str, Any]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed: `apt-get install -y chromium` (.ci/run does it)")
    probe = tmp / "probe.html"
    probe.write_text(page.read_text().replace("</body>", MEASURE + "</body>"))
    done = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                           "--disable-background-networking", "--disable-component-update", "--disable-sync",
                           "--hide-scrollbars", f"--user-data-dir={tmp / 'profile'}", f"--window-size={WINDOW_W},{WINDOW_H}",
                           "--virtual-time-budget=5000", "--dump-dom", probe.resolve().as_uri()],
                          check=True, timeout=120, capture_output=True, text=True)
    found = re.search(r'<pre id="measure">(.*?)</pre>', done.stdout, re.S)
    assert found, f"the measuring script did not run: {done.stderr[-2000:]}"
    measured: dict[str, Any] = json.loads(found.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
    return measured


@pytest.fixture(scope="module")
def measured(drilled_run: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    _, html_path = write_report(drilled_run)
    return _measure(html_path, tmp_path_factory.mktemp("chromium"))


def test_the_verdict_is_the_first_screen(measured: dict[str, Any]) -> None:
    # a 1280x800 window shows a 1280 x 657 viewport in headless Chromium (its simulated browser chrome)
    assert measured["inner_width"] == WINDOW_W and 0 < measured["inner_height"] <= WINDOW_H
    verdict = measured["verdict"]
    assert verdict["tag"] == "P" and "fell" in verdict["text"] and "invariants" in verdict["text"]
    assert verdict["bottom"] <= measured["inner_height"]
    assert verdict["bottom"] <= measured["first_table_top"] and verdict["bottom"] <= measured["first_chart_top"]


def test_no_horizontal_scroll_at_1280(measured: dict[str, Any]) -> None:
    assert measured["scroll_width"] <= WINDOW_W


def test_every_series_of_every_chart_is_visibly_drawn(measured: dict[str, Any]) -> None:
    charts = measured["charts"]
    titles = [c["title"] for c in charts]
    # one panel per venue for the per-minute liquidations, and the health / under-water charts
    assert "Liquidated notional per minute: on chain (seized collateral at reference)" in titles
    assert "Liquidated notional per minute: CEX (position notional at mark)" in titles
    assert "Accounts below health factor 1" in titles and "Debt under water" in titles
    for chart in charts:
        assert chart["series"], chart["title"]
        for name, s in chart["series"].items():
            if s["bar_area_px2"]:
                assert s["bar_area_px2"] >= MIN_BAR_AREA_PX2, (chart["title"], name, s)
                assert s["bar_max_height_px"] >= MIN_BAR_HEIGHT_PX, (chart["title"], name, s)
            else:
                assert s["line_px"] >= MIN_LINE_PX, (chart["title"], name, s)


def test_time_axes_end_at_the_drills_end(measured: dict[str, Any]) -> None:
    # the drill runs 75 minutes: ticks every 10 minutes up to 70, none past the end
    for chart in measured["charts"]:
        if chart["title"] == "Liquidated notional per minute: on chain (seized collateral at reference)":
            assert [t for t in chart["ticks"] if t in ("70", "80")] == ["70"], chart["ticks"]


def test_the_drills_events_are_marked_where_the_drill_put_them(drilled_run: Path) -> None:
    # keeper-outage: both keepers offline 25m..55m (one band), LPs withdraw 40 % at 15m (one line); the
    # price chart's x axis runs 0..75 min over the plot's 78..744 px (svg.py margins), 8.88 px a minute
    import xml.etree.ElementTree as ET
    _, html_path = write_report(drilled_run)
    wbtc = ET.fromstring(re.findall(r"<svg.*?</svg>", html_path.read_text(), re.S)[0])
    ns = "{http://www.w3.org/2000/svg}"
    px = lambda minute: 78 + minute / 75 * (760 - 16 - 78)   # noqa: E731
    [band] = [r for r in wbtc.iter(f"{ns}rect") if r.get("class") == "marker"]
    assert abs(float(band.get("x", "0")) - px(25)) < 0.1 and abs(float(band.get("width", "0")) - (px(55) - px(25))) < 0.1
    [line] = [ln for ln in wbtc.iter(f"{ns}line") if ln.get("class") == "marker"]
    assert abs(float(line.get("x1", "0")) - px(15)) < 0.1
    labels = {t.text for t in wbtc.iter(f"{ns}text") if t.get("class") == "mlabel"}
    assert labels == {"keepers fast, slow offline", "LPs withdraw 40.0 %"}
    # the reference line's last point is the drill's last step, at the axis' right end
    [ref] = [p for p in wbtc.iter(f"{ns}polyline") if p.get("data-series") == "reference"]
    assert ref.get("points", "").split()[-1].startswith(f"{px(75):.1f},")
