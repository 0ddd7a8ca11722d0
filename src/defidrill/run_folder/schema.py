"""The JSON Schema of summary.json and contracts.json, generated from the run folder's models.

    python -m defidrill.run_folder.schema                    # prints both schemas as one JSON object
    python -m defidrill.run_folder.schema --write docs/schema  # writes summary.schema.json, contracts.schema.json

The docs site publishes the written files (docs/schema/); tests/run_folder/test_docs.py regenerates them
and fails when the published files and the models drift apart, so the schema is never pasted by hand.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from defidrill.run_folder.models import ContractsBook, RunSummary

#: The published file of each run-folder file's schema, beside each other in one folder.
SCHEMA_FILES: dict[str, str] = {"summary.json": "summary.schema.json", "contracts.json": "contracts.schema.json"}


def json_schemas() -> dict[str, dict[str, object]]:
    return {"summary.json": RunSummary.model_json_schema(), "contracts.json": ContractsBook.model_json_schema()}


def rendered() -> dict[str, str]:
    """Published file name -> its text: sorted keys and a final newline, so a regeneration diffs cleanly."""
    return {SCHEMA_FILES[name]: json.dumps(schema, indent=2, sort_keys=True) + "\n" for name, schema in json_schemas().items()}


def write(folder: Path) -> list[Path]:
    """Write every schema file into `folder` (created if missing); returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for file_name, text in rendered().items():
        path = folder / file_name
        path.write_text(text)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m defidrill.run_folder.schema",
                                     description="The JSON Schema of the run folder's files.")
    parser.add_argument("--write", metavar="DIR", type=Path, help="write one <file>.schema.json per run-folder file into DIR")
    args = parser.parse_args(argv)
    if args.write is None:
        print(json.dumps(json_schemas(), indent=2, sort_keys=True))
        return
    for path in write(args.write):
        print(path)


if __name__ == "__main__":
    main()
