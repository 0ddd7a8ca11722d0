"""Borrowers who defend their positions: top up collateral or repay when health falls.

A borrower drawn as reactive (``reaction.probability``, drawn once per borrower at
population time) starts its clock the first step its health factor (as the protocol
sees it) drops below ``when_health_below``; ``delay`` later it acts once, bringing its
health back to ``target_health``:
    top_up: add  (target x debt_usd - liquidation_value_usd) / (price x threshold) collateral
    repay:  repay debt_usd - liquidation_value_usd / target   (in base)
The funds come from outside the drill (the funder mints and deposits or repays on the
borrower's behalf, like Aave's onBehalfOf), so one sender keeps the batch ordered.
"""

from __future__ import annotations

from defidrill.chain import TxIntent, TxRequest
from defidrill.engine.agents.context import StepContext
from defidrill.engine.observe import AccountView
from defidrill.protocol_terms.fixed_point import WAD
from defidrill.drill.population import BorrowerPlan

REACTION_GAS = 400_000
REACTION = TxIntent("borrower_reaction")


class ReactiveBorrowers:
    def __init__(self, borrowers: list[BorrowerPlan], delay_steps: int) -> None:
        self.reactive = {b.address: b for b in borrowers if b.reacts}
        self.delay_steps = delay_steps
        self.due_at: dict[str, int] = {}
        self.done: set[str] = set()
        self.reactions = 0

    def act(self, ctx: StepContext) -> list[TxRequest]:
        obs = ctx.latest
        if obs is None or not self.reactive:
            return []
        cfg = ctx.world.drill.borrowers.reaction
        trigger_wad = int(cfg.when_health_below * WAD)
        out: list[TxRequest] = []
        for account in obs.accounts:
            if account.address not in self.reactive or account.address in self.done:
                continue
            if account.address not in self.due_at:
                if account.debt_base > 0 and account.prices_ok and account.health_factor_wad < trigger_wad:
                    self.due_at[account.address] = ctx.step + self.delay_steps
                continue
            if ctx.step >= self.due_at[account.address]:
                self.done.add(account.address)
                out += self._defend(ctx, account, cfg.action, cfg.target_health)
        return out

    def _defend(self, ctx: StepContext, account: AccountView, action: str, target: float) -> list[TxRequest]:
        market, markets, lending = ctx.world.market, ctx.world.markets, ctx.world.lending
        plan = self.reactive[account.address]
        debt_usd = account.debt_usd_wad / WAD
        liq_usd = account.liquidation_value_usd_wad / WAD
        if account.debt_base == 0 or debt_usd <= 0 or liq_usd >= target * debt_usd:
            return []
        funder = ctx.world.funder
        self.reactions += 1
        label = f"defend borrower:{plan.index} {action}"
        agent = f"borrower:{plan.index}"
        if action == "top_up":
            sym = plan.collateral
            guard = ctx.latest.guard[sym] if ctx.latest else None
            if guard is None or not guard.ok or guard.price_wad == 0:
                return []
            threshold = markets.collaterals[sym].liquidation_threshold_bps / 10_000
            add_usd = target * debt_usd - liq_usd
            raw = int(add_usd / (guard.price_wad / WAD * threshold) * 10**markets.asset(sym).decimals) + 1
            return [ctx.chain.tx(fn, gas=REACTION_GAS, label=label, agent=agent, intent=REACTION)
                    for fn in [*market.fund(ctx.chain, sym, funder, raw),
                               *lending.top_up_calls(funder, account.address, sym, raw)]]
        repay_usd = debt_usd - liq_usd / target
        base_usd = ctx.reference_usd[markets.base.symbol]
        raw = min(account.debt_base, int(repay_usd / base_usd * 10**markets.base.decimals) + 1)
        return [ctx.chain.tx(fn, gas=REACTION_GAS, label=label, agent=agent, intent=REACTION)
                for fn in [*market.fund(ctx.chain, markets.base.symbol, funder, raw),
                           *lending.repay_calls(funder, account.address, raw)]]
