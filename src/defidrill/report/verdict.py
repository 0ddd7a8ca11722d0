"""The verdict: the report's opening paragraph, generated from summary.json alone.

A reader opens a run to learn whether the protocol held and how the chain fared against the
exchange, so the paragraph answers, in this order: what fell and by how much, when each venue
began liquidating and how much of its book it liquidated, which venue amplified the fall,
whether bad debt (or socialised losses) appeared, whether the AMM bought the dip, and what the
drill's expectations and invariants say. Every sentence is a pure function of the summary
(a dict as summary.json holds it), so tests can build summaries by hand; a field an older run
folder lacks drops its clause, and a missing venue is said in so many words.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from defidrill.report.format import fmt, minutes, money

__all__ = ["AMPLIFICATION_NOTICEABLE", "verdict_paragraph", "verdict_sentences"]

Summary = Mapping[str, Any]

#: Below this amplification (endogenous / exogenous drop) a venue's own trading added under 1 %
#: of the exogenous fall: the report says neither venue amplified it rather than crown a winner.
AMPLIFICATION_NOTICEABLE = 0.01


def _num(obj: Mapping[str, Any] | None, key: str) -> float | None:
    value = (obj or {}).get(key)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _fall(summary: Summary) -> str | None:
    """The exogenous fall: the asset whose reference fell most (on chain pairs), else the CEX index."""
    pairs = (summary.get("onchain") or {}).get("amplification_by_pair") or {}
    drops = [(a, p) for a, p in pairs.items() if _num(p, "exogenous_drop_pct") is not None]
    duration = _num(summary, "duration_s")
    over = f" over the drill's {minutes(duration)}" if duration else ""
    if drops:
        asset, p = max(drops, key=lambda ap: float(ap[1]["exogenous_drop_pct"]))
        start, low = _num(p, "start_reference_usd"), _num(p, "min_reference_usd")
        span = f" (from {money(start)} to {money(low)})" if start is not None and low is not None else ""
        return f"{asset} fell {fmt(p['exogenous_drop_pct'], '%')} on the reference path{span}{over}."
    cex = summary.get("cex") or {}
    if _num(cex, "exogenous_drop_pct") is not None:
        start, low = _num(cex, "start_index_price_usd"), _num(cex, "min_index_price_usd")
        span = f" (from {money(start)} to {money(low)})" if start is not None and low is not None else ""
        return f"The CEX index fell {fmt(cex['exogenous_drop_pct'], '%')}{span}{over}."
    return None


def _share(value: float | None, of: str) -> str:
    return f" ({fmt(value, '%')} of {of})" if value is not None else ""


def _onchain(on: Mapping[str, Any]) -> str:
    count = int(on.get("liquidation_count") or 0)
    breach, first = _num(on, "first_breach_s"), _num(on, "first_liquidation_s")
    debt = _num(on, "debt_at_start_usd")
    book = f"the {money(debt)} borrowed" if debt is not None else "the debt borrowed"
    if count == 0:
        if breach is None:
            return "On chain, no account fell below health factor 1 and nothing was liquidated."
        return (f"On chain, an account fell below health factor 1 at {minutes(breach)} but none was liquidated "
                "by the end.")
    text = "On chain, "
    if breach is not None:
        text += f"the first account fell below health factor 1 at {minutes(breach)} and "
    when = f" from {minutes(first)}" if first is not None else ""
    noun = "liquidation" if count == 1 else "liquidations"
    text += (f"{count:,} {noun} followed{when}, repaying {money(_num(on, 'liquidated_debt_usd'))}"
             f"{_share(_num(on, 'liquidated_share_of_debt_pct'), book)}")
    half = _num(on, "time_to_half_liquidated_s")
    if half is not None:
        text += f"; half of it within {minutes(half)} of the first breach"
    return text + "."


def _cex(cex: Mapping[str, Any] | None) -> str:
    if not cex:
        return "This run has no CEX replay (cex disabled or not reached): the chain stands alone."
    count = int(cex.get("liquidation_count") or 0)
    positions = cex.get("positions_count")
    of = f" of {int(positions):,}" if isinstance(positions, int) else ""
    of_the = f" of the {int(positions):,}" if isinstance(positions, int) else " of its"
    oi = _num(cex, "open_interest_start_usd")
    book = f"the {money(oi)} open interest" if oi is not None else "open interest"
    if count == 0:
        return f"At the CEX, none{of_the} positions was liquidated."
    breach = _num(cex, "first_threshold_breach_s")
    text = "At the CEX, "
    if breach is not None:
        text += f"the first position reached its liquidation price at {minutes(breach)} and "
    text += (f"{count:,}{of} positions were liquidated for {money(_num(cex, 'liquidated_notional_usd'))}"
             f"{_share(_num(cex, 'liquidated_share_of_open_interest_pct'), book)}")
    half = _num(cex, "time_to_half_liquidated_s")
    if half is not None:
        text += f"; half of it within {minutes(half)} of the first breach"
    return text + "."


def _amplification(summary: Summary) -> str | None:
    """Which venue's own trading deepened the fall (comparison.amplification: one definition for both)."""
    entry = (summary.get("comparison") or {}).get("amplification") or {}
    on, off = _num(entry, "onchain"), _num(entry, "cex")
    if on is None and off is None:
        return None
    if off is None:
        assert on is not None
        if on < AMPLIFICATION_NOTICEABLE:
            return "The chain's own trading did not amplify the fall (amplification " + fmt(on, "ratio") + ")."
        return f"The chain's AMM amplified the fall: amplification {fmt(on, 'ratio')} (its low below the reference low)."
    if on is None:
        if off < AMPLIFICATION_NOTICEABLE:
            return "The CEX's own trading did not amplify the fall (amplification " + fmt(off, "ratio") + ")."
        return f"The CEX amplified the fall: amplification {fmt(off, 'ratio')} (its last trade below the index low)."
    if max(on, off) < AMPLIFICATION_NOTICEABLE:
        return (f"Neither venue amplified the fall: amplification {fmt(on, 'ratio')} on chain and "
                f"{fmt(off, 'ratio')} at the CEX (under {AMPLIFICATION_NOTICEABLE:g} of the exogenous drop).")
    drop = _num(summary.get("cex"), "endogenous_drop_pct")
    if off >= on:
        extra = f", its liquidation selling taking the last trade {fmt(drop, '%')} below the index low" if drop else ""
        return (f"The CEX amplified the fall more: amplification {fmt(off, 'ratio')} against {fmt(on, 'ratio')} "
                f"on chain{extra}.")
    pairs = (summary.get("onchain") or {}).get("amplification_by_pair") or {}
    amm_drop = next((_num(p, "endogenous_drop_pct") for p in pairs.values() if _num(p, "amplification") == on), None)
    extra = f", its AMM trading {fmt(amm_drop, '%')} below the reference low" if amm_drop else ""
    return (f"The chain amplified the fall more: amplification {fmt(on, 'ratio')} against {fmt(off, 'ratio')} "
            f"at the CEX{extra}.")


