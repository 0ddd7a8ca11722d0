"""defidrill suite: the drill library (or a chosen set) run at reduced sizes, scored, as JUnit XML.

    rows = run_suite(suite_drills(), Path("runs/suite"), ["protocol.kind=aave-v3"])
    write_junit(Path("suite.xml"), rows)

The reduced sizes are one table, :data:`SUITE_SIZES` (suite/sizes.py), with the reason each keeps
its drill's character.
"""

from defidrill.suite.junit import junit_xml, write_junit
from defidrill.suite.run import SuiteRow, drill_name, run_one, run_suite, suite_drills
from defidrill.suite.sizes import SUITE_SIZES

__all__ = ["SUITE_SIZES", "SuiteRow", "drill_name", "junit_xml", "run_one", "run_suite", "suite_drills", "write_junit"]
