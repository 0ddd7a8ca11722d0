"""Fixtures shared by the oracle-family tests: feeds and tokens deployed on the session anvil."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

FEED_DECIMALS = 8
MIN_ANSWER_RAW = 10_000_000  # $0.10 at 8 decimals (LUNA/USD's floor)
MAX_ANSWER_RAW = 10**8 * 1_000_000  # $1,000,000 at 8 decimals
# anvil estimates gas before evm_setNextBlockTimestamp applies, so a transaction whose cost depends
# on block.timestamp (a TWAP update, a pair sync, a new sequencer round) needs a fixed gas limit
TIMED_TX_GAS = 1_000_000


@pytest.fixture
def owner(chain: Any) -> str:
    return chain.accounts[0]


@pytest.fixture
def transmitter(chain: Any) -> str:
    return chain.accounts[1]


@pytest.fixture
def stranger(chain: Any) -> str:
    return chain.accounts[5]


@pytest.fixture
def feed(chain: Any, transmitter: str) -> Any:
    """An 8-decimals USD feed bounded to [$0.10, $1,000,000], transmitter = accounts[1]."""
    return chain.deploy(
        "ChainlinkFeed", FEED_DECIMALS, "WBTC / USD", MIN_ANSWER_RAW, MAX_ANSWER_RAW, transmitter
    )


@pytest.fixture
def push(chain: Any) -> Callable[..., Any]:
    """push(feed, answer_raw, transmitter, at_s=None): transmit, optionally in a block stamped `at_s`."""

    def _push(feed: Any, answer_raw: int, transmitter: str, at_s: int | None = None) -> Any:
        if at_s is not None:
            chain.set_next_timestamp(at_s)
        return chain.transact(feed.contract.functions.transmit(answer_raw), sender=transmitter, gas=TIMED_TX_GAS)

    return _push


Q112 = 2**112


@dataclass
class Market:
    """A base/quote AMM pair with helpers that stamp each pair call at a chosen time."""

    chain: Any
    base: Any
    quote: Any
    pair: Any
    base_is_token0: bool

    def reserves(self) -> tuple[int, int]:
        """(base_raw, quote_raw) reserves."""
        r0, r1, _ = self.chain.call(self.pair.contract.functions.getReserves())
        return (r0, r1) if self.base_is_token0 else (r1, r0)

    def add_liquidity(self, base_raw: int, quote_raw: int, at_s: int) -> None:
        owner = self.chain.accounts[0]
        self.chain.transact(self.base.contract.functions.mint(self.pair.address, base_raw), sender=owner)
        self.chain.transact(self.quote.contract.functions.mint(self.pair.address, quote_raw), sender=owner)
        self.chain.set_next_timestamp(at_s)
        self.chain.transact(self.pair.contract.functions.mint(owner), sender=owner, gas=TIMED_TX_GAS)

    def swap_base_in(self, base_in_raw: int, at_s: int) -> int:
        """Sell `base_in_raw` into the pair at `at_s`; returns the quote out (Uniswap V2 formula by hand)."""
        reserve_base, reserve_quote = self.reserves()
        quote_out = base_in_raw * 997 * reserve_quote // (reserve_base * 1000 + base_in_raw * 997)
        owner = self.chain.accounts[0]
        self.chain.transact(self.base.contract.functions.mint(self.pair.address, base_in_raw), sender=owner)
        out0, out1 = (0, quote_out) if self.base_is_token0 else (quote_out, 0)
        self.chain.set_next_timestamp(at_s)
        self.chain.transact(self.pair.contract.functions.swap(out0, out1, owner, b""), sender=owner, gas=TIMED_TX_GAS)
        return quote_out


def deploy_market(chain: Any, base_decimals: int, quote_decimals: int = 6) -> Market:
    base = chain.deploy("MintableERC20", "Base", "BASE", base_decimals)
    quote = chain.deploy("MintableERC20", "USD Coin", "USDC", quote_decimals)
    factory = chain.deploy("AmmFactory", chain.accounts[0])
    chain.transact(factory.contract.functions.createPair(base.address, quote.address))
    pair_address = chain.call(factory.contract.functions.getPair(base.address, quote.address))
    pair = _bind(chain, "AmmPair", pair_address)
    return Market(chain, base, quote, pair, base.address.lower() < quote.address.lower())


def _bind(chain: Any, name: str, address: str) -> Any:
    """A Deployed-like handle for a contract created by another contract (the factory's pair).

    The ABI comes from a throwaway deployment, so this relies only on `chain.deploy` and web3.
    """
    template = chain.deploy(name)
    contract = template.contract.w3.eth.contract(address=address, abi=template.abi)
    return type(template)(address=address, abi=template.abi, contract=contract, name=name)


@pytest.fixture
def make_market(chain: Any) -> Callable[..., Market]:
    """make_market(base_decimals, quote_decimals=6) -> Market with a fresh factory and pair."""

    def _make(base_decimals: int, quote_decimals: int = 6) -> Market:
        return deploy_market(chain, base_decimals, quote_decimals)

    return _make


# IOracleGuard enums, numbered as in contracts/interfaces/IOracleGuard.sol
MODE = {"NONE": 0, "GUARDED": 1, "NAIVE": 2, "AMM_SPOT": 3, "TWAP": 4}
KIND = {"NONE": 0, "FEED": 1, "TWAP": 2}
RULES = [
    "OK", "NOT_CONFIGURED", "SEQUENCER_DOWN", "SEQUENCER_GRACE_PERIOD", "SOURCE_CALL_FAILED",
    "INCOMPLETE_ROUND", "NON_POSITIVE_ANSWER", "FUTURE_TIMESTAMP", "STALE", "AT_MIN_ANSWER",
    "AT_MAX_ANSWER", "DEVIATION", "ANSWER_OUT_OF_RANGE", "NO_LIQUIDITY", "NO_FALLBACK",
]  # fmt: skip
ASSET = "0x000000000000000000000000000000000000a55e"


def as_tuple(value: Any) -> tuple[Any, ...]:
    """A decoded struct as a tuple in field order (decoders return dicts or tuples)."""
    return tuple(value.values()) if hasattr(value, "values") else tuple(value)


@dataclass
class GuardKit:
    """The guard plus helpers to configure it and read its verdicts."""

    chain: Any
    guard: Any

    def configure(
        self,
        asset: str,
        mode: str,
        primary: str,
        *,
        fallback_kind: str = "NONE",
        fallback: str = "0x" + "00" * 20,
        max_staleness_s: int = 3600,
        max_deviation_bps: int = 0,
        check_bounds: bool = False,
        bound_buffer_bps: int = 0,
        sender: str | None = None,
    ) -> Any:
        config = (
            MODE[mode], primary, KIND[fallback_kind], fallback,
            max_staleness_s, max_deviation_bps, check_bounds, bound_buffer_bps,
        )  # fmt: skip
        fn = self.guard.contract.functions.setAssetConfig(asset, config)
        return self.chain.transact(fn, sender=sender or self.chain.accounts[0])

    def check(self, asset: str = ASSET) -> dict[str, Any]:
        """`check(asset)` decoded, with rule names instead of numbers."""
        result = self.chain.call(self.guard.contract.functions.check(asset))
        price_wad, ok, primary_rule, fallback_rule, used_fallback, source, answer, updated_at = as_tuple(result)
        return {
            "price_wad": price_wad, "ok": ok, "primary": RULES[primary_rule], "fallback": RULES[fallback_rule],
            "used_fallback": used_fallback, "source": source.lower(), "answer": answer, "updated_at": updated_at,
        }  # fmt: skip

    def config(self, asset: str = ASSET) -> tuple[Any, ...]:
        """assetConfig(asset) as a tuple in field order."""
        return as_tuple(self.chain.call(self.guard.contract.functions.assetConfig(asset)))

    @staticmethod
    def rule(number: int) -> str:
        """Name of IOracleGuard.Rule `number`."""
        return RULES[number]

    def price(self, asset: str = ASSET) -> int:
        """getPrice as a call (no tx): the value a transaction would return now."""
        return self.chain.call(self.guard.contract.functions.getPrice(asset))

    def unavailable_reason(self, asset: str = ASSET) -> str:
        """The rule named by getPrice's PriceUnavailable revert (asserts it reverts that way)."""
        from defidrill.errors import RevertError

        try:
            self.chain.call(self.guard.contract.functions.getPrice(asset))
        except RevertError as err:
            assert err.revert.name == "PriceUnavailable", err.revert
            assert err.revert.args["asset"].lower() == asset.lower()
            return RULES[err.revert.args["reason"]]
        raise AssertionError("getPrice did not revert")


@pytest.fixture
def kit(chain: Any) -> GuardKit:
    return GuardKit(chain, chain.deploy("OracleGuard"))
