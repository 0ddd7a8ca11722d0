"""Differential check: every ``Liquidation`` event of a run folder against the reference model.

For each liquidation the prices the pool used are rebuilt from the run's own feed rounds
(the last ``AnswerUpdated`` of each feed before the liquidation, normalised to wad as the
guard does), then :mod:`defidrill.metrics.lending_model` says what the liquidation may do:

* ``healthy``: the event's ``healthFactorBeforeWad`` must be below 1e18;
* ``seize``: exact, to the wei: ``seized == seize_for_repay(repaid)``, or, when the bonus cap
  bit (``seized < seize_for_repay(repaid)``), ``repaid == repay_for_balance(seized)``. Where the
  protocol states a liquidator incentive other than the drill's bonus (summary.json's
  ``protocol.liquidator_incentive_wad``: its own incentive, net of the share of each seizure it keeps,
  ``protocol.seize_share_bps``), the seizure is checked against that, to ``RELATIVE_TOLERANCE`` (the
  protocol's rounding is its own), and the account is taken to lose the seizure before that share;
* ``close_factor``: ``repaid <= percentMul(debt, close factor at the event's HF)``;
* ``cap``: a capped liquidation took the account's whole balance of that collateral;
* ``write_off``: a ``BadDebtWrittenOff`` in the same transaction is the debt left after the
  repay, and comes only when the account has no collateral left.

The last three need the account's debt and balance, which no event carries: balances are
tracked from ``borrowers.csv`` (the seeded collateral, USD at the start price, 10 significant
digits) plus ``CollateralDeposited``/``CollateralWithdrawn`` minus seizures, and the debt is
solved from the event's health factor: ``debt_usd = liquidation value x 1e18 / HF``. Those
checks therefore hold to a relative tolerance (``RELATIVE_TOLERANCE``: the CSV's rounding),
the seize check to the wei. Liquidations whose prices cannot be rebuilt from feed rounds
(``amm_spot``/``twap`` pools, a guard that used its fallback, no round on record) are listed
as not checked with the reason, never as differences.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


from defidrill.drill.loader import parse_drill
from defidrill.drill.schema import Drill
from defidrill.drill.yaml_source import read_yaml
from defidrill.errors import ConfigError
from defidrill.metrics.lending_model import (
    collateral_value_usd_wad, close_factor_bps, repay_for_balance_base, seize_at_incentive_raw, seize_for_repay_raw,
)
from defidrill.protocol_terms.fixed_point import BPS, WAD, percent_mul_half_up
from defidrill.run_folder import (
    CONTRACTS_JSON, DRILL_YAML, Event, LiquidationLine, RunFolder, load_run, read_contracts,
)

__all__ = ["Difference", "LiquidationCheck", "check_liquidations", "RELATIVE_TOLERANCE"]

#: borrowers.csv keeps 10 significant digits of each seeded USD amount: balances (and the debt
#: solved from them) are known to ~5e-10; 1e-6 leaves room and still catches any real rule break
#: (a close factor of 50% against 100% is a factor of 2).
RELATIVE_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Difference:
    """A liquidation the model would not have produced: which rule, and the two sides."""

    tx: str | None
    step: int
    account: str
    rule: str
    detail: str


@dataclass
class LiquidationCheck:
    """The outcome over one run folder."""

    run_dir: Path
    checked: int = 0
    differences: list[Difference] = field(default_factory=list)
    not_checked: list[tuple[str | None, str]] = field(default_factory=list)  # (tx, reason)

    @property
    def ok(self) -> bool:
        return not self.differences


@dataclass
class _Balance:
    """A tracked collateral balance: ``raw`` is approximate (seeded from 10-digit USD), so it is
    zero within ``RELATIVE_TOLERANCE`` of the largest it has been."""

    raw: float = 0.0
    scale: float = 0.0

    def add(self, amount_raw: float) -> None:
        self.raw += amount_raw
        self.scale = max(self.scale, abs(self.raw))

    def is_empty(self) -> bool:
        return abs(self.raw) <= RELATIVE_TOLERANCE * self.scale + 2


@dataclass
class _Context:
    drill: Drill
    feeds: dict[str, str]            # feed address -> symbol
    tokens: dict[str, str]           # token address -> symbol
    decimals: dict[str, int]
    #: What the protocol states (summary.json's protocol info), by collateral; empty for older run folders.
    incentive_wad: dict[str, int] = field(default_factory=dict)
    seize_share_bps: dict[str, int] = field(default_factory=dict)
    #: The protocol's close factor (bps, and the HF in wad below which all may be repaid); None: the drill's.
    close_factor: tuple[int, int] | None = None


def _drill_of(run: RunFolder) -> Drill | None:
    path = run.path / DRILL_YAML
    if not path.is_file():
        return None
    # Read from the drill file's own folder when the run recorded it (a user's adapter module is found there).
    drill_dir = (run.summary or {}).get("drill_dir")
    base_dir = Path(drill_dir) if drill_dir and Path(drill_dir).is_dir() else run.path
    try:
        data, marks = read_yaml(path, what="run folder's drill.yaml")
        return parse_drill(data, file=str(path), base_dir=base_dir, marks=marks)
    except ConfigError:
        return None


def _context(run: RunFolder) -> _Context | str:
    drill = _drill_of(run)
    if drill is None:
        return "drill.yaml is missing or no longer validates"
    if drill.protocol.oracle.mode not in ("guarded", "naive"):
        return f"oracle mode {drill.protocol.oracle.mode}: prices come from the AMM, not from feed rounds"
    contracts_path = run.path / CONTRACTS_JSON
    if not contracts_path.is_file() or run.contracts is None:
        return "contracts.json is missing"
    raw = read_contracts(contracts_path).contracts
    feeds = {str(raw[f"FEED_{s}_USD"]).lower(): s for s in drill.market.assets if f"FEED_{s}_USD" in raw}
    tokens = {str(raw[s]).lower(): s for s in drill.market.assets if s in raw}
    protocol = (run.summary or {}).get("protocol") or {}
    return _Context(drill, feeds, tokens, dict(run.contracts.decimals),
                    {s: int(v) for s, v in (protocol.get("liquidator_incentive_wad") or {}).items()},
                    {s: int(v) for s, v in (protocol.get("seize_share_bps") or {}).items()},
                    (int(protocol["close_factor_bps"]), int(protocol["full_close_below_hf_wad"]))
                    if protocol.get("close_factor_bps") is not None and protocol.get("full_close_below_hf_wad") is not None
                    else None)


def _initial_balances(run: RunFolder, ctx: _Context) -> dict[tuple[str, str], _Balance]:
    """(account, symbol) -> seeded raw balance (float: from USD at 10 significant digits)."""
    out: dict[tuple[str, str], _Balance] = {}
    if run.borrowers is None or len(run.steps) == 0:  # a run that died before its first step: nothing seeded to check
        return out
    start = {s: float(run.steps.floats(f"ref_{s}_usd")[0]) for s in ctx.drill.market.assets
             if run.steps.has(f"ref_{s}_usd")}
    for row in run.borrowers.rows():
        sym = row["collateral"]
        if sym in start and sym in ctx.decimals:
            raw = float(row["collateral_usd"]) / start[sym] * 10 ** ctx.decimals[sym]
            out[(row["address"].lower(), sym)] = _Balance(raw, raw)
    return out


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= RELATIVE_TOLERANCE * max(abs(a), abs(b)) + 2


def _check_one(line: LiquidationLine, ctx: _Context, prices_wad: dict[str, int], balances: dict[tuple[str, str], _Balance],
               write_offs: dict[tuple[str | None, str], int], out: LiquidationCheck) -> None:
    drill = ctx.drill
    base = drill.protocol.base_asset
    liq = line.liquidation
    account = liq.account.lower()
    coll = ctx.tokens.get(liq.collateral_asset.lower())
    repaid, seized, hf = liq.repaid_base, liq.seized_raw, liq.health_before_wad

    def diff(rule: str, detail: str) -> None:
        out.differences.append(Difference(line.tx, line.step, account, rule, detail))

    if coll is None or coll not in prices_wad or base not in prices_wad:
        out.not_checked.append((line.tx, f"no feed round on record for {coll or 'the collateral'} or {base}"))
        return
    out.checked += 1
    params = drill.collateral[coll]
    bonus_bps = round(params.bonus * BPS)
    coll_dec, base_dec = ctx.decimals[coll], ctx.decimals[base]
    p_coll, p_base = prices_wad[coll], prices_wad[base]
    healthy = hf >= WAD
    if healthy:
        diff("healthy", f"health factor {hf / WAD:.6f} >= 1")
    stated = ctx.incentive_wad.get(coll)
    share_bps = ctx.seize_share_bps.get(coll, 0)
    lost = seized  # what the account loses: the seizure before the protocol's share
    if stated is None or (stated == WAD + bonus_bps * 10**14 and share_bps == 0):
        full_seize = seize_for_repay_raw(repaid, p_coll, p_base, coll_dec, base_dec, bonus_bps)
        # Uncapped: seized is exactly what the repay buys. Capped: the repay was cut to fit the balance,
        # so seize_for_repay(repay) is off by rounding and repay_for_balance(seized) must match instead.
        capped = seized != full_seize
        arithmetic_ok = not capped or repaid == repay_for_balance_base(seized, p_coll, p_base, coll_dec, base_dec,
                                                                       bonus_bps)
        want = repay_for_balance_base(seized, p_coll, p_base, coll_dec, base_dec, bonus_bps)
    else:
        full_seize = seize_at_incentive_raw(repaid, p_coll, p_base, coll_dec, base_dec, stated)
        lost = seized * BPS // (BPS - share_bps) if share_bps < BPS else seized
        capped = not _close(seized, full_seize) and seized < full_seize
        gross_bonus_bps = stated * BPS * BPS // (WAD * (BPS - share_bps)) - BPS if share_bps < BPS else bonus_bps
        want = repay_for_balance_base(lost, p_coll, p_base, coll_dec, base_dec, gross_bonus_bps)
        arithmetic_ok = _close(seized, full_seize) or (capped and _close(repaid, want))
    if not arithmetic_ok:
        diff("seize", f"repaid {repaid}: seized {seized}, model {full_seize} (or, capped at {seized}, a repay of {want})")

    key = (account, coll)
    if healthy:
        return  # the debt is solved from the health factor: nothing more to compare
    if key not in balances:
        out.not_checked.append((line.tx, "close factor, cap and write-off: balance unknown (not seeded, no deposit)"))
        return
    lt_value = sum(collateral_value_usd_wad(max(int(bal.raw), 0), prices_wad[sym], ctx.decimals[sym])
                   * round(drill.collateral[sym].liquidation_threshold * BPS) // BPS
                   for (acc, sym), bal in balances.items() if acc == account and sym in prices_wad)
    debt_usd_wad = lt_value * WAD / max(hf, 1)
    debt_base = debt_usd_wad * 10**base_dec / p_base
    if ctx.close_factor is not None:  # the close factor the protocol states (Morpho Blue: none)
        cf_bps = close_factor_bps(hf, default_bps=ctx.close_factor[0], full_close_hf_wad=ctx.close_factor[1])
    else:
        cf = drill.protocol.close_factor
        cf_bps = close_factor_bps(hf, default_bps=round(cf.default * BPS), full_close_hf_wad=round(cf.full_below_hf * WAD))
    max_repay = percent_mul_half_up(round(debt_base), cf_bps)
    if repaid > max_repay * (1 + RELATIVE_TOLERANCE) + 2:
        diff("close_factor", f"repaid {repaid} > {cf_bps / 100:g}% of a debt of ~{debt_base:.0f} ({max_repay})")
    balance = balances[key]
    if capped and arithmetic_ok:
        if _close(lost, balance.raw):
            balance.raw = float(lost)  # confirmed whole: drop the tracking error
        else:
            diff("cap", f"capped, but seized {lost} of a balance of ~{balance.raw:.0f}")
    balance.add(-lost)
    left_anything = any(not bal.is_empty() for (acc, _), bal in balances.items() if acc == account)
    written = write_offs.get((line.tx, account))
    debt_left = debt_base - repaid
    if written is None and not left_anything and debt_left > RELATIVE_TOLERANCE * debt_base + 2:
        diff("write_off", f"no collateral left and ~{debt_left:.0f} of debt, but nothing written off")
    if written is not None:
        if left_anything:
            diff("write_off", f"{written} written off while the account still holds collateral")
        elif not _close(written, debt_left):
            diff("write_off", f"wrote off {written}, model ~{debt_left:.0f} (debt left after the repay)")


def check_liquidations(run_dir: str | Path) -> LiquidationCheck:
    """Replay every Liquidation event of ``run_dir`` through the reference model.

    Returns the counts and the unexplained differences (empty when every liquidation did what
    the model allows). Reads only the run folder's files.
    """
    run = load_run(run_dir)
    out = LiquidationCheck(Path(run_dir))
    liquidations = run.liquidations()
    ctx = _context(run)
    if isinstance(ctx, str):
        out.not_checked.extend((e.tx, ctx) for e in liquidations)
        return out
    balances = _initial_balances(run, ctx)
    fallback_txs = {e.tx for e in run.events_named("FallbackUsed")}
    write_offs = {(b.tx, b.bad_debt.account.lower()): b.bad_debt.amount_base for b in run.bad_debts()}
    prices_wad: dict[str, int] = {}
    for ev in run.events:  # in file order: a liquidation sees the feed rounds and deposits before it
        if isinstance(ev, LiquidationLine):
            if ev.tx in fallback_txs:
                out.not_checked.append((ev.tx, "the guard priced it from its fallback source"))
                continue
            _check_one(ev, ctx, prices_wad, balances, write_offs, out)
        elif not isinstance(ev, Event):
            continue
        elif ev.event == "AnswerUpdated" and ev.address in ctx.feeds:
            sym = ctx.feeds[ev.address]
            prices_wad[sym] = ev.int_arg("current") * 10 ** (18 - ctx.drill.feed_params(sym).decimals)
        elif ev.event == "CollateralDeposited":
            key = (ev.address_arg("account"), ctx.tokens.get(ev.address_arg("asset"), "?"))
            balances.setdefault(key, _Balance()).add(ev.int_arg("amountRaw"))
        elif ev.event == "CollateralWithdrawn":
            key = (ev.address_arg("account"), ctx.tokens.get(ev.address_arg("asset"), "?"))
            balances.setdefault(key, _Balance()).add(-ev.int_arg("amountRaw"))
    return out
