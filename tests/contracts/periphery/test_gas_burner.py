"""GasBurner (the congested chain's other senders): burns the gas it is given, down to a reserve.

A call's gas: 21,000 intrinsic + 16 per non-zero calldata byte (the 4-byte selector: 64) =
21,064 before the contract runs. ``burn`` loops while gasleft() > RESERVE_GAS (5,000), then
emits Burned: so the transaction uses at least its gas limit - 5,000 and at most all of it.
"""

from __future__ import annotations

import pytest

from defidrill.errors import RevertError

RESERVE_GAS = 5_000
INTRINSIC_GAS = 21_000 + 4 * 16


@pytest.mark.parametrize("gas_limit", [100_000, 2_000_000])
def test_burn_uses_the_gas_limit_down_to_the_reserve(chain, gas_limit: int) -> None:
    burner = chain.deploy("GasBurner")
    receipt = chain.transact(burner.functions.burn(), gas=gas_limit)
    assert gas_limit - RESERVE_GAS <= receipt.gas_used <= gas_limit
    [burned] = receipt.events_named("Burned", burner.address)
    assert burned["sender"] == chain.deployer
    # The loop ran from what was left after the intrinsic cost to the reserve.
    assert gas_limit - INTRINSIC_GAS - RESERVE_GAS - 200 <= burned["gasBurned"] <= gas_limit - INTRINSIC_GAS - RESERVE_GAS + 200


def test_burn_with_less_than_the_reserve_reverts_with_gas_left(chain) -> None:
    burner = chain.deploy("GasBurner")
    # 25,000 gas leaves ~3,900 when burn() starts: under the 5,000 reserve.
    with pytest.raises(RevertError) as err:
        chain.transact(burner.functions.burn(), gas=25_000)
    assert err.value.revert.name == "GasBelowReserve"
    assert err.value.revert.args["reserve"] == RESERVE_GAS
    assert 0 < err.value.revert.args["gasLeft"] <= 25_000 - INTRINSIC_GAS
