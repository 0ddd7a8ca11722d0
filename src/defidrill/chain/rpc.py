"""JSON-RPC over HTTP with batches: the only way a drill reaches thousands of tx per step.

Measured on anvil 1.7.1 (DESIGN.md): sequential web3 ``transact`` ~230 tx/s, one batch
of 5,000 ``eth_sendTransaction`` ~4,000 tx/s. Every reply is kept on the error
(``ChainError.raw``) so nothing the node said is lost.
"""

from __future__ import annotations

import http.client
import itertools
import json
import select
import socket
from urllib.parse import urlsplit
from dataclasses import dataclass
from typing import Any
from collections.abc import Callable, Sequence

import requests

from defidrill.errors import ChainError


#: Seconds a JSON-RPC post may take before it is "no answer" (`--rpc-timeout` on run, chain and feed commands).
#: A 10,000-borrower step's batch takes ~2 s on anvil; a fork's first reads of a remote node can take tens.
DEFAULT_RPC_TIMEOUT_S = 120.0
RPC_TIMEOUT_OPTION = "--rpc-timeout"


def hex_int(value: Any) -> int:
    """A JSON-RPC quantity ("0x1a") or a plain number as an int (None -> 0)."""
    return int(value, 16) if isinstance(value, str) else int(value or 0)


@dataclass(frozen=True)
class RpcReply:
    """One answer of a batch: exactly one of ``result`` / ``error`` is meaningful."""

    method: str
    params: list[Any]
    result: Any = None
    error: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")


class _LoopbackHttp:
    """One keep-alive ``http.client`` connection to a node on this machine: the transport of a drill.

    requests costs ~0.8 ms a post on top of this (measured on anvil: 1.0 vs 0.19 ms for one call;
    a 1,000-borrower drill posts ~1,500 times). A loopback node needs none of what requests adds
    (proxies, TLS, redirects, cookies), so plain ``http://127.x``/``localhost`` URLs take this path and
    every other URL keeps requests. Replies are the same JSON (tests/chain/test_rpc_transport.py)."""

    def __init__(self, url: str, timeout_s: float):
        parts = urlsplit(url)
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=timeout_s)

    def post(self, body: bytes) -> tuple[int, bytes]:
        sock = self._conn.sock
        if sock is not None and select.select([sock], [], [], 0)[0]:
            self._conn.close()  # the node closed the idle connection (readable = EOF): reconnect, as urllib3 does
        self._conn.request("POST", self._path, body, {"Content-Type": "application/json"})
        reply = self._conn.getresponse()
        return reply.status, reply.read()

    def close(self) -> None:
        self._conn.close()


