"""Run anvil as a child process on a free loopback port, and always stop it.

Orphans are the failure to avoid: a leaked anvil holds a port and memory after a
crashed test. So the child gets PR_SET_PDEATHSIG (dies with us on Linux), the
node is a context manager, and every live node is also stopped at interpreter exit.
"""

from __future__ import annotations

import atexit
import ctypes
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests
from pydantic import BaseModel, ConfigDict, Field

from defidrill.chain.rpc import DEFAULT_RPC_TIMEOUT_S
from defidrill.errors import ChainError, ConfigError, ToolchainError
from defidrill.toolchain.anvil_binary import find_anvil

#: Anvil's default test mnemonic: well known, never for real funds.
DEFAULT_MNEMONIC = "test test test test test test test test test test test junk"


class AnvilConfig(BaseModel):
    """How to start anvil; every field maps to one anvil flag."""

    model_config = ConfigDict(extra="forbid")

    chain_id: int = Field(31337, ge=1)
    port: int | None = Field(None, ge=1, le=65535, description="None = a free port picked at start")
    gas_limit: int = Field(60_000_000, ge=1_000_000)
    base_fee_wei: int = Field(0, ge=0, description="0 keeps gas accounting simple for drills")
    block_time_s: float | None = Field(None, gt=0, description="None = automine (a block per transaction)")
    accounts: int = Field(10, ge=1, le=1000)
    balance_eth: int = Field(10_000, ge=0)
    mnemonic: str = DEFAULT_MNEMONIC
    fork_url: str | None = None
    fork_block: int | None = Field(None, ge=0)
    auto_impersonate: bool = Field(True, description="any address may send (drill agents are plain addresses)")
    timestamp: int | None = Field(None, ge=0, description="genesis timestamp")
    hardfork: str | None = None
    code_size_limit: int | None = None
    state_history_blocks: int | None = Field(
        None, ge=1, description="None = anvil's default (the state of every block, old ones spilled to disk); N = "
        "--prune-history N: keep the states of the last N blocks only (eth_call at, and debug_traceTransaction "
        "of, an older block then fail with 'Resource not found' / BlockOutOfRangeError)")
    startup_timeout_s: float = Field(20.0, gt=0)
    rpc_timeout_s: float = Field(DEFAULT_RPC_TIMEOUT_S, gt=0, le=3600, description="not an anvil flag: how long "
                                 "our JSON-RPC client waits for an answer (--rpc-timeout)")

    def args(self, port: int) -> list[str]:
        args = [
            "--host", "127.0.0.1",
            "--port", str(port),
            "--chain-id", str(self.chain_id),
            "--gas-limit", str(self.gas_limit),
            "--base-fee", str(self.base_fee_wei),
            "--accounts", str(self.accounts),
            "--balance", str(self.balance_eth),
            "--mnemonic", self.mnemonic,
        ]
        if self.base_fee_wei == 0:
            args += ["--gas-price", "0"]
        if self.block_time_s is not None:
            args += ["--block-time", str(self.block_time_s)]
        if self.fork_url:
            args += ["--fork-url", self.fork_url]
            if self.fork_block is not None:
                args += ["--fork-block-number", str(self.fork_block)]
        if self.auto_impersonate:
            args.append("--auto-impersonate")
        if self.timestamp is not None:
            args += ["--timestamp", str(self.timestamp)]
        if self.hardfork:
            args += ["--hardfork", self.hardfork]
        if self.code_size_limit:
            args += ["--code-size-limit", str(self.code_size_limit)]
        if self.state_history_blocks is not None:
            args += ["--prune-history", str(self.state_history_blocks)]
        return args


def free_port() -> int:
    """A loopback port nobody listens on now (never a fixed one: tests run in parallel)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int) -> bool:
    """Nothing listens on 127.0.0.1:``port`` now (we can bind it ourselves)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def listener_pid_matches(port: int, pid: int) -> bool | None:
    """Whether the socket listening on loopback ``port`` belongs to process ``pid`` (Linux /proc);
    None where /proc cannot tell. A node answering on our port may be someone else's."""
    try:
        inodes = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            if not Path(table).is_file():
                continue
            for line in Path(table).read_text().splitlines()[1:]:
                cols = line.split()
                local, state, inode = cols[1], cols[3], cols[9]
                if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A = LISTEN
                    inodes.add(inode)
        if not inodes:
            return None
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except (OSError, ValueError, IndexError):
        return None
    owned = set()
    for fd in fds:
        try:
            owned.add(str(fd.readlink()))
        except OSError:
            continue  # closed since the listing
    return any(f"socket:[{inode}]" in owned for inode in inodes)


