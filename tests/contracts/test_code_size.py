"""EIP-170: the node refuses runtime code above 24,576 bytes, and every contract a drill deploys fits.

anvil enforces the limit unless started with `--code-size-limit` / `--disable-code-size-limit`;
AnvilConfig passes neither by default, so the test chain is mainnet's rule. The first test shows the
real node refusing one byte too many; the others measure what the drill contracts occupy."""

from __future__ import annotations

from defidrill.chain import AnvilConfig, Chain
from defidrill.chain.types import TxRequest

EIP170_MAX_RUNTIME_BYTES = 0x6000  # 24,576


def _initcode_returning(size_bytes: int) -> str:
    """PUSH2 size, PUSH1 0, RETURN: deploys `size_bytes` zero bytes of runtime code."""
    return "0x61" + size_bytes.to_bytes(2, "big").hex() + "6000f3"


def test_the_default_chain_enforces_eip170(chain: Chain) -> None:
    assert not any("code-size" in arg for arg in AnvilConfig().args(8545))
    at_limit = chain.send(TxRequest(chain.deployer, None, _initcode_returning(EIP170_MAX_RUNTIME_BYTES), gas=10_000_000))
    assert at_limit.status == 1 and at_limit.contract_address is not None
    assert len(chain.w3.eth.get_code(at_limit.contract_address)) == EIP170_MAX_RUNTIME_BYTES
    over = chain.send_many([TxRequest(chain.deployer, None, _initcode_returning(EIP170_MAX_RUNTIME_BYTES + 1),
                                      gas=10_000_000)], raise_on_revert=False)[0]
    assert over.status == 0


def test_the_lending_pool_deploys_under_the_limit(chain: Chain) -> None:
    """The pool is split into files by concern but is one contract: its runtime (16,096 bytes measured
    at this split, unchanged by it) must fit the node that refuses 24,577."""
    usdc = chain.deploy("MintableERC20", "Test USDC", "USDC", 6)
    oracle = chain.deploy("FixedPriceOracle")
    pool = chain.deploy("LendingPool", usdc.address, oracle.address)
    assert 0 < len(chain.w3.eth.get_code(pool.address)) <= EIP170_MAX_RUNTIME_BYTES
