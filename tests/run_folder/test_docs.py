"""docs/run-folder.md publishes the JSON Schema of the models and names every file the owner writes."""

from __future__ import annotations

import re

from defidrill.run_folder import FILES
from defidrill.run_folder.schema import markdown
from defidrill.toolchain import project_root

DOC = project_root() / "docs" / "run-folder.md"


def test_docs_hold_the_current_json_schema() -> None:
    text = DOC.read_text()
    published = re.search(r"<!-- schema:start -->\n(.*)<!-- schema:end -->", text, re.S)
    assert published, "docs/run-folder.md lost its schema markers"
    assert published.group(1) == markdown(), "regenerate: python -m defidrill.run_folder.schema"


def test_docs_name_every_file_of_the_run_folder() -> None:
    text = DOC.read_text()
    missing = [f.name for f in FILES if f"`{f.name}`" not in text and f"`{f.name.rstrip('/')}/`" not in text]
    assert not missing, missing
