"""Tiered maintenance margin: brackets by position notional, as exchanges publish them.

Maintenance margin (USD) = notional_usd x MMR(bracket) - maintenance_amount_usd(bracket).
The maintenance amount ("cum") makes the margin continuous at every bracket edge:

    cum_0 = 0,   cum_i = cum_{i-1} + lower_edge_i x (MMR_i - MMR_{i-1})

which is the rule Binance states for its "Maintenance Amount" column (e.g. BTCUSDT
1M-10M bracket: 0 + 50k x 0.1 % + 250k x 0.5 % + 1M x 1.5 % = 16,300 USDT).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from defidrill.errors import ConfigError

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class MarginTier:
    """One bracket: notional up to ``max_notional_usd`` (inclusive), its max leverage and MMR."""

    max_notional_usd: float
    max_leverage: float
    mmr: float


@dataclass(frozen=True)
class MarginTiers:
    """An ordered bracket table with the maintenance amounts derived from it."""

    name: str
    source: str
    tiers: tuple[MarginTier, ...]
    upper_usd: FloatArray = field(init=False, repr=False, compare=False)
    lower_usd: FloatArray = field(init=False, repr=False, compare=False)
    mmr: FloatArray = field(init=False, repr=False, compare=False)
    max_leverage: FloatArray = field(init=False, repr=False, compare=False)
    maintenance_amount_usd: FloatArray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.tiers:
            raise ConfigError("a margin tier table needs at least one bracket", path="cex.margin_tiers")
        upper = np.array([t.max_notional_usd for t in self.tiers], dtype=np.float64)
        mmr = np.array([t.mmr for t in self.tiers], dtype=np.float64)
        if np.any(np.diff(upper) <= 0) or np.any(np.diff(mmr) < 0) or upper[0] <= 0:
            raise ConfigError("brackets must have increasing edges and non-decreasing MMR",
                              path="cex.margin_tiers", value=self.name)
        lower = np.concatenate(([0.0], upper[:-1]))
        cum = np.zeros_like(mmr)
        for i in range(1, len(mmr)):
            cum[i] = cum[i - 1] + lower[i] * (mmr[i] - mmr[i - 1])
        object.__setattr__(self, "upper_usd", upper)
        object.__setattr__(self, "lower_usd", lower)
        object.__setattr__(self, "mmr", mmr)
        object.__setattr__(self, "max_leverage", np.array([t.max_leverage for t in self.tiers], dtype=np.float64))
        object.__setattr__(self, "maintenance_amount_usd", cum)

    def bracket(self, notional_usd: npt.ArrayLike) -> npt.NDArray[np.intp]:
        """Bracket index per notional; edges are inclusive above (0 < n <= 50k is bracket 0).

        Notionals beyond the last edge stay in the last bracket.
        """
        idx = np.searchsorted(self.upper_usd, np.asarray(notional_usd, dtype=np.float64), side="left")
        return np.minimum(idx, len(self.tiers) - 1)

    def lookup(self, notional_usd: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        """(MMR, maintenance amount in USD) for each notional."""
        b = self.bracket(notional_usd)
        return self.mmr[b], self.maintenance_amount_usd[b]

    def maintenance_margin_usd(self, notional_usd: npt.ArrayLike) -> FloatArray:
        """Maintenance margin in USD: notional x MMR - maintenance amount."""
        n = np.asarray(notional_usd, dtype=np.float64)
        mmr, cum = self.lookup(n)
        return n * mmr - cum

    def max_leverage_for(self, notional_usd: npt.ArrayLike) -> FloatArray:
        """The highest leverage the exchange allows for each notional."""
        return self.max_leverage[self.bracket(notional_usd)]


# Binance USDⓈ-M BTCUSDT perpetual, "Updates to Leverage and Margin Tiers of Binance
# Futures Contracts (2021-03-18)", effective 2021-03-18 09:00 UTC. The table changes over
# time; this is the dated snapshot the drill names "binance-btcusdt-2021-03".
BINANCE_BTCUSDT_2021_03 = MarginTiers(
    name="binance-btcusdt-2021-03",
    source="Binance announcement 'Updates to Leverage and Margin Tiers of Binance Futures Contracts "
    "(2021-03-18)', BTCUSDT 125x perpetual table",
    tiers=(
        MarginTier(50_000.0, 125.0, 0.004),
        MarginTier(250_000.0, 100.0, 0.005),
        MarginTier(1_000_000.0, 50.0, 0.01),
        MarginTier(10_000_000.0, 20.0, 0.025),
        MarginTier(20_000_000.0, 10.0, 0.05),
        MarginTier(50_000_000.0, 5.0, 0.10),
        MarginTier(100_000_000.0, 4.0, 0.125),
        MarginTier(200_000_000.0, 3.0, 0.15),
        MarginTier(300_000_000.0, 2.0, 0.25),
        MarginTier(500_000_000.0, 1.0, 0.50),
    ),
)

_TABLES = {BINANCE_BTCUSDT_2021_03.name: BINANCE_BTCUSDT_2021_03}


def margin_tiers(name: str | MarginTiers) -> MarginTiers:
    """The named tier table (the drill's ``cex.margin_tiers``), or an inline table as given."""
    if isinstance(name, MarginTiers):
        return name
    try:
        return _TABLES[name]
    except KeyError:
        raise ConfigError("unknown margin tier table", path="cex.margin_tiers", value=name,
                          allowed=", ".join(sorted(_TABLES))) from None