class RpcClient:
    """A keep-alive HTTP JSON-RPC client with batch support."""

    def __init__(self, url: str, *, timeout_s: float = DEFAULT_RPC_TIMEOUT_S, is_alive: Callable[[], bool] | None = None,
                 loopback_fast_path: bool = True):
        """``loopback_fast_path``: a plain-http node on this machine is posted to through ``_LoopbackHttp``;
        False keeps requests for it too (the transport test compares the two)."""
        self.url = url
        self.timeout_s = timeout_s
        self._session = requests.Session()
        # A local node needs no proxy: without this, requests re-reads the proxy environment on
        # every post (~3 ms each, a tenth of a small drill's wall time in the profile).
        self._session.trust_env = not _is_loopback(url)
        fast = loopback_fast_path and _is_loopback(url) and urlsplit(url).scheme == "http"
        self._local = _LoopbackHttp(url, timeout_s) if fast else None
        self._ids = itertools.count(1)
        self._is_alive = is_alive
        #: Posts made so far. A reply of post k tells the node's state until post k + 1: a drill's node has no
        #: other writer, so a read that rode in an earlier post stands while this count has not moved
        #: (``AnvilControls.recalled``).
        self.posts = 0

    def _no_answer(self, exc: Exception, method: str) -> ChainError:
        dead = self._is_alive is not None and not self._is_alive()
        if dead:
            return ChainError(f"the anvil process has exited ({type(exc).__name__}: {exc})", method=method)
        if isinstance(exc, (socket.timeout, TimeoutError, requests.Timeout)):
            return ChainError(f"no answer from {self.url} within {self.timeout_s:g} s (the RPC timeout; raise it "
                              f"with {RPC_TIMEOUT_OPTION} SECONDS)", method=method)
        return ChainError(f"no answer from {self.url} ({type(exc).__name__}: {exc})", method=method)

    def _post(self, payload: Any, method: str) -> Any:
        return self._post_body(json.dumps(payload).encode(), method)

    def _post_body(self, body: bytes, method: str) -> Any:
        self.posts += 1
        if self._local is not None:
            try:
                status, reply_body = self._local.post(body)
            except (OSError, http.client.HTTPException) as exc:
                self._local.close()
                raise self._no_answer(exc, method) from exc
            text = reply_body.decode(errors="replace")
        else:
            try:
                reply = self._session.post(self.url, data=body, headers={"Content-Type": "application/json"},
                                           timeout=self.timeout_s)
            except requests.RequestException as exc:
                raise self._no_answer(exc, method) from exc
            status, text = reply.status_code, reply.text
        if not 200 <= status < 400:
            raise ChainError(f"HTTP {status} from {self.url}: {text[:300]}", method=method)
        try:
            return json.loads(text)
        except ValueError as exc:
            raise ChainError(f"non-JSON reply from {self.url}: {text[:300]}", method=method) from exc

    def request(self, method: str, params: Sequence[Any] | None = None) -> Any:
        """One call; raises ChainError carrying the node's error object."""
        payload = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": list(params or [])}
        data = self._post(payload, method)
        if "error" in data:
            err = data["error"]
            raise ChainError(str(err.get("message", err)), method=method, raw=err)
        return data.get("result")

    #: Largest request body one post carries. anvil (axum) refuses a body over 2 MiB as a whole with
    #: ``-32600 Invalid request``: measured, the 50,000-borrower read (200 Lens.scan calls of 250 addresses,
    #: ~16 KiB each, 3.2 MiB) was refused at step 0; the 20,000-borrower read (1.3 MiB) passed.
    MAX_BODY_BYTES = 1 << 20

    def batch(self, calls: Sequence[tuple[str, Sequence[Any]]], *, chunk: int = 2000) -> list[RpcReply]:
        """Send many calls as JSON-RPC batches; replies come back in call order. A post carries at most
        ``chunk`` calls and ``MAX_BODY_BYTES`` of request (a single larger call goes alone)."""
        replies: list[RpcReply] = []
        for start in range(0, len(calls), chunk):
            part = calls[start : start + chunk]
            ids = [next(self._ids) for _ in part]
            bodies = [json.dumps({"jsonrpc": "2.0", "id": i, "method": m, "params": list(p)}).encode()
                      for i, (m, p) in zip(ids, part)]
            data: list[Any] = []
            sent = 0
            while sent < len(bodies):
                end, size = sent + 1, len(bodies[sent])
                while end < len(bodies) and size + len(bodies[end]) + 1 <= self.MAX_BODY_BYTES:
                    size += len(bodies[end]) + 1
                    end += 1
                answer = self._post_body(b"[" + b",".join(bodies[sent:end]) + b"]", part[sent][0])
                if isinstance(answer, dict):  # the whole batch was refused
                    err = answer.get("error", answer)
                    raise ChainError(f"batch refused: {err}", method="batch", raw=answer)
                data += answer
                sent = end
            by_id = {item.get("id"): item for item in data}
            for i, (method, params) in zip(ids, part):
                item = by_id.get(i)
                if item is None:
                    replies.append(RpcReply(method, list(params), error={"message": "missing from batch reply"}))
                elif "error" in item:
                    replies.append(RpcReply(method, list(params), error=item["error"]))
                else:
                    replies.append(RpcReply(method, list(params), result=item.get("result")))
        return replies

    def close(self) -> None:
        if self._local is not None:
            self._local.close()
        self._session.close()
