"""Drive feeds by address on a live chain: push answers, inject failures, flip a sequencer.

One verb per failure the drill engine knows, as a one-shot on a running node (a
``defidrill chain up``, a fork, a test's chain): ``stale`` (a round whose ``updatedAt`` is
``age_s`` old), ``zero`` / ``negative`` (answer 0 / minus the current), ``incomplete``
(``answeredInRound`` behind the round), ``future`` (``updatedAt`` ahead of the block),
``spike`` (current x factor), ``wrong_decimals`` (current x 10^(d - feed decimals)),
``clamp`` (``minAnswer``/``maxAnswer``), and ``sequencer down/up``. Time-shaped kinds
(``frozen``, ``delay``) are sequences of pushes: a drill file does those.

A feed we deployed (our ``ChainlinkFeed``, as ``chain up`` prints) is driven directly;
any other AggregatorV3 is taken over first (``takeover.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from defidrill.chain import ChainAPI, Deployed
from defidrill.errors import ChainError, ConfigError
from defidrill.protocol.amounts import from_raw, price_to_answer_half_even
from defidrill.protocol.feeds.takeover import check_aggregator, runtime_code, take_over_feed, take_over_sequencer

FailureKind = Literal["stale", "zero", "negative", "incomplete", "future", "spike", "wrong_decimals", "clamp"]
FAILURE_KINDS: tuple[str, ...] = ("stale", "zero", "negative", "incomplete", "future", "spike", "wrong_decimals", "clamp")
FEED_TX_GAS = 400_000


@dataclass(frozen=True)
class RoundView:
    """A feed's latest round as a consumer reads it."""

    address: str
    description: str
    decimals: int
    round_id: int
    answer_raw: int
    started_at_s: int
    updated_at_s: int
    answered_in_round: int

    @property
    def price_usd(self) -> float:
        return from_raw(self.answer_raw, self.decimals)

    def as_json(self) -> dict[str, object]:
        return {"address": self.address, "description": self.description, "decimals": self.decimals,
                "round_id": self.round_id, "answer_raw": self.answer_raw, "price_usd": self.price_usd,
                "started_at": self.started_at_s, "updated_at": self.updated_at_s,
                "answered_in_round": self.answered_in_round}


