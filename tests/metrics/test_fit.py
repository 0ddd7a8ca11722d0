"""summary.json's ``fit``: documented figures beside the model's, worked by hand."""

from __future__ import annotations

import pytest

from defidrill.metrics.fit import fit, model_value

SUMMARY = {"cex": {"exogenous_drop_pct": 3.0, "endogenous_drop_pct": 4.5, "liquidated_notional_usd": 2.6e9,
                   "liquidation_count": 150_000}, "onchain": {"liquidation_count": 12}}


def test_the_traded_drop_is_exogenous_plus_endogenous() -> None:
    assert model_value(SUMMARY, "cex.traded_drop_pct") == 7.5
    assert model_value(SUMMARY, "onchain.liquidation_count") == 12.0
    assert model_value(SUMMARY, "onchain.bad_debt_usd") is None
    assert model_value({"onchain": {}}, "cex.liquidation_count") is None


def test_ratio_and_the_claimed_factor() -> None:
    rows = fit(SUMMARY, [
        {"metric": "cex.traded_drop_pct", "value": "8%", "source": "a"},             # 7.5 / 8 = 0.9375: inside 1.5
        {"metric": "cex.liquidated_notional_usd", "value": "1.7B", "source": "b"},   # 2.6 / 1.7 = 1.529: outside
        {"metric": "cex.liquidation_count", "value": "200k", "source": "c", "within": 1.2},  # 0.75 < 1/1.2
        {"metric": "onchain.bad_debt_usd", "value": 5, "source": "d"},               # no such figure
    ])
    assert [(r.ratio, r.inside) for r in rows[:3]] == [(pytest.approx(0.9375), True),
                                                      (pytest.approx(2.6 / 1.7), False), (pytest.approx(0.75), False)]
    assert rows[3].model is None and rows[3].ratio is None and not rows[3].inside
    assert rows[1].meaning.startswith("notional of the CEX positions") and rows[1].source == "b"
