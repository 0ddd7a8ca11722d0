"""The malformed-drill corpus: every bad input defidrill refuses, by category.

Each case is (id, category, drill text, files beside it, expected YAML path, a fragment of what is
allowed). The expectations are written from the limits and rules as documented (docs/refusals.md,
docs/drills.md), not from what the code printed. ``{csv}`` in a case's text
is a CSV file written beside the drill from ``files``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BASE = """name: t
market:
  step: 10s
  duration: 1h
  assets:
    WBTC: {start: 60000, path: {kind: flash_crash, at: 10m, drop: 8%, over: 20m}}
    USDC: 1
"""


def with_asset(path: str, start: str = "") -> str:
    """BASE with WBTC's line replaced."""
    line = "    WBTC: {" + (f"start: {start}, " if start else "") + f"path: {path}" + "}\n"
    return BASE.replace("    WBTC: {start: 60000, path: {kind: flash_crash, at: 10m, drop: 8%, over: 20m}}\n", line)


REPLAY = "{kind: replay, csv: p.csv, time_column: t, price_column: p}"


def replay(id: str, csv: str | bytes, path: str, allowed: str, extra: str = "") -> Case:
    """A case whose WBTC replays ``csv`` (written as p.csv beside the drill)."""
    spec = REPLAY if not extra else REPLAY[:-1] + ", " + extra + "}"
    return Case(id, "replay", with_asset(spec), path, allowed, {"p.csv": csv})


@dataclass(frozen=True)
class Case:
    id: str
    category: str
    text: str | bytes
    path: str | None          # the YAML path the message must name (None: the file itself)
    allowed: str              # a fragment of what the message says is allowed
    files: dict[str, str | bytes] = field(default_factory=dict)
    args: tuple[str, ...] = ()  # extra CLI arguments (run only)


def _bomb() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


