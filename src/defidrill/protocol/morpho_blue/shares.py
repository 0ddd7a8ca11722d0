"""Morpho Blue's share and liquidation arithmetic, in Python integers, to size a keeper's ``liquidate``.

Morpho's ``liquidate`` takes either the collateral to seize or the borrow shares to repay, and
reverts (an underflow) when either is more than the position holds: a keeper that wants "all
of it" must say which. ``size_liquidation`` picks, from one step's scan, the argument that does
what the keeper asked without reverting. Formulas (Morpho 1.0.0: SharesMathLib, MathLib,
``Morpho.liquidate``), with their rounding:

- shares <-> assets with virtual amounts: ``toSharesDown(a) = a (S + 1e6) / (A + 1)`` floored,
  ``toAssetsUp(s) = ceil(s (A + 1) / (S + 1e6))``, ``toAssetsDown`` floored;
- incentive factor ``min(1.15, 1 / (1 - 0.3 (1 - LLTV)))`` = ``wDivDown(WAD, WAD - wMulDown(0.3e18, WAD - lltv))``;
- by shares: ``seized = mulDivDown(wMulDown(toAssetsDown(shares), incentive), 1e36, price)``;
- by seized assets: ``shares = toSharesUp(wDivUp(mulDivUp(seized, price, 1e36), incentive))``.
"""

from __future__ import annotations

from dataclasses import dataclass

from defidrill.protocol_terms.fixed_point import WAD, mul_div_down, mul_div_up

ORACLE_PRICE_SCALE = 10**36
VIRTUAL_SHARES = 10**6
VIRTUAL_ASSETS = 1
LIQUIDATION_CURSOR_WAD = 3 * 10**17
MAX_LIQUIDATION_INCENTIVE_FACTOR_WAD = 115 * 10**16


def to_shares_down(assets: int, total_assets: int, total_shares: int) -> int:
    return mul_div_down(assets, total_shares + VIRTUAL_SHARES, total_assets + VIRTUAL_ASSETS)


def to_shares_up(assets: int, total_assets: int, total_shares: int) -> int:
    return mul_div_up(assets, total_shares + VIRTUAL_SHARES, total_assets + VIRTUAL_ASSETS)


def to_assets_down(shares: int, total_assets: int, total_shares: int) -> int:
    return mul_div_down(shares, total_assets + VIRTUAL_ASSETS, total_shares + VIRTUAL_SHARES)


def to_assets_up(shares: int, total_assets: int, total_shares: int) -> int:
    return mul_div_up(shares, total_assets + VIRTUAL_ASSETS, total_shares + VIRTUAL_SHARES)


def incentive_factor_wad(lltv_wad: int) -> int:
    """Morpho's liquidation incentive factor for ``lltv_wad`` (LLTV 86% -> 1043841336116910229)."""
    return min(MAX_LIQUIDATION_INCENTIVE_FACTOR_WAD,
               mul_div_down(WAD, WAD, WAD - mul_div_down(LIQUIDATION_CURSOR_WAD, WAD - lltv_wad, WAD)))


@dataclass(frozen=True)
class PositionState:
    """One position and its market as a scan saw them (totals with interest accrued to the scan's block)."""

    collateral_raw: int
    borrow_shares: int
    total_borrow_assets: int
    total_borrow_shares: int
    price_1e36: int  # the market oracle's price(): raw loan per raw collateral x 1e36
    lltv_wad: int

    @property
    def debt_base(self) -> int:
        return to_assets_up(self.borrow_shares, self.total_borrow_assets, self.total_borrow_shares)

    def seized_for_shares(self, shares: int) -> int:
        repaid = to_assets_down(shares, self.total_borrow_assets, self.total_borrow_shares)
        return mul_div_down(mul_div_down(repaid, incentive_factor_wad(self.lltv_wad), WAD), ORACLE_PRICE_SCALE,
                            self.price_1e36)

    def shares_for_seized(self, seized_raw: int) -> int:
        quoted = mul_div_up(seized_raw, self.price_1e36, ORACLE_PRICE_SCALE)
        return to_shares_up(mul_div_up(quoted, WAD, incentive_factor_wad(self.lltv_wad)), self.total_borrow_assets,
                            self.total_borrow_shares)


@dataclass(frozen=True)
class LiquidationSize:
    """``liquidate``'s two amount arguments (exactly one non-zero)."""

    seized_assets: int
    repaid_shares: int


def size_liquidation(state: PositionState, repay_base: int) -> LiquidationSize | None:
    """The ``liquidate`` arguments that repay up to ``repay_base`` without asking for more than the position
    holds: the shares ``repay_base`` buys (all of them once it covers the debt), unless their seizure would
    exceed the collateral; then the whole collateral (Morpho writes the debt left off as bad debt). None when
    there is nothing to liquidate (no debt, no collateral, no price)."""
    if state.borrow_shares == 0 or state.collateral_raw == 0 or state.price_1e36 == 0 or repay_base <= 0:
        return None
    if repay_base >= state.debt_base:
        shares = state.borrow_shares
    else:
        shares = min(state.borrow_shares, to_shares_down(repay_base, state.total_borrow_assets, state.total_borrow_shares))
    if shares and state.seized_for_shares(shares) <= state.collateral_raw:
        return LiquidationSize(0, shares)
    seized = state.collateral_raw
    # Rounding can price the whole collateral at one share more than the position owes (a wei's window):
    # seize a unit less, and the next step's liquidation takes the rest.
    while seized > 0 and state.shares_for_seized(seized) > state.borrow_shares:
        seized -= 1
    return LiquidationSize(seized, 0) if seized > 0 else None
