"""The hand-written Lens.scan decoder agrees with ABI decoding on a real scan."""

from __future__ import annotations

import random

from eth_abi import encode as abi_encode

from defidrill.chain import Chain
from defidrill.chain.abi_registry import canonical_type, decode_values
from defidrill.protocol.reference.deploy import deploy
from defidrill.protocol.reference.lens_codec import decode_scan, decode_scan_words, encode_scan_calldata


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


def test_decode_scan_matches_abi_decoding_at_the_edges(artifacts) -> None:
    """Hundreds of accounts (a scan chunk is 250), three assets, words at their extremes (uint max
    health without debt, zero, 2^255, prices unavailable) and lower-case addresses: the hand decoder
    and the ABI path (eth_abi through ``decode_values``, Lens's own ABI) give the same value."""
    [scan_abi] = [i for i in artifacts.get("Lens").abi if i.get("type") == "function" and i["name"] == "scan"]
    rng = random.Random(11)
    assets = ["0x" + rng.randbytes(20).hex() for _ in range(3)]
    extremes = [0, 1, 2**255, 2**256 - 1]
    rows = [("0x" + rng.randbytes(20).hex(), *[rng.choice(extremes + [rng.getrandbits(130)]) for _ in range(6)],
             j % 4 != 0, [rng.choice(extremes + [rng.getrandbits(70)]) for _ in assets]) for j in range(300)]
    types = [canonical_type(o) for o in scan_abi["outputs"]]
    data = abi_encode(types, [assets, rows])
    by_abi = decode_values(scan_abi["outputs"], data)
    assets_by_hand, scans_by_hand = decode_scan(data)
    assert (assets_by_hand, scans_by_hand) == (by_abi[0], by_abi[1])
    assert scans_by_hand[0]["pricesOk"] is False and scans_by_hand[1]["pricesOk"] is True
    assert scans_by_hand[299]["collateralRaw"] == rows[299][8] and scans_by_hand[299]["debtBase"] == rows[299][5]
    assert decode_scan(abi_encode(types, [assets, []])) == (by_abi[0], [])


def _column_rows(data: bytes) -> tuple[list[str], list[dict[str, object]]]:
    """decode_scan_words' arrays read back as decode_scan's dicts (exact ints from the limbs)."""
    from defidrill.chain.abi_registry import checksum
    from defidrill.protocol.account_columns import U256

    words = decode_scan_words(data)
    names = ["account", "healthFactorWad", "collateralValueUsdWad", "liquidationValueUsdWad", "borrowLimitUsdWad",
             "debtBase", "debtUsdWad", "pricesOk"]
    columns = [U256(words.fields[:, j]) for j in range(8)]
    collateral = [U256(words.collateral[:, j]) for j in range(words.collateral.shape[1])]
    rows = []
    for i in range(len(words.account_bytes)):
        row: dict[str, object] = {n: c.int_at(i) for n, c in zip(names, columns)}
        row["account"] = checksum("0x" + words.account_bytes[i].tobytes().hex())
        row["pricesOk"] = row["pricesOk"] != 0
        row["collateralRaw"] = [c.int_at(i) for c in collateral]
        rows.append(row)
    return words.assets, rows


def test_decode_scan_words_matches_decode_scan_at_the_edges(artifacts) -> None:
    """The array decoder (the step read's) gives every word decode_scan gives, at the extremes
    (0, 2^255, 2^256 - 1, values past 2^64 and 2^128), for 300 accounts and for none."""
    [scan_abi] = [i for i in artifacts.get("Lens").abi if i.get("type") == "function" and i["name"] == "scan"]
    rng = random.Random(12)
    assets = ["0x" + rng.randbytes(20).hex() for _ in range(3)]
    extremes = [0, 1, 2**64 - 1, 2**64, 2**128 + 3, 2**255, 2**256 - 1]
    rows = [("0x" + rng.randbytes(20).hex(), *[rng.choice(extremes + [rng.getrandbits(200)]) for _ in range(6)],
             j % 3 != 0, [rng.choice(extremes + [rng.getrandbits(90)]) for _ in assets]) for j in range(300)]
    types = [canonical_type(o) for o in scan_abi["outputs"]]
    data = abi_encode(types, [assets, rows])
    assert _column_rows(data) == decode_scan(data)
    empty = abi_encode(types, [assets, []])
    assert _column_rows(empty) == decode_scan(empty)
    assert decode_scan_words(empty).collateral.shape == (0, 3, 4)


def test_scan_calldata_written_out_is_the_abi_encoding() -> None:
    """encode_scan_calldata (the health bound's per-step part of the accounts) against eth_abi, mixed-case
    checksummed addresses, an empty list and one chunk's worth."""
    rng = random.Random(3)
    pool = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
    selector = "0x12345678"
    for n in (0, 1, 3, 250):
        accounts = ["0x" + "".join(rng.choice("0123456789abcdefABCDEF") for _ in range(40)) for _ in range(n)]
        expected = selector + abi_encode(["address", "address[]"], [pool.lower(), [a.lower() for a in accounts]]).hex()
        assert encode_scan_calldata(selector, pool, accounts) == expected
