"""The same contracts through ape's own pytest fixtures (`ape test`), on ape-foundry's anvil.

Proves a user of ape can test against defidrill's contracts unchanged: ape-solidity
compiles them with the solc-js launcher, ape-foundry runs the pinned anvil.
"""

import ape
import pytest


@pytest.fixture
def probe(project, accounts):
    return accounts[0].deploy(project.ChainProbe, 1000)


def test_store_emits_event_through_ape(probe, accounts):
    receipt = probe.store(42, sender=accounts[1])
    assert probe.value() == 42
    [log] = list(receipt.decode_logs(probe.Stored))
    assert log.by == accounts[1].address
    assert log.value == 42


def test_custom_error_reverts_through_ape(probe, accounts):
    with ape.reverts(probe.ValueTooLarge):
        probe.store(1001, sender=accounts[0])
