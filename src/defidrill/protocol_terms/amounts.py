"""The one place human numbers (USD, whole tokens) become scaled integers (raw token units, feed answers) and back.

Every conversion that rounds says how in its name, as solmate's ``mulWadDown``/``mulWadUp`` do: a reader
never guesses whether two paths that feed the same contract agree to the last raw unit. Arithmetic is
Decimal from the float's shortest repr (``0.1`` is 0.1, not 0.1000000000000000055...), so a float
multiplied by 10**18 never leaks binary noise into a raw amount.

Feed answers round half-even, in the drill's model (:mod:`defidrill.drill.feeder`) and on chain alike:
the model predicts which rounds the feed accepts, so both must produce the same integer for the same
price. Feed bounds (``minAnswer``/``maxAnswer``) are made raw only by :func:`feed_bounds_raw`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from numbers import Integral

from defidrill.protocol_terms.parameters import DEFAULT_MAX_ANSWER_RAW, DEFAULT_MIN_ANSWER_RAW


def _exact(amount: float | Decimal) -> Decimal:
    """The number a person wrote: integers and Decimals as they are, a float as its shortest repr."""
    if isinstance(amount, Decimal):
        return amount
    if isinstance(amount, Integral):
        return Decimal(int(amount))
    return Decimal(repr(float(amount)))


def to_raw_half_even(amount: float | Decimal, decimals: int) -> int:
    """Whole tokens -> raw units, a tie going to the even unit (unbiased over many conversions)."""
    return int(_exact(amount).scaleb(decimals).to_integral_value(ROUND_HALF_EVEN))


def from_raw(amount_raw: int, decimals: int) -> float:
    """Raw units -> whole tokens, the nearest float (Python's int true division is correctly rounded)."""
    amount: float = amount_raw / 10**decimals
    return amount


def usd_to_raw_half_even(usd: float, price_usd: float, decimals: int) -> int:
    """How many raw units of a token worth ``price_usd`` make ``usd``, a tie going to the even unit."""
    return to_raw_half_even(_exact(usd) / _exact(price_usd), decimals)


def price_to_answer_half_even(price_usd: float, feed_decimals: int) -> int:
    """A Chainlink answer for a USD price: the price x 10**feed_decimals, a tie going to the even unit."""
    return to_raw_half_even(price_usd, feed_decimals)


def feed_bounds_raw(min_answer_usd: float | None, max_answer_usd: float | None, feed_decimals: int) -> tuple[int, int]:
    """A feed's (minAnswer, maxAnswer) as raw answers: the drill's USD bounds, else OCR's defaults (1 raw unit, int192
    max). minAnswer is at least 1 raw unit, as the deployed feed has it, so the model rejects a 0 answer as the chain does."""
    low = DEFAULT_MIN_ANSWER_RAW if min_answer_usd is None else price_to_answer_half_even(min_answer_usd, feed_decimals)
    high = DEFAULT_MAX_ANSWER_RAW if max_answer_usd is None else price_to_answer_half_even(max_answer_usd, feed_decimals)
    return max(low, DEFAULT_MIN_ANSWER_RAW), high
