"""The crowd of a congested chain: other senders whose gas-burning transactions fill each block.

A ``congestion`` failure (:meth:`defidrill.drill.failures.FailureSchedule.congestion`) says, per
step, what share of every block other senders take and, optionally, the base fee. The crowd
executes it with real transactions: calls to ``GasBurner.burn`` (contracts/periphery) whose gas
limits add up to ``fill`` x the block gas limit. They bid a tip above any agent's
(``CROWD_TIP_WEI``), so the node packs them first and the drill's own transactions share what
is left by their own tips: the crowd's share is the drill's ``fill``, not an outcome of a
bidding war the drill does not model.

Why real filler transactions rather than only ``anvil_setNextBlockBaseFeePerGas``: block SPACE
is the other half of congestion (a keeper that pays the base fee still waits when the block is
full), and anvil computes the next base fee from the real gas used, so with ``base_fee``
omitted the fee follows EIP-1559 by itself (+12.5% per full block, -12.5% per empty one).
``anvil_setNextBlockBaseFeePerGas`` is used only when the drill gives ``base_fee`` (a multiple
or a dated path): a drill mines two blocks per step while the history it rebuilds came from a
chain mining a block every 12 s, so EIP-1559 at the drill's block count could not follow a
recorded fee level; setting it keeps the level whatever the step.
"""

from __future__ import annotations

from dataclasses import dataclass

from defidrill.chain import ChainAPI, Dropped, Receipt, TxRequest
from defidrill.drill.failures import Congestion
from defidrill.drill.schema import CongestionFailure, Drill
from defidrill.errors import ChainError

#: The crowd's tip: above any keeper's bid, so its share of the block is the drill's ``fill``.
CROWD_TIP_WEI = 10_000 * 10**9
#: Gas limit of one filler transaction (a block's share is split into calls of at most this).
FILLER_TX_GAS = 10_000_000
#: ETH the crowd holds: enough for full blocks at thousands of gwei for the whole drill.
CROWD_ETH_WEI = 10**30
CROWD_AGENT = "crowd"

SendResult = Receipt | ChainError | Dropped


def has_congestion(drill: Drill) -> bool:
    return any(isinstance(f, CongestionFailure) for f in drill.failures)


@dataclass
class Crowd:
    """The other senders: one funded address calling a deployed GasBurner."""

    chain: ChainAPI
    address: str
    burner: str
    gas_limit: int

    @classmethod
    def deploy(cls, chain: ChainAPI, gas_limit: int, address: str) -> Crowd:
        """Fund the crowd's address and deploy its GasBurner (one block)."""
        chain.set_balance(address, CROWD_ETH_WEI)
        [receipt] = chain.send_block([chain.deploy_tx("GasBurner", sender=address, gas=500_000)])
        if not isinstance(receipt, Receipt) or not receipt.ok or receipt.contract_address is None:
            raise ChainError(f"congestion: the GasBurner deployment failed: {receipt}")
        return cls(chain, address, receipt.contract_address, gas_limit)

    def filler_txs(self, fill: float) -> list[TxRequest]:
        """Calls to ``burn`` whose gas limits add up to ``fill`` x the block gas limit."""
        total = int(fill * self.gas_limit)
        burn = self.chain.at("GasBurner", self.burner).functions.burn()
        out = []
        while total > 0:
            gas = min(FILLER_TX_GAS, total)
            if gas <= 30_000:  # too little to be a call (21k intrinsic + the loop): leave it free
                break
            out.append(self.chain.tx(burn, sender=self.address, gas=gas, label="congestion filler",
                                     agent=CROWD_AGENT, priority_fee_wei=CROWD_TIP_WEI))
            total -= gas
        return out

    def send(self, txs: list[TxRequest], timestamp: int, load: Congestion) -> list[SendResult]:
        """One congested block: the crowd's fillers and ``txs``; returns the results of ``txs``
        (the fillers' receipts are not the drill's business)."""
        fillers = self.filler_txs(load.fill)
        results = self.chain.send_one_block(txs + fillers, timestamp=timestamp, base_fee_wei=load.base_fee_wei)
        return results[: len(txs)]
