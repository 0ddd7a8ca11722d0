"""The drill file schema (pydantic v2): one module per section, :class:`Drill` on top."""

from defidrill.drill.schema.agents import (
    AmmConfig, ArbitrageConfig, BorrowersConfig, KeeperConfig, LpBehaviour, PairConfig, Reaction,
)
from defidrill.drill.schema.cex import CexConfig, KNOWN_MARGIN_TIERS
from defidrill.drill.schema.checks import Problem, cross_check
from defidrill.drill.schema.common import Distribution, LognormalParams, StrictModel, Window
from defidrill.drill.schema.drill import ChainConfig, Drill, FeedParams
from defidrill.drill.schema.expect import ExpectBounds, ExpectationSpec, resolve_expectations, unit_of
from defidrill.drill.schema.failures import (
    FAILURE_KINDS, BaseFeePath, BaseFeePoint, ClampFailure, CongestionFailure, DelayFailure, Failure,
    FallbackDivergenceFailure, FrozenFailure,
    NegativeFailure, SequencerDownFailure, SpikeFailure, SpotManipulationFailure, StaleFailure,
    WrongDecimalsFailure, ZeroFailure,
)
from defidrill.drill.schema.targets import TARGET_METRICS, Target
from defidrill.drill.schema.invariants import DEFAULT_EVERY_STEPS, InvariantsConfig
from defidrill.drill.schema.market import (
    AssetMarket, ConstantPath, FlashCrashPath, GbmJumps, GbmPath, MarketConfig, PathSpec, PiecewisePath,
    PricePoint, RampPath, ReplayPath, StepPath,
)
from defidrill.drill.schema.protocol import (
    CloseFactor, CollateralParams, FeedOverride, InterestModel, OracleConfig, ProtocolConfig,
)

__all__ = [
    "AmmConfig", "ArbitrageConfig", "AssetMarket", "BaseFeePath", "BaseFeePoint", "CongestionFailure", "BorrowersConfig",
    "CexConfig", "ChainConfig",
    "ClampFailure", "CloseFactor", "CollateralParams", "ConstantPath", "DelayFailure", "Distribution",
    "DEFAULT_EVERY_STEPS", "Drill", "FAILURE_KINDS", "Failure", "FallbackDivergenceFailure", "FeedOverride", "FeedParams",
    "FlashCrashPath", "FrozenFailure", "GbmJumps", "GbmPath", "InterestModel", "InvariantsConfig", "KNOWN_MARGIN_TIERS",
    "KeeperConfig", "LognormalParams", "LpBehaviour", "MarketConfig", "NegativeFailure",
    "OracleConfig", "PairConfig", "PathSpec", "PiecewisePath", "PricePoint", "Problem", "ProtocolConfig", "RampPath", "Reaction",
    "ReplayPath", "SequencerDownFailure", "SpikeFailure", "SpotManipulationFailure", "StaleFailure",
    "StepPath", "StrictModel", "TARGET_METRICS", "Target", "Window", "WrongDecimalsFailure", "ZeroFailure", "cross_check",
    "ExpectBounds", "ExpectationSpec", "resolve_expectations", "unit_of",
]
