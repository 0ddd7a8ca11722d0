"""How the CEX venue and the chain share a price path: the couplers and the venue's run beside a drill.

``cex.coupling: none``: the venue replays the reference path after the chain has run
(:class:`CexSide` steps it). ``cex_leads``: the venue steps first and the chain sees its
traded price (:class:`CexLeader`). ``two_way`` (:class:`TwoWayCoupler`): the CEX venue and the
chain trade prices through one arbitrageur. Each step, in order:

1. The CEX steps first on the exogenous index, after trading in any arbitrage flow due now
   (``Venue.step(..., arb_flow_btc)``); its traded (last) price is what the chain sees as the
   market: the feeds observe it and the chain's arbitrageur trades the AMM toward it (the
   CEX -> chain direction, as with ``cex_leads``).
2. The chain runs its step (oracle rounds, arbitrage, keepers' liquidations and their AMM sells).
3. ``after_chain`` reads the AMM price at the end of the step. When it is more than
   ``arbitrage.min_deviation`` away from the CEX's last price, the arbitrageur's other leg
   is a market order on the CEX in the AMM's direction (AMM cheap: sell on the CEX), sized to
   the CEX depth between the two prices (what would close the gap) and at most
   ``arbitrage.capacity_usd_per_step``, delivered ``arbitrage.latency`` steps later (at least
   one): on-chain liquidation selling reaches the CEX book (the chain -> CEX direction).

How much of each venue's drop came from the other (``Attribution``, % of the start price): the
CEX's part from the chain is how much lower its low went coupled than the same venue replayed
alone on the same path (the venue is deterministic for a seed); the AMM's part from the CEX is
the CEX's own cascade (how far the venue alone went below the exogenous low), which the chain
follows, at most the AMM's own drop. Each venue's own part is never attributed back to it
through the other (a chain-only shock that the arbitrage carries to the CEX and back counts as
the chain's).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from defidrill.cex.from_drill import venue_params
from defidrill.cex.results import events_with_kind_names
from defidrill.cex.venue import Venue
from defidrill.drill.paths import MarketPath
from defidrill.drill.schema import Drill
from defidrill.run_folder.models import Attribution

#: The CEX columns steps.csv gains (prefixed ``cex_``), from the venue's StepResult of the same step.
CEX_STEP_COLUMNS = ("index_price_usd", "mark_price_usd", "last_price_usd", "liquidation_count", "liquidated_notional_usd",
                    "insurance_fund_usd", "adl_count", "adl_notional_usd", "book_depth_withdrawn_pct")


@dataclass
class CexLeader:
    """``cex.coupling: cex_leads``: the venue steps first; the chain sees its traded price."""

    drill: Drill
    venue: Venue
    asset: str

    def prices(self, step: int, t_s: float, reference_usd: dict[str, float]) -> dict[str, float]:
        result = self.venue.step(t_s, reference_usd[self.asset])
        out = dict(reference_usd)
        out[self.asset] = float(result.last_price_usd)
        return out


@dataclass
class TwoWayCoupler:
    """The price leader of ``two_way`` (see the module docstring)."""

    drill: Drill
    venue: Venue
    asset: str
    pending_btc: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    last_cex_usd: float = 0.0
    flow_btc: float = 0.0
    flow_usd: float = 0.0
    amm_usd_history: list[float] = field(default_factory=list)  # the AMM at each step's end

    def prices(self, step: int, t_s: float, reference_usd: dict[str, float]) -> dict[str, float]:
        result = self.venue.step(t_s, reference_usd[self.asset], self.pending_btc.pop(step, 0.0))
        self.flow_btc += result.arb_flow_btc
        self.flow_usd += abs(result.arb_flow_btc) * result.last_price_usd
        self.last_cex_usd = float(result.last_price_usd)
        out = dict(reference_usd)
        out[self.asset] = self.last_cex_usd
        return out

    def after_chain(self, step: int, amm_usd: dict[str, float]) -> None:
        """Queue the CEX leg of the arbitrage for the AMM price the chain ended the step at."""
        amm = amm_usd.get(self.asset)
        if amm is not None:
            self.amm_usd_history.append(amm)
        arb = self.drill.arbitrage
        if not arb.enabled or amm is None or amm <= 0 or self.last_cex_usd <= 0:
            return
        gap = amm / self.last_cex_usd - 1.0
        if abs(gap) <= arb.min_deviation:
            return
        usd = min(arb.capacity_usd_per_step, self.venue.book.depth_usd_within(abs(gap)))
        qty_btc = usd / self.last_cex_usd
        self.pending_btc[step + max(1, arb.latency_steps)] += qty_btc if gap > 0 else -qty_btc


def attribute(drill: Drill, coupler: TwoWayCoupler, alone: Venue, exogenous_usd: list[float]) -> Attribution:
    """How much of each venue's drop came from the other (definitions in the module docstring);
    ``alone``: the same venue replayed on ``exogenous_usd`` without the chain."""
    coupled, amm_usd = coupler.venue, coupler.amm_usd_history
    start = exogenous_usd[0]
    exo_low = min(exogenous_usd)
    cex_low = min(s.last_price_usd for s in coupled.steps)
    alone_low = min(s.last_price_usd for s in alone.steps)
    amm_low = min(amm_usd) if amm_usd else None
    amm_drop = 100.0 * (start - amm_low) / start if amm_low is not None else None
    from_cex = 100.0 * max(0.0, exo_low - alone_low) / start
    return Attribution(
        mode=drill.cex.coupling, start_usd=start, exogenous_low_usd=exo_low, cex_low_usd=cex_low,
        cex_alone_low_usd=alone_low, amm_low_usd=amm_low,
        cex_drop_pct=100.0 * (start - cex_low) / start,
        cex_drop_from_chain_pct=100.0 * max(0.0, alone_low - cex_low) / start,
        amm_drop_pct=amm_drop,
        amm_drop_from_cex_pct=(min(from_cex, max(0.0, amm_drop)) if amm_drop is not None else None),
        arb_flow_to_cex_btc=coupler.flow_btc, arb_flow_to_cex_usd=coupler.flow_usd)


@dataclass(frozen=True)
class CexRun:
    """What the venue produced beside one drill: its step rows, its event columns, its summary."""

    steps: list[dict[str, Any]]
    events: dict[str, list[object]]
    summary: dict[str, Any]
    attribution: Attribution | None


class CexSide:
    """The CEX venue of one drill run, whatever its coupling: made before the chain runs (a leader
    steps it with the chain), finished after (an uncoupled venue replays the path then)."""

    def __init__(self, drill: Drill, path: MarketPath, asset: str) -> None:
        self.drill, self.path, self.asset = drill, path, asset
        self.venue = Venue(venue_params(drill), path.price_usd(asset, 0), drill.seed)
        self.leader: CexLeader | TwoWayCoupler | None = None
        if drill.cex.coupling == "cex_leads":
            self.leader = CexLeader(drill, self.venue, asset)
        elif drill.cex.coupling == "two_way":
            self.leader = TwoWayCoupler(drill, self.venue, asset)

    @classmethod
    def of(cls, drill: Drill, path: MarketPath) -> CexSide | None:
        """The drill's venue, or None when the drill has no CEX side."""
        if not drill.cex.enabled or drill.cex_asset is None:
            return None
        return cls(drill, path, drill.cex_asset)

    def _exogenous_usd(self) -> list[float]:
        return [self.path.price_usd(self.asset, k) for k in range(self.path.step_count + 1)]

    def finish(self) -> CexRun:
        """After the chain: an uncoupled venue replays the path now; a two-way run is attributed."""
        if self.leader is None:
            for k, price in enumerate(self._exogenous_usd()):
                self.venue.step(float(self.path.times_s[k]), price)
        attribution = None
        if isinstance(self.leader, TwoWayCoupler):
            exogenous = self._exogenous_usd()
            # the venue replayed alone on the same path, set beside the coupled run
            alone = Venue(venue_params(self.drill), exogenous[0], self.drill.seed)
            for k, price in enumerate(exogenous):
                alone.step(float(self.path.times_s[k]), price)
            attribution = attribute(self.drill, self.leader, alone, exogenous)
        return CexRun(steps=[s.as_dict() for s in self.venue.steps],
                      events=events_with_kind_names(self.venue.events.arrays()),
                      summary=self.venue.summary(), attribution=attribution)
