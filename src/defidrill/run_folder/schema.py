"""The JSON Schema of summary.json and contracts.json, as published in docs/run-folder.md.

    python -m defidrill.run_folder.schema     # prints the Markdown block the docs hold

tests/run_folder/test_docs.py fails when the docs and the models drift apart.
"""

from __future__ import annotations

import json

from defidrill.run_folder.models import ContractsBook, RunSummary


def json_schemas() -> dict[str, dict[str, object]]:
    return {"summary.json": RunSummary.model_json_schema(), "contracts.json": ContractsBook.model_json_schema()}


def markdown() -> str:
    """The docs section: one fenced JSON block per file."""
    parts = []
    for name, schema in json_schemas().items():
        parts += [f"### JSON Schema of {name}", "", "```json", json.dumps(schema, indent=2, sort_keys=True), "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":
    print(markdown())
