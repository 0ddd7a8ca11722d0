"""Feed takeover: put any AggregatorV3 on the chain under drill control, at its own address.

A consumer (Aave's oracle, a user's pool, a forked mainnet protocol) reads a feed by
address, so the feed is changed where it stands: ``anvil_setCode`` installs our
``TakeoverFeed`` (or ``TakeoverSequencerFeed``) there, and its configuration is written
slot by slot into an ERC-7201 namespace (no constructor runs under setCode). What is kept:

- ``decimals``, ``description`` and ``version``: read from the original before the swap;
- round continuity: the next round id is the original's latest + 1 (a Chainlink proxy's
  phase-encoded ids included); the original's rounds still answer ``getRoundData`` and, until
  the first new round, ``latestRoundData``: the original code is re-installed at a derived
  address and run by ``delegatecall`` against this address's untouched storage;
- the original's other views (a proxy's ``aggregator()``, ``phaseId()``) through the fallback;
- ``minAnswer``/``maxAnswer``: the original's (or its ``aggregator()``'s) when it exposes them,
  else OCR's widest range (1 .. 2^191 - 1).

After a takeover the feed answers our ``ChainlinkFeed`` ABI (``transmit``, ``injectRound``,
``setBounds``): the drill's oracle feeder and every failure kind work on it unchanged, at the
same gas (bench/bench_feed_takeover.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from eth_utils.crypto import keccak

from defidrill.chain import ChainAPI, Deployed
from defidrill.chain.abi_registry import checksum
from defidrill.errors import ChainError, ConfigError
from defidrill.protocol.config import DEFAULT_MAX_ANSWER_RAW, DEFAULT_MIN_ANSWER_RAW

#: keccak256(abi.encode(uint256(keccak256("defidrill.takeover.feed")) - 1)) & ~0xff (ERC-7201).
LAYOUT_SLOT = 0x6a7372db5ca23aac32e8bdb838fabeb21efc435c515cb58a2d2686c956003c00
#: Field offsets in ``TakeoverAggregator.Layout`` (one slot each, no packing).
SLOT_OWNER, SLOT_VERSION, SLOT_TRANSMITTER, SLOT_DECIMALS = 0, 1, 2, 3
SLOT_MIN_ANSWER, SLOT_MAX_ANSWER, SLOT_LATEST_ROUND, SLOT_LEGACY_LATEST_ROUND = 4, 5, 6, 7
SLOT_LEGACY, SLOT_DESCRIPTION = 8, 9

FeedKind = Literal["price", "sequencer"]
CONTRACT_OF: dict[str, str] = {"price": "TakeoverFeed", "sequencer": "TakeoverSequencerFeed"}


@dataclass(frozen=True)
class FeedFacts:
    """What an AggregatorV3 answered before we touched it."""

    address: str
    decimals: int
    description: str
    version: int
    latest_round_id: int
    latest_answer_raw: int
    latest_updated_at_s: int
    min_answer_raw: int
    max_answer_raw: int


@dataclass(frozen=True)
class TakenOver:
    """A feed under drill control: ``handle`` speaks our ChainlinkFeed / SequencerUptimeFeed ABI."""

    kind: FeedKind
    facts: FeedFacts
    handle: Deployed
    legacy_address: str  # where the original code now lives (its storage stays at ``facts.address``)
    controller: str      # owner and transmitter / updater
    already: bool        # the address was already taken over (nothing was changed)


def legacy_address_of(address: str) -> str:
    """Where the original code of ``address`` is re-installed: derived, so a takeover is repeatable."""
    return checksum("0x" + keccak(b"defidrill.takeover.legacy" + bytes.fromhex(address[2:]))[-20:].hex())


def runtime_code(chain: ChainAPI, name: str) -> str:
    """The runtime bytecode of a constructor-less contract: its creation code run by eth_call (no state change)."""
    cache: dict[str, str] = chain.__dict__.setdefault("_runtime_code", {})
    if name not in cache:
        creation = chain.artifacts.get(name).bytecode
        cache[name] = chain.creation_output(creation)
    return cache[name]


def _code(chain: ChainAPI, address: str) -> str:
    return chain.code_at(address)


def check_aggregator(chain: ChainAPI, address: str, *, kind: FeedKind = "price", where: str = "feed") -> FeedFacts:
    """Refuse, naming ``where`` and the address, anything that is not an AggregatorV3 on this chain.

    ConfigError (exit 2: the drill or command named a wrong address) when the address is
    malformed, holds no code, or does not answer ``decimals()`` and ``latestRoundData()`` (or, for
    a sequencer feed, answers something other than 0 up / 1 down); ChainError (exit 4) when the
    node itself fails. ``description()`` and ``version()`` are optional ("" and 0 when absent).
    """
    try:
        address = checksum(address)
    except (ValueError, TypeError):
        raise ConfigError("not an address (0x and 40 hex digits)", path=where, value=address) from None
    if _code(chain, address) in ("0x", "0x0", ""):
        raise ConfigError(f"no contract at {address} on {chain.location} (chain id {chain.chain_id}); a feed must be "
                          "an AggregatorV3 answering decimals() and latestRoundData()", path=where)
    agg = chain.at("AggregatorV3Interface", address).functions
    bounded = chain.at("IBoundedAggregator", address).functions
    decimals, description, version, latest, low, high, aggregator = chain.call_many([
        agg.decimals(), agg.description(), agg.version(), agg.latestRoundData(),
        bounded.minAnswer(), bounded.maxAnswer(), chain.at("IAggregatorProxy", address).functions.aggregator()])
    for name, value in (("decimals()", decimals), ("latestRoundData()", latest)):
        if isinstance(value, ChainError):
            raise ConfigError(f"{address} is not an AggregatorV3: {name} does not answer ({value})", path=where)
    round_id, answer, _started, updated_at, _answered = latest
    if kind == "sequencer" and answer not in (0, 1):
        raise ConfigError(f"{address} is not a sequencer uptime feed: its latest answer is {answer} "
                          "(0 = up, 1 = down)", path=where)
    if isinstance(low, ChainError) or isinstance(high, ChainError):
        low, high = DEFAULT_MIN_ANSWER_RAW, DEFAULT_MAX_ANSWER_RAW
        if isinstance(aggregator, str) and int(aggregator, 16) != 0:
            inner = chain.at("IBoundedAggregator", aggregator).functions
            inner_low, inner_high = chain.call_many([inner.minAnswer(), inner.maxAnswer()])
            if not isinstance(inner_low, ChainError) and not isinstance(inner_high, ChainError):
                low, high = inner_low, inner_high
    return FeedFacts(address=address, decimals=int(decimals),
                     description="" if isinstance(description, ChainError) else str(description),
                     version=0 if isinstance(version, ChainError) else int(version),
                     latest_round_id=int(round_id), latest_answer_raw=int(answer), latest_updated_at_s=int(updated_at),
                     min_answer_raw=int(low), max_answer_raw=int(high))


def take_over_feed(chain: ChainAPI, address: str, *, controller: str | None = None, where: str = "feed") -> TakenOver:
    """Put the price feed at ``address`` under drill control (see the module docstring for what is kept)."""
    return _take_over(chain, address, "price", controller or chain.deployer, where)


def take_over_sequencer(chain: ChainAPI, address: str, *, controller: str | None = None,
                        where: str = "sequencer feed") -> TakenOver:
    """Put the L2 sequencer uptime feed at ``address`` under drill control (``updateStatus(bool)``)."""
    return _take_over(chain, address, "sequencer", controller or chain.deployer, where)


def _take_over(chain: ChainAPI, address: str, kind: FeedKind, controller: str, where: str) -> TakenOver:
    name = CONTRACT_OF[kind]
    ours = runtime_code(chain, name)
    facts = check_aggregator(chain, address, kind=kind, where=where)
    address = facts.address
    current = _code(chain, address)
    if current.lower() == ours.lower():  # already ours: keep its rounds and controller
        handle = chain.at(name, address)
        owner, legacy = chain.call_many([handle.functions.owner(), handle.functions.legacy()])
        return TakenOver(kind, facts, handle, str(legacy), str(owner), already=True)
    legacy = legacy_address_of(address)
    chain.set_code(legacy, current)
    chain.set_code(address, ours)
    base = LAYOUT_SLOT
    words = {
        SLOT_OWNER: int(controller, 16),
        SLOT_VERSION: facts.version,
        SLOT_TRANSMITTER: int(controller, 16),
        SLOT_DECIMALS: facts.decimals,
        SLOT_MIN_ANSWER: facts.min_answer_raw % 2**256,  # two's complement, as int256 is stored
        SLOT_MAX_ANSWER: facts.max_answer_raw % 2**256,
        SLOT_LATEST_ROUND: facts.latest_round_id,
        SLOT_LEGACY_LATEST_ROUND: facts.latest_round_id,
        SLOT_LEGACY: int(legacy, 16),
    }
    writes = [(base + offset, value) for offset, value in words.items()]
    writes += string_slots(base + SLOT_DESCRIPTION, facts.description)
    chain.set_storages(address, dict(writes))
    return TakenOver(kind, facts, chain.at(name, address), legacy, checksum(controller), already=False)


def string_slots(slot: int, text: str) -> list[tuple[int, int]]:
    """The storage words of a Solidity ``string`` at ``slot``: inline (data | 2·len) below 32 bytes,
    else 2·len + 1 at ``slot`` and the data from keccak256(slot) on, 32 bytes a word."""
    data = text.encode()
    if len(data) < 32:
        return [(slot, int.from_bytes(data.ljust(31, b"\0") + bytes([2 * len(data)]), "big"))]
    start = int.from_bytes(keccak(slot.to_bytes(32, "big")), "big")
    words = [(slot, 2 * len(data) + 1)]
    for i in range(0, len(data), 32):
        words.append((start + i // 32, int.from_bytes(data[i : i + 32].ljust(32, b"\0"), "big")))
    return words
