"""anvil starts on a free port and never outlives its owner: passing, failing or killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from defidrill.chain import AnvilConfig, AnvilNode, Chain
from defidrill.errors import ChainError
from support.processes import alive as _alive, wait_dead as _wait_dead


def test_config_is_applied(artifacts) -> None:
    config = AnvilConfig(chain_id=4242, gas_limit=30_000_000, accounts=3)
    with Chain.launch(config, artifacts) as chain:
        assert chain.chain_id == 4242
        assert len(chain.accounts) == 3
        block = chain.rpc.request("eth_getBlockByNumber", ["latest", False])
        assert int(block["gasLimit"], 16) == 30_000_000


def test_two_nodes_get_different_free_ports() -> None:
    with AnvilNode.start() as a, AnvilNode.start() as b:
        assert a.port != b.port
        assert a.alive and b.alive


def test_stopped_when_the_body_raises() -> None:
    pid = None
    with pytest.raises(RuntimeError):
        with AnvilNode.start() as node:
            pid = node.process.pid
            raise RuntimeError("test body failed")
    assert pid is not None and _wait_dead(pid)


def test_dead_anvil_gives_a_clear_chain_error(artifacts) -> None:
    with Chain.launch(artifacts=artifacts) as chain:
        chain.node.process.kill()
        chain.node.process.wait()
        with pytest.raises(ChainError, match="anvil process has exited"):
            chain.block_number()


def test_no_orphan_when_the_python_process_is_killed(tmp_path) -> None:
    """SIGKILL leaves no chance to clean up: PR_SET_PDEATHSIG must take anvil down with us."""
    script = textwrap.dedent(
        """
        import sys, time
        from defidrill.chain import AnvilNode
        node = AnvilNode.start()
        print(node.process.pid, flush=True)
        time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    anvil_pid = int(proc.stdout.readline())
    assert _alive(anvil_pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert _wait_dead(anvil_pid), f"anvil {anvil_pid} outlived its killed parent"


def test_no_orphan_when_a_pytest_test_fails(tmp_path) -> None:
    """Run a failing test in a child pytest session using the chain fixture; anvil must be gone after."""
    test_file = tmp_path / "test_fails.py"
    test_file.write_text(
        textwrap.dedent(
            """
            import os
            def test_fails(chain):
                with open(os.environ["PID_FILE"], "w") as f:
                    f.write(str(chain.node.process.pid))
                assert False, "deliberate"
            """
        )
    )
    conftest = os.path.join(os.path.dirname(__file__), "..", "conftest.py")
    (tmp_path / "conftest.py").write_text(open(conftest).read())
    pid_file = tmp_path / "pid"
    env = dict(os.environ, PID_FILE=str(pid_file))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:ape_test", "-p", "no:cacheprovider", str(test_file)],
        env=env, capture_output=True, text=True, cwd=tmp_path,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert _wait_dead(int(pid_file.read_text()))


def test_attach_and_fork_from_a_running_node(artifacts) -> None:
    """`Chain.attach` uses a node someone else runs; `fork_url` starts anvil on top of its state."""
    with Chain.launch(artifacts=artifacts) as origin:
        probe = origin.deploy("ChainProbe", 1000)
        origin.transact(probe.functions.store(5))
        fork_block = origin.block_number()

        attached = Chain.attach(origin.rpc_url, artifacts)
        assert attached.call(attached.at("ChainProbe", probe.address).functions.value()) == 5

        config = AnvilConfig(fork_url=origin.rpc_url, fork_block=fork_block)
        with Chain.launch(config, artifacts) as fork:
            forked = fork.at("ChainProbe", probe.address)
            assert fork.call(forked.functions.value()) == 5  # the origin's state at the fork block
            fork.transact(forked.functions.store(9))
            assert fork.call(forked.functions.value()) == 9
        assert origin.call(probe.functions.value()) == 5  # the fork never writes back


def test_state_history_reaches_anvil_and_bounds_old_state_reads(artifacts) -> None:
    """``state_history_blocks`` is anvil's --prune-history: the last N blocks' states stay readable and
    older ones are refused loudly. Revert data needs no state (kept at mining); a failure without
    it (out of gas) is traced, and a trace past the history is a ChainError, never a silent None.
    Logs, which are not state, stay whole."""
    assert "--prune-history" not in AnvilConfig().args(8545)
    with Chain.launch(AnvilConfig(state_history_blocks=4), artifacts) as chain:
        cmdline = Path(f"/proc/{chain.node.process.pid}/cmdline").read_bytes().split(b"\0")
        assert cmdline[cmdline.index(b"--prune-history") + 1] == b"4"
        probe = chain.deploy("ChainProbe", 1000)
        stored = chain.transact(probe.functions.store(7))
        too_large, out_of_gas = chain.send_many([chain.tx(probe.functions.store(2000), gas=100_000),
                                                 chain.tx(probe.functions.store(5), gas=30_000)], raise_on_revert=False)
        assert not too_large.ok and not out_of_gas.ok and too_large.block_number == stored.block_number + 1
        reasons = chain.revert_reasons([too_large.tx_hash, out_of_gas.tx_hash])
        assert reasons[0].name == "ValueTooLarge" and reasons[0].args == {"value": 2000, "max": 1000}
        assert reasons[1] is None  # out of gas: the trace says so, no revert data
        assert chain.call(probe.functions.value(), block=stored.block_number) == 7
        chain.mine(6)
        [reason] = chain.revert_reasons([too_large.tx_hash])
        assert reason.name == "ValueTooLarge"
        with pytest.raises(ChainError, match="no trace of failed transaction"):
            chain.revert_reasons([out_of_gas.tx_hash])
        with pytest.raises(ChainError):
            chain.call(probe.functions.value(), block=stored.block_number)
        assert [log["transactionHash"] for log in chain.raw_logs(0, address=probe.address)] == [stored.tx_hash]
    with Chain.launch(AnvilConfig(), artifacts) as full:  # anvil's default keeps them all
        probe = full.deploy("ChainProbe", 1000)
        [out_of_gas] = full.send_many([full.tx(probe.functions.store(5), gas=30_000)], raise_on_revert=False)
        full.mine(6)
        assert full.revert_reasons([out_of_gas.tx_hash]) == [None]
