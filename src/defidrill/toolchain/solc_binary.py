"""Find a Solidity compiler: a native solc py-solc-x knows, else our solc-js launcher.

py-solc-x and ape-solidity look for installed compilers in ``$SOLCX_BINARY_PATH``
(files named ``solc-v<version>``). For solc-js we write a small executable there
that runs ``solcjs_launcher.js`` with the project's pinned ``solc`` npm package, so
both tools drive the same compiler without any download.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

from defidrill.errors import ToolchainError
from defidrill.toolchain.project import cache_dir, project_root

#: The compiler version the project pins (package.json's `solc` and ape-config.yaml).
SOLC_VERSION = "0.8.28"
#: Every solc-js build package.json pins, by version -> its npm package: `solc` for our contracts, an npm
#: alias beside it for genuine protocols whose sources fix an older pragma (Morpho Blue: `pragma solidity 0.8.19`).
SOLCJS_PACKAGES = {SOLC_VERSION: "solc", "0.8.19": "solc-0.8.19"}
LAUNCHER = Path(__file__).with_name("solcjs_launcher.js")
HOW_TO_GET_SOLC = (
    "run `make test` or `npm ci` in the project (installs the pinned solc-js), "
    "or put a native solc 0.8.x on PATH, or set SOLC_BIN=/path/to/solc"
)
_VERSION_RE = re.compile(r"Version:\s*([0-9]+\.[0-9]+\.[0-9]+)(\S*)")


@dataclass(frozen=True)
class SolcBinary:
    path: Path
    version: str  # e.g. "0.8.28"
    long_version: str  # e.g. "0.8.28+commit.7893614a.Emscripten.clang"
    kind: str  # "native" or "solc-js"


def solc_version_of(path: Path) -> tuple[str, str]:
    """(short, long) version from `solc --version`, the way py-solc-x reads it.

    Asked once per process per binary (same path, size and mtime): solc-js answers in
    ~1.5 s, which a warm run (artifacts cached) would otherwise pay on every drill.
    """
    try:
        st = path.stat()
    except OSError:
        return _solc_version_uncached(path)
    return _solc_version_cached(str(path), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _solc_version_cached(path: str, size: int, mtime_ns: int) -> tuple[str, str]:
    return _solc_version_uncached(Path(path))


def _solc_version_uncached(path: Path) -> tuple[str, str]:
    try:
        out = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=60, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        raise ToolchainError(f"solc at {path} does not run (`--version` failed: {exc}); {HOW_TO_GET_SOLC}") from exc
    match = _VERSION_RE.search(out.stdout)
    if not match:
        raise ToolchainError(f"solc at {path} printed no `Version:` line: {out.stdout[:200]!r}")
    return match.group(1), match.group(1) + match.group(2)


def solcx_binary_dir(root: Path | None = None) -> Path:
    """The folder we point ``SOLCX_BINARY_PATH`` at."""
    path = cache_dir(root) / "solcx"
    path.mkdir(parents=True, exist_ok=True)
    return path


def installed_solcjs(root: Path | None = None) -> dict[str, Path]:
    """Every solc-js the bootstrap installed, by version: ``node_modules/solc`` (the project's pin) and each
    ``node_modules/solc-<version>`` (an npm alias, e.g. ``"solc-0.8.19": "npm:solc@0.8.19"``), whether or not
    SOLCJS_PACKAGES names it: a drill's ``artifacts: {solc: ...}`` may use any of them."""
    modules = (root or project_root()) / "node_modules"
    found: dict[str, Path] = {}
    for folder in [modules / "solc", *sorted(modules.glob("solc-[0-9]*"))]:
        try:
            version = str(json.loads((folder / "package.json").read_text())["version"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if folder.name in ("solc", f"solc-{version}"):
            found.setdefault(version, folder)
    return found


def solcjs_module_dir(root: Path | None = None, version: str = SOLC_VERSION) -> Path:
    """The solc-js package of ``version``: a pinned one (SOLCJS_PACKAGES), else any installed one."""
    if version in SOLCJS_PACKAGES:
        return (root or project_root()) / "node_modules" / SOLCJS_PACKAGES[version]
    installed = installed_solcjs(root)
    if version not in installed:
        raise ToolchainError(f"solc {version} is not installed; installed: {', '.join(sorted(installed)) or 'none'} "
                             "(node_modules/solc and node_modules/solc-<version>: package.json pins them)")
    return installed[version]


def install_solcjs_launcher(root: Path | None = None, version: str = SOLC_VERSION) -> Path:
    """Write ``solc-v<version>`` into the solcx folder: an executable running that pinned solc-js."""
    root = root or project_root()
    module = solcjs_module_dir(root, version)
    if not (module / "package.json").is_file():
        raise ToolchainError(f"solc-js {version} not found at {module}; {HOW_TO_GET_SOLC}")
    node = shutil.which("node")
    if node is None:
        raise ToolchainError("node is not on PATH; solc-js needs Node.js 18+ (or install a native solc)")
    target = solcx_binary_dir(root) / f"solc-v{version}"
    script = f'#!/bin/sh\nexec "{node}" "{LAUNCHER}" --solcjs-module "{module}" "$@"\n'
    if not target.is_file() or target.read_text() != script:
        tmp = target.with_suffix(".tmp")
        tmp.write_text(script)
        tmp.chmod(tmp.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        tmp.replace(target)
    return target


def _native_candidates() -> list[Path]:
    found: list[Path] = []
    on_path = shutil.which("solc")
    if on_path:
        found.append(Path(on_path))
    home_solcx = Path.home() / ".solcx"
    if home_solcx.is_dir():
        found.extend(sorted(home_solcx.glob("solc-v0.8.*"), reverse=True))
    return found


def _is_native(path: Path) -> bool:
    """A native solc is an ELF/Mach-O binary, not our shell launcher."""
    try:
        head = path.read_bytes()[:4]
    except OSError:
        return False
    return head in (b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe")


def find_solc(root: Path | None = None) -> SolcBinary:
    """SOLC_BIN, then a native solc 0.8.x (PATH or ~/.solcx), then the solc-js launcher."""
    env_bin = os.environ.get("SOLC_BIN")
    if env_bin:
        path = Path(env_bin)
        if not path.is_file():
            raise ToolchainError(f"SOLC_BIN={env_bin} is not a file; {HOW_TO_GET_SOLC}")
        short, long = solc_version_of(path)
        return SolcBinary(path, short, long, "native" if _is_native(path) else "solc-js")
    for path in _native_candidates():
        if _is_native(path):
            short, long = solc_version_of(path)
            if short.startswith("0.8.") and int(short.split(".")[2]) >= 24:
                return SolcBinary(path, short, long, "native")
    path = install_solcjs_launcher(root)
    short, long = solc_version_of(path)
    return SolcBinary(path, short, long, "solc-js")


def find_solc_exact(version: str, root: Path | None = None) -> SolcBinary:
    """A compiler of exactly ``version``, for sources whose pragma fixes it (a genuine protocol's):
    a native solc of that version on PATH or in ~/.solcx, else the pinned solc-js of that version."""
    for path in _native_candidates():
        if _is_native(path) and solc_version_of(path)[0] == version:
            short, long = solc_version_of(path)
            return SolcBinary(path, short, long, "native")
    path = install_solcjs_launcher(root, version)
    short, long = solc_version_of(path)
    if short != version:
        raise ToolchainError(f"the solc-js launcher for {version} at {path} answers {short}: run `npm ci`")
    return SolcBinary(path, short, long, "solc-js")
