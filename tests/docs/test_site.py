"""The manual builds as a MkDocs site in strict mode, every page it names exists, and it needs no network.

`make test` runs this file first (before the long suite), so a broken link, a missing anchor or a page left
out of the nav fails in seconds; it is the only place `make test` builds the site.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from defidrill.toolchain import project_root

ROOT = project_root()
DOCS = ROOT / "docs"

#: The manual's pages the README links into by path (issue 16): each must stay a page of the site.
REQUIRED_PAGES = [
    "index.md", "getting-started.md", "cli.md", "drills.md", "library.md", "adapters.md", "reference-protocol.md",
    "aave-v3.md", "morpho-blue.md", "external-protocol.md", "chain-backends.md", "fork-mode.md", "pytest.md", "ape.md",
    "sweeps.md", "risk.md", "run-folder.md", "metrics.md", "cex.md", "performance.md", "reliability.md", "security.md",
    "layout.md", "toolchain.md",
]


def _nav_files(node: object) -> list[str]:
    """Every page file named in mkdocs.yml's nav, in order (entries are `title: file` or `title: [entries]`)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [f for item in node for f in _nav_files(item)]
    if isinstance(node, dict):
        return [f for value in node.values() for f in _nav_files(value)]
    raise AssertionError(f"mkdocs.yml nav: unexpected entry {node!r}")


def _build(config: Path, site: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")  # Material's end-of-life banner, not a finding
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
                          capture_output=True, text=True, timeout=300, env=env)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        import mkdocs  # noqa: F401
    except ImportError:
        pytest.fail("mkdocs is not installed: it is pinned in pyproject's dev extra (make bootstrap installs it)")
    out = tmp_path_factory.mktemp("site")
    built = _build(ROOT / "mkdocs.yml", out)
    assert built.returncode == 0, f"mkdocs build --strict failed:\n{built.stderr[-4000:]}"
    return out


def _nav() -> list[str]:
    return _nav_files(yaml.safe_load((ROOT / "mkdocs.yml").read_text())["nav"])


def test_nav_names_every_page_once_and_each_exists() -> None:
    nav = _nav()
    assert len(nav) == len(set(nav)), [f for f in nav if nav.count(f) > 1]
    assert [f for f in nav if not (DOCS / f).is_file()] == []
    pages = sorted(str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md"))
    assert sorted(nav) == pages, f"pages outside the nav: {sorted(set(pages) - set(nav))}"
    assert [f for f in REQUIRED_PAGES if f not in nav] == []


def test_strict_build_writes_every_nav_page(site: Path) -> None:
    missing = [f for f in _nav() if not (site / ("index.html" if f == "index.md" else f"{f[:-3]}/index.html")).is_file()]
    assert missing == []
    assert (site / "schema" / "summary.schema.json").is_file(), "the generated schema is published with the site"


def test_site_fetches_nothing(site: Path) -> None:
    """Offline: no stylesheet, script or font from another host (Material's Google fonts are off)."""
    remote = re.compile(r"""<(?:link|script)\b[^>]*\b(?:href|src)=["']?(?:https?:)?//""", re.I)
    fetching = [str(p.relative_to(site)) for p in site.rglob("*.html") if remote.search(p.read_text())]
    assert fetching == []
    assert not [p for p in site.rglob("*.css") if "fonts.googleapis" in p.read_text()]


def test_a_broken_link_fails_the_build(tmp_path: Path) -> None:
    """The validation levels in mkdocs.yml keep broken links fatal: a copy of the manual with one fails."""
    shutil.copytree(DOCS, tmp_path / "docs")
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    with (tmp_path / "docs" / "index.md").open("a") as page:
        page.write("\n[gone](no-such-page.md) and [no anchor](drills.md#no-such-heading)\n")
    built = _build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert built.returncode != 0
    assert "no-such-page.md" in built.stderr and "#no-such-heading" in built.stderr
