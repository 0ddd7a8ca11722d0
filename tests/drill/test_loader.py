"""Every class of drill-file error names file, YAML path, line, value and what is allowed."""

from __future__ import annotations

from pathlib import Path

from defidrill.drill import load_drill
from defidrill.preflight import validate_files

MINIMAL = """\
name: t
market:
  step: 10s
  duration: 1h
  assets:
    WBTC: {start: 60000, path: {kind: flash_crash, at: 10m, drop: 8%, over: 20m}}
    USDC: 1
"""

ORACLES = Path(__file__).resolve().parents[2] / "oracles"


def test_ten_line_file_gets_defaults(load_text) -> None:
    drill = load_text(MINIMAL)
    assert drill.market.step_count == 360
    assert drill.protocol.base_asset == "USDC"
    assert set(drill.collateral) == {"WBTC"}
    assert drill.collateral["WBTC"].ltv < drill.collateral["WBTC"].liquidation_threshold
    assert [k.name for k in drill.keepers] == ["keeper"]
    assert drill.feed_params("WBTC").heartbeat_s == 3600.0
    assert drill.cex.margin_tiers == "binance-btcusdt-2021-03"


def test_name_defaults_to_file_stem(write_drill) -> None:
    path = write_drill(MINIMAL.replace("name: t\n", ""), name="my-drill.yaml")
    assert load_drill(path).name == "my-drill"


def test_unknown_key_with_line_and_suggestion(config_error) -> None:
    err, path = config_error(MINIMAL + "protocol:\n  collateral:\n    WBTC: {ltv: 70%, liquidation_treshold: 78%}\n")
    assert err.file == str(path)
    assert err.path == "protocol.collateral.WBTC.liquidation_treshold"
    assert err.line == 10
    assert err.value == "liquidation_treshold"
    assert "liquidation_threshold" in err.allowed and "did you mean liquidation_threshold" in err.allowed
    text = str(err)
    assert f"{path}:10" in text and "unknown key" in text


def test_unknown_top_level_section(config_error) -> None:
    err, _ = config_error(MINIMAL + "keeperz: []\n")
    assert (err.path, err.line) == ("keeperz", 8)
    assert "keepers" in err.allowed


def test_wrong_type(config_error) -> None:
    err, _ = config_error(MINIMAL + "borrowers: {count: lots}\n")
    assert err.path == "borrowers.count" and err.line == 8
    assert err.value == "lots" and "200k" in err.allowed


def test_ltv_above_threshold(config_error) -> None:
    err, _ = config_error(MINIMAL + "protocol:\n  collateral:\n    WBTC:\n      ltv: 85%\n      liquidation_threshold: 80%\n")
    assert err.path == "protocol.collateral.WBTC.ltv"
    assert err.line == 11
    assert err.value == "85.00%"
    assert "ltv < liquidation_threshold (80.00%)" in err.allowed


def test_threshold_times_bonus_above_one(config_error) -> None:
    err, _ = config_error(MINIMAL + "protocol:\n  collateral:\n    WBTC: {ltv: 80%, liquidation_threshold: 95%, bonus: 10%}\n")
    assert err.path == "protocol.collateral.WBTC.bonus"
    assert "exceeds 1" in str(err) and "1 / liquidation_threshold - 1" in err.allowed


def test_negative_price(config_error) -> None:
    err, _ = config_error(MINIMAL.replace("start: 60000", "start: -60000"))
    assert err.path == "market.assets.WBTC.start" and err.line == 6
    assert err.value == -60000 and "> 0" in err.allowed


def test_failure_outside_the_path(config_error) -> None:
    err, _ = config_error(MINIMAL + "failures:\n  - {kind: stale, feed: WBTC, at: 2h, for: 10m}\n")
    assert err.path == "failures[0].at" and err.line == 9
    assert err.value == "7200 s" and "duration (3600 s)" in err.allowed


