"""The agent sections: ``amm`` (pools and LPs), ``borrowers``, ``keepers``, ``arbitrage``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from annotated_types import Ge, Gt, Le
from pydantic import Field, PrivateAttr, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from defidrill.drill.accounts_csv import is_address, read_accounts
from defidrill.drill.limits import MAX_BORROWERS
from defidrill.drill.positions_csv import PositionRow, read_positions
from defidrill.drill.replay_csv import ReplayCsvError
from defidrill.drill.schema.common import Distribution, PositiveDuration, PositiveUsd, StrictModel, Window
from defidrill.drill.units import Blocks, Count, Duration, Gwei, Steps, UnitFraction, UsdAmount


#: The reference pair is Uniswap V2's: 997/1000 in its swap math, so 0.3% is the only fee it charges.
AMM_FEE = 0.003


class PairConfig(StrictModel):
    """One Uniswap-V2-style pair: total liquidity (both sides, USD at start prices) and fee."""

    liquidity_usd: PositiveUsd = Field(alias="liquidity")
    fee: UnitFraction = AMM_FEE

    @field_validator("fee")
    @classmethod
    def _uniswap_v2_fee(cls, value: float) -> float:
        if abs(value - AMM_FEE) > 1e-12:
            raise PydanticCustomError(
                "amm_fee", "the reference AMM is Uniswap V2: its fee is fixed at 0.3%",
                {"value": f"{value:.4%}", "allowed": "0.3% (or leave fee out)"},
            )
        return value


class LpBehaviour(StrictModel):
    """LPs withdraw ``withdraw`` of each pair's liquidity, once: at ``at`` when given
    (market makers pulling ahead of a crash), else when the reference price of either
    side moved more than ``when_volatility_above`` (|p_t / p_(t-window) - 1|)."""

    withdraw: UnitFraction = 0.0
    at_s: Duration | None = Field(None, alias="at")
    when_volatility_above: Annotated[UnitFraction, Gt(0.0)] = 0.02
    window_s: PositiveDuration = Field(600.0, alias="window")


class AmmConfig(StrictModel):
    """AMM pairs named ``TOKEN/TOKEN`` (e.g. ``WBTC/USDC: 20M``) and LP behaviour."""

    pairs: dict[str, PairConfig] = Field(default_factory=dict)
    lps: LpBehaviour = Field(default_factory=LpBehaviour)

    @field_validator("pairs", mode="before")
    @classmethod
    def _bare_liquidity(cls, value: Any) -> Any:
        # `WBTC/USDC: 20M` is shorthand for `WBTC/USDC: {liquidity: 20M}`.
        if isinstance(value, dict):
            return {k: ({"liquidity": v} if isinstance(v, (int, float, str)) and not isinstance(v, bool) else v)
                    for k, v in value.items()}
        return value


#: Health factors a drill sets (initial, reaction thresholds): above it a position borrows next to nothing.
MAX_HEALTH = 100.0


class Reaction(StrictModel):
    """How a borrower defends a falling position: with ``probability`` (drawn once per
    borrower), ``delay`` after its health first drops below ``when_health_below``, it
    tops up collateral or repays debt until its health is back at ``target_health``."""

    probability: UnitFraction = 0.0
    delay_s: Duration = Field(300.0, alias="delay")
    action: Literal["top_up", "repay"] = "top_up"
    when_health_below: Annotated[float, Gt(1.0), Le(MAX_HEALTH)] = 1.1
    target_health: Annotated[float, Gt(1.0), Le(MAX_HEALTH)] = 1.4


#: Keys that describe a drawn population: with ``from:`` the file is the population, so they are refused.
DRAWN_KEYS = ("count", "collateral", "size_usd", "health")
#: ``from: protocol``: the forked protocol's own borrowers (the forked book), not a file.
FROM_PROTOCOL = "protocol"
#: Keys of the forked book: meaningful with ``from: protocol`` only.
FORKED_KEYS = ("since_block", "min_debt_usd", "max_accounts", "accounts", "accounts_csv")


class BorrowersConfig(StrictModel):
    """The borrower population: ``count`` positions, each with one collateral asset drawn by
    the ``collateral`` weights, a collateral value from ``size_usd`` and an initial health
    factor from ``health`` (debt = collateral x liquidation_threshold / health).

    ``from: positions.csv`` (relative to the drill file) replaces the draw: the engine opens exactly
    the file's positions (:mod:`defidrill.drill.positions_csv`), read once here, at validation.

    ``from: protocol`` (fork mode only) drills the forked protocol's existing borrowers: the adapter finds
    them (its borrow events from ``since_block`` to the fork block) or the drill lists them (``accounts``,
    ``accounts_csv``); the engine keeps those owing at least ``min_debt_usd`` now, the ``max_accounts``
    largest. ``count`` (default 0 here) and the draw keys seed a drawn population beside them."""

    count: Annotated[Count, Ge(0), Le(MAX_BORROWERS)] = 100
    collateral: dict[str, UnitFraction] | None = None
    size_usd: Distribution = Field(default_factory=lambda: Distribution(lognormal={"median": 20_000, "sigma": 1.0}))
    health: Distribution = Field(default_factory=lambda: Distribution(uniform=(1.05, 1.6)))
    reaction: Reaction = Field(default_factory=Reaction)
    from_file: str | None = Field(None, alias="from")
    since_block: Annotated[int, Ge(0)] = 0
    min_debt_usd: Annotated[UsdAmount, Ge(0.0)] = 0.0
    max_accounts: Annotated[Count, Ge(1), Le(MAX_BORROWERS)] | None = None
    accounts: list[str] | None = None
    accounts_csv: str | None = None

    _positions: tuple[PositionRow, ...] = PrivateAttr(())

    @field_validator("from_file")
    @classmethod
    def _file_exists(cls, value: str | None, info: ValidationInfo) -> str | None:
        """Resolve against the drill file's folder (given as validation context) and require the file."""
        if value is None or value == FROM_PROTOCOL:
            return value
        return _existing_file(value, info, "positions file", "a positions CSV relative to the drill file that "
                              "exists (docs/drills.md, A book from a file)")

    @field_validator("accounts_csv")
    @classmethod
    def _accounts_file_exists(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        return _existing_file(value, info, "accounts file", "a CSV of addresses relative to the drill file "
                              "(docs/drills.md, The forked book)")

    @field_validator("accounts")
    @classmethod
    def _addresses(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        for i, item in enumerate(value):
            if not is_address(str(item)):
                raise PydanticCustomError("account_address", "accounts[{index}] is not an address",
                                          {"index": i, "value": str(item)[:60], "allowed": "0x and 40 hex digits"})
        if len({a.lower() for a in value}) < len(value):
            raise PydanticCustomError("account_twice", "an account is listed twice",
                                      {"value": len(value), "allowed": "each account once"})
        return value

    @model_validator(mode="after")
    def _forked_book(self) -> BorrowersConfig:
        """``from: protocol`` seeds nothing unless ``count`` says so; its keys mean nothing without it."""
        stated = [k for k in FORKED_KEYS if k in self.model_fields_set]
        if self.from_file != FROM_PROTOCOL:
            if stated:
                raise PydanticCustomError("forked_key_without_protocol", "{key} describes the forked book", {
                    "key": stated[0], "field": stated[0], "value": stated[0],
                    "allowed": "from: protocol beside it (a fork's own borrowers), or leave it out"})
            return self
        if self.accounts is not None and self.accounts_csv is not None:
            raise PydanticCustomError("accounts_twice", "accounts and accounts_csv both list the forked book", {
                "field": "accounts_csv", "value": self.accounts_csv, "allowed": "one of accounts, accounts_csv"})
        if "count" not in self.model_fields_set:
            object.__setattr__(self, "count", 0)  # the forked book alone, unless the drill seeds beside it
        return self

    @property
    def from_protocol(self) -> bool:
        """``from: protocol``: the forked protocol's own borrowers are drilled (the forked book)."""
        return self.from_file == FROM_PROTOCOL

    @property
    def positions_file(self) -> str | None:
        """The positions CSV of ``from: <file>`` (absolute), None when the population is drawn or forked."""
        return None if self.from_file in (None, FROM_PROTOCOL) else self.from_file

    @property
    def listed_accounts(self) -> tuple[str, ...] | None:
        """The forked book as the drill lists it (``accounts`` or ``accounts_csv``); None: the adapter finds it."""
        if self.accounts is not None:
            return tuple(self.accounts)
        if self.accounts_csv is not None:
            return read_accounts(Path(self.accounts_csv))
        return None

    @model_validator(mode="after")
    def _read_accounts_csv(self) -> BorrowersConfig:
        """A bad row of ``accounts_csv`` fails at validation, with its line."""
        if self.accounts_csv is not None:
            try:
                read_accounts(Path(self.accounts_csv))
            except ReplayCsvError as err:
                raise PydanticCustomError("accounts_csv", "{csv}: {reason}", {
                    "csv": self.accounts_csv, "reason": str(err), "field": "accounts_csv",
                    "value": err.value if isinstance(err.value, (str, int, float)) else None,
                    "allowed": err.allowed}) from None
        return self

    @model_validator(mode="after")
    def _read_positions(self) -> BorrowersConfig:
        """Read every row now, so a bad row fails at validation (with its line), not mid-run."""
        if self.positions_file is None:
            return self
        drawn = [k for k in DRAWN_KEYS if k in self.model_fields_set]
        if drawn or "probability" in self.reaction.model_fields_set:
            key = drawn[0] if drawn else "reaction.probability"
            raise PydanticCustomError("positions_and_draw", "{key} describes a drawn population; "
                                      "with from: the file is the population", {
                                          "key": key, "field": key.split(".")[0], "value": key,
                                          "allowed": "from: alone (reaction's delay, action and thresholds apply to "
                                                     "the rows marked reacts)"})
        try:
            rows = read_positions(Path(self.positions_file))
        except ReplayCsvError as err:
            raise PydanticCustomError("positions_csv", "{csv}: {reason}", {
                "csv": self.from_file, "reason": str(err), "field": "from",
                "value": err.value if isinstance(err.value, (str, int, float)) else None,
                "allowed": err.allowed}) from None
        self._positions = rows
        object.__setattr__(self, "count", len(rows))  # the population's size, as every reader of count expects
        return self

    @property
    def positions(self) -> tuple[PositionRow, ...]:
        """The positions file's rows (empty without ``from:``), read at validation."""
        if self.positions_file is not None and not self._positions:  # built with model_construct: read now
            self._positions = read_positions(Path(self.positions_file))
        return self._positions

    @model_validator(mode="after")
    def _healthy_at_start(self) -> BorrowersConfig:
        if self.health.lognormal is not None:
            raise ValueError("health takes uniform: [low, high] or a constant; a lognormal draws positions below 1")
        if self.health.lower_bound() <= 1.0:
            raise ValueError("initial health factors must be above 1 (a position below 1 is liquidatable at t=0)")
        if self.health.upper_bound() > MAX_HEALTH:
            raise PydanticCustomError("health_too_high", "initial health factors above {max} borrow next to nothing",
                                      {"max": f"{MAX_HEALTH:g}", "field": "health", "value": self.health.upper_bound(),
                                       "allowed": f"health factors from just above 1 to {MAX_HEALTH:g}"})
        if self.size_usd.lower_bound() <= 0 and self.size_usd.lognormal is None:
            raise PydanticCustomError("size_not_positive", "collateral sizes must be above 0",
                                      {"field": "size_usd", "value": self.size_usd.lower_bound(),
                                       "allowed": "a lognormal {median, sigma}, uniform [low, high] or a number, above 0"})
        return self


def _existing_file(value: str, info: ValidationInfo, what: str, allowed: str) -> str:
    """``value`` resolved against the drill file's folder (given as validation context), required to exist."""
    base = (info.context or {}).get("base_dir")
    path = Path(value)
    if not path.is_absolute() and base is not None:
        path = Path(base) / path
    try:
        found = path.is_file()
    except (OSError, ValueError):  # a name too long, a NUL byte
        found = False
    if not found:
        raise PydanticCustomError("missing_file", f"{what} not found: {{resolved}}", {
            "resolved": str(path), "value": value[:200], "allowed": allowed})
    return str(path.resolve())


class KeeperConfig(StrictModel):
    """One liquidation keeper.

    ``flash``: borrows the repay amount in a flash swap and needs no capital; ``capital``:
    repays from ``capital_usd``. ``latency`` blocks pass between seeing a liquidatable
    account and sending; ``gas_bid`` (the tip) orders competing keepers in a block; ``max_gas_price`` caps what it pays
    per gas (base fee + tip): above it the node refuses its transaction (omitted: no cap). ``collateral``
    lists the seized assets it prefers (empty = any). ``sell_seized``: ``always`` sells
    seized collateral into the AMM at once, ``never`` holds it, ``if_profitable`` sells
    only while the AMM price beats the price the keeper effectively paid. ``offline``
    windows model a keeper outage.
    """

    name: Annotated[str, Field(min_length=1)]
    mode: Literal["flash", "capital"] = "flash"
    capital_usd: Annotated[UsdAmount, Ge(0.0)] = 1_000_000.0
    latency_blocks: Blocks = Field(0, alias="latency")
    gas_bid_gwei: Gwei = Field(2.0, alias="gas_bid")
    max_gas_price_gwei: Annotated[Gwei, Gt(0.0)] | None = Field(None, alias="max_gas_price")
    min_profit_usd: Annotated[UsdAmount, Ge(0.0)] = 0.0
    collateral_preference: list[str] = Field(default_factory=list, alias="collateral")
    sell_seized: Literal["always", "never", "if_profitable"] = "always"
    offline: list[Window] = Field(default_factory=list)

    @model_validator(mode="after")
    def _bid_within_cap(self) -> KeeperConfig:
        if self.max_gas_price_gwei is not None and self.gas_bid_gwei > self.max_gas_price_gwei:
            raise ValueError(f"gas_bid ({self.gas_bid_gwei:g} gwei) is above max_gas_price "
                             f"({self.max_gas_price_gwei:g} gwei): the tip is part of the price paid")
        return self

    def is_offline(self, t_s: float) -> bool:
        """True when ``t_s`` (seconds from the drill start) falls in an offline window."""
        return any(w.contains(t_s) for w in self.offline)


def _default_keepers() -> list[KeeperConfig]:
    return [KeeperConfig(name="keeper")]


class ArbitrageConfig(StrictModel):
    """An arbitrageur trading each AMM pair toward the reference price: at most
    ``capacity_usd_per_step`` per pair per step, acting on prices ``latency`` steps old,
    only when the AMM is more than ``min_deviation`` away (the fee makes smaller gaps unprofitable)."""

    enabled: bool = True
    capacity_usd_per_step: Annotated[UsdAmount, Ge(0.0)] = 500_000.0
    latency_steps: Steps = Field(1, alias="latency")
    min_deviation: UnitFraction = 0.003
