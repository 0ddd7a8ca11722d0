"""`defidrill feed ...`: push answers and inject failures into feeds by address, on a running node.

Against a `defidrill chain up` node (its feeds are ours: driven directly) or any node where the
address is an AggregatorV3 we did not deploy (taken over first by anvil_setCode: the node must
be anvil). Each command prints ONE line of JSON: the round consumers read afterwards.
"""

from __future__ import annotations

import json

import click

from defidrill.cli.exit_status import reports_errors
from defidrill.drill.units import UnitError, parse_duration
from defidrill.errors import ConfigError
from defidrill.protocol.feeds.control import FAILURE_KINDS, FeedControl

RPC_OPTION = click.option("--rpc-url", envvar="DEFIDRILL_RPC_URL", default="http://127.0.0.1:8545", show_default=True,
                          help="The node (env DEFIDRILL_RPC_URL).")
FROM_OPTION = click.option("--from", "sender", default=None, help="Sender (default: the node's first account).")


def _control(rpc_url: str, sender: str | None) -> FeedControl:
    from defidrill.chain import Chain

    return FeedControl(Chain.attach(rpc_url), sender)


@click.group("feed")
def feed_group() -> None:
    """Drive price and sequencer feeds by address on a running node."""


@feed_group.command("show")
@click.argument("address")
@RPC_OPTION
@reports_errors
def feed_show(address: str, rpc_url: str) -> None:
    """Print the feed's latest round.  Example: defidrill feed show 0x5FbD...0aa3"""
    click.echo(json.dumps(_control(rpc_url, None).latest(address).as_json()))


@feed_group.command("push")
@click.argument("address")
@click.argument("price", type=float)
@click.option("--raw", is_flag=True, help="PRICE is a raw answer in the feed's decimals, not USD.")
@RPC_OPTION
@FROM_OPTION
@reports_errors
def feed_push(address: str, price: float, raw: bool, rpc_url: str, sender: str | None) -> None:
    """Transmit one round.  Example: defidrill feed push 0x5FbD...0aa3 2450.5"""
    control = _control(rpc_url, sender)
    view = control.push(address, answer_raw=int(price)) if raw else control.push(address, price_usd=price)
    click.echo(json.dumps(view.as_json()))


@feed_group.command("fail")
@click.argument("address")
@click.argument("kind", type=click.Choice(FAILURE_KINDS))
@click.option("--age", default="1h", show_default=True, help="stale / future: how old (ahead) updatedAt is.")
@click.option("--factor", type=float, default=2.0, show_default=True, help="spike: answer x factor.")
@click.option("--decimals", type=click.IntRange(0, 36), default=None, help="wrong_decimals: the decimals used.")
@click.option("--min", "min_usd", type=float, default=None, help="clamp: minAnswer in USD.")
@click.option("--max", "max_usd", type=float, default=None, help="clamp: maxAnswer in USD.")
@RPC_OPTION
@FROM_OPTION
@reports_errors
def feed_fail(address: str, kind: str, age: str, factor: float, decimals: int | None, min_usd: float | None,
              max_usd: float | None, rpc_url: str, sender: str | None) -> None:
    """Inject one failure.  Example: defidrill feed fail 0x5FbD...0aa3 stale --age 2h"""
    try:
        age_s = int(parse_duration(age))
    except UnitError as exc:
        raise ConfigError(str(exc), path="--age", value=age) from None
    view = _control(rpc_url, sender).fail(address, kind, age_s=age_s, factor=factor, decimals=decimals,
                                          min_price_usd=min_usd, max_price_usd=max_usd)
    click.echo(json.dumps(view.as_json()))


@feed_group.command("sequencer")
@click.argument("address")
@click.argument("status", type=click.Choice(["down", "up"]))
@RPC_OPTION
@FROM_OPTION
@reports_errors
def feed_sequencer(address: str, status: str, rpc_url: str, sender: str | None) -> None:
    """Report the L2 sequencer down or up.  Example: defidrill feed sequencer 0x9fE4...6e0 down"""
    click.echo(json.dumps(_control(rpc_url, sender).set_sequencer(address, down=status == "down").as_json()))


@feed_group.command("takeover")
@click.argument("address")
@click.option("--sequencer", is_flag=True, help="The address is an L2 sequencer uptime feed.")
@RPC_OPTION
@FROM_OPTION
@reports_errors
def feed_takeover(address: str, sequencer: bool, rpc_url: str, sender: str | None) -> None:
    """Put a feed we did not deploy under control (anvil_setCode).  Example: defidrill feed takeover 0x5f4e...8419"""
    control = _control(rpc_url, sender)
    control.take_over(address, sequencer=sequencer)
    click.echo(json.dumps({**control.latest(address).as_json(), "controller": control.sender}))
