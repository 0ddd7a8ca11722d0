"""`defidrill toolchain` and `defidrill ape`: what compiler and node we use, and ape on the same ones."""

from __future__ import annotations

import os
import shutil
import sys

import click

from defidrill.cli.exit_status import reports_errors
from defidrill.toolchain import compile_project, find_anvil, find_solc
from defidrill.toolchain.solc_binary import solcx_binary_dir


@click.command("toolchain")
@click.option("--compile/--no-compile", "do_compile", default=True, show_default=True)
@reports_errors
def toolchain_cmd(do_compile: bool) -> None:
    """Show the anvil and solc in use and compile the contracts (cached).

    Example: defidrill toolchain
    """
    anvil = find_anvil()
    solc = find_solc()
    click.echo(f"anvil  {anvil.version}  ({anvil.source}: {anvil.path})")
    click.echo(f"solc   {solc.long_version}  ({solc.kind}: {solc.path})")
    if do_compile:
        artifacts = compile_project()
        state = "cache hit" if artifacts.from_cache else "compiled"
        click.echo(f"contracts  {len(artifacts.by_name)} ({state}, key {artifacts.source_hash[:12]})")


def ape_environment() -> dict[str, str]:
    """PATH and SOLCX_BINARY_PATH such that ape-foundry and ape-solidity use our anvil and solc."""
    anvil = find_anvil()
    solc = find_solc()
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(anvil.path.parent), env.get("PATH", "")])
    if solc.kind == "solc-js":
        env["SOLCX_BINARY_PATH"] = str(solcx_binary_dir())
    return env


@click.command("ape", add_help_option=False,  # `defidrill ape run --help` is ape's help, not ours
               context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []})
@click.argument("ape_args", nargs=-1, type=click.UNPROCESSED)
@reports_errors
def ape_cmd(ape_args: tuple[str, ...]) -> None:
    """Run ape with defidrill's anvil and solc (e.g. `defidrill ape compile`, `defidrill ape test tests/ape`)."""
    env = ape_environment()
    ape = shutil.which("ape", path=os.path.dirname(sys.executable)) or shutil.which("ape")
    if ape is None:
        raise click.ClickException("ape is not installed in this environment (run `make bootstrap`)")
    args = list(ape_args)
    if args[:1] == ["test"]:
        # Our pyproject disables ape's pytest plugin for plain pytest runs; `ape test` needs it back,
        # and must not load defidrill's own fixtures (tests/conftest.py), which share ape's names.
        test_dir = next((a for a in args[1:] if not a.startswith("-")), "tests/ape")
        args[1:1] = ["-o", "addopts=", f"--confcutdir={test_dir}"]
    os.execve(ape, [ape, *args], env)
