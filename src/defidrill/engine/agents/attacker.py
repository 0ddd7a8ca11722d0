"""The spot-manipulation attacker: one transaction through the SpotManipulator contract.

Size (``pricing.base_in_for``): either ``size_usd`` of base, or the base input that moves the pair's spot to
``target_multiplier`` x the reference. Constant product: to multiply the price of the
asset by m, the base reserve must grow by sqrt(m), so
    base_in = base_reserve x (sqrt(m) - 1) / 0.997.
The attacker's capital stands for a flash loan from another venue; it is minted to the
attacker at seeding (``capital_needed``).
"""

from __future__ import annotations

from defidrill.chain import TxIntent, TxRequest
from defidrill.drill.actions import SpotManipulation
from defidrill.engine.agents.context import StepContext
from defidrill.engine.agents.pricing import base_in_for, pair_asset
from defidrill.protocol_terms.amounts import usd_to_raw_half_even

ATTACK_GAS = 2_000_000


class Attacker:
    def __init__(self, address: str, contract_address: str | None) -> None:
        self.address = address
        self.contract = contract_address
        self.attempts = 0

    def act(self, ctx: StepContext, actions: list[SpotManipulation]) -> list[TxRequest]:
        if not actions or ctx.latest is None or self.contract is None:
            return []
        p = ctx.world.market
        cfg = p.config
        manipulator = ctx.chain.at("SpotManipulator", self.contract)
        out = []
        for action in actions:
            sym = pair_asset(action.pair, cfg.base.symbol)
            _asset_raw, base_raw = ctx.latest.reserves[sym]
            base_in = base_in_for(action, base_raw, ctx.reference_usd[cfg.base.symbol], cfg.base.decimals)
            borrow = 0 if action.borrow_usd is None else usd_to_raw_half_even(
                action.borrow_usd, ctx.reference_usd[cfg.base.symbol], cfg.base.decimals)
            self.attempts += 1
            fn = manipulator.functions.attack(ctx.world.lending.spender, p.pairs[sym].address, p.tokens[sym].address, base_in,
                                              borrow)
            out.append(ctx.chain.tx(fn, sender=self.address, gas=ATTACK_GAS, label=f"spot manipulation {action.pair}",
                                    agent="attacker", intent=TxIntent("attack")))
        return out
