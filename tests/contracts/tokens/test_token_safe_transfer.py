"""SafeTransferLib against well-behaved and hostile tokens: accept no-return, reject false/garbage/revert/no code."""

from __future__ import annotations

import pytest

from defidrill.errors import RevertError

E18 = 10**18


@pytest.fixture
def probe(chain):
    return chain.deploy("SafeTransferProbe")


def _hostile(chain, name, holder, amount=10 * E18):
    token = chain.deploy(name)
    chain.transact(token.contract.functions.mint(holder, amount))
    return token


@pytest.mark.parametrize("name", ["NoReturnToken", "ReentrantToken"])
def test_tokens_that_return_nothing_or_true_are_accepted(chain, probe, accounts, name):
    alice, bob = accounts[1], accounts[2]
    token = _hostile(chain, name, probe.address)
    t, p = token.contract.functions, probe.contract.functions
    chain.transact(p.transfer(token.address, alice, 3 * E18))
    chain.transact(t.approve(probe.address, E18), sender=alice)
    chain.transact(p.transferFrom(token.address, alice, bob, E18))
    chain.transact(p.approve(token.address, bob, 5))
    assert (chain.call(t.balanceOf(alice)), chain.call(t.balanceOf(bob))) == (2 * E18, E18)
    assert chain.call(t.allowance(probe.address, bob)) == 5


def test_mintable_erc20_is_accepted(chain, probe, accounts):
    token = chain.deploy("MintableERC20", "Wrapped BTC", "WBTC", 8)
    chain.transact(token.contract.functions.mint(probe.address, 10**8))
    chain.transact(probe.contract.functions.transfer(token.address, accounts[1], 10**8))
    assert chain.call(token.contract.functions.balanceOf(accounts[1])) == 10**8


@pytest.mark.parametrize("name", ["FalseReturnToken", "RevertingToken", "GarbageReturnToken"])
def test_false_reverting_and_garbage_tokens_are_rejected_with_one_error_shape(chain, probe, accounts, name):
    alice = accounts[1]
    token = _hostile(chain, name, probe.address)
    p = probe.contract.functions
    with pytest.raises(RevertError) as err:
        chain.transact(p.transfer(token.address, alice, E18))
    assert err.value.revert.name == "TransferFailed"
    assert err.value.revert.args["token"].lower() == token.address.lower()
    assert err.value.revert.args["amount"] == E18
    with pytest.raises(RevertError) as err:
        chain.transact(p.transferFrom(token.address, alice, probe.address, E18))
    assert err.value.revert.name == "TransferFromFailed"
    with pytest.raises(RevertError) as err:
        chain.transact(p.approve(token.address, alice, E18))
    assert err.value.revert.name == "ApproveFailed"


def test_a_reverting_token_reverts_on_its_own_with_its_error(chain, accounts):
    token = chain.deploy("RevertingToken").contract.functions
    with pytest.raises(RevertError) as err:
        chain.transact(token.transfer(accounts[1], 1))
    assert err.value.revert.name == "TokenAlwaysReverts"


def test_a_failed_no_return_transfer_is_rejected(chain, probe, accounts):
    token = _hostile(chain, "NoReturnToken", probe.address, amount=5)
    with pytest.raises(RevertError) as err:  # the token itself refuses (balance 5 < 6)
        chain.transact(token.contract.functions.transfer(accounts[1], 6), sender=accounts[2])
    assert err.value.revert.name == "HostileTokenInsufficient"
    with pytest.raises(RevertError) as err:
        chain.transact(probe.contract.functions.transfer(token.address, accounts[1], 6))
    assert err.value.revert.name == "TransferFailed"


def test_an_address_without_code_is_not_a_token(chain, probe, accounts):
    not_a_token = accounts[7]  # an EOA: the call "succeeds" with no data, which must not count
    with pytest.raises(RevertError) as err:
        chain.transact(probe.contract.functions.transfer(not_a_token, accounts[1], 1))
    assert err.value.revert.name == "TransferFailed"
