"""What the venue records: one StepResult per step and an event log of every fill.

Event kinds:
  0 LIQUIDATION_BOOK  a chunk of a taken-over position sold/bought into the book
  1 LIQUIDATION_ADL   a chunk of a bankrupt position closed against ADL counterparties
                      at its bankruptcy price (no book trade, no fund delta)
  2 ADL               an opposite-side position closed by auto-deleveraging
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt

LIQUIDATION_BOOK = 0
LIQUIDATION_ADL = 1
ADL = 2
EVENT_KINDS = {LIQUIDATION_BOOK: "liquidation_book", LIQUIDATION_ADL: "liquidation_adl", ADL: "adl"}

# Nominal-leverage buckets for "liquidations by leverage" (upper edges inclusive).
LEVERAGE_EDGES = (5.0, 10.0, 20.0, 50.0, 100.0, 125.0)
LEVERAGE_LABELS = ("1-5x", "6-10x", "11-20x", "21-50x", "51-100x", "101-125x")


def events_with_kind_names(events: dict[str, npt.NDArray[np.generic]]) -> dict[str, list[object]]:
    """The event log's columns as lists, ``kind`` by name (what cex_events.csv holds)."""
    out: dict[str, list[object]] = {k: v.tolist() for k, v in events.items()}
    if "kind" in out:
        out["kind"] = [EVENT_KINDS[int(k)] for k in out["kind"]]  # type: ignore[call-overload]
    return out


def leverage_bucket(leverage: npt.ArrayLike) -> npt.NDArray[np.intp]:
    """Bucket index per nominal leverage (see LEVERAGE_LABELS)."""
    idx = np.searchsorted(np.asarray(LEVERAGE_EDGES), np.asarray(leverage, dtype=np.float64), side="left")
    return np.minimum(idx, len(LEVERAGE_EDGES) - 1)


@dataclass(frozen=True)
class StepResult:
    """The venue after one step. Prices in USD; ``net_flow_btc`` > 0 means makers bought."""

    step: int
    t_s: float
    index_price_usd: float
    mark_price_usd: float
    last_price_usd: float
    mid_price_usd: float
    vwap_price_usd: float          # VWAP of this step's liquidation fills in the book; NaN if none
    volatility: float              # rolling high-low range of the mid (fraction)
    book_depth_withdrawn_pct: float
    liquidation_count: int         # positions taken over this step
    liquidated_notional_usd: float  # their notional at the mark
    liquidation_fill_notional_usd: float  # notional closed this step (book and ADL-matched)
    insurance_fund_usd: float
    adl_count: int
    adl_notional_usd: float
    net_flow_btc: float            # base asset the book's makers bought from the engine
    arb_flow_btc: float = 0.0      # the other venue's arbitrage flow traded into the book (> 0 bought)

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


_COLUMNS: dict[str, type] = {
    "step": np.int64, "t_s": np.float64, "kind": np.int8, "position_id": np.int64, "side": np.int8,
    "leverage": np.float64, "qty_btc": np.float64, "notional_usd": np.float64, "exec_price_usd": np.float64,
    "bankruptcy_price_usd": np.float64, "index_price_usd": np.float64, "fund_delta_usd": np.float64,
}


class EventLog:
    """Struct-of-arrays log, appended a batch (numpy arrays) at a time.

    Each column is one buffer that grows x4 when full (its unused tail is never touched, so
    it costs address space, not memory; x4 rather than x2 halves the copying, measured);
    a batch is written straight into it and ``arrays()`` hands out views. Copying every
    batch and then joining the copies wrote each event twice and held both copies at once:
    2.4 GiB twice at 10M positions.
    """

    def __init__(self) -> None:
        self._cols: dict[str, npt.NDArray[np.generic]] = {k: np.zeros(0, dtype=d) for k, d in _COLUMNS.items()}
        self._len = 0

    def __len__(self) -> int:
        return self._len

    def append(self, **columns: npt.ArrayLike) -> None:
        """Append one batch; scalars broadcast to the batch length (given by position_id)."""
        n = int(np.asarray(columns["position_id"]).shape[0])
        if n == 0:
            return
        if set(columns) != set(_COLUMNS):
            raise KeyError(f"event columns must be exactly {sorted(_COLUMNS)}")
        start, end = self._len, self._len + n
        for key, dtype in _COLUMNS.items():
            col = self._cols[key]
            if end > col.shape[0]:
                grown: npt.NDArray[np.generic] = np.empty(max(end, 4 * col.shape[0], 1024), dtype=dtype)
                grown[:start] = col[:start]
                self._cols[key] = col = grown
            col[start:end] = np.broadcast_to(np.asarray(columns[key], dtype=dtype), (n,))
        self._len = end

    def arrays(self) -> dict[str, npt.NDArray[np.generic]]:
        """Every column as one array (empty arrays when nothing happened); views of the log."""
        return {key: col[:self._len] for key, col in self._cols.items()}
