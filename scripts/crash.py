"""`ape run crash`: push an oracle price down step by step and print each liquidation as it lands.

Where the protocol comes from:
- `--abi-dir DIR`: a running `defidrill chain up --abi-dir DIR` (use `--network ethereum:defidrill`,
  the network ape-config.yaml names for it, or `ethereum:defidrill:http://127.0.0.1:PORT`); the
  contracts are read from DIR's `{abi, address}` files.
- otherwise: the reference protocol is deployed on the chain ape connected to (ape's own anvil on
  the default `ethereum:local:foundry`).

Then BORROWERS accounts (accounts[3..]) deposit WETH and borrow USDC at 100%, 95%, 90%... of the
pool's LTV, a keeper (the last account) holds USDC, and each step the deployer (the feeds'
transmitter) pushes the WETH price down by DROP; the keeper liquidates every account the pool
reports below health factor 1, and the script prints the pool's `Liquidation` event.

    defidrill ape run crash
    defidrill chain up --port 8545 --abi-dir build/chain &
    defidrill ape run crash --network ethereum:defidrill --abi-dir build/chain
"""

from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand, network_option


@click.command(cls=ConnectedProviderCommand, short_help="Crash the WETH price and print each liquidation")
@network_option()
@click.option("--abi-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="A running `defidrill chain up`'s --abi-dir (default: deploy the reference protocol here).")
@click.option("--steps", type=click.IntRange(1, 200), default=12, show_default=True)
@click.option("--drop", "drop_pct", type=click.FloatRange(0.1, 19.0), default=3.0, show_default=True,
              help="Percent the WETH price falls per step (below the guard's 20% jump limit).")
@click.option("--borrowers", type=click.IntRange(1, 5), default=5, show_default=True)
def cli(provider, abi_dir, steps, drop_pct, borrowers):
    from defidrill.cli.exit_status import reports_errors
    from defidrill.protocol.reference.crash import CrashPlan, run_crash

    @reports_errors
    def run() -> None:
        where = f"{provider.network.ecosystem.name}:{provider.network.name}:{provider.name} ({provider.http_uri})"
        click.echo(f"crash on {where}: " + (f"the protocol of {abi_dir}" if abi_dir else "deploying the reference protocol"))
        run_crash(provider.http_uri, CrashPlan(steps=steps, drop_pct=drop_pct, borrowers=borrowers), abi_dir, click.echo)

    run()
