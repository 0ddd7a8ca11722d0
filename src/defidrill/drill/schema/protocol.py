"""The ``protocol:`` section: oracle mode and guard, per-asset risk parameters, close factor, rates.

Defaults follow Chainlink's common crypto/USD feeds (1 h heartbeat, 0.5% deviation,
8 decimals) and Aave V3 (close factor 50%, 100% at HF <= 0.95).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from annotated_types import Ge, Gt, Le
from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from defidrill.drill.schema.common import Address, ContractDuration, PositiveUsd, PriceUsd, StrictModel
from defidrill.drill.units import Duration, UnitFraction

OracleMode = Literal["guarded", "naive", "amm_spot", "twap"]
"""guarded: Chainlink + staleness/bounds/jump/sequencer checks and fallback; naive: the
raw latestRoundData answer; amm_spot: the AMM pair's spot price; twap: the AMM's TWAP."""


class FeedOverride(StrictModel):
    """Per-feed Chainlink parameters where one feed differs (USDC/USD: 24 h, 0.25%)."""

    heartbeat_s: ContractDuration | None = Field(None, alias="heartbeat")
    deviation: UnitFraction | None = None
    decimals: Annotated[int, Ge(0), Le(36)] | None = None
    latency_s: Duration | None = Field(None, alias="latency")
    min_answer_usd: PriceUsd | None = Field(None, alias="min_answer")
    max_answer_usd: PriceUsd | None = Field(None, alias="max_answer")
    max_staleness_s: ContractDuration | None = Field(None, alias="max_staleness")


class OracleConfig(StrictModel):
    """How prices reach the pool and how the guard judges them."""

    mode: OracleMode = "guarded"
    heartbeat_s: ContractDuration = Field(3600.0, alias="heartbeat")
    deviation: UnitFraction = 0.005
    decimals: Annotated[int, Ge(0), Le(36)] = 8
    latency_s: Duration = Field(0.0, alias="latency")
    max_staleness_s: ContractDuration = Field(3600.0, alias="max_staleness")
    max_jump: Annotated[UnitFraction, Gt(0.0)] = 0.20
    sequencer_grace_s: Duration = Field(3600.0, alias="sequencer_grace")
    twap_window_s: ContractDuration = Field(1800.0, alias="twap_window")
    feeds: dict[str, FeedOverride] = Field(default_factory=dict)


class CollateralParams(StrictModel):
    """Aave-style risk parameters of one collateral asset (fractions)."""

    ltv: UnitFraction = 0.75
    liquidation_threshold: UnitFraction = 0.80
    bonus: Annotated[UnitFraction, Le(0.5)] = 0.05
    supply_cap_usd: PositiveUsd | None = Field(None, alias="supply_cap")

    @model_validator(mode="after")
    def _consistent(self) -> CollateralParams:
        # Checked after defaults are filled in, so `ltv: 85%` alone is caught against the
        # default threshold too. ctx["field"] tells the loader which key to point at.
        if not self.ltv < self.liquidation_threshold:
            raise PydanticCustomError(
                "ltv_not_below_threshold",
                "ltv ({ltv}) must be below liquidation_threshold ({threshold}), "
                "or a new loan is liquidatable at once",
                {"ltv": f"{self.ltv:.2%}", "threshold": f"{self.liquidation_threshold:.2%}",
                 "field": "ltv", "value": f"{self.ltv:.2%}",
                 "allowed": f"ltv < liquidation_threshold ({self.liquidation_threshold:.2%})"},
            )
        product = self.liquidation_threshold * (1 + self.bonus)
        if product > 1:
            raise PydanticCustomError(
                "bonus_exceeds_collateral",
                "liquidation_threshold x (1 + bonus) = {product} exceeds 1: a liquidation at the "
                "threshold would pay out more collateral than the position holds",
                {"product": f"{product:.4f}", "field": "bonus", "value": f"{self.bonus:.2%}",
                 "allowed": f"bonus <= {1 / self.liquidation_threshold - 1:.2%} "
                            f"(1 / liquidation_threshold - 1)"},
            )
        return self


class CloseFactor(StrictModel):
    """Share of a debt one liquidation may repay (Aave V3: 50%, 100% at HF <= 0.95)."""

    default: Annotated[UnitFraction, Gt(0.0)] = 0.5
    full_below_hf: Annotated[float, Gt(0.0), Le(1.0)] = 0.95


class InterestModel(StrictModel):
    """Kinked utilisation model (annual rates): base + slope1 up to ``kink``, + slope2 above."""

    base_rate: UnitFraction = 0.0
    slope1: UnitFraction = 0.04
    slope2: Annotated[float, Ge(0.0)] = 0.75
    kink: Annotated[UnitFraction, Gt(0.0), Le(1.0)] = 0.8
    reserve_factor: UnitFraction = 0.10


ProtocolKind = Literal["reference", "aave-v3", "morpho-blue", "external"]
"""reference: our LendingPool behind the OracleGuard; aave-v3: genuine Aave V3 (npm @aave/core-v3)
deployed from its own artifacts; morpho-blue: genuine Morpho Blue (npm @morpho-org/morpho-blue, compiled
from its sources, docs/morpho-blue.md); external: the user's protocol through the user's adapter class
(``adapter: "package.module:Class"``, ``artifacts:`` their build folder) (docs/adapters.md)."""


class ArtifactsSpec(StrictModel):
    """``artifacts:`` of an external protocol: the build folder, or ``{path, contracts, solc}``.

    ``contracts``: the ``.sol`` sources to compile (their imports come along) and/or contract names the
    build must hold; ``solc``: the solc-js version to compile with, one the bootstrap installed
    (``node_modules/solc`` or ``node_modules/solc-<version>``). The preflight compiles (or loads) the
    build, so a source that does not compile is refused by ``validate``, not found by ``run``."""

    path: str
    contracts: list[str] = Field(default_factory=list, max_length=64)
    solc: Annotated[str, Field(pattern=r"^0\.8\.[0-9]{1,2}$")] | None = None

    @model_validator(mode="before")
    @classmethod
    def _folder_alone(cls, value: Any) -> Any:
        return {"path": value} if isinstance(value, str) else value


class ProtocolConfig(StrictModel):
    """The lending protocol: which one, what it lends, against what, and how it reads prices."""

    kind: ProtocolKind = "reference"
    adapter: str | None = None
    artifacts: ArtifactsSpec | None = None
    options: dict[str, Any] = Field(default_factory=dict)
    #: The deployed protocol to attach to on a fork (Aave V3: its PoolAddressesProvider).
    address: Address | None = None
    base_asset: str = "USDC"
    base_supply_usd: PositiveUsd | None = Field(None, alias="base_supply")
    oracle: OracleConfig = Field(default_factory=OracleConfig)
    # None = defaults for every non-base asset; an empty mapping would leave nothing to borrow against.
    collateral: Annotated[dict[str, CollateralParams], Field(min_length=1)] | None = None
    close_factor: CloseFactor = Field(default_factory=CloseFactor)
    interest: InterestModel = Field(default_factory=InterestModel)

    @field_validator("artifacts")
    @classmethod
    def _artifacts_exist(cls, value: ArtifactsSpec | None, info: ValidationInfo) -> ArtifactsSpec | None:
        from defidrill.drill.schema.external_checks import resolve_artifacts

        if value is None:
            return None
        return value.model_copy(update={"path": resolve_artifacts(value.path, (info.context or {}).get("base_dir"))})

    @model_validator(mode="after")
    def _external_adapter(self, info: ValidationInfo) -> ProtocolConfig:
        """kind: external imports the user's adapter and finds their build now, before anything runs."""
        from defidrill.drill.schema.external_checks import check_external

        check_external(self, (info.context or {}).get("base_dir"))
        return self
