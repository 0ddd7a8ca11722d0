"""Error codes instead of reverts: ``send_expecting_no_error`` refuses a call that returns a non-zero code and
names it; an adapter's ``error_codes()`` names the codes in decoded events (SeizeSharePool.setCollateralFactor,
Compound V2's convention: a rejected call succeeds, emits Failure(error, info) and returns the code)."""

from __future__ import annotations

import pytest

from defidrill.errors import ChainError
from defidrill.protocol.adapter_kit import send_expecting_no_error
from defidrill.protocol.market import BATCH_TX_GAS
from seize_share_adapter import ERROR_CODES


@pytest.fixture
def adapter(defidrill_deploy):
    return defidrill_deploy("seize_share_adapter:SeizeShareAdapter", artifacts="contracts")


def _factor_wad(adapter, symbol: str) -> int:
    return adapter.chain.call(adapter.pool.functions.collaterals(adapter.market.tokens[symbol].address))[2]


def test_a_returned_error_code_is_refused_by_name(adapter) -> None:
    chain, weth = adapter.chain, adapter.market.tokens["WETH"].address
    before = _factor_wad(adapter, "WETH")  # the ProtocolSpec default: WETH's threshold, 82%
    assert before == 82 * 10**16
    fn = adapter.pool.functions.setCollateralFactor(weth, 96 * 10**16)  # above MAX_FACTOR_WAD (95%)
    with pytest.raises(ChainError, match=r"setCollateralFactor returned error code 3 \(FACTOR_TOO_HIGH\)"):
        send_expecting_no_error(chain, [fn], sender=chain.deployer, gas=BATCH_TX_GAS, codes=ERROR_CODES,
                                phase="setting factors")
    assert _factor_wad(adapter, "WETH") == before  # nothing was sent
    stranger = chain.accounts[7]
    with pytest.raises(ChainError, match=r"error code 1 \(UNAUTHORIZED\)"):
        send_expecting_no_error(chain, [adapter.pool.functions.setCollateralFactor(weth, 80 * 10**16)], sender=stranger,
                                gas=BATCH_TX_GAS, codes=ERROR_CODES, phase="setting factors")
    [receipt] = send_expecting_no_error(chain, [adapter.pool.functions.setCollateralFactor(weth, 80 * 10**16)],
                                        sender=chain.deployer, gas=BATCH_TX_GAS, codes=ERROR_CODES, phase="setting")
    assert receipt.ok and _factor_wad(adapter, "WETH") == 80 * 10**16


def test_the_adapter_names_its_codes_in_decoded_events(adapter) -> None:
    chain, weth = adapter.chain, adapter.market.tokens["WETH"].address
    # sent without the helper: the transaction succeeds, and only its Failure event says it did nothing
    receipt = chain.transact(adapter.pool.functions.setCollateralFactor(weth, 99 * 10**16), sender=chain.deployer,
                             gas=BATCH_TX_GAS)
    [failure] = [e for e in receipt.events if e["event"] == "Failure"]
    assert failure["args"] == {"error": 3, "errorName": "FACTOR_TOO_HIGH", "info": 1}
