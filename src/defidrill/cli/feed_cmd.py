"""`defidrill feed ...`: push answers and inject failures into feeds by address, on a running node.

Against a `defidrill chain up` node (its feeds are ours: driven directly) or any node where the
address is an AggregatorV3 we did not deploy (taken over first by anvil_setCode: the node must
be anvil). Each command prints ONE line of JSON: the round consumers read afterwards.
"""

from __future__ import annotations

import json
import math
from typing import Any

import click

from defidrill.cli.exit_status import RPC_TIMEOUT_OPTION, reports_errors
from defidrill.drill.limits import MAX_PRICE_USD, MAX_SHOCK_FACTOR
from defidrill.drill.units import UnitError, parse_duration
from defidrill.errors import ConfigError, quoted
from defidrill.protocol.feeds.control import FAILURE_KINDS, FeedControl

#: A feed answer is an int192 (Chainlink's OCR aggregators; our ChainlinkFeed's minAnswer/maxAnswer type).
MAX_ANSWER_RAW = 2**191 - 1


def _number(value: str, name: str, *, low: float, high: float, low_open: bool = False) -> float:
    """``value`` as a finite number in [low, high] (``(low, high]`` with ``low_open``), else a ConfigError (exit 2).

    Checked while the command line is parsed, before any RPC: ``nan`` or ``inf`` would otherwise reach
    the price conversion as a traceback, and a negative price would be sent as a round."""
    try:
        number = float(value)
    except ValueError:
        raise ConfigError("not a number", file="command line", path=name, value=value,
                          allowed=f"a number from {low:g} to {high:g}") from None
    below = number <= low if low_open else number < low
    if not math.isfinite(number) or below or number > high:
        bracket = "(" if low_open else "["
        raise ConfigError("out of range" if math.isfinite(number) else "not a finite number", file="command line", path=name,
                          value=value, allowed=f"a finite number in {bracket}{low:g}, {high:g}]")
    return number


def _whole(value: str, name: str, *, low: int, high: int) -> int:
    """``value`` as a whole number in [low, high] (a raw answer: never through a float, which would round it)."""
    try:
        number = int(value.strip(), 0) if value.strip().lower().startswith(("0x", "-0x")) else int(value.strip())
    except ValueError:
        raise ConfigError("not a whole number", file="command line", path=name, value=value,
                          allowed=f"a whole number from {low:,} to {high:,} (the feed's raw units)") from None
    if not low <= number <= high:
        raise ConfigError("out of range", file="command line", path=name, value=value,
                          allowed=f"a whole number from {low:,} to {high:,} (an int192 answer)")
    return number