class FeedControl:
    """Feeds and sequencer feeds of one chain, by address, driven by ``sender`` (default: the deployer)."""

    def __init__(self, chain: ChainAPI, sender: str | None = None) -> None:
        self.chain = chain
        self.sender = sender or chain.deployer
        self._handles: dict[str, Deployed] = {}

    # -- resolving ---------------------------------------------------------------------------

    def feed(self, address: str) -> Deployed:
        """A handle speaking our ChainlinkFeed ABI: our own feed as is, any other one taken over."""
        return self._resolve(address, "price")

    def sequencer(self, address: str) -> Deployed:
        return self._resolve(address, "sequencer")

    def take_over(self, address: str, *, sequencer: bool = False) -> Deployed:
        taken = (take_over_sequencer if sequencer else take_over_feed)(self.chain, address, controller=self.sender,
                                                                      where="address")
        self._handles[taken.facts.address.lower()] = taken.handle
        return taken.handle

    def _resolve(self, address: str, kind: str) -> Deployed:
        key = address.lower()
        if key in self._handles:
            return self._handles[key]
        facts = check_aggregator(self.chain, address, kind="sequencer" if kind == "sequencer" else "price",
                                 where="address")
        ours_name = "ChainlinkFeed" if kind == "price" else "SequencerUptimeFeed"
        role = "transmitter" if kind == "price" else "updater"
        probe = self.chain.at(ours_name, facts.address)
        controller = self.chain.call_many([getattr(probe.functions, role)()])[0]
        code = self.chain.code_at(facts.address)
        taken_name = "TakeoverFeed" if kind == "price" else "TakeoverSequencerFeed"
        if code.lower() == runtime_code(self.chain, taken_name).lower():
            handle = self.chain.at(taken_name, facts.address)
        elif not isinstance(controller, ChainError) and str(controller).lower() == self.sender.lower():
            handle = probe  # our own feed, and we are its transmitter: drive it directly
        else:
            handle = self.take_over(facts.address, sequencer=kind == "sequencer")
        self._handles[key] = handle
        return handle

    # -- reading -----------------------------------------------------------------------------

    def latest(self, address: str) -> RoundView:
        f = self.chain.at("AggregatorV3Interface", address).functions
        decimals, description, latest = self.chain.call_many([f.decimals(), f.description(), f.latestRoundData()])
        for value in (decimals, latest):
            if isinstance(value, ChainError):
                raise value
        return RoundView(self.chain.at("AggregatorV3Interface", address).address,
                         "" if isinstance(description, ChainError) else str(description), int(decimals), *map(int, latest))

    # -- writing -----------------------------------------------------------------------------

    def push(self, address: str, *, price_usd: float | None = None, answer_raw: int | None = None) -> RoundView:
        """Transmit one round (an OCR report): ``price_usd`` in dollars or ``answer_raw`` in the feed's decimals."""
        if (price_usd is None) == (answer_raw is None):
            raise ConfigError("give exactly one of a price in USD or a raw answer", path="push")
        handle = self.feed(address)
        if answer_raw is None:
            answer_raw = price_to_answer_half_even(float(price_usd or 0.0), self.latest(address).decimals)
        self._send(handle.functions.transmit(answer_raw), f"push {answer_raw} to {handle.address}")
        return self.latest(address)

    def fail(self, address: str, kind: str, *, age_s: int = 3600, factor: float = 2.0, decimals: int | None = None,
             min_price_usd: float | None = None, max_price_usd: float | None = None) -> RoundView:
        """Inject one failure (see the module docstring); returns the round consumers now read."""
        if kind not in FAILURE_KINDS:
            raise ConfigError(f"unknown feed failure {kind!r}", path="kind", value=kind, allowed=", ".join(FAILURE_KINDS))
        f = self.feed(address).functions
        now = self.chain.timestamp()
        cur = self.latest(address)
        inject = {
            "stale": (cur.answer_raw, now - age_s, now - age_s, 0),
            "zero": (0, now, now, 0),
            "negative": (-abs(cur.answer_raw), now, now, 0),
            "incomplete": (cur.answer_raw, now, now, max(1, cur.round_id)),
            "future": (cur.answer_raw, now + age_s, now + age_s, 0),
        }
        if kind in inject:
            if kind in ("stale",) and age_s > now:
                raise ConfigError(f"age {age_s} s reaches before the chain's first second ({now})", path="age")
            self._send(f.injectRound(*inject[kind]), f"{kind} on {address}")
        elif kind == "spike":
            self._send(f.transmit(int(cur.answer_raw * factor)), f"spike x{factor} on {address}")
        elif kind == "wrong_decimals":
            if decimals is None:
                raise ConfigError("wrong_decimals needs the decimals the answer is scaled to", path="decimals")
            scale = decimals - cur.decimals
            answer = cur.answer_raw * 10**scale if scale >= 0 else cur.answer_raw // 10**-scale
            self._send(f.transmit(answer), f"wrong decimals ({decimals}) on {address}")
        else:  # clamp
            low = (price_to_answer_half_even(min_price_usd, cur.decimals) if min_price_usd is not None
                   else self.chain.call(f.minAnswer()))
            high = (price_to_answer_half_even(max_price_usd, cur.decimals) if max_price_usd is not None
                    else self.chain.call(f.maxAnswer()))
            self._send(f.setBounds(low, high), f"clamp {address}")
        return self.latest(address)

    def set_sequencer(self, address: str, *, down: bool) -> RoundView:
        """Report the L2 sequencer down (answer 1) or up (answer 0)."""
        self._send(self.sequencer(address).functions.updateStatus(down), f"sequencer {'down' if down else 'up'}")
        return self.latest(address)

    def _send(self, fn, label: str) -> None:  # type: ignore[no-untyped-def]
        self.chain.send(self.chain.tx(fn, sender=self.sender, gas=FEED_TX_GAS, label=label))
