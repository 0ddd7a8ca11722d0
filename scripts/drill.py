"""`ape run drill DRILL`: a defidrill drill on the chain ape connects to.

DRILL is a drill file or a library drill's name (`flash-crash`, `stale-feed-crash`...). The drill
runs on the node behind ape's network choice, through its RPC URL (`Chain.attach`): ape's own
anvil on the default `ethereum:local:foundry`, a running `defidrill chain up` with
`--network ethereum:defidrill`, any anvil with `--network ethereum:local:http://...`. The drill's
chain settings are applied over anvil's RPC (impersonation, gas limit, base fee); block times
start after the node's latest block, so figures match a `defidrill run` of the same drill up to
the timestamps. The run folder is written as `defidrill run` writes it.

    defidrill ape run drill flash-crash --set borrowers.count=50
    defidrill ape run drill oracles/stale-feed-crash.yaml --network ethereum:defidrill --out runs/stale
"""

from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand, network_option


@click.command(cls=ConnectedProviderCommand, short_help="Run a defidrill drill on ape's chain")
@network_option()
@click.argument("drill")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Run folder (default runs/<drill>-<UTC timestamp>/).")
@click.option("--seed", type=int, default=None, help="Override the drill's seed.")
@click.option("--force", is_flag=True, help="Clear the run already in --out first.")
@click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE", help="Override a field of the drill.")
def cli(provider, drill, out_dir, seed, force, overrides):
    from defidrill.cli.exit_status import reports_errors
    from defidrill.cli.run_cmd import print_outcome
    from defidrill.drill import resolve_drill
    from defidrill.runner import run_drill

    @reports_errors
    def run() -> None:
        click.echo(f"drill on {provider.network.ecosystem.name}:{provider.network.name}:{provider.name} "
                   f"({provider.http_uri}, chain id {provider.chain_id})")
        outcome = run_drill(resolve_drill(drill), out_dir=out_dir, seed=seed, progress=False, force=force,
                            overrides=overrides, rpc_url=provider.http_uri)
        print_outcome(outcome.run_dir, outcome.summary)

    run()
