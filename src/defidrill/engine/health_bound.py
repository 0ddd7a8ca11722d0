"""Read an account's health on chain only where it can have changed enough to matter.

Why: at 10,000 borrowers most of a step is the node running the Lens over every account, yet an
account whose collateral and debt did not move changes health only with prices and the debt index.
For a protocol that values accounts as ``protocol/bounded_reads.py`` states, from the account's last
exact read (its liquidation value L, debt D, at prices p and index I) the health factor now is at least

    HF >= (L x r_min - 2k) x 1e18 / ((D x I'/I + 1) x p_debt' / unit + 1) - 1

r_min = the lowest price ratio p'/p over the collaterals it holds, k their count (each term floors twice,
the debt rounds up twice, the division floors once); a relative slack covers float64. ``select`` asks
for every account whose bound is under ``threshold_wad`` (a margin above every line anything compares its
health factor with: the liquidation line, 1.0 for ``accounts_below_1``, and for a reactive borrower its
trigger), every account named by an event or a transaction since its read (its amounts moved), every
account an agent watches, every account whose prices were not all usable at its read or are not now,
and every account once every ``every_steps`` steps (staggered by row).

What the run folder records stays exact, not approximately so (engine/ledger.py ``account_figures``):
- ``accounts_below_1``, the keepers' and borrowers' triggers: every account under the threshold is read;
  an account not read holds its bound in ``health_factor_wad`` (>= the threshold, so on the same side of
  every line as its true value);
- ``min_health_factor``: ``second_round`` reads every account whose bound is under the lowest health
  factor read (the lowest-bound account is always read), and an unread account's written bound is
  raised to at least that minimum, so the minimum is the true one;
- ``accounts_below_1_ref`` and ``uncovered_debt_usd`` (reference prices, raw amounts): an account is read
  unless, with its exact amounts and an upper bound of its debt, it is clearly covered at reference prices
  (it then adds 0 to both, read or not). The other fields of an unread row (its USD values, its debt) are
  its last read's; nothing reads them for accounts above the threshold.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from defidrill.protocol.account_columns import U64, U256, AccountColumns, Floats, Limbs, Mask, Rows
from defidrill.protocol.adapter import MAX_UINT, GuardView, LendingMarkets
from defidrill.protocol.bounded_reads import MarketReads
from defidrill.protocol_terms.fixed_point import WAD

#: The engine-level switch: ``DEFIDRILL_HEALTH_BOUND=off`` reads every account every step (the
#: differential and the bench run both ways; the run folder is the same).
SWITCH_ENV = "DEFIDRILL_HEALTH_BOUND"
#: Relative margin above the highest health-factor line anything compares with (the keepers' 1.0 ...).
MARGIN = 0.02
#: Every account is read at least once every this many steps, whatever its bound.
EVERY_STEPS = 16
#: Relative slack on the float64 bound (its own error is ~1e-15; the rounding terms are counted apart).
SLACK = 1e-9
#: Rows a second round reads when none read so far has debt (the lowest bounds first).
SECOND_ROUND_AT_LEAST = 8
#: Relative margin of the reference-price check (ledger.PREFILTER_MARGIN is 1e-9: this is far wider).
REF_MARGIN = 1e-6


def enabled() -> bool:
    return os.environ.get(SWITCH_ENV, "on").lower() not in ("off", "0", "false", "no")


@dataclass(frozen=True)
class Selection:
    """Rows to read now, and every row's bound (wad, float64; -inf where there is none)."""

    rows: Rows
    bound_wad: Floats