def test_failure_running_past_the_end(config_error) -> None:
    err, _ = config_error(MINIMAL + "failures:\n  - {kind: stale, feed: WBTC, at: 50m, for: 20m}\n")
    assert err.path == "failures[0].for" and "omit `for`" in err.allowed


def test_unknown_feed(config_error) -> None:
    err, _ = config_error(MINIMAL + "failures:\n  - {kind: frozen, feed: DOGE, at: 5m, for: 5m}\n")
    assert err.path == "failures[0].feed" and err.line == 9
    assert err.value == "DOGE" and "WBTC, USDC" in err.allowed


def test_unknown_failure_kind(config_error) -> None:
    err, _ = config_error(MINIMAL + "failures:\n  - {kind: gremlins, feed: WBTC, at: 5m}\n")
    assert err.path == "failures[0]" and err.line == 9
    assert "stale" in err.allowed and "sequencer_down" in err.allowed


def test_missing_csv(config_error) -> None:
    err, path = config_error(MINIMAL.replace(
        "{kind: flash_crash, at: 10m, drop: 8%, over: 20m}", "{kind: replay, csv: data/nope.csv}"))
    assert err.path == "market.assets.WBTC.path.csv" and err.line == 6
    assert err.value == "data/nope.csv"
    assert str(path.parent / "data" / "nope.csv") in str(err)


def test_csv_column_missing(config_error, tmp_path) -> None:
    (tmp_path / "p.csv").write_text("time,close\n0,1\n")
    err, _ = config_error(MINIMAL.replace(
        "{kind: flash_crash, at: 10m, drop: 8%, over: 20m}", "{kind: replay, csv: p.csv, price_column: btc}"))
    assert err.path == "market.assets.WBTC.path.price_column"
    assert err.value == "btc" and "time, close" in err.allowed


def test_weights_length(config_error) -> None:
    err, _ = config_error(MINIMAL + "cex:\n  positions:\n    leverage: {choice: [2, 5, 10], weights: [1, 1]}\n")
    assert err.path == "cex.positions.leverage" and err.line == 10
    assert "weights has 2 entries but choice has 3" in str(err)


def test_several_problems_in_one_message(config_error) -> None:
    err, path = config_error(MINIMAL.replace("start: 60000", "start: 0") + "seed: -1\nkeepers: [{name: k, mode: warp}]\n")
    text = str(err)
    assert text.startswith(f"{path}: 3 problems")
    assert f"{path}:6: market.assets.WBTC.start" in text
    assert f"{path}:8: seed" in text
    assert f"{path}:9: keepers[0].mode" in text and "'flash' or 'capital'" in text
    assert [p.line for p in err.problems] == [6, 8, 9]
    assert err.line == 6  # typed fields point at the first problem


def test_yaml_syntax_error(config_error) -> None:
    err, _ = config_error("market:\n  assets: {WBTC: [1, 2\n")
    assert "not valid YAML" in str(err) and err.line is not None


def test_duplicate_key(config_error) -> None:
    err, _ = config_error(MINIMAL + "seed: 1\nseed: 2\n")
    assert err.path == "seed" and err.line == 9 and "duplicate" in str(err)


def test_missing_file(tmp_path) -> None:
    (result,) = validate_files([tmp_path / "absent.yaml"])
    assert not result.ok and "drill file not found" in str(result.error)
    assert result.error.exit_status == 2


def test_every_library_drill_validates() -> None:
    files = sorted(ORACLES.glob("*.yaml")) + sorted(ORACLES.glob("incidents/*.yaml"))
    assert len(files) >= 16
    results = validate_files(files)
    assert [str(r.error) for r in results if not r.ok] == []
    names = {r.drill.name for r in results}
    assert {"flash-crash", "stale-feed-crash", "minanswer-clamp", "minanswer-clamp-naive", "spot-manipulation",
            "spot-manipulation-guarded", "sequencer-outage", "osm-delay", "keeper-outage", "gbm-stress",
            "black-thursday", "btc-march-2023", "usdc-depeg-march-2023", "usdc-base-depeg",
            "usdc-base-depeg-hardcoded", "luna-may-2022"} <= names
    assert all(r.drill.description for r in results)
    assert all(r.drill.name == r.path.stem for r in results)


