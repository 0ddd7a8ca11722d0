"""defidrill suite: the drill library (or a chosen set) run at reduced sizes, scored, as JUnit XML."""

from defidrill.suite.sizes import SUITE_SIZES

__all__ = ["SUITE_SIZES"]
