"""The drill library (``oracles/`` of the defidrill checkout), found from any folder.

``resolve_drill("stale-feed-crash")``, ``resolve_drill("oracles/stale-feed-crash.yaml")`` and
``resolve_drill("my/own.yaml")`` all work from wherever a test or a command runs: a path that
exists is used as is; otherwise a library drill's name, or a path under ``oracles/``, is
looked up in the library that ships with defidrill (``project_root()/oracles``).
"""

from __future__ import annotations

from pathlib import Path

from defidrill.errors import ConfigError
from defidrill.toolchain.project import project_root


def library_dir() -> Path:
    return project_root() / "oracles"


def library_drills() -> list[str]:
    """Names of the library's drills (file names without ``.yaml``)."""
    return sorted(p.stem for p in library_dir().glob("*.yaml"))


def resolve_drill(drill: str | Path) -> Path:
    """The drill file ``drill`` names: an existing path, else a library drill by name or ``oracles/`` path."""
    path = Path(drill)
    if path.is_file():
        return path
    candidates = [library_dir() / path.name, library_dir() / f"{path.name}.yaml"] if (
        len(path.parts) == 1 or path.parts[-2] == "oracles") else []
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise ConfigError("drill file not found", file=str(drill),
                      allowed=f"a path to a .yaml drill file, or a library drill: {', '.join(library_drills())}")
