"""`defidrill feed ...` against a running node, in a real subprocess: JSON out, exit statuses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from defidrill.chain import Chain

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    return subprocess.run([sys.executable, "-m", "defidrill.cli", "feed", *args], capture_output=True, text=True,
                          env=env, timeout=120)


def test_push_fail_takeover_and_refusals(chain: Chain) -> None:
    feed = chain.deploy("ForeignAggregator", 8, "ETH / USD", 1)
    chain.transact(feed.functions.report(3_000_00000000))
    url = ["--rpc-url", chain.rpc_url]
    out = _cli("takeover", feed.address, *url)
    assert out.returncode == 0, out.stderr
    line = json.loads(out.stdout)
    assert (line["description"], line["decimals"], line["round_id"], line["price_usd"]) == ("ETH / USD", 8, 2**64 + 1, 3000.0)
    out = _cli("push", feed.address, "2450.5", *url)
    assert json.loads(out.stdout)["answer_raw"] == 245_050_000_000
    out = _cli("fail", feed.address, "stale", "--age", "2h", *url)
    line = json.loads(out.stdout)
    assert line["updated_at"] <= chain.timestamp() - 7200 + 1 and line["answer_raw"] == 245_050_000_000
    # a token is not a feed: exit 2 naming the address; a bad duration: exit 2 naming the option
    token = chain.deploy("MintableERC20", "USD Coin", "USDC", 6)
    out = _cli("push", token.address, "1", *url)
    assert out.returncode == 2 and f"{token.address} is not an AggregatorV3" in out.stderr and "Traceback" not in out.stderr
    out = _cli("fail", feed.address, "stale", "--age", "soon", *url)
    assert out.returncode == 2 and "--age" in out.stderr
    # a node that does not answer: exit 4
    out = _cli("show", feed.address, "--rpc-url", "http://127.0.0.1:9")
    assert out.returncode == 4 and "no answer from http://127.0.0.1:9" in out.stderr


def test_a_feeds_custom_error_is_decoded_by_name(chain: Chain) -> None:
    """A push outside a clamp reverts the feed's own `MedianNotInMinMax(answer, min, max)`: named, with its
    arguments, not hex."""
    feed = chain.deploy("ForeignAggregator", 8, "ETH / USD", 1)
    chain.transact(feed.functions.report(3_000_00000000))
    url = ["--rpc-url", chain.rpc_url]
    assert _cli("takeover", feed.address, *url).returncode == 0
    assert _cli("fail", feed.address, "clamp", "--min", "1000", "--max", "5000", *url).returncode == 0
    out = _cli("push", feed.address, "6000", *url)
    assert out.returncode == 4, out.stderr
    assert "MedianNotInMinMax(answer=600000000000, minAnswer=100000000000, maxAnswer=500000000000)" in out.stderr, out.stderr
    assert "Traceback" not in out.stderr
