"""``cex.coupling: two_way``: the CEX venue and the chain trade prices through one arbitrageur.

Each step, in order:

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

from defidrill.cex import Venue
from defidrill.drill.schema import Drill
from defidrill.run_folder.models import Attribution


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
