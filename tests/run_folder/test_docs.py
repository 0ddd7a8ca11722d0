"""docs/run-folder.md links the generated JSON Schema files, which are current, and names every file the owner writes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from defidrill.run_folder import FILES, ContractsBook, RunSummary
from defidrill.run_folder.schema import SCHEMA_FILES, write
from defidrill.toolchain import project_root

DOCS = project_root() / "docs"
DOC = DOCS / "run-folder.md"


def test_published_schema_files_are_current(tmp_path: Path) -> None:
    fresh = write(tmp_path)
    assert sorted(p.name for p in fresh) == sorted(SCHEMA_FILES.values())
    stale = [p.name for p in fresh if not (DOCS / "schema" / p.name).is_file()
             or (DOCS / "schema" / p.name).read_text() != p.read_text()]
    assert not stale, f"{stale} differ from the models: python -m defidrill.run_folder.schema --write docs/schema"


def test_page_links_every_schema_file() -> None:
    text = DOC.read_text()
    missing = [name for name in SCHEMA_FILES.values() if f"](schema/{name})" not in text]
    assert not missing, f"docs/run-folder.md does not link {missing}"


def test_page_holds_no_pasted_schema() -> None:
    assert '"$defs"' not in DOC.read_text(), "the schema lives in docs/schema/, generated; the page links it"


@pytest.mark.parametrize(("tag", "model"), [("summary", RunSummary), ("contracts", ContractsBook)])
def test_page_examples_are_valid_files(tag: str, model: type[RunSummary] | type[ContractsBook]) -> None:
    example = re.search(rf"<!-- example:{tag} -->\n```json\n(.*?)\n```", DOC.read_text(), re.S)
    assert example, f"docs/run-folder.md lost its {tag} example"
    model.model_validate_json(example.group(1))  # the models forbid unknown keys: a renamed field fails here


def test_docs_name_every_file_of_the_run_folder() -> None:
    text = DOC.read_text()
    missing = [f.name for f in FILES if f"`{f.name}`" not in text and f"`{f.name.rstrip('/')}/`" not in text]
    assert not missing, missing
