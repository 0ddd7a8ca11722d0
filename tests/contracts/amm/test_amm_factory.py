"""Factory: CREATE2 addresses, registry in both orders, reverts, and the protocol-fee switch (kLast)."""

from __future__ import annotations

from math import isqrt

import pytest
from eth_utils import keccak, to_checksum_address

from amm_formulas import amount_out, protocol_fee_shares
from defidrill.errors import RevertError

E18 = 10**18
ZERO = "0x0000000000000000000000000000000000000000"


def _create2(factory: str, token0: str, token1: str, init_code_hash: bytes) -> str:
    salt = keccak(bytes.fromhex(token0[2:]) + bytes.fromhex(token1[2:]))
    return to_checksum_address(keccak(b"\xff" + bytes.fromhex(factory[2:]) + salt + init_code_hash)[12:])


def test_create_pair_registers_both_orders_at_the_create2_address(chain, kit, factory, tka, tkb, weth):
    f = factory.contract.functions
    receipt = chain.transact(f.createPair(tkb.address, tka.address))
    t0, t1 = sorted([tka.address, tkb.address], key=lambda a: int(a, 16))
    init_hash = chain.call(f.pairInitCodeHash())
    init_hash = bytes.fromhex(init_hash.removeprefix("0x")) if isinstance(init_hash, str) else bytes(init_hash)
    creation = bytes.fromhex(chain.artifacts.by_name["AmmPair"].bytecode.removeprefix("0x"))
    assert init_hash == keccak(creation)
    expected = _create2(factory.address, t0, t1, init_hash)
    assert chain.call(f.getPair(tka.address, tkb.address)) == expected
    assert chain.call(f.getPair(tkb.address, tka.address)) == expected
    assert chain.call(f.allPairs(0)) == expected
    assert chain.call(f.allPairsLength()) == 1
    (ev,) = chain.events(receipt, factory, "PairCreated")
    assert (ev["token0"], ev["token1"], ev["pair"], ev["pairCount"]) == (t0, t1, expected, 1)
    pair = chain.at("AmmPair", expected).contract.functions
    assert (chain.call(pair.token0()), chain.call(pair.token1()), chain.call(pair.factory())) == (t0, t1, factory.address)
    chain.transact(f.createPair(weth.address, tka.address))
    assert chain.call(f.allPairsLength()) == 2


def test_create_pair_reverts(chain, factory, tka, tkb):
    f = factory.contract.functions
    with pytest.raises(RevertError) as err:
        chain.transact(f.createPair(tka.address, tka.address))
    assert err.value.revert.name == "IdenticalAddresses"
    with pytest.raises(RevertError) as err:
        chain.transact(f.createPair(ZERO, tka.address))
    assert err.value.revert.name == "ZeroAddress"
    chain.transact(f.createPair(tka.address, tkb.address))
    pair = chain.call(f.getPair(tka.address, tkb.address))
    with pytest.raises(RevertError) as err:
        chain.transact(f.createPair(tkb.address, tka.address))
    assert err.value.revert.name == "PairExists"
    assert err.value.revert.args["pair"].lower() == pair.lower()


def test_fee_switch_is_fee_to_setter_only(chain, factory, deployer, alice, bob):
    f = factory.contract.functions
    for call in (f.setFeeTo(alice), f.setFeeToSetter(alice)):
        with pytest.raises(RevertError) as err:
            chain.transact(call, sender=alice)
        assert err.value.revert.name == "NotFeeToSetter"
    chain.transact(f.setFeeTo(bob), sender=deployer)
    chain.transact(f.setFeeToSetter(alice), sender=deployer)
    assert (chain.call(f.feeTo()), chain.call(f.feeToSetter())) == (bob, alice)
    with pytest.raises(RevertError):
        chain.transact(f.setFeeTo(deployer), sender=deployer)


def test_protocol_fee_mints_one_sixth_of_root_k_growth_and_klast_semantics(chain, kit, factory, ab_pair, alice, bob):
    h = ab_pair
    p = h.pair.contract.functions
    chain.transact(factory.contract.functions.setFeeTo(bob))
    r0, r1 = 1_000 * E18, 1_000 * E18
    kit.seed(h, r0, r1, to=alice)
    supply = isqrt(r0 * r1)
    assert chain.call(p.kLast()) == r0 * r1  # fee on: kLast recorded after the mint
    for _ in range(3):  # swaps grow k by the fee; kLast stays until the next mint/burn
        out = amount_out(100 * E18, r0, r1)
        kit.send(h.token0, h.address, 100 * E18)
        chain.transact(p.swap(0, out, alice, b""))
        r0, r1 = r0 + 100 * E18, r1 - out
    assert chain.call(p.kLast()) == 1_000 * E18 * 1_000 * E18
    fee_shares = protocol_fee_shares(supply, r0 * r1, 1_000 * E18 * 1_000 * E18)
    assert fee_shares > 0
    # Burning triggers _mintFee first: feeTo gets exactly the formula's shares.
    burn = chain.call(p.balanceOf(alice)) // 2
    chain.transact(p.transfer(h.address, burn), sender=alice)
    chain.transact(p.burn(alice))
    assert chain.call(p.balanceOf(bob)) == fee_shares
    supply += fee_shares
    out0, out1 = burn * r0 // supply, burn * r1 // supply
    assert chain.call(p.kLast()) == (r0 - out0) * (r1 - out1)
    # Fee off: the next mint/burn resets kLast to 0 and mints nothing more.
    chain.transact(factory.contract.functions.setFeeTo(ZERO))
    kit.send(h.token0, h.address, E18)
    kit.send(h.token1, h.address, E18)
    chain.transact(p.mint(alice))
    assert chain.call(p.kLast()) == 0
    assert chain.call(p.balanceOf(bob)) == fee_shares
