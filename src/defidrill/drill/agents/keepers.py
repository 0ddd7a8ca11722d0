"""Liquidation keepers: see liquidatable accounts (latency blocks late), pick, race, sell.

A keeper acts on the observation ``latency`` steps old (``Drill.blocks_to_steps``), so a
slow keeper may chase an account a faster one already liquidated: its transaction is
mined and reverts, and it pays the gas (recorded as a failed liquidation). Competing
keepers land in the same block ordered by their tip (``gas_bid``); anvil orders a
block's transactions by fee.

Per account the keeper repays what the close factor allows (all of the debt at
HF <= full-close threshold, Aave V3), chooses the collateral it prefers (else the one
worth most) and sends only when the bonus it expects, minus gas, clears its minimum:
    repay_usd = min(close_factor x debt_usd, collateral_usd / (1 + bonus))   (the pool's cap)
    expected_profit_usd = min(repay_usd x bonus, collateral_usd - repay_usd) - gas_usd
Capital keepers pay from their own base balance and sell seized collateral into the
AMM per ``sell_seized``; flash keepers borrow the repay amount from the pair through
FlashLiquidator, which sells the seizure in the same transaction.
"""

from __future__ import annotations

from defidrill.chain import TxRequest
from defidrill.drill.agents.context import StepContext
from defidrill.drill.observe import AccountView
from defidrill.drill.schema import Drill
from defidrill.drill.schema.agents import KeeperConfig
from defidrill.protocol.amounts import usd_to_raw

LIQUIDATE_GAS = 800_000
FLASH_LIQUIDATE_GAS = 1_500_000
SELL_GAS = 300_000
#: Gas the keeper expects a liquidation to use, for its profitability estimate.
EXPECTED_GAS_USED = 350_000
#: Liquidations one keeper sends per step (a bundle a searcher would plausibly land).
MAX_LIQUIDATIONS_PER_STEP = 40
GWEI = 10**9


class Keeper:
    def __init__(self, config: KeeperConfig, address: str, latency_steps: int) -> None:
        self.config = config
        self.address = address
        self.latency_steps = latency_steps
        self.agent = f"keeper:{config.name}"

    @property
    def tip_wei(self) -> int:
        return int(round(self.config.gas_bid_gwei * GWEI))

    def act(self, ctx: StepContext) -> list[TxRequest]:
        if self.config.is_offline(ctx.t_s):
            return []
        out = self._sell_seized(ctx)
        seen = ctx.observation_ago(self.latency_steps)
        if seen is None:
            return out
        world = ctx.world
        p = world.protocol
        cfg = p.config
        base_sym = cfg.base.symbol
        base_usd = ctx.reference_usd[base_sym]
        eth_usd = ctx.reference_usd.get("WETH", 0.0)
        gas_usd = EXPECTED_GAS_USED * (self.tip_wei + GWEI) / 1e18 * eth_usd
        budget_base = None
        if self.config.mode == "capital":
            latest = ctx.latest
            budget_base = latest.balances.get(self.address, {}).get(base_sym, 0) if latest else 0
        candidates = sorted(seen.liquidatable(), key=lambda a: a.debt_usd_wad, reverse=True)
        for account in candidates[:MAX_LIQUIDATIONS_PER_STEP]:
            choice = self._choose_collateral(ctx, account)
            if choice is None:
                continue
            sym, coll_usd = choice
            close = 1.0 if account.health_factor_wad <= cfg.full_close_below_hf_wad else cfg.close_factor_bps / 10_000
            repay_base = -(-account.debt_base * int(close * 10_000) // 10_000)
            repay_usd = repay_base / 10**cfg.base.decimals * base_usd
            if budget_base is not None:
                repay_base = min(repay_base, budget_base)
                repay_usd = repay_base / 10**cfg.base.decimals * base_usd
                if repay_usd < 1.0:
                    break
            bonus = cfg.collaterals[sym][1].liquidation_bonus_bps / 10_000
            # The pool seizes at most the collateral and shrinks the repay to collateral / (1 + bonus)
            # (docs/lending.md, liquidation step 3): an account under water still pays that bonus.
            repay_usd = min(repay_usd, coll_usd / (1 + bonus))
            expected = min(repay_usd * bonus, coll_usd - repay_usd) - gas_usd
            if expected < self.config.min_profit_usd:
                continue
            if self.config.mode == "flash":
                if sym not in p.pairs:
                    continue
                min_profit_base = usd_to_raw(self.config.min_profit_usd, base_usd, cfg.base.decimals)
                fn = p.flash_liquidator.functions.liquidate(p.pool.address, p.pairs[sym].address, account.address,
                                                            p.tokens[sym].address, repay_base, min_profit_base)
                gas = FLASH_LIQUIDATE_GAS
            else:
                fn = p.pool.functions.liquidate(account.address, p.tokens[sym].address, repay_base)
                gas = LIQUIDATE_GAS
                assert budget_base is not None
                budget_base -= min(repay_base, int(repay_usd / base_usd * 10**cfg.base.decimals) + 1)
            out.append(ctx.chain.tx(fn, sender=self.address, gas=gas, label=f"liquidate {account.address} {sym}",
                                    agent=self.agent, priority_fee_wei=self.tip_wei))
        return out

    def _choose_collateral(self, ctx: StepContext, account: AccountView) -> tuple[str, float] | None:
        """(symbol, value in USD at the reference) of the collateral to seize, or None."""
        cfg = ctx.world.protocol.config
        held = {}
        for sym, raw in account.collateral_raw.items():
            if raw > 0 and sym in cfg.collaterals:
                held[sym] = raw / 10**cfg.asset(sym).decimals * ctx.reference_usd[sym]
        if not held:
            return None
        for sym in self.config.collateral_preference:
            if sym in held:
                return sym, held[sym]
        sym = max(held, key=lambda s: held[s])
        return sym, held[sym]

    def _sell_seized(self, ctx: StepContext) -> list[TxRequest]:
        """Capital keepers turn seized collateral back into base through the AMM router."""
        if self.config.mode != "capital" or self.config.sell_seized == "never" or ctx.latest is None:
            return []
        p = ctx.world.protocol
        cfg = p.config
        base_sym = cfg.base.symbol
        out = []
        held = ctx.latest.balances.get(self.address, {})
        for sym, raw in held.items():
            if sym == base_sym or raw == 0 or sym not in p.pairs:
                continue
            if self.config.sell_seized == "if_profitable":
                asset_raw, base_raw = ctx.latest.reserves[sym]
                amm_usd = (base_raw / 10**cfg.base.decimals) / (asset_raw / 10**cfg.asset(sym).decimals)
                bonus = cfg.collaterals[sym][1].liquidation_bonus_bps / 10_000
                # The keeper paid about reference / (1 + bonus) per unit; sell only above that.
                if amm_usd < ctx.reference_usd[sym] / (1 + bonus):
                    continue
            fn = p.router.functions.swapExactTokensForTokens(raw, 0, [p.tokens[sym].address, p.base.address],
                                                             self.address, ctx.timestamp + 3600)
            out.append(ctx.chain.tx(fn, sender=self.address, gas=SELL_GAS, label=f"sell seized {sym}",
                                    agent=self.agent, priority_fee_wei=self.tip_wei))
        return out


def make_keepers(drill: Drill, addresses: dict[str, str]) -> list[Keeper]:
    return [Keeper(k, addresses[k.name], drill.blocks_to_steps(k.latency_blocks)) for k in drill.keepers]