def _losses(summary: Summary) -> str | None:
    on, cex = summary.get("onchain"), summary.get("cex")
    parts: list[str] = []
    if on:
        bad, under = _num(on, "bad_debt_usd") or 0.0, _num(on, "uncovered_debt_usd") or 0.0
        if bad > 0:
            text = (f"Bad debt appeared on chain: {money(bad)} written off"
                    f"{_share(_num(on, 'bad_debt_share_of_debt_pct'), 'the debt')}")
            parts.append(text + (f", and {money(under)} more is under water, not written off" if under > 0 else ""))
        elif under > 0:
            parts.append(f"No debt was written off on chain, but {money(under)} is under water at the end "
                         "(its collateral no longer covers it): bad debt not yet recognised")
        else:
            parts.append("No bad debt appeared on chain")
    if cex:
        social = _num(cex, "losses_socialised_usd") or 0.0
        draw, adl = _num(cex, "insurance_fund_draw_usd") or 0.0, int(cex.get("adl_count") or 0)
        used = _num(cex, "insurance_fund_used_pct")
        if social > 0 or draw > 0 or adl > 0:
            text = f"the CEX socialised {money(social)}"
            text += _share(_num(cex, "losses_socialised_share_of_open_interest_pct"), "open interest")
            bits = []
            if draw > 0:
                bits.append(f"its insurance fund paid {money(draw)}" + (f" ({fmt(used, '%')} of it)" if used is not None
                                                                         else ""))
            if adl > 0:
                bits.append(f"{adl:,} positions were auto-deleveraged")
            parts.append(text + (": " + " and ".join(bits) if bits else ""))
        else:
            parts.append("the CEX absorbed its liquidations without touching its insurance fund")
    if not parts:
        return None
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."


