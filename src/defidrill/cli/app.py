"""The `defidrill` command group: each subcommand lives in its own module (the entry point is ``cli.main``)."""

from __future__ import annotations

import click

from defidrill.cli.chain_cmd import chain_group
from defidrill.cli.compare_cmd import compare_cmd, list_cmd
from defidrill.cli.feed_cmd import feed_group
from defidrill.cli.report_cmd import report_cmd
from defidrill.cli.risk_cmd import risk_cmd
from defidrill.cli.run_cmd import demo_cmd, run_cmd, validate_cmd
from defidrill.cli.suite_cmd import suite_cmd
from defidrill.cli.sweep_cmd import sweep_cmd
from defidrill.cli.toolchain_cmd import ape_cmd, toolchain_cmd


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="defidrill")
def cli() -> None:
    """defidrill: a crash-test lab for DeFi."""


cli.add_command(chain_group)
cli.add_command(feed_group)
cli.add_command(toolchain_cmd)
cli.add_command(ape_cmd)
cli.add_command(run_cmd)
cli.add_command(validate_cmd)
cli.add_command(demo_cmd)
cli.add_command(report_cmd)
cli.add_command(compare_cmd)
cli.add_command(list_cmd)
cli.add_command(sweep_cmd)
cli.add_command(suite_cmd)
cli.add_command(risk_cmd)