class HealthBound:
    """The last exact read of every account, and the rule choosing whom to read."""

    def __init__(self, n_accounts: int, symbols: tuple[str, ...], markets: LendingMarkets,
                 threshold_wad: int | Floats) -> None:
        self.n = n_accounts
        self.symbols = symbols  # collateral_raw's order in the columns
        self.markets = markets
        self.threshold_wad = threshold_wad  # one for every row, or one per row (a reactive borrower's is higher)
        k = len(symbols)
        self.read_step = np.full(n_accounts, -1, dtype=np.int64)
        self.liq_wad = np.zeros(n_accounts)
        self.debt_base = np.zeros(n_accounts)
        self.index = np.ones(n_accounts)
        self.prices = np.ones((n_accounts, k))
        self.base_price = np.ones(n_accounts)
        self.ok_at_read = np.zeros(n_accounts, dtype=bool)
        self.dirty = np.zeros(n_accounts, dtype=bool)
        self.columns: AccountColumns | None = None  # the last step's columns (read rows exact)

    # -- what each step knows -------------------------------------------------------------

    def _price_vectors(self, prices: Mapping[str, GuardView]) -> tuple[Floats, float, bool] | None:
        """Collateral prices in column order, the base price, all usable; None when a price is missing."""
        base = self.markets.base.symbol
        if base not in prices or any(s not in prices for s in self.symbols):
            return None
        usable = [prices[s].ok and prices[s].price_wad > 0 for s in self.symbols]
        vec = np.array([float(prices[s].price_wad) if ok else 0.0 for s, ok in zip(self.symbols, usable)])
        base_ok = prices[base].ok and prices[base].price_wad > 0
        return vec, float(prices[base].price_wad), base_ok

    def select(self, step: int, market: MarketReads, reference_usd: Mapping[str, float], forced: Mask) -> Selection | None:
        """The rows to read this step, or None: read every account (nothing to bound from)."""
        cols = self.columns
        vectors = self._price_vectors(market.prices)
        if cols is None or vectors is None or tuple(cols.collateral_symbols) != self.symbols:
            return None
        p_now, pb_now, base_ok = vectors
        if not base_ok:
            return None
        held = np.stack([c.nonzero() for c in cols.collateral_raw], axis=1) if self.symbols else np.zeros((self.n, 0), bool)
        has_debt = cols.has_debt()
        # the lowest price ratio over the collaterals held (an unusable price now: ratio 0, the row is read)
        with np.errstate(divide="ignore", invalid="ignore"):  # an asset not held may have had no price
            ratios = np.where(held, p_now[None, :] / self.prices, np.inf)
        r_min = ratios.min(axis=1) if self.symbols else np.full(self.n, np.inf)
        r_min = np.where(np.isfinite(r_min), r_min, 0.0)  # no collateral: liquidation value 0
        n_held = held.sum(axis=1)
        debt_ub = self.debt_base * (float(market.debt_index) / self.index) * (1 + SLACK) + 1.0
        unit = 10.0 ** self.markets.base.decimals
        debt_usd_ub = debt_ub * pb_now / unit * (1 + SLACK) + 1.0
        liq_lb = self.liq_wad * r_min * (1 - SLACK) - 2.0 * n_held
        bound = np.where(has_debt, (liq_lb * float(WAD) / debt_usd_ub) * (1 - SLACK) - 1.0, np.inf)
        read = (forced | self.dirty | ~self.ok_at_read | (self.read_step < 0)
                | ((np.arange(self.n) + step) % EVERY_STEPS == 0))
        read |= has_debt & (bound < self.threshold_wad)
        read |= has_debt & self._unclear_at_reference(cols, debt_ub, reference_usd)
        if has_debt.any():  # the lowest bound: the minimum health factor is then known to be read (second_round)
            read[int(np.argmin(np.where(has_debt, bound, np.inf)))] = True
        return Selection(np.flatnonzero(read), bound)

    def _unclear_at_reference(self, cols: AccountColumns, debt_ub: Floats, reference_usd: Mapping[str, float]) -> Mask:
        """Rows whose debt (its upper bound) is not clearly covered by their collateral at reference
        prices, by value and by liquidation value: the ones ``account_figures`` could count."""
        markets, base = self.markets, self.markets.base
        coll = np.zeros(self.n)
        liq = np.zeros(self.n)
        for s, col in zip(cols.collateral_symbols, cols.collateral_raw):
            if s not in markets.collaterals:
                continue
            c = markets.collaterals[s]
            value = col.approx / 10**c.asset.decimals * reference_usd[s]
            coll += value
            liq += value * (c.liquidation_threshold_bps / 10_000)
        debt_usd = debt_ub / 10**base.decimals * reference_usd[base.symbol] * (1 + REF_MARGIN)
        return np.asarray((liq < debt_usd) | (coll < debt_usd))

    def second_round(self, selection: Selection, parts: list[tuple[Rows, AccountColumns]]) -> Rows:
        """Unread rows whose bound is under the lowest health factor read so far (their true value could be
        the step's minimum); when no row read so far has debt (the lowest-bound account repaid or was
        written off since its read), the unread ones with the lowest bounds. Empty: the minimum is known."""
        assert self.columns is not None
        unread = self.columns.has_debt().copy()
        lows = []
        for rows, fresh in parts:
            unread[rows] = False
            has = fresh.has_debt()
            if has.any():
                lows.append(float(fresh.health_factor_wad.approx[has].min()))
        if not unread.any():
            return np.zeros(0, dtype=np.intp)
        if not lows:
            candidates = np.flatnonzero(unread)
            return np.sort(candidates[np.argsort(selection.bound_wad[candidates], kind="stable")[:SECOND_ROUND_AT_LEAST]])
        return np.flatnonzero(unread & (selection.bound_wad < min(lows) * (1 + SLACK) + 1.0))

    # -- after the read -------------------------------------------------------------------

    def record(self, step: int, rows: Rows, fresh: AccountColumns, market: MarketReads) -> None:
        """Remember ``fresh`` (the exact read of ``rows``, in that order) as those rows' last read."""
        vectors = self._price_vectors(market.prices)
        if vectors is None:
            self.read_step[rows] = -1
            return
        p_now, pb_now, _ok = vectors
        self.read_step[rows] = step
        self.liq_wad[rows] = fresh.liquidation_value_usd_wad.approx
        self.debt_base[rows] = fresh.debt_base.approx
        self.index[rows] = float(market.debt_index)
        self.prices[rows] = p_now[None, :]
        self.base_price[rows] = pb_now
        self.ok_at_read[rows] = fresh.prices_ok  # the Lens: every held collateral's price and the base's usable
        self.dirty[rows] = False

    def merge(self, parts: list[tuple[Rows, AccountColumns]], bound_wad: Floats) -> AccountColumns:
        """The step's columns: each part's fresh read at its rows, the last step's elsewhere, with the bound
        (raised to the lowest health factor read) as an unread account's health factor."""
        last = self.columns
        assert last is not None

        def put(old: U256, pick: object) -> U256:
            limbs = old.limbs.copy()
            for rows, fresh in parts:
                limbs[rows] = pick(fresh).limbs  # type: ignore[operator]
            return U256(limbs)

        unread = np.ones(self.n, dtype=bool)
        for rows, _fresh in parts:
            unread[rows] = False
        hf = put(last.health_factor_wad, lambda c: c.health_factor_wad)
        carried = unread & last.has_debt()
        if carried.any():
            lows = [min(f.health_factor_wad.int_at(int(i)) for i in np.flatnonzero(f.has_debt()))
                    for _rows, f in parts if f.has_debt().any()]
            hf.limbs[carried] = _wad_limbs(bound_wad[carried], min(lows) if lows else 0)
        prices_ok = last.prices_ok.copy()
        for rows, fresh in parts:
            prices_ok[rows] = fresh.prices_ok
        raw = tuple(put(col, lambda c, j=j: c.collateral_raw[j]) for j, col in enumerate(last.collateral_raw))
        return AccountColumns(last.addresses, hf, put(last.collateral_value_usd_wad, lambda c: c.collateral_value_usd_wad),
                              put(last.liquidation_value_usd_wad, lambda c: c.liquidation_value_usd_wad),
                              put(last.debt_base, lambda c: c.debt_base), put(last.debt_usd_wad, lambda c: c.debt_usd_wad),
                              prices_ok, last.collateral_symbols, raw, last.rows_by_address)


def _wad_limbs(bound_wad: Floats, at_least: int) -> Limbs:
    """Limbs of max(floor(bound), at_least) per row (below 2**256; a bound past 2**63 is written exactly
    from its float value)."""
    out = np.zeros((len(bound_wad), 4), dtype=np.uint64)
    small = bound_wad < 2.0**63
    if at_least < U64:
        out[small, 3] = np.maximum(np.floor(np.maximum(bound_wad[small], 0.0)).astype(np.uint64), np.uint64(at_least))
    for i in np.flatnonzero(~small | (at_least >= U64)).tolist():
        value = max(int(bound_wad[i]) if np.isfinite(bound_wad[i]) else MAX_UINT, at_least)
        out[i] = [(min(value, MAX_UINT) >> s) & (U64 - 1) for s in (192, 128, 64, 0)]
    return out
