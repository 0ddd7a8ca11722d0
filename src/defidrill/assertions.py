"""Assertions for audit tests whose failure messages speak the domain, not Python.

``assert_not_liquidated(run, "0xab..")`` fails with "account 0xab12..cd34 liquidated at HF 1.02
in step 41 (t = 410 s)", not ``assert False``; ``assert_expectations(outcome)`` with each of the
drill's ``expect:`` bounds that did not hold, its value and its reason. They read a run folder (a ``RunOutcome`` or a
loaded ``RunFolder``: the events.jsonl ``Liquidation`` lines every adapter writes) or, for a
feed, the chain itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from defidrill.protocol.feeds.control import FeedControl
    from defidrill.run_folder.reader import RunFolder

WAD = 10**18


@dataclass(frozen=True)
class LiquidationSeen:
    """One liquidation of a run, as events.jsonl recorded it."""

    account: str
    step: int
    t_s: float
    health_factor: float
    repaid_base_raw: int
    liquidator: str

    def describe(self) -> str:
        return (f"account {short(self.account)} liquidated at HF {self.health_factor:.2f} in step {self.step} "
                f"(t = {self.t_s:.0f} s)")


def short(address: str) -> str:
    """0xab12..cd34: enough to find it, short enough to read."""
    return f"{address[:6]}..{address[-4:]}" if len(address) == 42 else address


def _folder(run: Any) -> RunFolder:
    folder: RunFolder = run.folder() if hasattr(run, "folder") else run
    return folder


def liquidations(run: Any) -> list[LiquidationSeen]:
    """Every liquidation of a run in order (``run``: a RunOutcome or a RunFolder)."""
    out = []
    for e in _folder(run).events_named("Liquidation"):
        hf_wad = int(e.args.get("healthFactorBeforeWad", 0))
        out.append(LiquidationSeen(str(e.args.get("account", "")).lower(), e.step, e.t_s, hf_wad / WAD,
                                   int(e.args.get("repaidBase", 0)), str(e.args.get("liquidator", "")).lower()))
    return out


def assert_liquidated(run: Any, account: str, *, by_step: int | None = None) -> LiquidationSeen:
    """``account`` was liquidated (by ``by_step`` when given); returns its first liquidation."""
    seen = liquidations(run)
    mine = [x for x in seen if x.account == account.lower()]
    if not mine:
        others = f"{len(seen)} liquidations of other accounts" + (f", the first in step {seen[0].step}" if seen else "")
        raise AssertionError(f"account {short(account)} was never liquidated ({others})")
    if by_step is not None and mine[0].step > by_step:
        raise AssertionError(f"{mine[0].describe()}: later than step {by_step}")
    return mine[0]


def assert_not_liquidated(run: Any, account: str) -> None:
    mine = [x for x in liquidations(run) if x.account == account.lower()]
    if mine:
        more = f" (and {len(mine) - 1} more)" if len(mine) > 1 else ""
        raise AssertionError(mine[0].describe() + more)


def assert_no_liquidation_above(run: Any, health_factor: float = 1.0) -> None:
    """No account was liquidated while its health factor was at or above ``health_factor``."""
    bad = [x for x in liquidations(run) if x.health_factor >= health_factor]
    if bad:
        raise AssertionError(f"{bad[0].describe()}: at or above HF {health_factor:.2f}"
                             + (f"; {len(bad) - 1} more like it" if len(bad) > 1 else ""))


def assert_feed_answer(feeds: FeedControl, address: str, price_usd: float, *, tolerance: float = 1e-9) -> None:
    """The feed at ``address`` answers ``price_usd`` now (relative ``tolerance``)."""
    r = feeds.latest(address)
    if abs(r.price_usd - price_usd) > tolerance * max(abs(price_usd), 1e-18):
        raise AssertionError(f"feed {short(r.address)} ({r.description or 'no description'}) answers "
                             f"${r.price_usd:,.{min(r.decimals, 8)}f} in round {r.round_id} "
                             f"(updated at {r.updated_at_s}); expected ${price_usd:,.{min(r.decimals, 8)}f}")


class FeedsFixture:
    """What the ``defidrill_feeds`` fixture hands a test: the chain's feeds by address and the assertions above."""

    def __init__(self, control: FeedControl) -> None:
        self.control = control
        self.push = control.push
        self.fail = control.fail
        self.take_over = control.take_over
        self.set_sequencer = control.set_sequencer
        self.latest = control.latest
        self.feed = control.feed

    def assert_answer(self, address: str, price_usd: float, *, tolerance: float = 1e-9) -> None:
        assert_feed_answer(self.control, address, price_usd, tolerance=tolerance)

    assert_liquidated = staticmethod(assert_liquidated)
    assert_not_liquidated = staticmethod(assert_not_liquidated)
    assert_no_liquidation_above = staticmethod(assert_no_liquidation_above)
    liquidations = staticmethod(liquidations)


# ---- the drill's own expectations (``expect:``) ---------------------------------------------


def assert_expectations(run: Any) -> None:
    """Every bound of the drill's ``expect:`` held in ``run`` (a RunOutcome or a RunFolder).

    Fails with one line per expectation not met, e.g. ``onchain.bad_debt_usd = $1,200,000 (max
    $100,000): the guard holds``, and also when the run states none (a test that asserts nothing
    passes for the wrong reason) or did not finish.
    """
    from defidrill.metrics.expectations import describe
    from defidrill.run_folder import Expectation

    summary: dict[str, Any] = dict(getattr(run, "summary", None) or {})
    drill = summary.get("drill", "?")
    where = f" (run folder: {run.run_dir})" if hasattr(run, "run_dir") else ""
    if summary.get("status") != "ok":
        raise AssertionError(f"drill {drill} did not finish (status {summary.get('status')!r}: "
                             f"{summary.get('error') or 'no error recorded'}){where}")
    expectations = [Expectation.model_validate(e) for e in summary.get("expectations") or []]
    if not expectations:
        raise AssertionError(f"drill {drill} states no expectations (no `expect:` in the drill): nothing to assert")
    unmet = [e for e in expectations if not e.met]
    if unmet:
        lines = "".join(f"\n  {describe(e)}" for e in unmet)
        raise AssertionError(f"{len(unmet)} of {len(expectations)} expectations of drill {drill} not met{where}:{lines}")