def _die_with_parent() -> None:
    """Runs in the child before exec: ask Linux to SIGTERM it when we die."""
    if sys.platform.startswith("linux"):
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


_LIVE: set[AnvilNode] = set()
_LIVE_LOCK = threading.Lock()


@atexit.register
def _stop_all() -> None:
    with _LIVE_LOCK:
        nodes = list(_LIVE)
    for node in nodes:
        node.stop()


class AnvilNode:
    """A running anvil. Use as a context manager: ``with AnvilNode.start(cfg) as node: ...``."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, config: AnvilConfig, binary: Path, log_path: Path | None):
        self.process = process
        self.port = port
        self.config = config
        self.binary = binary
        self.log_path = log_path
        self.rpc_url = f"http://127.0.0.1:{port}"
        self._log: Any = None

    def output_tail(self, limit: int = 2000) -> str:
        """The end of anvil's own output, for error messages."""
        if self._log is None or self._log.closed:
            return ""
        self._log.flush()
        self._log.seek(0, 2)
        size = self._log.tell()
        self._log.seek(max(0, size - limit))
        tail: bytes = self._log.read()
        return tail.decode(errors="replace")

    @classmethod
    def start(cls, config: AnvilConfig | None = None, *, log_path: Path | None = None) -> AnvilNode:
        config = config or AnvilConfig()
        binary = find_anvil()
        if config.port is not None and not port_is_free(config.port):
            raise ConfigError("the port is in use (another anvil or another program listens there); defidrill "
                              "starts its own node and never deploys into someone else's",
                              path="--port", value=config.port, allowed="a free port, or no --port (a free one is picked)")
        last_error = ""
        for _attempt in range(3):  # a picked port can be taken between bind and anvil's listen
            port = config.port or free_port()
            # A file, never a pipe: a pipe nobody reads fills up and blocks anvil.
            log = open(log_path, "ab") if log_path else tempfile.TemporaryFile()
            try:
                process = subprocess.Popen(
                    [str(binary.path), *config.args(port)],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    preexec_fn=_die_with_parent,
                )
            except OSError as exc:
                log.close()
                raise ToolchainError(f"cannot start anvil at {binary.path}: {exc}") from exc
            node = cls(process, port, config, binary.path, log_path)
            node._log = log
            with _LIVE_LOCK:
                _LIVE.add(node)
            try:
                node._wait_ready(config.startup_timeout_s)
                node._check_identity()
                return node
            except ChainError as exc:
                last_error = str(exc)
                node.stop()
                if config.port is not None:
                    break
        raise ChainError(f"anvil did not start: {last_error}")

    def _wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        payload = {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code is not None:
                raise ChainError(f"anvil exited with status {code} on port {self.port}: {self.output_tail(500).strip()}")
            try:
                reply = requests.post(self.rpc_url, json=payload, timeout=1)
                if reply.ok and "result" in reply.json():
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise ChainError(f"anvil on port {self.port} did not answer within {timeout_s:.0f} s")

    def _check_identity(self) -> None:
        """The node that answered is our child: it is alive and owns the listening socket."""
        if self.process.poll() is not None or listener_pid_matches(self.port, self.process.pid) is False:
            raise ChainError(f"the node answering on port {self.port} is not the anvil defidrill started "
                             f"(pid {self.process.pid}); another process holds the port")

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout_s: float = 5.0) -> None:
        """SIGTERM, then SIGKILL after ``timeout_s``; idempotent."""
        with _LIVE_LOCK:
            _LIVE.discard(self)
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout_s)
        if self._log is not None and not self._log.closed:
            self._log.close()

    def __enter__(self) -> AnvilNode:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"AnvilNode({self.rpc_url}, pid={self.process.pid}, alive={self.alive})"


def start_anvil(config: AnvilConfig | None = None, **kwargs: Any) -> AnvilNode:
    """Start anvil from a config or keyword fields: ``with start_anvil(chain_id=1) as node``."""
    if config is None:
        config = AnvilConfig(**kwargs)
    elif kwargs:
        config = config.model_copy(update=kwargs)
    return AnvilNode.start(config)
