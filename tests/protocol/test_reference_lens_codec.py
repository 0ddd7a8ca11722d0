"""The hand-written Lens.scan decoder agrees with ABI decoding on a real scan."""

from __future__ import annotations

from defidrill.chain import Chain
from defidrill.protocol.reference.deploy import deploy
from defidrill.protocol.reference.lens_codec import decode_scan


def test_decode_scan_matches_abi_decoding(chain: Chain) -> None:
    p = deploy(chain)
    wbtc = p.tokens["WBTC"]
    accounts = [chain.accounts[3], chain.accounts[4], "0x00000000000000000000000000000000000000AA"]
    chain.transact(wbtc.functions.mint(accounts[0], 10**8))
    chain.transact(wbtc.functions.approve(p.pool.address, 10**8), sender=accounts[0])
    chain.transact(p.pool.functions.depositCollateral(wbtc.address, 10**8), sender=accounts[0])
    # Explicit gas: the first accrual after idle time costs more than an estimate at the previous timestamp.
    chain.transact(p.pool.functions.borrow(30_000 * 10**6), sender=accounts[0], gas=1_000_000)
    fn = p.lens.functions.scan(p.pool.address, accounts)
    by_abi = chain.call(fn)
    by_hand = chain.call_many([chain.prepare(fn, decode_scan)])[0]
    assert by_hand == (by_abi[0], by_abi[1]) or by_hand == tuple(by_abi)
    assets, scans = by_hand
    assert scans[0]["debtBase"] == 30_000 * 10**6
    assert scans[0]["collateralRaw"][assets.index(wbtc.address)] == 10**8
    assert scans[2]["collateralRaw"] == [0] * len(assets)
