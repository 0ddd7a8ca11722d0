"""Shared pieces of the drill schema: the strict base model and value distributions."""

from __future__ import annotations

from typing import Annotated, Any

from annotated_types import Ge, Gt, Le
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from defidrill.drill.limits import MAX_LOGNORMAL_SIGMA, MAX_PRICE_USD, MIN_CONTRACT_DURATION_S, MIN_PRICE_USD
from defidrill.drill.units import Duration, UsdAmount

PositiveUsd = Annotated[UsdAmount, Gt(0)]
"""A dollar amount strictly above zero (sizes, liquidity)."""
PRICE_ALLOWED = f"a price > 0 USD per whole token, from {MIN_PRICE_USD:g} to {MAX_PRICE_USD:,.0f}"


def _price_in_range(value: float) -> float:
    if not MIN_PRICE_USD <= value <= MAX_PRICE_USD:
        raise PydanticCustomError("price_range", "a price outside the range a feed and an AMM pair carry",
                                  {"allowed": PRICE_ALLOWED})
    return value


PriceUsd = Annotated[UsdAmount, AfterValidator(_price_in_range)]
"""A price in USD per whole token, inside the range a feed and an AMM pair can carry (limits.py)."""
def _address_text(value: Any) -> Any:
    """YAML reads an unquoted ``0x...`` as a hexadecimal integer: give it back its 40 digits."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**160:
        return f"0x{value:040x}"
    return value


Address = Annotated[str, BeforeValidator(_address_text), Field(pattern=r"^0x[0-9a-fA-F]{40}$")]
"""An account or contract address, 0x and 40 hex digits (quoted or not in YAML)."""
PositiveDuration = Annotated[Duration, Gt(0)]
ContractDuration = Annotated[Duration, Ge(MIN_CONTRACT_DURATION_S)]
"""A duration the contracts take in whole seconds (staleness, grace, TWAP window): at least 1 s."""


class StrictModel(BaseModel):
    """Base of every drill-file section: unknown keys are errors, names or aliases accepted.

    Python attribute names carry units (``heartbeat_s``); the YAML key is the alias
    (``heartbeat``) so files read like the domain and code reads like its units.
    """

    # allow_inf_nan=False: YAML's `.inf` and `.nan` are floats; no drill quantity is infinite.
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True, allow_inf_nan=False)


class Window(StrictModel):
    """A time window of the drill: from ``at`` for ``for`` (seconds from the drill start)."""

    at_s: Duration = Field(alias="at")
    for_s: Duration = Field(alias="for")

    def contains(self, t_s: float) -> bool:
        """True when ``at <= t < at + for`` (half-open, so back-to-back windows don't overlap)."""
        return self.at_s <= t_s < self.at_s + self.for_s


class LognormalParams(StrictModel):
    """Lognormal by its median (exp(mu)) and sigma of the log: risk people quote medians."""

    median: PositiveUsd
    sigma: Annotated[float, Ge(0.0), Le(MAX_LOGNORMAL_SIGMA)]


class Distribution(StrictModel):
    """One of ``{lognormal: {median, sigma}}``, ``{uniform: [low, high]}`` or a constant.

    A bare number (or ``20k``) in the YAML means ``{constant: value}``.
    """

    lognormal: LognormalParams | None = None
    uniform: tuple[UsdAmount, UsdAmount] | None = None
    constant: UsdAmount | None = None

    @model_validator(mode="before")
    @classmethod
    def _bare_number_is_constant(cls, data: Any) -> Any:
        if isinstance(data, (int, float, str)) and not isinstance(data, bool):
            return {"constant": data}
        return data

    @model_validator(mode="after")
    def _exactly_one(self) -> Distribution:
        chosen = [n for n in ("lognormal", "uniform", "constant") if getattr(self, n) is not None]
        if len(chosen) != 1:
            raise ValueError(
                f"give exactly one of lognormal, uniform, constant (got {', '.join(chosen) or 'none'})"
            )
        if self.uniform is not None and not self.uniform[0] <= self.uniform[1]:
            raise ValueError(f"uniform [low, high] needs low <= high (got {list(self.uniform)})")
        return self

    def upper_bound(self) -> float:
        """The largest value the distribution can produce (inf for lognormal)."""
        if self.uniform is not None:
            return self.uniform[1]
        if self.constant is not None:
            return self.constant
        return float("inf")

    def lower_bound(self) -> float:
        """The smallest value the distribution can produce (0 for lognormal)."""
        if self.uniform is not None:
            return self.uniform[0]
        if self.constant is not None:
            return self.constant
        return 0.0