def test_guarded_pool_refuses_a_heartbeat_longer_than_max_staleness(config_error, load_text) -> None:
    err, path = config_error(MINIMAL + "protocol:\n  oracle: {mode: guarded, heartbeat: 1h, max_staleness: 20m}\n")
    assert err.path == "protocol.oracle.max_staleness" and err.line == 9
    assert "heartbeat (3600 s) is longer than the guard's max_staleness (1200 s)" in str(err)
    # a per-feed heartbeat under the limit fixes it, and the naive mode never checks staleness
    load_text(MINIMAL + "protocol:\n  oracle: {mode: guarded, heartbeat: 10m, max_staleness: 20m}\n")
    load_text(MINIMAL + "protocol:\n  oracle: {mode: naive, heartbeat: 1h, max_staleness: 20m}\n")


PIECEWISE_MINIMAL = MINIMAL.replace("WBTC: {start: 60000, path: {kind: flash_crash, at: 10m, drop: 8%, over: 20m}}", """\
WBTC:
      path:
        kind: piecewise
        points:
          - {at: 0s, price: 60k}
          - {at: 20m, price: 55k}
          - {at: 40m, price: 57k}""")


def test_piecewise_loads_without_a_start(load_text) -> None:
    drill = load_text(PIECEWISE_MINIMAL)
    assert [p.price_usd for p in drill.market.assets["WBTC"].path.points] == [60_000, 55_000, 57_000]


def test_piecewise_points_out_of_order(config_error) -> None:
    err, path = config_error(PIECEWISE_MINIMAL.replace("{at: 40m, price: 57k}", "{at: 15m, price: 57k}"))
    assert err.file == str(path)
    assert err.path == "market.assets.WBTC.path.points[2].at" and err.line == 12
    assert err.value == "900 s" and "strictly increasing" in err.allowed


def test_piecewise_point_after_the_end(config_error) -> None:
    err, _ = config_error(PIECEWISE_MINIMAL.replace("{at: 40m, price: 57k}", "{at: 2h, price: 57k}"))
    assert err.path == "market.assets.WBTC.path.points[2].at"
    assert "after the drill ends" in str(err) and "3600 s" in err.allowed


def test_piecewise_price_must_be_positive_and_finite(config_error) -> None:
    err, _ = config_error(PIECEWISE_MINIMAL.replace("price: 55k", "price: -1"))
    assert err.path == "market.assets.WBTC.path.points[1].price" and err.line == 11
    assert err.value == -1 and "> 0" in err.allowed
    err, _ = config_error(PIECEWISE_MINIMAL.replace("price: 55k", "price: .inf"))
    assert err.path == "market.assets.WBTC.path.points[1].price" and "finite" in str(err)


def test_piecewise_between_is_linear_or_stepped(config_error) -> None:
    err, _ = config_error(PIECEWISE_MINIMAL.replace("kind: piecewise", "kind: piecewise\n        between: cubic"))
    assert err.path == "market.assets.WBTC.path.between"
    assert "linear" in err.allowed and "stepped" in err.allowed


def test_chain_backend_defaults_to_anvil_and_accepts_revm(load_text) -> None:
    assert load_text(MINIMAL).chain.backend == "anvil"
    assert load_text(MINIMAL + "chain: {backend: revm}\n").chain.backend == "revm"


def test_unknown_chain_backend(config_error) -> None:
    err, path = config_error(MINIMAL + "chain: {backend: geth}\n")
    assert err.file == str(path)
    assert "chain.backend" in str(err) and "'anvil'" in str(err) and "'revm'" in str(err)
