"""Where the project's files are: contracts, node_modules, the cache.

The engine ships with its reference contracts in the repository, so the root is
found from the package's own location first (a source checkout or an editable
install), then from ``DEFIDRILL_ROOT`` for installs that live elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

from defidrill.errors import ToolchainError


def _looks_like_root(path: Path) -> bool:
    return (path / "contracts").is_dir() and (path / "package.json").is_file()


def project_root() -> Path:
    """The repository root holding ``contracts/`` and ``package.json``."""
    env_root = os.environ.get("DEFIDRILL_ROOT")
    if env_root:
        root = Path(env_root).resolve()
        if not _looks_like_root(root):
            raise ToolchainError(
                f"DEFIDRILL_ROOT={env_root} has no contracts/ folder and package.json; "
                "point it at a defidrill checkout"
            )
        return root
    here = Path(__file__).resolve()
    for candidate in here.parents:
        if _looks_like_root(candidate):
            return candidate
    cwd = Path.cwd().resolve()
    for candidate in (cwd, *cwd.parents):
        if _looks_like_root(candidate):
            return candidate
    raise ToolchainError(
        "cannot find the defidrill project root (a folder with contracts/ and package.json); "
        "run from a checkout or set DEFIDRILL_ROOT"
    )


def cache_dir(root: Path | None = None) -> Path:
    """Per-checkout cache for compiled artifacts and the solc launcher (git-ignored)."""
    path = (root or project_root()) / ".defidrill"
    path.mkdir(parents=True, exist_ok=True)
    return path
