"""`defidrill chain up`: one line of JSON, a usable chain, a clean exit on SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import requests

from support.processes import wait_dead


def test_chain_up_prints_json_and_stops_on_sigterm() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "defidrill.cli", "chain", "up", "--chain-id", "1337"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = proc.stdout.readline()
        info = json.loads(line)
        assert set(info) >= {"rpc_url", "chain_id", "accounts", "contracts"}
        assert info["chain_id"] == 1337
        assert info["rpc_url"].startswith("http://127.0.0.1:")
        reply = requests.post(info["rpc_url"], json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []})
        assert int(reply.json()["result"], 16) == 1337
        for name, entry in info["contracts"].items():
            code = requests.post(info["rpc_url"], json={"jsonrpc": "2.0", "id": 1, "method": "eth_getCode",
                                                        "params": [entry["address"], "latest"]}).json()["result"]
            assert len(code) > 2, f"{name} has no code"
        anvil_pids = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
        assert anvil_pids, "anvil should run as a child of `chain up`"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    assert proc.returncode == 0, proc.stderr.read()
    for pid in anvil_pids:
        assert wait_dead(int(pid))
