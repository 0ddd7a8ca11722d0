"""A drill file's ``protocol:`` and ``amm:`` sections in the protocol's own terms (what deploy builds).

Pure translation, with the pure layers (DESIGN.md): the engine deploys what this returns, and the
preflight builds it without a chain so that a drill an adapter cannot express is refused before
anvil starts. Fractions become basis points or wad (rounded half-even), USD amounts raw units.
"""

from __future__ import annotations

from pathlib import Path

from defidrill.drill.paths import MarketPath
from defidrill.drill.schema import Drill
from defidrill.protocol_terms.amounts import usd_to_raw_half_even
from defidrill.protocol_terms.parameters import (
    AssetSpec,
    CollateralSpec,
    ExternalSpec,
    FallbackKind,
    ForkedUnits,
    OracleMode,
    OracleSpec,
    ProtocolSpec,
    RateModelSpec,
    token_decimals,
)
from defidrill.protocol_terms.fixed_point import BPS, WAD


def pair_symbol(drill: Drill, pair_name: str) -> str:
    """`WBTC/USDC` -> `WBTC` (the non-base side)."""
    a, b = pair_name.split("/")
    return a if b == drill.protocol.base_asset else b


def protocol_spec(drill: Drill, path: MarketPath, total_debt_usd: float, units: ForkedUnits | None = None) -> ProtocolSpec:
    """Translate the drill's `protocol:` and `amm:` sections into the protocol layer's config.
    ``units``: on a fork, the decimals the protocol's own tokens and feeds state."""
    base = drill.protocol.base_asset
    start = {a: path.price_usd(a, 0) for a in drill.assets}

    def decimals_of(sym: str) -> int:
        return units.token_decimals[sym] if units is not None else token_decimals(sym)

    def spec(sym: str, decimals: int) -> AssetSpec:
        fp = drill.feed_params(sym)
        feed_decimals = units.feed_decimals[sym] if units is not None else fp.decimals
        return AssetSpec(symbol=sym, decimals=decimals, price_usd=start[sym], feed_decimals=feed_decimals,
                         min_answer_usd=fp.min_answer_usd, max_answer_usd=fp.max_answer_usd,
                         max_staleness_s=int(fp.max_staleness_s))

    collaterals = {}
    for sym, params in drill.collateral.items():
        cap_raw = 0
        if params.supply_cap_usd is not None:
            cap_raw = usd_to_raw_half_even(params.supply_cap_usd, start[sym], decimals_of(sym))
        collaterals[sym] = (
            spec(sym, decimals_of(sym)),
            CollateralSpec(ltv_bps=_bps(params.ltv), liquidation_threshold_bps=_bps(params.liquidation_threshold),
                           liquidation_bonus_bps=_bps(params.bonus), supply_cap_raw=cap_raw),
        )
    oracle = drill.protocol.oracle
    has_divergence = any(f.kind == "fallback_divergence" for f in drill.failures)
    has_sequencer = any(f.kind == "sequencer_down" for f in drill.failures)
    oracle_spec = OracleSpec(
        mode=OracleMode(oracle.mode),
        max_staleness_s=int(oracle.max_staleness_s),
        max_deviation_bps=min(65_535, _bps(oracle.max_jump)),
        fallback=FallbackKind.FEED if has_divergence else FallbackKind.NONE,
        sequencer=has_sequencer,
        grace_period_s=int(oracle.sequencer_grace_s),
        twap_window_s=int(oracle.twap_window_s),
    )
    interest = drill.protocol.interest
    # The AMM's fixed 0.3% fee is checked by the drill schema (PairConfig), before anything starts.
    pairs = {pair_symbol(drill, name): float(p.liquidity_usd) for name, p in drill.amm.pairs.items()}
    supply = drill.protocol.base_supply_usd
    lender_supply = float(supply) if supply is not None else max(2.0 * total_debt_usd, 1_000_000.0)
    external = None
    if drill.protocol.kind == "external" and drill.protocol.adapter:
        built = drill.protocol.artifacts
        external = ExternalSpec(adapter=drill.protocol.adapter, options=drill.protocol.options,
                                artifacts_dir=Path(built.path) if built else None,
                                contracts=list(built.contracts) if built else [], solc=built.solc if built else None)
    return ProtocolSpec(
        external=external,
        base=spec(base, decimals_of(base)),
        collaterals=collaterals,
        pair_liquidity_usd=pairs,
        lender_supply_usd=lender_supply,
        oracle=oracle_spec,
        close_factor_bps=_bps(drill.protocol.close_factor.default),
        full_close_below_hf_wad=int(round(drill.protocol.close_factor.full_below_hf * WAD)),
        rate_model=RateModelSpec(base_rate_wad=_wad(interest.base_rate), slope1_wad=_wad(interest.slope1),
                                 slope2_wad=_wad(interest.slope2), kink_wad=_wad(interest.kink)),
        reserve_factor_bps=_bps(interest.reserve_factor),
    )


def _bps(fraction: float) -> int:
    return int(round(fraction * BPS))


def _wad(fraction: float) -> int:
    return int(round(fraction * WAD))
