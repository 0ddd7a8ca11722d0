"""Checks that need the built price paths: every price finite and in range, pair reserves that fit.

The schema bounds each number on its own; these bound what they make together (a GBM at
the largest sigma over a year, a replay scaled by 1e12, 10T of liquidity in a token worth
1e-6 USD). They return :class:`~defidrill.drill.schema.Problem` values like the schema's
cross-checks, so the loader points at the line.
"""

from __future__ import annotations

import numpy as np

from defidrill.drill.limits import MAX_PRICE_USD, MAX_RESERVE_RAW, MAX_TOKEN_DECIMALS, MIN_PRICE_USD
from defidrill.drill.paths import MarketPath
from defidrill.drill.schema import Drill, Problem

__all__ = ["path_problems"]


def path_problems(drill: Drill, path: MarketPath) -> list[Problem]:
    """Every problem of ``drill``'s built ``path`` (empty when the run can carry it)."""
    out: list[Problem] = []
    for asset, prices in path.prices_usd.items():
        bad = np.flatnonzero(~np.isfinite(prices) | (prices < MIN_PRICE_USD) | (prices > MAX_PRICE_USD))
        if bad.size:
            k = int(bad[0])
            out.append(Problem(
                ("market", "assets", asset, "path"),
                f"the path reaches {float(prices[k]):.6g} USD at t = {float(path.times_s[k]):g} s (step {k})",
                drill.market.assets[asset].path.kind,
                f"prices from {MIN_PRICE_USD:g} to {MAX_PRICE_USD:,.0f} USD at every step (a smaller "
                "sigma, drop, scale or duration)"))
    base = drill.protocol.base_asset
    for name, pair in drill.amm.pairs.items():
        for side in name.split("/"):
            if side not in path.prices_usd or base not in name.split("/"):
                continue  # the schema's cross-check already refused the pair
            # Half the liquidity sits on each side; bounded with 18 decimals, the most a token has.
            reserve_raw = pair.liquidity_usd / 2 / path.price_usd(side, 0) * 10**MAX_TOKEN_DECIMALS
            if reserve_raw > MAX_RESERVE_RAW:
                most_usd = MAX_RESERVE_RAW / 10**MAX_TOKEN_DECIMALS * path.price_usd(side, 0) * 2
                out.append(Problem(
                    ("amm", "pairs", name), f"{side}'s reserve would not fit the pair's uint112 reserves "
                    "with room for the drill's trades", f"{pair.liquidity_usd:,.0f} USD",
                    f"at most {most_usd:,.0f} USD of liquidity at {side}'s start price"))
    return out
