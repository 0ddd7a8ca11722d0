"""Property: no drill document, however malformed, gets anything but a ConfigError (exit 2) or a pass.

Documents are built from the schema's own keys (collected from the pydantic models, so a new
key is fuzzed without editing this file) with values drawn from the units' vocabulary, extreme
numbers and wrong types; a second strategy mutates one value of a valid drill. Each document
goes through the preflight that `validate` and `run` share.
"""

from __future__ import annotations

import os
import tempfile
import typing
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from cli.malformed_corpus import BASE
from defidrill.drill.schema import Drill
from defidrill.errors import ConfigError
from defidrill.preflight import preflight


def _schema_keys(model: type[BaseModel], seen: set[type] | None = None) -> set[str]:
    seen = seen if seen is not None else set()
    if model in seen:
        return set()
    seen.add(model)
    keys: set[str] = set()
    for name, field in model.model_fields.items():
        keys.add(field.alias or name)
        stack = [field.annotation]
        while stack:
            tp = stack.pop()
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                keys |= _schema_keys(tp, seen)
            stack.extend(typing.get_args(tp))
    return keys


KEYS = sorted(_schema_keys(Drill) | {"WBTC", "WETH", "USDC", "WBTC/USDC", "kind"})
WORDS = ["10s", "1ms", "2h", "1e12", "8%", "-8%", "70", "20M", "1T", "2 blocks", "1 step", "5%/step", "2 gwei",
         "nan", "inf", "-inf", ".nan", "", " ", "\x00", "../../x", "binance-btcusdt-2021-03", "flash_crash", "replay",
         "gbm", "step", "ramp", "constant", "stale", "spike", "guarded", "amm_spot", "twap", "max", "WBTC", "USDC",
         "WBTC/USDC", "p.csv", "2023-03-09T00:00:00Z", "9" * 400, "1e400", "$1,000", "20m", "yes"]
scalars = st.one_of(
    st.none(), st.booleans(), st.sampled_from(WORDS), st.text(max_size=12),
    st.integers(min_value=-(2**70), max_value=2**70), st.sampled_from([10**400, -(10**400), 2**64]),
    st.floats(allow_nan=True, allow_infinity=True),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.one_of(st.sampled_from(KEYS), scalars), inner, max_size=5)),
    max_leaves=25,
)
documents = st.dictionaries(st.sampled_from(KEYS), values, max_size=8)
#: A replacement value: mostly one scalar (a wrong unit, an extreme number), sometimes a structure.
replacements = st.one_of(scalars, st.sampled_from([10**400, 2**64, -1, 0, 1e308, float("nan"), "1e400", "9" * 400]),
                         values)


def _check(document: Any) -> None:
    with tempfile.TemporaryDirectory() as folder:
        drill = Path(folder) / "drill.yaml"
        (Path(folder) / "p.csv").write_text("time,price\n1000,100\n1010,nan\n")
        try:
            text = yaml.safe_dump(document, allow_unicode=True)
        except (yaml.YAMLError, ValueError):
            return  # not representable as YAML: nothing a user could write
        drill.write_text(text, encoding="utf-8")
        try:
            preflight(drill)
        except ConfigError as err:
            assert str(drill) in str(err)
            assert "Traceback" not in str(err)


@settings(max_examples=int(os.environ.get("DEFIDRILL_FUZZ_EXAMPLES", "300")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_random_documents_of_schema_keys_never_raise_anything_but_config_error(document: dict[str, Any]) -> None:
    _check(document)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, prefix + (i,))
    return out


VALID = yaml.safe_load(BASE + """
protocol: {collateral: {WBTC: {ltv: 70%, liquidation_threshold: 78%, bonus: 6%}}, oracle: {mode: guarded}}
amm: {pairs: {WBTC/USDC: 20M}, lps: {withdraw: 40%, at: 5m}}
borrowers: {count: 100, size_usd: {lognormal: {median: 20k, sigma: 1.2}}, health: {uniform: [1.02, 1.6]}}
keepers: [{name: fast, mode: flash, latency: 0 blocks}, {name: slow, mode: capital, capital_usd: 2M}]
arbitrage: {capacity_usd_per_step: 500k, latency: 1 step}
failures: [{kind: stale, feed: WBTC, at: 25m, for: 30m}, {kind: spike, feed: WBTC, at: 5m, factor: 1.3}]
cex: {positions: {count: 1000, leverage: {choice: [2, 5], weights: [1, 1]}}, margin_tiers: binance-btcusdt-2021-03}
""")
VALID_PATHS = _paths(VALID)


def _set(document: Any, path: tuple[Any, ...], value: Any) -> None:
    node = document
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


@settings(max_examples=int(os.environ.get("DEFIDRILL_FUZZ_EXAMPLES", "300")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(VALID_PATHS), replacements, st.sampled_from(VALID_PATHS), replacements)
def test_a_valid_drill_with_two_values_replaced_never_raises_anything_but_config_error(
        path_a: tuple[Any, ...], value_a: Any, path_b: tuple[Any, ...], value_b: Any) -> None:
    import copy

    document = copy.deepcopy(VALID)
    _set(document, path_a, value_a)
    try:
        _set(document, path_b, value_b)
    except (KeyError, IndexError, TypeError):
        pass  # path_b was inside what path_a replaced
    _check(document)


def test_the_valid_drill_passes() -> None:
    _check(VALID)
    with tempfile.TemporaryDirectory() as folder:
        drill = Path(folder) / "drill.yaml"
        drill.write_text(yaml.safe_dump(VALID))
        assert preflight(drill).drill.borrowers.count == 100
