"""A step's read of every account as columns (one array per field), not one object per account.

Why: at 10,000 borrowers a step's read built 10,000 ``AccountView`` objects, each with its own
dict of collateral, and every consumer (the keepers' filter, the reactive borrowers, the steps.csv
row) walked all of them in Python; the loop kept 64 steps of them for the keepers' latency, and
Python grew by ~0.5 GiB over a 120-step run. Here a field is one array; an ``AccountView`` is built
only for the accounts an agent acts on (``view(i)``), and the whole list only when someone asks
for it (``views()``, user invariants).

Values stay exact. Every field is a uint256 as the chain returns it, held as four uint64 limbs
(most significant first, :class:`U256`): a comparison with a threshold below 2**64 (a health
factor against 1.0 wad, a debt against 0) is exact on the arrays, ``approx()`` gives float64
values for prefilters that then settle every close case with exact Python ints (``int_at``), so
whatever the engine computes from a column is what it computed from the ints before, bit for bit.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, overload

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from defidrill.protocol.adapter import AccountView

U64 = 2**64
Limbs = npt.NDArray[np.uint64]
Mask = npt.NDArray[np.bool_]
Rows = npt.NDArray[np.intp]
Floats = npt.NDArray[np.float64]
_LIMB_SCALE = (2.0**192, 2.0**128, 2.0**64, 1.0)


@dataclass(frozen=True, eq=False)
class U256:
    """A column of uint256 values as (n, 4) uint64 limbs, most significant limb first."""

    limbs: Limbs

    @classmethod
    def from_words(cls, words: npt.NDArray[np.uint64]) -> U256:
        """ABI words already split into big-endian uint64 limbs ((n, 4), any byte order)."""
        return cls(np.ascontiguousarray(words, dtype=np.uint64).reshape(-1, 4))

    @classmethod
    def from_ints(cls, values: Sequence[int]) -> U256:
        """Python ints in [0, 2**256) (the adapters that decode to ints: Aave V3, external ones)."""
        raw = b"".join(int(v).to_bytes(32, "big") for v in values)
        return cls.from_words(np.frombuffer(raw, dtype=">u8").reshape(-1, 4))

    def __len__(self) -> int:
        return int(self.limbs.shape[0])

    def int_at(self, i: int) -> int:
        """The exact value of row ``i``."""
        a, b, c, d = (int(x) for x in self.limbs[i])
        return (a << 192) | (b << 128) | (c << 64) | d

    def ints(self, rows: Sequence[int] | Rows) -> list[int]:
        return [self.int_at(int(i)) for i in rows]

    @cached_property
    def small(self) -> Mask:
        """Rows whose value is below 2**64 (the three high limbs are zero)."""
        return np.asarray(~self.limbs[:, :3].any(axis=1))

    def nonzero(self) -> Mask:
        return np.asarray(self.limbs.any(axis=1))

    def lt(self, threshold: int) -> Mask:
        """value < threshold, exactly, for every row."""
        if threshold <= 0:
            return np.zeros(len(self), dtype=bool)
        if threshold < U64:
            return np.asarray(self.small & (self.limbs[:, 3] < np.uint64(threshold)))
        return np.fromiter((self.int_at(i) < threshold for i in range(len(self))), dtype=bool, count=len(self))

    @cached_property
    def approx(self) -> Floats:
        """float64 values within a few ulps (each limb converted and scaled, then summed): for
        prefilters only; a decision near a boundary is settled with ``int_at``."""
        out = np.zeros(len(self), dtype=np.float64)
        for k, scale in enumerate(_LIMB_SCALE):
            out += self.limbs[:, k].astype(np.float64) * scale
        return out


@dataclass(frozen=True, eq=False)
class AccountColumns(Sequence["AccountView"]):
    """Every account of one step's read, in read order; indexing gives the exact ``AccountView``."""

    addresses: Sequence[str]
    health_factor_wad: U256
    collateral_value_usd_wad: U256
    liquidation_value_usd_wad: U256
    debt_base: U256
    debt_usd_wad: U256
    prices_ok: Mask                       # bool, one per account
    collateral_symbols: tuple[str, ...]   # the order of ``collateral_raw`` (an AccountView's dict order)
    collateral_raw: tuple[U256, ...]      # one column per symbol, raw token units
    #: lower-case address -> row; shared between steps when the adapter reads the same accounts
    rows_by_address: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_views(cls, views: Sequence[AccountView]) -> AccountColumns:
        """Columns of an adapter that decodes to ``AccountView`` objects (the interface's first form)."""
        symbols: tuple[str, ...] = tuple(views[0].collateral_raw) if views else ()
        if any(tuple(v.collateral_raw) != symbols for v in views):
            # accounts with different collateral keys: keep every symbol seen, in first-seen order
            symbols = tuple(dict.fromkeys(s for v in views for s in v.collateral_raw))
        cols = cls([v.address for v in views], U256.from_ints([v.health_factor_wad for v in views]),
                   U256.from_ints([v.collateral_value_usd_wad for v in views]),
                   U256.from_ints([v.liquidation_value_usd_wad for v in views]),
                   U256.from_ints([v.debt_base for v in views]), U256.from_ints([v.debt_usd_wad for v in views]),
                   np.array([v.prices_ok for v in views], dtype=bool), symbols,
                   tuple(U256.from_ints([v.collateral_raw.get(s, 0) for v in views]) for s in symbols),
                   index_of(v.address for v in views))
        # a view that lacks a symbol another has must come back without it (its own dict's keys)
        object.__setattr__(cols, "_given", list(views))
        return cols

    def __len__(self) -> int:
        return len(self.addresses)

    @overload
    def __getitem__(self, i: int) -> AccountView: ...
    @overload
    def __getitem__(self, i: slice) -> list[AccountView]: ...

    def __getitem__(self, i: int | slice) -> AccountView | list[AccountView]:
        if isinstance(i, slice):
            return [self.view(k) for k in range(len(self))[i]]
        return self.view(i)

    def __iter__(self) -> Iterator[AccountView]:
        return iter(self.views())

    def view(self, i: int) -> AccountView:
        """Row ``i`` as the exact ``AccountView`` an adapter decoding to objects would have built."""
        from defidrill.protocol.adapter import AccountView

        n = len(self)
        if not -n <= i < n:
            raise IndexError(i)
        i %= n
        given = self.__dict__.get("_given")
        if given is not None:
            view: AccountView = given[i]
            return view
        return AccountView(address=self.addresses[i], health_factor_wad=self.health_factor_wad.int_at(i),
                           collateral_value_usd_wad=self.collateral_value_usd_wad.int_at(i),
                           liquidation_value_usd_wad=self.liquidation_value_usd_wad.int_at(i),
                           debt_base=self.debt_base.int_at(i), debt_usd_wad=self.debt_usd_wad.int_at(i),
                           prices_ok=bool(self.prices_ok[i]),
                           collateral_raw={s: c.int_at(i) for s, c in zip(self.collateral_symbols, self.collateral_raw)})

    def views(self) -> list[AccountView]:
        """Every row as an ``AccountView`` (built once per read)."""
        cached = self.__dict__.get("_views")
        if cached is None:
            cached = self.__dict__.get("_given") or [self.view(i) for i in range(len(self))]
            object.__setattr__(self, "_views", cached)
        out: list[AccountView] = cached
        return out

    def row_of(self, address: str) -> int | None:
        return self.rows_by_address.get(address.lower())

    def has_debt(self) -> Mask:
        return self.debt_base.nonzero()

    def liquidatable_rows(self, below_hf_wad: int) -> Rows:
        """Rows with debt, usable prices and a health factor below ``below_hf_wad`` (exact), in read order."""
        mask = self.has_debt() & self.prices_ok & self.health_factor_wad.lt(below_hf_wad)
        return np.flatnonzero(mask)


def index_of(addresses: Iterator[str] | Sequence[str]) -> dict[str, int]:
    """lower-case address -> row (the last row when an address repeats, as the dict the ledger built did)."""
    return {a.lower(): i for i, a in enumerate(addresses)}
