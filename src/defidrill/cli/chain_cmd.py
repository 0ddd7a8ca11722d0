"""`defidrill chain up`: a long-running anvil with the reference protocol, for cast, wallets, ape console."""

from __future__ import annotations

import json
import signal
import sys
import threading
from types import FrameType

import click
import pydantic

from defidrill.chain import AnvilConfig, Chain
from defidrill.cli.errors import reports_errors
from defidrill.errors import ConfigError


def _stop_on(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


@click.group("chain")
def chain_group() -> None:
    """Run a local chain."""


@chain_group.command("up")
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="RPC port; must be free (default: a free loopback port).")
@click.option("--chain-id", type=click.IntRange(min=1), default=31337, show_default=True)
@click.option("--block-time", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Seconds per block, > 0 (default: automine).")
@click.option("--gas-limit", type=click.IntRange(min=1_000_000), default=60_000_000, show_default=True)
@reports_errors
def chain_up(port: int | None, chain_id: int, block_time: float | None, gas_limit: int) -> None:
    """Start anvil, deploy the reference protocol, print ONE line of JSON, run until Ctrl-C/SIGTERM.

    Example: defidrill chain up --port 8545 | tee chain.json
    """
    from defidrill.protocol.reference.deploy import deploy_default_protocol

    signal.signal(signal.SIGTERM, _stop_on)
    signal.signal(signal.SIGHUP, _stop_on)
    try:
        config = AnvilConfig(port=port, chain_id=chain_id, block_time_s=block_time, gas_limit=gas_limit)
    except pydantic.ValidationError as exc:  # the ranges above catch these first; never a traceback
        first = exc.errors()[0]
        raise ConfigError(first["msg"], path="--" + str(first["loc"][0]).replace("_", "-"),
                          value=first.get("input")) from None
    with Chain.launch(config) as chain:
        protocol = deploy_default_protocol(chain)
        line = {
            "rpc_url": chain.rpc_url,
            "chain_id": chain.chain_id,
            "accounts": chain.accounts,
            "contracts": {name: {"address": handle.address} for name, handle in protocol.named_contracts().items()},
        }
        click.echo(json.dumps(line))
        sys.stdout.flush()
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