def _amm(summary: Summary) -> str | None:
    on = summary.get("onchain") or {}
    flows = on.get("amm_net_flow")
    cex_flow = _num(summary.get("cex"), "net_flow_usd")
    tail = f"; at the CEX the book's makers bought {money(cex_flow)} from the liquidation engine" if cex_flow else ""
    if not flows:
        if "amm_net_flow" in on:
            return "The run has no AMM pair, so no AMM could buy the dip" + tail + "."
        return None
    total = sum(float(p.get("total_usd") or 0.0) for p in flows.values())
    from_keepers = sum(float(p.get("liquidation_usd") or 0.0) for p in flows.values())
    keepers = f", {money(from_keepers)} of it from keepers selling seized collateral" if from_keepers > 0 else ""
    if total > 0:
        return f"The AMM bought the dip: its LPs took in a net {money(total)} of collateral{keepers}{tail}."
    if total < 0:
        bought = (f", although keepers' liquidation sales put {money(from_keepers)} into the pools"
                  if from_keepers > 0 else "")
        return (f"The AMM did not buy the dip: its LPs' collateral fell by a net {money(-total)} (they sold into "
                f"the fall){bought}{tail}.")
    return f"The AMM's LPs neither bought nor sold collateral on net{tail}."


def _coupling(c: Mapping[str, Any] | None) -> str | None:
    if not c:
        return None
    cex_drop, from_chain = _num(c, "cex_drop_pct"), _num(c, "cex_drop_from_chain_pct")
    if cex_drop is None or from_chain is None:
        return None
    text = f"Coupled both ways, {fmt(from_chain, '%')} of the CEX's {fmt(cex_drop, '%')} drop came from the chain"
    amm, from_cex = _num(c, "amm_drop_pct"), _num(c, "amm_drop_from_cex_pct")
    if amm is not None and from_cex is not None:
        text += f" and {fmt(from_cex, '%')} of the AMM's {fmt(amm, '%')} from the CEX"
    return text + "."


def _checks(summary: Summary) -> str:
    expectations = summary.get("expectations")
    if expectations:
        missed = [str(e.get("metric")) for e in expectations if not e.get("met")]
        text = f"Expectations: {len(expectations) - len(missed)} of {len(expectations)} met"
        text += f" (NOT MET: {', '.join(missed)})" if missed else ""
    elif expectations is None:
        text = "This run folder records no expectations (it predates them, or the drill states none)"
    else:
        text = "The drill states no expectations"
    invariants = (summary.get("onchain") or {}).get("invariants") or []
    if invariants:
        broken = [str(i.get("name")) for i in invariants if not i.get("passed")]
        text += (f"; all {len(invariants)} invariants held" if not broken else
                 f"; {len(broken)} of {len(invariants)} invariants broke ({', '.join(broken)})")
    else:
        text += "; no invariants were recorded"
    return text + "."


def _fit_value(metric: str, value: float) -> str:
    if metric.endswith("_pct"):
        return f"{value:.1f}%"
    if metric.endswith("_usd"):
        return money(value)
    return f"{value:,.0f}"


def _fit_label(metric: str) -> str:
    """``cex.traded_drop_pct`` -> ``the CEX's traded drop``."""
    section, _, name = metric.partition(".")
    for suffix in ("_pct", "_usd", "_s"):
        name = name.removesuffix(suffix)
    venue = {"cex": "the CEX's", "onchain": "the chain's"}.get(section, section)
    return f"{venue} {name.replace('_', ' ')}"


def _fit(fit: list[Mapping[str, Any]] | None) -> str | None:
    """The drill's documented figures (``targets:``) beside the model's, with the ratio and the verdict."""
    if not fit:
        return None
    parts = []
    for f in fit:
        metric = str(f.get("metric"))
        model, documented, ratio = _num(f, "model"), _num(f, "documented"), _num(f, "ratio")
        if model is None or documented is None:
            parts.append(f"{_fit_label(metric)}: not produced by this run")
            continue
        parts.append(f"{_fit_label(metric)} {_fit_value(metric, model)} against {_fit_value(metric, documented)}"
                     + (f" ({ratio:.2f}x)" if ratio is not None else ""))
    inside = sum(1 for f in fit if f.get("inside"))
    within = {f.get("within") for f in fit}
    band = f" within the stated factor {within.pop():g}" if len(within) == 1 else " within their stated factors"
    return f"Against the documented event's figures: {'; '.join(parts)}: {inside} of {len(fit)}{band}."


def verdict_sentences(summary: Summary) -> list[str]:
    """The verdict's sentences in reading order (each ends with a full stop)."""
    on = summary.get("onchain")
    out = [s for s in (_fall(summary), _fit(summary.get("fit"))) if s]
    out.append(_onchain(on) if on else "summary.json has no on-chain metrics (the run stopped before them).")
    out.append(_cex(summary.get("cex")))
    out += [s for s in (_amplification(summary), _losses(summary), _amm(summary), _coupling(summary.get("coupling")))
            if s]
    out.append(_checks(summary))
    return out


def verdict_paragraph(summary: Summary) -> str:
    """The verdict as one paragraph."""
    return " ".join(verdict_sentences(summary))
