"""`defidrill chain up` refuses what it cannot own: a busy port, a node it did not start, bad options."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import requests
from click.testing import CliRunner

from defidrill.chain import AnvilConfig
from defidrill.chain.anvil import AnvilNode, listener_pid_matches, port_is_free
from defidrill.cli.main import cli


def _block_number(rpc_url: str) -> int:
    reply = requests.post(rpc_url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []})
    return int(reply.json()["result"], 16)


def test_chain_up_on_a_port_another_anvil_holds_is_refused_and_deploys_nothing_there() -> None:
    with AnvilNode.start(AnvilConfig()) as foreign:
        assert _block_number(foreign.rpc_url) == 0
        proc = subprocess.run([sys.executable, "-m", "defidrill.cli", "chain", "up", "--port", str(foreign.port)],
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr + proc.stdout
        assert proc.stdout == ""  # no JSON line: nothing was offered to the user
        assert "--port: the port is in use" in proc.stderr and f"(got {foreign.port})" in proc.stderr
        assert _block_number(foreign.rpc_url) == 0, "chain up deployed into another anvil"
        assert foreign.alive


def test_the_node_identity_check_tells_our_anvil_from_another_process() -> None:
    with AnvilNode.start(AnvilConfig()) as node:
        assert not port_is_free(node.port)
        assert listener_pid_matches(node.port, node.process.pid) is True
        assert listener_pid_matches(node.port, os.getpid()) is False  # answering is not owning


@pytest.mark.parametrize(("args", "option"), [
    (["--port", "70000"], "--port"),
    (["--port", "0"], "--port"),
    (["--block-time", "-1"], "--block-time"),
    (["--block-time", "0"], "--block-time"),
    (["--gas-limit", "5"], "--gas-limit"),
    (["--chain-id", "0"], "--chain-id"),
])
def test_bad_chain_up_options_get_a_clean_message(args: list[str], option: str) -> None:
    result = CliRunner(mix_stderr=False).invoke(cli, ["chain", "up", *args])
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.stderr and "validation error" not in result.stderr
    assert f"Invalid value for '{option}'" in result.stderr, result.stderr
