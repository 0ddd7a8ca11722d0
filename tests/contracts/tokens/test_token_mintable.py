"""MintableERC20: metadata per asset, owner-only mint, holder burn, allowances, supply accounting."""

from __future__ import annotations

import pytest

from defidrill.errors import RevertError

ZERO = "0x0000000000000000000000000000000000000000"
MAX = 2**256 - 1


@pytest.fixture
def usdc(chain):
    return chain.deploy("MintableERC20", "USD Coin", "USDC", 6)


@pytest.mark.parametrize(("name", "symbol", "decimals"),
                         [("Wrapped BTC", "WBTC", 8), ("Wrapped Ether", "WETH", 18), ("USD Coin", "USDC", 6)])
def test_metadata_and_owner(chain, deployer, name, symbol, decimals):
    t = chain.deploy("MintableERC20", name, symbol, decimals).contract.functions
    assert (chain.call(t.name()), chain.call(t.symbol()), chain.call(t.decimals())) == (name, symbol, decimals)
    assert (chain.call(t.owner()), chain.call(t.totalSupply())) == (deployer, 0)


def test_only_the_owner_mints(chain, usdc, deployer, accounts):
    alice = accounts[1]
    f = usdc.contract.functions
    receipt = chain.transact(f.mint(alice, 5_000_000), sender=deployer)
    assert (chain.call(f.balanceOf(alice)), chain.call(f.totalSupply())) == (5_000_000, 5_000_000)
    (ev,) = chain.events(receipt, usdc, "Transfer")
    assert (ev["from"], ev["to"], ev["value"]) == (ZERO, alice, 5_000_000)
    with pytest.raises(RevertError) as err:
        chain.transact(f.mint(alice, 1), sender=alice)
    assert err.value.revert.name == "NotOwner"
    assert err.value.revert.args["caller"].lower() == alice.lower()


def test_transfer_ownership_moves_the_mint_right(chain, usdc, deployer, accounts):
    alice = accounts[1]
    f = usdc.contract.functions
    with pytest.raises(RevertError) as err:
        chain.transact(f.transferOwnership(alice), sender=alice)
    assert err.value.revert.name == "NotOwner"
    with pytest.raises(RevertError) as err:
        chain.transact(f.transferOwnership(ZERO), sender=deployer)
    assert err.value.revert.name == "ZeroOwner"
    receipt = chain.transact(f.transferOwnership(alice), sender=deployer)
    (ev,) = chain.events(receipt, usdc, "OwnershipTransferred")
    assert (ev["previousOwner"], ev["newOwner"]) == (deployer, alice)
    chain.transact(f.mint(alice, 7), sender=alice)
    with pytest.raises(RevertError):
        chain.transact(f.mint(alice, 7), sender=deployer)


def test_burn_and_transfer_need_the_balance(chain, usdc, deployer, accounts):
    alice, bob = accounts[1], accounts[2]
    f = usdc.contract.functions
    chain.transact(f.mint(alice, 100), sender=deployer)
    with pytest.raises(RevertError) as err:
        chain.transact(f.burn(101), sender=alice)
    assert err.value.revert.name == "InsufficientBalance"
    assert (err.value.revert.args["balance"], err.value.revert.args["needed"]) == (100, 101)
    with pytest.raises(RevertError) as err:
        chain.transact(f.transfer(bob, 101), sender=alice)
    assert err.value.revert.name == "InsufficientBalance"
    receipt = chain.transact(f.burn(40), sender=alice)
    (ev,) = chain.events(receipt, usdc, "Transfer")
    assert (ev["from"], ev["to"], ev["value"]) == (alice, ZERO, 40)
    assert (chain.call(f.balanceOf(alice)), chain.call(f.totalSupply())) == (60, 60)


def test_allowance_is_spent_unless_infinite(chain, usdc, deployer, accounts):
    alice, bob, carol = accounts[1], accounts[2], accounts[3]
    f = usdc.contract.functions
    chain.transact(f.mint(alice, 1_000), sender=deployer)
    receipt = chain.transact(f.approve(bob, 300), sender=alice)
    (ev,) = chain.events(receipt, usdc, "Approval")
    assert (ev["owner"], ev["spender"], ev["value"]) == (alice, bob, 300)
    chain.transact(f.transferFrom(alice, carol, 200), sender=bob)
    assert chain.call(f.allowance(alice, bob)) == 100
    with pytest.raises(RevertError) as err:
        chain.transact(f.transferFrom(alice, carol, 101), sender=bob)
    assert err.value.revert.name == "InsufficientAllowance"
    assert (err.value.revert.args["allowance"], err.value.revert.args["needed"]) == (100, 101)
    chain.transact(f.approve(bob, MAX), sender=alice)
    chain.transact(f.transferFrom(alice, carol, 500), sender=bob)
    assert chain.call(f.allowance(alice, bob)) == MAX
    assert chain.call(f.balanceOf(carol)) == 700


def test_supply_equals_mints_minus_burns_from_events(chain, usdc, deployer, accounts):
    f = usdc.contract.functions
    minted = burnt = 0
    for i, amount in enumerate([10**6, 3 * 10**9, 17, 42 * 10**6]):
        who = accounts[1 + i % 3]
        for ev in chain.events(chain.transact(f.mint(who, amount), sender=deployer), usdc, "Transfer"):
            minted += ev["value"] if ev["from"] == ZERO else 0
        for ev in chain.events(chain.transact(f.burn(amount // 3), sender=who), usdc, "Transfer"):
            burnt += ev["value"] if ev["to"] == ZERO else 0
        chain.transact(f.transfer(accounts[5], amount // 3), sender=who)
    assert chain.call(f.totalSupply()) == minted - burnt
    assert sum(chain.call(f.balanceOf(a)) for a in accounts) == minted - burnt
