"""The loopback transport (``http.client``) answers exactly as requests does, errors included."""

from __future__ import annotations

import pytest

from defidrill.chain import AnvilNode, Chain
from defidrill.chain.rpc import RpcClient
from defidrill.errors import ChainError


def _clients(url: str) -> tuple[RpcClient, RpcClient]:
    fast, plain = RpcClient(url), RpcClient(url, loopback_fast_path=False)
    assert fast._local is not None and plain._local is None  # the two paths under test
    return fast, plain


def test_same_replies_through_both_transports(chain: Chain) -> None:
    probe = chain.deploy("ChainProbe", 1000)  # 1000: the largest value it stores
    chain.transact(probe.functions.store(7))
    to, store_too_large = chain.encode(probe.functions.store(2000))
    _, read = chain.encode(probe.functions.value())
    calls = [("eth_chainId", []), ("eth_getBalance", [chain.accounts[1], "latest"]),
             ("eth_call", [{"to": to, "data": read}, "latest"]),
             ("eth_call", [{"from": chain.accounts[0], "to": to, "data": store_too_large}, "latest"]),  # reverts
             ("eth_nosuchMethod", [])] * 400  # 2,000 calls: one full batch chunk
    fast, plain = _clients(chain.rpc_url)
    by_fast, by_plain = fast.batch(calls), plain.batch(calls)
    assert by_fast == by_plain
    assert by_fast[0].result == hex(chain.chain_id) and int(by_fast[2].result, 16) == 7
    assert by_fast[3].error is not None and by_fast[3].error["data"].startswith("0x")  # ValueTooLarge's revert data
    assert by_fast[4].error == {"code": -32601, "message": "Method not found"}
    for client in (fast, plain):
        with pytest.raises(ChainError, match="Method not found") as caught:
            client.request("eth_nosuchMethod")
        assert caught.value.raw == {"code": -32601, "message": "Method not found"}
        client.close()


def test_same_errors_through_both_transports() -> None:
    with AnvilNode.start() as node:
        for client in _clients(node.rpc_url + "/no-such-path"):
            with pytest.raises(ChainError, match=r"HTTP 404 from http://127\.0\.0\.1:\d+/no-such-path"):
                client.request("eth_chainId")
        clients = _clients(node.rpc_url)
        assert [c.request("eth_chainId") for c in clients] == ["0x7a69", "0x7a69"]  # connected and kept alive
    for client in clients:  # the node is gone: the same clear error, never a hang
        with pytest.raises(ChainError, match=r"no answer from http://127\.0\.0\.1"):
            client.request("eth_chainId")


def test_a_batch_over_the_node_body_limit_is_posted_in_parts(chain: Chain) -> None:
    """anvil refuses a request body over 2 MiB as a whole (-32600): a batch is split into posts of at most
    ``MAX_BODY_BYTES`` and its replies still come back in call order. 300 calls of ~16 KiB calldata (the
    size of a 250-account Lens.scan) make a 4.8 MiB batch; the client's own limit lowered to 100 KiB
    splits even a 1,000-call batch of small ones."""
    probe = chain.deploy("ChainProbe", 1000)
    chain.transact(probe.functions.store(9))
    to, read = chain.encode(probe.functions.value())
    padded = read + "00" * 16_000  # extra calldata is ignored by the function, not by the HTTP server
    calls = [("eth_call", [{"to": to, "data": padded}, "latest"]), ("eth_chainId", [])] * 150
    raw = chain.rpc_url
    # anvil answers an oversized body with -32600, or, mid-upload, closes the connection (a broken pipe:
    # seen in CI under load); either way the one post fails, which is what splitting avoids
    with pytest.raises(ChainError, match=r"batch refused|no answer from .*Broken pipe"):
        big = RpcClient(raw)
        big.MAX_BODY_BYTES = 8 << 20  # the old behaviour: one post
        big.batch(calls)
    client = RpcClient(raw)
    replies = client.batch(calls)
    assert [int(r.result, 16) for r in replies[0::2]] == [9] * 150
    assert [r.result for r in replies[1::2]] == [hex(chain.chain_id)] * 150
    small = RpcClient(raw)
    small.MAX_BODY_BYTES = 100 << 10
    many = [("eth_call", [{"to": to, "data": read}, "latest"])] * 1000
    assert [int(r.result, 16) for r in small.batch(many)] == [9] * 1000
