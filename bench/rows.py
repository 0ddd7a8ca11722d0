"""A bench row: a measured figure, what it is measured against, its target, and whether it is met."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import psutil


@dataclass
class Row:
    name: str
    value: float
    unit: str                  # "ratio", "x", "s", "MiB"
    target: float
    higher_is_better: bool
    detail: dict[str, Any] = field(default_factory=dict)
    error: str | None = None   # the group raised: no figure (``Row.failed``)

    @classmethod
    def failed(cls, group: str, exc: BaseException) -> Row:
        """The row of a group that raised: no figure, never met, the error kept for results.json."""
        return cls(f"{group}: FAILED", float("nan"), "", float("nan"), True, {}, f"{type(exc).__name__}: {exc}")

    @property
    def met(self) -> bool:
        if self.error is not None:
            return False
        return self.value >= self.target if self.higher_is_better else self.value < self.target

    @staticmethod
    def header() -> str:
        return f"{'row':<58}{'measured':>10} {'unit':<6}{'target':>12}{'':>8}"

    def as_dict(self) -> dict[str, Any]:
        out = {**asdict(self), "met": self.met}
        if self.error is not None:  # no figure: null in the JSON, not NaN (which strict readers refuse)
            out["value"] = out["target"] = None
        return out

    def line(self) -> str:
        if self.error is not None:
            return f"{self.name:<58}{self.error[:200]}"
        op = ">=" if self.higher_is_better else "<"
        return (f"{self.name:<58}{self.value:>10.3g} {self.unit:<6}{op:>3} {self.target:<8g}"
                f"{'met' if self.met else 'NOT MET':>8}")


def best_of(repeats: int, measure: Any) -> float:
    """The best of a few runs (both sides of a ratio get the same treatment)."""
    return max(measure() for _ in range(repeats))


class PeakMemory:
    """Peak resident memory of this process and all its children (anvil, workers), sampled every 50 ms."""

    def __init__(self) -> None:
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        me = psutil.Process(os.getpid())
        total = 0
        for p in [me, *me.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, self._sample())
            self._stop.wait(0.05)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mib(self) -> float:
        return self.peak_bytes / 2**20


def timed(fn: Any) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def run_for_time(drill_path: Any, **kwargs: Any) -> Any:
    """``run_drill``, its outcome even when the drill's ``expect:`` bounds do not hold: the bench measures
    time and memory at sizes the bounds were not written for (the flagship's hold for its own book), so an
    unmet bound is a finished run here (its folder is complete), not a failed row."""
    from defidrill.errors import ExpectationsNotMet
    from defidrill.runner import run_drill

    try:
        return run_drill(drill_path, **kwargs)
    except ExpectationsNotMet as exc:
        return exc.outcome


def run_flagship(borrowers: int, *, kind: str = "reference", backend: str | None = None,
                 step: str | None = None) -> tuple[float, dict[str, Any]]:
    """The library flagship, CEX side off (the chain side alone): (wall seconds, summary.json).
    Shared by the rows that compare protocols and backends on the same drill; ``step`` stretches the
    market step (fewer steps over the same two hours: the quick rows)."""
    import tempfile
    from pathlib import Path

    from defidrill.drill import Override, resolve_drill

    sets = [Override.of("borrowers.count", borrowers, label="bench"), Override.of("cex.enabled", False, label="bench"),
            Override.of("protocol.kind", kind, label="bench")]
    if step is not None:
        sets.append(Override.of("market.step", step, label="bench"))
    with tempfile.TemporaryDirectory() as tmp:
        outcome, seconds = timed(lambda: run_for_time(resolve_drill("flash-crash"), out_dir=Path(tmp) / "run",
                                                      progress=False, overrides=sets, backend=backend))
    return seconds, outcome.summary


def flagship_ratio(borrowers: int, first: tuple[str, dict[str, Any]],
                   second: tuple[str, dict[str, Any]]) -> tuple[float, dict[str, Any]]:
    """The flagship run two ways (``(name, run_flagship keywords)``, in that order): the first's wall time
    over the second's, and a detail with each run's seconds and liquidations."""
    runs = {name: run_flagship(borrowers, **kwargs) for name, kwargs in (first, second)}
    (a_s, _), (b_s, b) = runs[first[0]], runs[second[0]]
    detail = {"borrowers": borrowers, "steps": b["steps_completed"],
              **{f"{name.replace('-', '_')}_s": s for name, (s, _) in runs.items()},
              "liquidations": {name: (summary.get("onchain") or {}).get("liquidation_count")
                               for name, (_, summary) in runs.items()}}
    return a_s / b_s, detail