CASES: list[Case] = [
    # ---- the file and its YAML --------------------------------------------------------------------
    Case("billion-laughs", "yaml", _bomb(), None, "at most 100,000 values after aliases are expanded"),
    Case("too-many-aliases", "yaml", "x: &x 1\ny: [" + ", ".join(["*x"] * 101) + "]\n", None, "at most 100 aliases"),
    Case("recursive-alias", "yaml", "a: &a [1, *a]\n", None, "aliases to complete values only"),
    Case("nested-500-flow", "yaml", "a: " + "[" * 500 + "]" * 500 + "\n", None, "at most 40 levels"),
    Case("nested-500-block", "yaml", "".join("  " * i + f"k{i}:\n" for i in range(500)) + "  " * 500 + "x: 1\n",
         None, "at most 40 levels"),
    Case("file-too-large", "yaml", "k: 1\n" * 300_000, None, "at most 1,000,000 bytes"),
    Case("not-utf8", "yaml", b"name: caf\xe9\n", None, "UTF-8"),
    Case("control-character", "yaml", "name: a\x01b\n", None, "printable UTF-8 text"),
    Case("bad-syntax", "yaml", "market: {assets: [\n", None, "YAML syntax"),
    Case("top-level-list", "yaml", "- 1\n- 2\n", None, "name, description, seed"),
    Case("top-level-scalar", "yaml", "hello\n", None, "name, description, seed"),
    Case("empty-file", "yaml", "", None, "name, description, seed"),
    Case("duplicate-key", "yaml", BASE + "seed: 1\nseed: 2\n", "seed", "each key once"),
    Case("unknown-section", "yaml", BASE + "keeperz: []\n", "keeperz", "did you mean keepers"),
    Case("unknown-key-deep", "yaml", BASE + "protocol: {collateral: {WBTC: {liquidation_treshold: 78%}}}\n",
         "protocol.collateral.WBTC.liquidation_treshold", "did you mean liquidation_threshold"),
    Case("section-wrong-type", "yaml", BASE + "borrowers: 5\n", "borrowers", "a mapping with keys"),
    Case("python-tag", "yaml", BASE + "description: !!python/object:os.system x\n", None, "YAML syntax"),
    # ---- name and seed --------------------------------------------------------------------------------
    Case("name-nul", "name", BASE.replace("name: t", 'name: "a\\0b"'), "name", "printable characters"),
    Case("name-escape-control", "name", BASE.replace("name: t", 'name: "a\\x1bb"'), "name", "printable characters"),
    Case("name-slash", "name", BASE.replace("name: t", "name: ../../x"), "name", "without /"),
    Case("name-absolute", "name", BASE.replace("name: t", "name: /etc/x"), "name", "without /"),
    Case("name-backslash", "name", BASE.replace("name: t", 'name: "a\\\\b"'), "name", "without /"),
    Case("name-dots", "name", BASE.replace("name: t", 'name: ".."'), "name", "without /"),
    Case("name-empty", "name", BASE.replace("name: t", 'name: ""'), "name", "1-100"),
    Case("name-too-long", "name", BASE.replace("name: t", "name: " + "x" * 101), "name", "1-100"),
    Case("seed-negative", "name", BASE + "seed: -1\n", "seed", ">= 0"),
    Case("seed-huge", "name", BASE + "seed: 99999999999999999999999\n", "seed", "<= 9223372036854775807"),
    Case("seed-cli-negative", "name", BASE, "seed", "from 0 to", args=("--seed", "-1")),
    # ---- numbers: bounded, finite, with units ----------------------------------------------------------
    Case("duration-1e12", "bounds", BASE.replace("duration: 1h", "duration: 1e12"), "market.duration", "at most 366 days"),
    Case("duration-400-digits", "bounds", BASE.replace("duration: 1h", "duration: " + "9" * 400),
         "market.duration", "a duration like"),
    Case("step-1ms", "bounds", BASE.replace("step: 10s", "step: 1ms"), "market.step", "at least 2s"),
    Case("step-1s", "bounds", BASE.replace("step: 10s", "step: 1s"), "market.step", "at least 2s"),
    Case("too-many-steps", "bounds", BASE.replace("duration: 1h", "duration: 300d").replace("step: 10s", "step: 2s"),
         "market.duration", "at most 50,000 steps"),
    Case("start-1e70", "bounds", with_asset("{kind: constant}", "1.0e70"), "market.assets.WBTC.start",
         "at most 1e+13 USD"),
    Case("start-2e10", "bounds", with_asset("{kind: constant}", "20B"), "market.assets.WBTC.start",
         "from 1e-06 to 1,000,000,000"),
    Case("start-zero", "bounds", with_asset("{kind: constant}", "0"), "market.assets.WBTC.start", "a price > 0"),
    Case("start-negative", "bounds", with_asset("{kind: constant}", "-60000"), "market.assets.WBTC.start", "a price > 0"),
    Case("start-nan", "bounds", with_asset("{kind: constant}", ".nan"), "market.assets.WBTC.start", "a dollar amount"),
    Case("start-inf", "bounds", with_asset("{kind: constant}", ".inf"), "market.assets.WBTC.start", "a dollar amount"),
    Case("gbm-sigma-1e6", "bounds", with_asset("{kind: gbm, sigma: 1.0e6}", "60000"), "market.assets.WBTC.path.sigma",
         "<= 10"),
    Case("gbm-mu-huge", "bounds", with_asset("{kind: gbm, mu: 1000, sigma: 80%}", "60000"),
         "market.assets.WBTC.path.mu", "<= 10"),
    Case("gbm-jumps-1e9", "bounds", with_asset("{kind: gbm, sigma: 80%, jumps: {intensity: 1.0e9}}", "60000"),
         "market.assets.WBTC.path.jumps.intensity", "<= 1000"),
    Case("gbm-path-leaves-range", "bounds",
         with_asset("{kind: gbm, mu: 10, sigma: 10, jumps: {intensity: 1000, mean: 2, std: 0}}", "60000")
         .replace("duration: 1h", "duration: 30d").replace("step: 10s", "step: 1h"),
         "market.assets.WBTC.path", "at every step"),
    Case("capacity-1e60", "bounds", BASE + "arbitrage: {capacity_usd_per_step: 1.0e60}\n",
         "arbitrage.capacity_usd_per_step", "at most 1e+13 USD"),
    Case("borrowers-10M", "bounds", BASE + "borrowers: {count: 10M}\n", "borrowers.count", "<= 60000"),
    Case("positions-10M", "bounds", BASE + "cex: {positions: {count: 10M}}\n", "cex.positions.count", "<= 2000000"),
    Case("lognormal-sigma-50", "bounds", BASE + "borrowers: {size_usd: {lognormal: {median: 20k, sigma: 50}}}\n",
         "borrowers.size_usd.lognormal.sigma", "<= 3"),
    Case("insurance-fund-inf", "bounds", BASE + "cex: {insurance_fund_usd: .inf}\n", "cex.insurance_fund_usd",
         "a dollar amount"),
    Case("weights-inf", "bounds", BASE + "cex: {positions: {leverage: {choice: [2, 5], weights: [1, .inf]}}}\n",
         "cex.positions.leverage.weights[1]", "a finite number"),
    Case("gas-limit-1e12", "bounds", BASE + "chain: {gas_limit: 1T}\n", "chain.gas_limit", "at most 2,000,000,000 gas"),
    Case("base-fee-1e9-gwei", "bounds", BASE + "chain: {base_fee: 1e9 gwei}\n", "chain.base_fee", "at most 100000 gwei"),
    Case("latency-1e9-blocks", "bounds", BASE + "keepers: [{name: k, latency: 1000000000 blocks}]\n",
         "keepers[0].latency", "at most 1,000,000"),
    Case("health-1e6", "bounds", BASE + "borrowers: {health: 1000000}\n", "borrowers.health", "to 100"),
    Case("spike-factor-1e9", "bounds", BASE + "failures: [{kind: spike, feed: WBTC, at: 5m, factor: 1.0e9}]\n",
         "failures[0].factor", "<= 1000"),
    Case("liquidity-overflows-reserve", "bounds",
         with_asset("{kind: constant}", "0.000001") + "amm: {pairs: {WBTC/USDC: 10T}}\n",
         "amm.pairs.WBTC/USDC", "USD of liquidity at WBTC's start price"),
    Case("heartbeat-500ms", "bounds", BASE + "protocol: {oracle: {heartbeat: 500ms}}\n",
         "protocol.oracle.heartbeat", ">= 1.0"),
    Case("bare-percent", "bounds", BASE + "protocol: {collateral: {WBTC: {ltv: 70}}}\n",
         "protocol.collateral.WBTC.ltv", "0% to 100%"),
    Case("size-negative", "bounds", BASE + "borrowers: {size_usd: {uniform: [-5, 10]}}\n", "borrowers.size_usd",
         "above 0"),
    # ---- replay CSVs --------------------------------------------------------------------------------
    replay("csv-nan-price", "t,p\n1000,100\n1010,nan\n", "market.assets.WBTC.path.csv", "a finite number above 0"),
    replay("csv-inf-price", "t,p\n1000,100\n1010,inf\n", "market.assets.WBTC.path.csv", "a finite number above 0"),
    replay("csv-text-price", "t,p\n1000,100\n1010,lots\n", "market.assets.WBTC.path.csv", "a finite number above 0"),
    replay("csv-zero-price", "t,p\n1000,0\n", "market.assets.WBTC.path.csv", "a finite number above 0"),
    replay("csv-negative-price", "t,p\n1000,-3\n", "market.assets.WBTC.path.csv", "a finite number above 0"),
    replay("csv-empty-cell", "t,p\n1000,\n", "market.assets.WBTC.path.csv", "a finite number above 0"),
    replay("csv-short-row", "t,p\n1000\n", "market.assets.WBTC.path.csv", "one cell per header column"),
    replay("csv-header-only", "t,p\n", "market.assets.WBTC.path.csv", "at least one row"),
    replay("csv-empty-file", "", "market.assets.WBTC.path.time_column", "a column of the CSV header"),
    replay("csv-bad-time", "t,p\nyesterday,100\n", "market.assets.WBTC.path.csv", "ISO-8601 times"),
    replay("csv-nan-time", "t,p\nnan,100\n", "market.assets.WBTC.path.csv", "ISO-8601 times"),
    replay("csv-duplicate-time", "t,p\n1000,100\n1010,101\n1000,102\n", "market.assets.WBTC.path.csv", "one row per time"),
    replay("csv-missing-column", "time,p\n1000,100\n", "market.assets.WBTC.path.time_column",
           "a column of the CSV header: time, p"),
    replay("csv-not-utf8", b"t,p\n1000,1\xff00\n", "market.assets.WBTC.path.csv", "a UTF-8 CSV file"),
    Case("csv-missing-file", "replay", with_asset(REPLAY), "market.assets.WBTC.path.csv", "that exists"),
    replay("csv-start-time-unparseable", "t,p\n1000,100\n", "market.assets.WBTC.path.start_time", "ISO-8601 times",
           extra="start_time: next tuesday"),
    replay("csv-start-time-outside", "t,p\n1000,100\n2000,90\n", "market.assets.WBTC.path.start_time",
           "a time from the first row", extra="start_time: 5000"),
    replay("csv-scale-leaves-range", "t,p\n1000,100\n", "market.assets.WBTC.path", "at every step", extra="scale: 1.0e9"),
    Case("collateral-empty", "rules", BASE + "protocol: {collateral: {}}\n", "protocol.collateral", "at least 1 item"),
    Case("ltv-above-threshold", "rules", BASE + "protocol: {collateral: {WBTC: {ltv: 90%, liquidation_threshold: 80%}}}\n",
         "protocol.collateral.WBTC.ltv", "ltv < liquidation_threshold"),
    Case("bonus-too-large", "rules", BASE + "protocol: {collateral: {WBTC: {liquidation_threshold: 95%, bonus: 10%}}}\n",
         "protocol.collateral.WBTC.bonus", "1 / liquidation_threshold - 1"),
    Case("amm-fee", "rules", BASE + "amm: {pairs: {WBTC/USDC: {liquidity: 1M, fee: 1%}}}\n",
         "amm.pairs.WBTC/USDC.fee", "0.3%"),
    Case("pair-without-base", "rules", BASE.replace("    USDC: 1\n", "    WETH: 3000\n    USDC: 1\n")
         + "amm: {pairs: {WBTC/WETH: 1M}}\n", "amm.pairs.WBTC/WETH", "COLLATERAL/USDC"),
    Case("pair-not-collateral", "rules", BASE.replace("    USDC: 1\n", "    WETH: 3000\n    USDC: 1\n")
         + "protocol: {collateral: {WBTC: {}}}\namm: {pairs: {WETH/USDC: 1M}}\n", "amm.pairs.WETH/USDC",
         "COLLATERAL/USDC with a collateral from: WBTC"),
    Case("unknown-failure-kind", "rules", BASE + "failures: [{kind: meltdown, at: 5m}]\n", "failures[0]",
         "kind one of"),
    Case("failure-after-end", "rules", BASE + "failures: [{kind: stale, feed: WBTC, at: 2h}]\n", "failures[0].at",
         "at < duration"),
    Case("failure-unknown-feed", "rules", BASE + "failures: [{kind: stale, feed: DOGE, at: 5m}]\n",
         "failures[0].feed", "one of the market assets"),
    Case("margin-tiers-unknown", "rules", BASE + "cex: {margin_tiers: okx-2020}\n", "cex.margin_tiers",
         "binance-btcusdt-2021-03"),
    Case("margin-tiers-empty", "rules", BASE + "cex: {margin_tiers: []}\n", "cex.margin_tiers", "at least one tier"),
    Case("margin-tiers-unsorted", "rules",
         BASE + "cex: {margin_tiers: [{up_to_usd: 1M, max_leverage: 20, mmr: 2%}, "
                "{up_to_usd: 50k, max_leverage: 50, mmr: 1%}]}\n",
         "cex.margin_tiers", "increasing up_to_usd"),
    Case("margin-tiers-mmr-decreasing", "rules",
         BASE + "cex: {margin_tiers: [{up_to_usd: 50k, max_leverage: 50, mmr: 2%}, "
                "{up_to_usd: 1M, max_leverage: 20, mmr: 1%}]}\n",
         "cex.margin_tiers", "mmr must not decrease"),
    Case("notional-uniform", "rules", BASE + "cex: {positions: {notional_usd: {uniform: [1k, 10k]}}}\n",
         "cex.positions.notional_usd", "lognormal"),
    Case("duplicate-keeper", "rules", BASE + "keepers: [{name: a}, {name: a}]\n", "keepers[1].name", "unique names"),
    Case("shares-not-100", "rules", BASE + "borrowers: {collateral: {WBTC: 50%}}\n", "borrowers.collateral",
         "adding up to 100%"),
    Case("cex-asset-unknown", "rules", BASE + "cex: {asset: DOGE}\n", "cex.asset", "one of the market assets"),
    Case("staleness-below-heartbeat", "rules", BASE + "protocol: {oracle: {heartbeat: 2h, max_staleness: 1h}}\n",
         "protocol.oracle.max_staleness", "heartbeat <= max_staleness"),
]
