"""The whole drill file: top-level sections and the checks that span sections."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any, Literal

from annotated_types import Ge, Le
from pydantic import BeforeValidator, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from defidrill.drill.limits import MAX_FAILURES, MAX_KEEPERS, MAX_SEED, NAME_MAX_CHARS
from defidrill.drill.schema.agents import AmmConfig, ArbitrageConfig, BorrowersConfig, KeeperConfig, _default_keepers
from defidrill.drill.schema.cex import CexConfig
from defidrill.drill.schema.checks import cross_check
from defidrill.drill.schema.common import Address, ContractDuration, PriceUsd, StrictModel
from defidrill.drill.schema.expect import MAX_EXPECTATIONS, ExpectBounds, ExpectationSpec, flatten_expect, resolve_expectations
from defidrill.drill.schema.failures import Failure
from defidrill.drill.schema.targets import Target
from defidrill.drill.schema.invariants import InvariantsConfig
from defidrill.drill.schema.market import MarketConfig
from defidrill.drill.schema.protocol import CollateralParams, FeedOverride, ProtocolConfig
from defidrill.drill.units import Gas, Gwei
from defidrill.protocol_terms.fixed_point import div_up


class ChainConfig(StrictModel):
    """The local chain: nominal block time, block gas limit, base fee, and which backend runs it.

    The step loop mines at least one block per step; ``block_time`` converts block
    counts (keeper latency, OSM delay) to steps: see :meth:`Drill.blocks_to_steps`.
    ``backend``: ``anvil`` (a node over JSON-RPC, the default) or ``revm`` (in process, no
    RPC; the same run folder, gas included: see docs/chain-backends.md).
    """

    backend: Literal["anvil", "revm"] = "anvil"
    block_time_s: ContractDuration = Field(12.0, alias="block_time")
    #: The drill's blocks from its first step (deployment and seeding run in roomier blocks).
    gas_limit: Annotated[Gas, Ge(1_000_000)] = 60_000_000
    base_fee_gwei: Gwei = Field(1.0, alias="base_fee")
    #: ETH/USD that values gas when the drill has no WETH asset (with one, its reference price is used):
    #: keepers weigh a liquidation's gas against its bonus, so gas is never free.
    gas_token_usd: PriceUsd = Field(3000.0, alias="gas_token_price")
    #: Fork mode: anvil forks this node (``fork_block`` pinned makes the run reproducible) and a
    #: ``protocol.address`` attaches to a protocol deployed there (docs/fork-mode.md).
    fork_url: Annotated[str, Field(pattern=r"^(https?|wss?)://\S+$", max_length=2_000)] | None = None
    fork_block: Annotated[int, Ge(0), Le(2**63 - 1)] | None = None
    #: Fork mode: token symbol -> an account holding it that funds the agents (impersonated), instead
    #: of writing balances (``deal``) for tokens whose storage cannot be written that way.
    whales: dict[str, Address] = Field(default_factory=dict, max_length=64)

    def gas_token_price_usd(self, reference_usd: dict[str, float]) -> float:
        return reference_usd.get("WETH", self.gas_token_usd)


class FeedParams(StrictModel):
    """The effective Chainlink parameters of one feed (drill-wide oracle + per-feed override)."""

    feed: str
    heartbeat_s: float
    deviation: float
    decimals: int
    latency_s: float
    min_answer_usd: float | None
    max_answer_usd: float | None
    max_staleness_s: float


class Drill(StrictModel):
    """A validated drill. Build it with :func:`defidrill.drill.load_drill` (YAML, line numbers
    in errors) or :func:`defidrill.drill.parse_drill` (a mapping)."""

    name: str = "drill"
    description: Annotated[str, Field(max_length=10_000)] = ""
    seed: Annotated[int, Ge(0), Le(MAX_SEED)] = 0
    chain: ChainConfig = Field(default_factory=ChainConfig)
    market: MarketConfig
    protocol: ProtocolConfig = Field(default_factory=ProtocolConfig)
    amm: AmmConfig = Field(default_factory=AmmConfig)
    borrowers: BorrowersConfig = Field(default_factory=BorrowersConfig)
    keepers: list[KeeperConfig] = Field(default_factory=_default_keepers, max_length=MAX_KEEPERS)
    arbitrage: ArbitrageConfig = Field(default_factory=ArbitrageConfig)
    failures: list[Failure] = Field(default_factory=list, max_length=MAX_FAILURES)
    cex: CexConfig = Field(default_factory=CexConfig)
    targets: list[Target] = Field(default_factory=list, max_length=32)
    invariants: InvariantsConfig = Field(default_factory=InvariantsConfig)
    #: metric -> bounds as written (schema/expect.py); read by the preflight, evaluated after every run
    expect: Annotated[dict[str, ExpectBounds], BeforeValidator(flatten_expect),
                      Field(max_length=MAX_EXPECTATIONS)] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _folder_safe(cls, value: str) -> str:
        return folder_safe_name(value)

    @model_validator(mode="after")
    def _cross_sections(self) -> Drill:
        problems = cross_check(self)
        if problems:
            raise PydanticCustomError(
                "drill_cross_check", "{summary}",
                {"summary": "; ".join(p.message for p in problems), "problems": problems},
            )
        return self

    # ---- derived views the chain side uses -------------------------------------------

    @property
    def expectations(self) -> list[ExpectationSpec]:
        """``expect:`` read in each metric's unit (``N blocks`` x ``chain.block_time``); the preflight
        refused any bound that cannot be read, so a checked drill's list is complete."""
        return resolve_expectations(self.expect, self.chain.block_time_s)[0]

    @property
    def assets(self) -> list[str]:
        """Market assets in file order."""
        return list(self.market.assets)

    @property
    def collateral(self) -> dict[str, CollateralParams]:
        """Risk parameters per collateral asset; defaults for every non-base asset when omitted."""
        if self.protocol.collateral is not None:
            return dict(self.protocol.collateral)
        return {a: CollateralParams() for a in self.market.assets if a != self.protocol.base_asset}

    @property
    def borrower_weights(self) -> dict[str, float]:
        """Share of borrowers per collateral asset (equal shares when omitted)."""
        if self.borrowers.collateral is not None:
            return dict(self.borrowers.collateral)
        assets = list(self.collateral)
        return {a: 1.0 / len(assets) for a in assets} if assets else {}

    @property
    def cex_asset(self) -> str | None:
        """The asset the CEX perpetual tracks (``cex.asset``, else the first collateral asset)."""
        return self.cex.asset or next(iter(self.collateral), None)

    def feed_params(self, feed: str) -> FeedParams:
        """Chainlink parameters for ``feed``: the oracle section overridden by ``oracle.feeds``."""
        oracle = self.protocol.oracle
        over = oracle.feeds.get(feed, FeedOverride())

        def pick(value: Any, default: Any) -> Any:
            return default if value is None else value

        return FeedParams(
            feed=feed,
            heartbeat_s=pick(over.heartbeat_s, oracle.heartbeat_s),
            deviation=pick(over.deviation, oracle.deviation),
            decimals=pick(over.decimals, oracle.decimals),
            latency_s=pick(over.latency_s, oracle.latency_s),
            min_answer_usd=over.min_answer_usd,
            max_answer_usd=over.max_answer_usd,
            max_staleness_s=pick(over.max_staleness_s, oracle.max_staleness_s),
        )

    def blocks_per_step(self) -> int:
        """Blocks mined per step: round(step / block_time), at least 1."""
        return max(1, round(self.market.step_s / self.chain.block_time_s))

    def blocks_to_steps(self, blocks: int) -> int:
        """Steps that must pass for ``blocks`` blocks to be mined (ceil; 0 blocks = 0 steps)."""
        per = self.blocks_per_step()
        return div_up(blocks, per)

    def seconds_to_steps(self, seconds: float) -> int:
        """Steps covering ``seconds`` (ceil, so a 15 s latency on a 10 s grid is 2 steps)."""
        steps = seconds / self.market.step_s
        return div_up(round(steps * 1e9), 10**9)



def folder_safe_name(value: str) -> str:
    """A name that names a folder (runs/<name>-<time>/, a sweep's or risk study's folder) and report titles:
    1 to NAME_MAX_CHARS printable characters, no path separator. Raises PydanticCustomError (a validator's)."""
    bad = next((c for c in value if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")), None)
    reason = None
    if not value.strip() or len(value) > NAME_MAX_CHARS:
        reason = f"a name is 1 to {NAME_MAX_CHARS} characters"
    elif bad is not None:
        reason = f"a name holds no control characters (found U+{ord(bad):04X})"
    elif "/" in value or "\\" in value or value.strip(".") == "":
        reason = "a name is not a path: it names the run folder"
    if reason is not None:
        raise PydanticCustomError("drill_name", reason, {
            "value": value[:120],
            "allowed": f"1-{NAME_MAX_CHARS} printable characters without / or \\ (e.g. flash-crash)"})
    return value
