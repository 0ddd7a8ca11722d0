"""The seize-share test protocol's adapter, imported from this folder by ``defidrill_deploy`` (test_relative_paths)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "protocol" / "seize_share"))

from seize_share_adapter import SeizeShareAdapter  # noqa: E402 (its folder is put on sys.path just above)


class PluginSeizeShareAdapter(SeizeShareAdapter):
    """The same adapter, named from tests/pytest_plugin/."""