def _checked(**bounds: Any) -> Any:
    """A click callback applying :func:`_number` to an option while click parses (its usage error: exit 2)."""

    def callback(_ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
        if value is None:
            return None
        try:
            return _number(value, str(param.name), **bounds)
        except ConfigError as err:
            raise click.BadParameter(f"{err.message} (got {quoted(value, 40)}); allowed: {err.allowed}") from None

    return callback

RPC_OPTION = click.option("--rpc-url", envvar="DEFIDRILL_RPC_URL", default="http://127.0.0.1:8545", show_default=True,
                          help="The node (env DEFIDRILL_RPC_URL).")
FROM_OPTION = click.option("--from", "sender", default=None, help="Sender (default: the node's first account).")


def _control(rpc_url: str, sender: str | None, rpc_timeout_s: float = 120.0) -> FeedControl:
    from defidrill.chain import Chain

    return FeedControl(Chain.attach(rpc_url, rpc_timeout_s=rpc_timeout_s), sender)


@click.group("feed")
def feed_group() -> None:
    """Drive price and sequencer feeds by address on a running node."""


@feed_group.command("show")
@click.argument("address")
@RPC_OPTION
@RPC_TIMEOUT_OPTION
@reports_errors
def feed_show(address: str, rpc_url: str, rpc_timeout_s: float) -> None:
    """Print the feed's latest round.  Example: defidrill feed show 0x5FbD...0aa3"""
    click.echo(json.dumps(_control(rpc_url, None, rpc_timeout_s).latest(address).as_json()))


@feed_group.command("push")
@click.argument("address")
@click.argument("price")
@click.option("--raw", is_flag=True, help="PRICE is a raw answer in the feed's decimals, not USD.")
@RPC_OPTION
@RPC_TIMEOUT_OPTION
@FROM_OPTION
@reports_errors
def feed_push(address: str, price: str, raw: bool, rpc_url: str, sender: str | None, rpc_timeout_s: float) -> None:
    """Transmit one round.  Example: defidrill feed push 0x5FbD...0aa3 2450.5

    PRICE is USD per token, finite, above 0 and at most 1e9 (a drill's price bound); with --raw, a whole
    number of the feed's raw units from 1 to 2^191 - 1. Anything else is refused before the node is asked."""
    if raw:
        answer_raw = _whole(price, "PRICE", low=1, high=MAX_ANSWER_RAW)
        view = _control(rpc_url, sender, rpc_timeout_s).push(address, answer_raw=answer_raw)
    else:
        price_usd = _number(price, "PRICE", low=0.0, high=MAX_PRICE_USD, low_open=True)
        view = _control(rpc_url, sender, rpc_timeout_s).push(address, price_usd=price_usd)
    click.echo(json.dumps(view.as_json()))


@feed_group.command("fail")
@click.argument("address")
@click.argument("kind", type=click.Choice(FAILURE_KINDS))
@click.option("--age", default="1h", show_default=True, help="stale / future: how old (ahead) updatedAt is.")
@click.option("--factor", default="2.0", show_default=True, help="spike: answer x factor (above 0, at most 1,000).",
              callback=_checked(low=0.0, high=MAX_SHOCK_FACTOR, low_open=True))
@click.option("--decimals", type=click.IntRange(0, 36), default=None, help="wrong_decimals: the decimals used.")
@click.option("--min", "min_usd", default=None, help="clamp: minAnswer in USD (0 to 1e9).",
              callback=_checked(low=0.0, high=MAX_PRICE_USD))
@click.option("--max", "max_usd", default=None, help="clamp: maxAnswer in USD (above 0, at most 1e9).",
              callback=_checked(low=0.0, high=MAX_PRICE_USD, low_open=True))
@RPC_OPTION
@RPC_TIMEOUT_OPTION
@FROM_OPTION
@reports_errors
def feed_fail(address: str, kind: str, age: str, factor: float, decimals: int | None, min_usd: float | None,
              max_usd: float | None, rpc_url: str, sender: str | None, rpc_timeout_s: float) -> None:
    """Inject one failure.  Example: defidrill feed fail 0x5FbD...0aa3 stale --age 2h"""
    try:
        age_s = int(parse_duration(age))
    except UnitError as exc:
        raise ConfigError(str(exc), path="--age", value=age) from None
    view = _control(rpc_url, sender, rpc_timeout_s).fail(address, kind, age_s=age_s, factor=factor, decimals=decimals,
                                          min_price_usd=min_usd, max_price_usd=max_usd)
    click.echo(json.dumps(view.as_json()))


@feed_group.command("sequencer")
@click.argument("address")
@click.argument("status", type=click.Choice(["down", "up"]))
@RPC_OPTION
@RPC_TIMEOUT_OPTION
@FROM_OPTION
@reports_errors
def feed_sequencer(address: str, status: str, rpc_url: str, sender: str | None, rpc_timeout_s: float) -> None:
    """Report the L2 sequencer down or up.  Example: defidrill feed sequencer 0x9fE4...6e0 down"""
    click.echo(json.dumps(_control(rpc_url, sender, rpc_timeout_s).set_sequencer(address, down=status == "down").as_json()))


@feed_group.command("takeover")
@click.argument("address")
@click.option("--sequencer", is_flag=True, help="The address is an L2 sequencer uptime feed.")
@RPC_OPTION
@RPC_TIMEOUT_OPTION
@FROM_OPTION
@reports_errors
def feed_takeover(address: str, sequencer: bool, rpc_url: str, sender: str | None, rpc_timeout_s: float) -> None:
    """Put a feed we did not deploy under control (anvil_setCode).  Example: defidrill feed takeover 0x5f4e...8419"""
    control = _control(rpc_url, sender, rpc_timeout_s)
    control.take_over(address, sequencer=sequencer)
    click.echo(json.dumps({**control.latest(address).as_json(), "controller": control.sender}))
