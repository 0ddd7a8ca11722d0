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

import numpy as np

from defidrill.chain import TxIntent, TxRequest
from defidrill.engine.agents.context import StepContext
from defidrill.engine.observe import AccountColumns, AccountView
from defidrill.protocol.account_columns import Mask
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
        #: the reactive accounts' rows in the read, per account list (the same list every step)
        self._rows: tuple[object, Mask] | None = None

    def _reactive_mask(self, accounts: AccountColumns) -> Mask:
        if self._rows is None or self._rows[0] is not accounts.addresses:
            mask = np.fromiter((a in self.reactive for a in accounts.addresses), dtype=bool, count=len(accounts))
            self._rows = (accounts.addresses, mask)
        return self._rows[1]

    def act(self, ctx: StepContext) -> list[TxRequest]:
        obs = ctx.latest
        if obs is None or not self.reactive:
            return []
        cfg = ctx.world.drill.borrowers.reaction
        trigger_wad = int(cfg.when_health_below * WAD)
        out: list[TxRequest] = []
        accounts = obs.accounts
        # Over the columns: the accounts that start their clock now, plus those whose clock runs; every
        # other account does nothing this step. Then in read order, as one pass over every account did.
        triggered = accounts.has_debt() & accounts.prices_ok & accounts.health_factor_wad.lt(trigger_wad)
        rows = set(np.flatnonzero(self._reactive_mask(accounts) & triggered).tolist())
        for address in self.due_at:
            row = accounts.row_of(address)
            if row is not None and address not in self.done:
                rows.add(row)
        for row in sorted(rows):
            address = accounts.addresses[row]
            if address not in self.reactive or address in self.done:
                continue
            if address not in self.due_at:
                if triggered[row]:
                    self.due_at[address] = ctx.step + self.delay_steps
                continue
            if ctx.step >= self.due_at[address]:
                self.done.add(address)
                out += self._defend(ctx, accounts.view(row), cfg.action, cfg.target_health)
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
