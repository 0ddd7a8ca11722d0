"""Checks that span sections (an asset named in one section must exist in another...).

Each returns :class:`Problem` values with the exact YAML path, so the loader can point at
the line; :class:`~defidrill.drill.schema.drill.Drill` raises them all at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from defidrill.drill.limits import MAX_BASE_FEE_GWEI
from defidrill.drill.schema.failures import CongestionFailure, SequencerDownFailure, SpotManipulationFailure
from defidrill.drill.schema.market import PiecewisePath

if TYPE_CHECKING:
    from defidrill.drill.schema.drill import Drill

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a drill: where (YAML path as a tuple), what, the value, what is allowed."""

    loc: Loc
    message: str
    value: Any = None
    allowed: str | None = None


def _names(items: Any) -> str:
    return ", ".join(str(i) for i in items) or "(none)"


def cross_check(drill: Drill) -> list[Problem]:
    """Every cross-section problem of ``drill`` (empty when it is consistent)."""
    out: list[Problem] = []
    assets = list(drill.market.assets)
    base = drill.protocol.base_asset
    duration = drill.market.duration_s

    if drill.market.step_s > duration:
        out.append(Problem(("market", "step"), "the step is longer than the drill",
                           drill.market.step_s, f"a step <= duration ({duration:g} s)"))
    for name, market in drill.market.assets.items():
        if isinstance(market.path, PiecewisePath):
            out.extend(_piecewise_problems(("market", "assets", name, "path", "points"), market.path, duration))
    if base not in assets:
        out.append(Problem(("protocol", "base_asset"), "the base asset has no market price",
                           base, f"one of the market assets: {_names(assets)}"))
    collateral = drill.collateral
    if drill.protocol.collateral is not None:
        for name in drill.protocol.collateral:
            if name not in assets:
                out.append(Problem(("protocol", "collateral", name), "unknown asset", name,
                                   f"one of the market assets: {_names(assets)}"))
            elif name == base:
                out.append(Problem(("protocol", "collateral", name), "the base asset cannot be collateral",
                                   name, f"an asset other than {base}"))
    for name in drill.protocol.oracle.feeds:
        if name not in assets:
            out.append(Problem(("protocol", "oracle", "feeds", name), "unknown feed", name,
                               f"one of the market assets: {_names(assets)}"))
    oracle = drill.protocol.oracle
    if oracle.mode == "guarded":
        # A guarded pool refuses answers older than max_staleness; a feed whose price does not move
        # only updates on its heartbeat, so a heartbeat above max_staleness blocks it between rounds
        # (a stablecoin feed would halt the whole pool). Chainlink consumers size staleness to the heartbeat.
        for name in assets:
            params = drill.feed_params(name)
            if params.heartbeat_s > params.max_staleness_s:
                where = (("protocol", "oracle", "feeds", name, "heartbeat") if name in oracle.feeds
                         else ("protocol", "oracle", "max_staleness"))
                out.append(Problem(where, f"feed {name}'s heartbeat ({params.heartbeat_s:g} s) is longer than the "
                                   f"guard's max_staleness ({params.max_staleness_s:g} s): its answer would be refused "
                                   "as stale between rounds whenever the price does not move",
                                   params.heartbeat_s, "heartbeat <= max_staleness for every feed of a guarded pool "
                                   "(set a per-feed max_staleness, e.g. oracle.feeds.USDC: {heartbeat: 24h, "
                                   "max_staleness: 25h})"))

    pairs = list(drill.amm.pairs)
    for pair in pairs:
        sides = pair.split("/")
        if len(sides) != 2 or sides[0] == sides[1] or any(s not in assets for s in sides):
            out.append(Problem(("amm", "pairs", pair), "a pair is two different market assets joined by /",
                               pair, f"TOKEN/TOKEN with tokens from: {_names(assets)}"))
        elif base not in sides or not set(sides) - {base} <= set(collateral):
            # The protocol deploys one pair per collateral asset, against the base asset.
            out.append(Problem(("amm", "pairs", pair), f"a pair trades a collateral asset against {base}",
                               pair, f"COLLATERAL/{base} with a collateral from: {_names(collateral)}"))
    if drill.protocol.oracle.mode in ("amm_spot", "twap"):
        paired = {frozenset(p.split("/")) for p in pairs}
        for name in collateral:
            if frozenset((name, base)) not in paired:
                out.append(Problem(("protocol", "oracle", "mode"),
                                   f"mode {drill.protocol.oracle.mode} prices {name} from an AMM pair, "
                                   f"but amm.pairs has no {name}/{base}",
                                   drill.protocol.oracle.mode, f"add amm.pairs.{name}/{base}, or mode guarded|naive"))

    if drill.amm.lps.at_s is not None:
        out.extend(_window_problems(("amm", "lps"), drill.amm.lps.at_s, None, duration))

    weights = drill.borrowers.collateral
    if weights is not None:
        for name in weights:
            if name not in collateral:
                out.append(Problem(("borrowers", "collateral", name), "not a collateral asset", name,
                                   f"one of: {_names(collateral)}"))
        total = sum(weights.values())
        if weights and not math.isclose(total, 1.0, abs_tol=1e-6):
            out.append(Problem(("borrowers", "collateral"), f"shares add up to {total:.2%}",
                               dict(weights), "shares adding up to 100%"))

    seen: set[str] = set()
    for i, keeper in enumerate(drill.keepers):
        if keeper.name in seen:
            out.append(Problem(("keepers", i, "name"), "duplicate keeper name", keeper.name, "unique names"))
        seen.add(keeper.name)
        for j, name in enumerate(keeper.collateral_preference):
            if name not in collateral:
                out.append(Problem(("keepers", i, "collateral", j), "not a collateral asset", name,
                                   f"one of: {_names(collateral)}"))
        for j, window in enumerate(keeper.offline):
            out.extend(_window_problems(("keepers", i, "offline", j), window.at_s, window.for_s, duration))

    for i, failure in enumerate(drill.failures):
        loc: Loc = ("failures", i)
        feed = getattr(failure, "feed", None)
        if feed is not None and feed not in assets:
            out.append(Problem(loc + ("feed",), "unknown feed", feed, f"one of the market assets: {_names(assets)}"))
        if isinstance(failure, SpotManipulationFailure) and failure.pair not in pairs:
            out.append(Problem(loc + ("pair",), "unknown AMM pair", failure.pair, f"one of amm.pairs: {_names(pairs)}"))
        if isinstance(failure, CongestionFailure) and isinstance(failure.base_fee, float):
            level = failure.base_fee * drill.chain.base_fee_gwei
            if level > MAX_BASE_FEE_GWEI or level <= 0:
                out.append(Problem(loc + ("base_fee",), "the multiple of chain.base_fee is out of range",
                                   f"{failure.base_fee:g}x of {drill.chain.base_fee_gwei:g} gwei = {level:g} gwei",
                                   f"a level in (0, {MAX_BASE_FEE_GWEI:g}] gwei (chain.base_fee must be > 0)"))
        for_s = getattr(failure, "for_s", None)
        if isinstance(failure, SequencerDownFailure) or for_s is not None:
            out.extend(_window_problems(loc, failure.at_s, for_s, duration))
        else:
            out.extend(_window_problems(loc, failure.at_s, None, duration))

    out.extend(_fork_problems(drill))
    out.extend(backend_problems(drill))
    cex_asset = drill.cex.asset
    if cex_asset is not None and cex_asset not in assets:
        out.append(Problem(("cex", "asset"), "unknown asset", cex_asset, f"one of the market assets: {_names(assets)}"))
    return out


