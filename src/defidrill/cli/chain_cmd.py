"""`defidrill chain up`: a long-running anvil with the reference protocol, for cast, wallets, ape console."""

from __future__ import annotations

import json
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

import click
import pydantic

from defidrill.chain import AnvilConfig, Chain
from defidrill.cli.exit_status import RPC_TIMEOUT_OPTION, reports_errors
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
@click.option("--fork-url", default=None, help="Fork this JSON-RPC node (deploys nothing; see `defidrill feed takeover`).")
@click.option("--fork-block", type=click.IntRange(min=0), default=None, help="Fork at this block (default: the head).")
@click.option("--abi-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Write one Foundry-style {abi, address} JSON per contract into DIR (DIR/<NAME>.json).")
@RPC_TIMEOUT_OPTION
@reports_errors
def chain_up(port: int | None, chain_id: int, block_time: float | None, gas_limit: int, fork_url: str | None,
             fork_block: int | None, abi_dir: Path | None, rpc_timeout_s: float) -> None:
    """Start anvil, deploy the reference protocol, print ONE line of JSON, run until Ctrl-C/SIGTERM.

    The line: rpc_url, chain_id, accounts, roles (what the deployer, LP and lender accounts may do),
    contracts (NAME -> address, artifact name, decimals for tokens and feeds, and the ABI file).
    With --fork-url, anvil forks that node instead and nothing is deployed: the line names the
    fork (url, block) and the accounts; drive its feeds with `defidrill feed`.

    Example: defidrill chain up --port 8545 --abi-dir build/chain | tee chain.json
    """
    from defidrill.chain.fork import probe_fork_url
    from defidrill.protocol.address_book import chain_up_line, write_abi_dir
    from defidrill.protocol.reference.deploy import deploy_default_protocol

    signal.signal(signal.SIGTERM, _stop_on)
    signal.signal(signal.SIGHUP, _stop_on)
    try:
        config = AnvilConfig(port=port, chain_id=chain_id, block_time_s=block_time, gas_limit=gas_limit,
                             fork_url=fork_url, fork_block=fork_block, rpc_timeout_s=rpc_timeout_s)
    except pydantic.ValidationError as exc:  # the ranges above catch these first; never a traceback
        first = exc.errors()[0]
        raise ConfigError(first["msg"], path="--" + str(first["loc"][0]).replace("_", "-"),
                          value=first.get("input")) from None
    if fork_url is not None and abi_dir is not None:
        raise ConfigError("nothing is deployed on a fork, so there are no ABIs to write", path="--abi-dir",
                          value=str(abi_dir), allowed="--abi-dir without --fork-url")
    if fork_url is not None:  # one clear message (exit 4) before anvil starts
        probe_fork_url(fork_url, fork_block=fork_block, where="--fork-url", block_where="--fork-block")
    with Chain.launch(config) as chain:
        if fork_url is not None:
            line: dict[str, object] = {"rpc_url": chain.rpc_url, "chain_id": chain.chain_id, "accounts": chain.accounts,
                                       "fork": {"url": fork_url, "block": chain.block_number()}}
        else:
            protocol = deploy_default_protocol(chain)
            contracts = protocol.named_contracts()
            if abi_dir is not None:
                abi_dir = abi_dir.resolve()
                write_abi_dir(abi_dir, contracts)
            line = chain_up_line(chain, protocol, contracts, abi_dir)
        click.echo(json.dumps(line))
        sys.stdout.flush()
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
