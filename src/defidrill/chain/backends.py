"""Choosing a chain backend by name: ``anvil`` (a node over JSON-RPC) or ``revm`` (in process).

Both implement ``api.ChainAPI``; the engine is typed against it and never asks which one it
has. anvil is the default everywhere; revm is chosen by a drill's ``chain.backend`` or
``defidrill run --backend revm``.
"""

from __future__ import annotations

import contextlib
from typing import Literal, get_args
from collections.abc import Iterator

from defidrill.chain.anvil import AnvilConfig
from defidrill.chain.api import ChainAPI
from defidrill.chain.chain import Chain
from defidrill.chain.revm_chain import RevmChain
from defidrill.errors import ConfigError
from defidrill.toolchain import Artifacts

BackendName = Literal["anvil", "revm"]
BACKENDS: tuple[str, ...] = get_args(BackendName)
#: Either backend: what the engine is handed (the interface both implement).
AnyChain = ChainAPI


def check_backend(backend: str, *, source: str = "--backend") -> None:
    """Refuse an unknown backend name; ``source`` names where it came from, for the error."""
    if backend not in BACKENDS:
        raise ConfigError("unknown chain backend", path=source, value=backend, allowed=", ".join(BACKENDS))


@contextlib.contextmanager
def launch_chain(backend: str, config: AnvilConfig | None = None, artifacts: Artifacts | None = None, *,
                 source: str = "--backend") -> Iterator[AnyChain]:
    """A fresh chain on ``backend``, torn down (anvil stopped) however the block exits."""
    check_backend(backend, source=source)
    cls: type[Chain] | type[RevmChain] = Chain if backend == "anvil" else RevmChain
    with cls.launch(config, artifacts) as chain:
        yield chain