def _window_problems(loc: Loc, at_s: float, for_s: float | None, duration_s: float) -> list[Problem]:
    if at_s >= duration_s:
        return [Problem(loc + ("at",), "starts after the drill ends", f"{at_s:g} s",
                        f"0 <= at < duration ({duration_s:g} s)")]
    if for_s is not None and at_s + for_s > duration_s + 1e-9:
        return [Problem(loc + ("for",), f"ends at {at_s + for_s:g} s, after the drill ends", f"{for_s:g} s",
                        f"at + for <= duration ({duration_s:g} s); omit `for` to last until the end")]
    return []


def _piecewise_problems(loc: Loc, path: PiecewisePath, duration_s: float) -> list[Problem]:
    """Points strictly increasing in time and inside the drill: an unsorted list is a typo, and a
    point after the end would silently never be reached."""
    out: list[Problem] = []
    for i, point in enumerate(path.points):
        if i > 0 and point.at_s <= path.points[i - 1].at_s:
            out.append(Problem(loc + (i, "at"), f"not after the previous point ({path.points[i - 1].at_s:g} s)",
                               f"{point.at_s:g} s", "points in strictly increasing time"))
        if point.at_s > duration_s + 1e-9:
            out.append(Problem(loc + (i, "at"), "after the drill ends", f"{point.at_s:g} s",
                               f"0 <= at <= duration ({duration_s:g} s)"))
    return out


#: Protocol kinds that can attach to a deployed protocol (``protocol.address``); an external
#: adapter attaches when it implements ``discover``/``attach`` (checked when it is imported).
ATTACHING_KINDS = ("aave-v3", "external")


def backend_problems(drill: Drill) -> list[Problem]:
    """What only the anvil backend can run (a fork: anvil forks the node): checked with the file and
    again when ``--backend`` picks the backend after the file was read (the preflight), so neither
    fails once the chain has started. Congestion runs on both (revm models anvil's per-block base
    fee, fee-cap refusal and one-block packing: tests/e2e/test_backend_differential.py)."""
    if drill.chain.backend == "anvil" or drill.chain.fork_url is None:
        return []
    return [Problem(("chain", "backend"), "fork mode needs the anvil backend (anvil forks the node)",
                    drill.chain.backend, "anvil")]


def _fork_problems(drill: Drill) -> list[Problem]:
    """Fork mode's settings that only make sense together."""
    out: list[Problem] = []
    chain, protocol = drill.chain, drill.protocol
    if chain.fork_block is not None and chain.fork_url is None:
        out.append(Problem(("chain", "fork_block"), "a fork block without a fork URL", chain.fork_block,
                           "chain.fork_url (the node to fork) with it, or no fork_block"))
    assets = list(drill.market.assets)
    for symbol in chain.whales:
        if chain.fork_url is None:
            out.append(Problem(("chain", "whales", symbol), "whales fund agents on a fork only", symbol,
                               "chain.fork_url with them (a fresh chain mints its own tokens)"))
        if symbol not in assets:
            out.append(Problem(("chain", "whales", symbol), "unknown asset", symbol,
                               f"one of the market assets: {_names(assets)}"))
    if protocol.address is not None:
        if chain.fork_url is None:
            out.append(Problem(("protocol", "address"), "attaching to a deployed protocol needs a chain to find it on",
                               protocol.address, "chain.fork_url with it (or leave protocol.address out to deploy)"))
        if protocol.kind not in ATTACHING_KINDS:
            out.append(Problem(("protocol", "kind"), f"kind {protocol.kind} deploys its own pool and cannot attach "
                               "to one at protocol.address", protocol.kind, " or ".join(ATTACHING_KINDS)))
    return out

