"""JUnit XML of a suite: one ``testsuite``, one ``testcase`` per drill, so a CI system shows each drill as a test.

A ``failed`` drill gets a ``failure`` element listing its unmet expectations and broken invariants;
an ``error`` one an ``error`` element with the error; a ``skipped`` one a ``skipped`` element with the
reason the protocol refused it. The format is the one JUnit's Ant task writes and CI systems read
(``testsuite`` with ``tests``, ``failures``, ``errors``, ``skipped``, ``time``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from defidrill.run_folder.atomic import write_text_atomic
from defidrill.suite.run import SuiteRow

__all__ = ["junit_xml", "write_junit"]

SUITE_NAME = "defidrill suite"


def junit_xml(rows: Sequence[SuiteRow], *, name: str = SUITE_NAME) -> str:
    """The XML document (UTF-8 text with its declaration)."""
    suite = ET.Element("testsuite", {
        "name": name, "tests": str(len(rows)),
        "failures": str(sum(r.status == "failed" for r in rows)),
        "errors": str(sum(r.status == "error" for r in rows)),
        "skipped": str(sum(r.status == "skipped" for r in rows)),
        "time": f"{sum(r.wall_time_s for r in rows):.3f}",
    })
    for row in rows:
        case = ET.SubElement(suite, "testcase", {"classname": "defidrill.suite", "name": row.drill,
                                                 "time": f"{row.wall_time_s:.3f}"})
        text = "\n".join(row.problems)
        first = row.problems[0].splitlines()[0] if row.problems else row.status
        if row.status == "failed":
            ET.SubElement(case, "failure", {"message": f"{len(row.problems)} problem(s): {first}",
                                            "type": "failed"}).text = text
        elif row.status == "error":
            ET.SubElement(case, "error", {"message": first, "type": "error"}).text = text
        elif row.status == "skipped":
            ET.SubElement(case, "skipped", {"message": first})
        if row.run_dir is not None:
            ET.SubElement(case, "system-out").text = f"run folder: {row.run_dir}"
    ET.indent(suite)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def write_junit(path: Path, rows: Sequence[SuiteRow]) -> Path:
    """Write the XML atomically (a CI system never reads half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_text_atomic(path, junit_xml(rows))
