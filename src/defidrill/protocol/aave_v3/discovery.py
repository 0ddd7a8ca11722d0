"""The forked book on Aave V3: who owes the drill's base asset, from the Pool's ``Borrow`` events.

Aave V3's Pool emits ``Borrow(address indexed reserve, address user, address indexed onBehalfOf,
uint256 amount, uint8 interestRateMode, uint256 borrowRate, uint16 indexed referralCode)`` for every
borrow; the debt is ``onBehalfOf``'s (``user`` only sent the call, a credit delegate borrowing for
someone). The scan asks the node for the Pool's Borrow logs of the base reserve alone (topic 1),
from ``borrowers.since_block`` to the fork block, in chunks (``protocol.log_scan``). Each account is a
candidate once, in the order of its first borrow; whether it still owes anything is the engine's read,
not the events' (repayments, liquidations and transfers of debt are not replayed here).

Not found this way: an account whose only base borrow came before ``since_block`` (start the scan at
the market's deployment block for the whole book), and debt minted without a ``Borrow`` (Aave V3.0 has
none: flash loans into debt emit Borrow too).
"""

from __future__ import annotations

from defidrill.chain import ChainAPI
from defidrill.protocol.adapter import FoundBorrowers
from defidrill.protocol.log_scan import DEFAULT_CHUNK_BLOCKS, event_topic, scan_logs, topic_address

#: topic0 of Aave V3's Pool ``Borrow`` (the enum InterestRateMode is a uint8 in the signature).
BORROW_TOPIC = event_topic("Borrow(address,address,address,uint256,uint8,uint256,uint16)")


def aave_borrowers(chain: ChainAPI, pool: str, reserve: str, from_block: int, to_block: int, *,
                   reserve_symbol: str, chunk_blocks: int = DEFAULT_CHUNK_BLOCKS) -> FoundBorrowers:
    """Every ``onBehalfOf`` of a Borrow of ``reserve`` from ``pool`` in the range, first borrow first."""
    reserve_topic = "0x" + "00" * 12 + reserve.lower().removeprefix("0x")
    scan = scan_logs(chain, pool, [BORROW_TOPIC, reserve_topic], from_block, to_block, chunk_blocks=chunk_blocks)
    accounts = dict.fromkeys(topic_address(log["topics"][2]) for log in scan.logs)
    return FoundBorrowers(tuple(accounts), f"Borrow events of the Pool {pool} ({reserve_symbol} reserve)", scan)
