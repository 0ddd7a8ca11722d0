"""The stated maxima of a drill: every number a drill file gives is finite and inside these.

Why bounds at all: a drill runs on a real chain whose integers are fixed-width (AMM reserves
are uint112, block times whole seconds) on a 2-core, 24 GiB machine. A value outside these
ranges never makes a meaningful drill; without a bound it makes a traceback or a run that
never ends (``duration: 1e12``, ``start: 1e70``, ``step: 1ms``, 10M borrowers). Each bound
is refused at validation (``defidrill validate`` and ``run`` share the preflight), with the
bound in the message. docs/refusals.md lists them.
"""

from __future__ import annotations

#: Largest file ``defidrill validate`` reads: drill files are a few kB.
MAX_DRILL_FILE_BYTES = 1_000_000
#: YAML nesting depth (a drill's deepest path is ~6 levels).
MAX_YAML_DEPTH = 40
#: Alias uses (``*name``) in one drill file.
MAX_YAML_ALIASES = 100
#: Values in the document after aliases are expanded (a "billion laughs" file expands to 1e9).
MAX_YAML_NODES = 100_000
#: Largest sweep or risk file read (they are a few lines: a base drill and what to vary).
MAX_STUDY_FILE_BYTES = MAX_DRILL_FILE_BYTES
#: Drill runs one study may ask for: a sweep's points (grid x samples x seeds), a risk study's samples.
#: Each is a whole drill (seconds to minutes): 10,000 is days of machine time already.
MAX_STUDY_RUNS = 10_000
#: Problems printed per file; the rest are counted ("and N more").
MAX_PROBLEMS_SHOWN = 50

#: Steps per drill (duration / step): the flagship's 721 steps take ~31 s on chain.
MAX_STEPS = 50_000
#: Shortest step: each step mines two blocks, at t and t + 1 s, and block times are whole seconds.
MIN_STEP_S = 2.0
#: Longest duration of any kind (a drill, a heartbeat, a delay): a year.
MAX_DURATION_S = 366 * 86_400.0
#: Durations the contracts take in whole seconds (staleness, grace, TWAP window) must be at least this.
MIN_CONTRACT_DURATION_S = 1.0

#: Borrowers seeded on chain: what the engine holds within 4 GiB for the whole process tree (anvil holds
#: every account's state). Measured (bench/bench_drill.py's run, the flagship with its CEX side, 7 steps,
#: 2026-12-07, issue 22): peak 1.37 GiB at 20,000 borrowers, 2.85 GiB at 50,000, i.e. ~51 MiB per 1,000
#: borrowers over ~0.38 GiB; 60,000 comes to ~3.4 GiB (4 GiB near 73,000), leaving room for longer runs.
#: (Python's share stays flat with the steps: observations are columns, kept for the keepers' latency.)
MAX_BORROWERS = 60_000
#: Positions at the CEX (the venue steps 1M positions x 1,000 steps in 3-4 s).
MAX_POSITIONS = 2_000_000
#: Assets in the market, keepers, failures, CEX margin tiers.
MAX_ASSETS = 16
MAX_KEEPERS = 32
MAX_FAILURES = 256
MAX_CUSTOM_INVARIANTS = 64
MAX_MARGIN_TIERS = 64

#: Reference prices (start prices and every point of every path), USD per whole token.
MIN_PRICE_USD = 1e-6
MAX_PRICE_USD = 1e9
#: Any dollar amount (liquidity, capital, capacity, insurance fund): ten trillion.
MAX_USD = 1e13
#: Lognormal sigma (of the log): exp(3 x 4 sd) is already 1.6e5 times the median.
MAX_LOGNORMAL_SIGMA = 3.0
#: GBM annualised drift and volatility (|mu|, sigma), jumps per day and jump size (log).
MAX_GBM_RATE = 10.0
MAX_JUMPS_PER_DAY = 1_000.0
MAX_JUMP_LOG = 2.0
#: A spike's factor and a manipulation's target multiplier (x the reference price).
MAX_SHOCK_FACTOR = 1_000.0
#: Whole-number settings: block gas limit, gas price, seed.
MAX_GAS_LIMIT = 2_000_000_000
MAX_GWEI = 100_000.0
MAX_SEED = 2**63 - 1
#: An AMM reserve is a uint112; a pair's starting reserves stay this far below it so that
#: arbitrage along a falling price can grow them (sqrt(1000) ~ a 99.9% drop) without overflow.
MAX_RESERVE_RAW = 2**112 // 1_000
#: The largest token decimals used when bounding raw amounts (18: WETH and unknown symbols).
MAX_TOKEN_DECIMALS = 18
#: Characters a drill ``name`` may not hold: it names the run folder.
NAME_MAX_CHARS = 100
#: Highest base fee a drill may set or reach (gwei): the crowd and uncapped agents send a fee cap
#: of their tip + 10,000 gwei (TxRequest.MAX_FEE_CAP_WEI), so above this the node would refuse them.
MAX_BASE_FEE_GWEI = 10_000.0

