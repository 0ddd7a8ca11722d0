"""Find the anvil executable: ANVIL_BIN, then PATH, then the project's node_modules.

We run the platform binary inside ``@foundry-rs/anvil-<platform>`` rather than the
``node_modules/.bin/anvil`` Node wrapper: SIGTERM to the wrapper leaves the real
anvil running as an orphan holding its port (measured, see DESIGN.md).
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from defidrill.errors import ToolchainError
from defidrill.toolchain.project import project_root

HOW_TO_GET_ANVIL = (
    "run `make test` or `npm ci` in the project (installs the pinned @foundry-rs/anvil), "
    "or install Foundry (foundryup) and put anvil on PATH, or set ANVIL_BIN=/path/to/anvil"
)


@dataclass(frozen=True)
class AnvilBinary:
    path: Path
    version: str
    source: str  # "ANVIL_BIN", "PATH" or "node_modules"


def _platform_package() -> str:
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)
    system = platform.system().lower()
    return f"anvil-{system}-{arch}"


def node_modules_anvil(root: Path | None = None) -> Path:
    """Path of the platform anvil binary that ``npm ci`` installs."""
    root = root or project_root()
    return root / "node_modules" / "@foundry-rs" / _platform_package() / "bin" / "anvil"


def anvil_version(path: Path) -> str:
    try:
        out = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        raise ToolchainError(f"anvil at {path} does not run (`{path} --version` failed: {exc}); {HOW_TO_GET_ANVIL}") from exc
    first = out.stdout.strip().splitlines()[0] if out.stdout.strip() else ""
    return first.replace("anvil Version:", "").replace("anvil", "").strip() or "unknown"


def find_anvil(root: Path | None = None) -> AnvilBinary:
    """The anvil to run, by the documented order; one clear error when there is none."""
    env_bin = os.environ.get("ANVIL_BIN")
    if env_bin:
        path = Path(env_bin)
        if not path.is_file():
            raise ToolchainError(f"ANVIL_BIN={env_bin} is not a file; {HOW_TO_GET_ANVIL}")
        return AnvilBinary(path, anvil_version(path), "ANVIL_BIN")
    on_path = shutil.which("anvil")
    if on_path and "node_modules" not in on_path:
        path = Path(on_path)
        return AnvilBinary(path, anvil_version(path), "PATH")
    path = node_modules_anvil(root)
    if path.is_file():
        return AnvilBinary(path, anvil_version(path), "node_modules")
    raise ToolchainError(f"anvil not found (looked at ANVIL_BIN, PATH and {path}); {HOW_TO_GET_ANVIL}")
