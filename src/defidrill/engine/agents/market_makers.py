"""The AMM's other participants: the arbitrage desk and the liquidity providers.

Arbitrageur: per pair, when the AMM price differs from the reference price seen
``latency`` steps ago by more than ``min_deviation``, trade toward it with at most
``capacity_usd_per_step``; the input is the constant-product amount that moves the
spot to the target (``pricing.input_to_reach_price``). It is how a CEX price reaches
the AMM, and how seized collateral sold by keepers gets bought back.

Liquidity providers: withdraw ``withdraw`` of their initial LP tokens once, at ``at``
or when any pair's reference moved more than ``when_volatility_above`` over ``window``
(market makers pulling liquidity before a crash).
"""

from __future__ import annotations

from defidrill.chain import TxIntent, TxRequest
from defidrill.engine.agents.context import StepContext
from defidrill.engine.agents.pricing import input_to_reach_price

ARB_GAS = 300_000
LP_GAS = 300_000


class Arbitrageur:
    def __init__(self, address: str) -> None:
        self.address = address
        self.volume_usd = 0.0

    def act(self, ctx: StepContext) -> list[TxRequest]:
        drill = ctx.world.drill
        arb = drill.arbitrage
        obs = ctx.latest
        if not arb.enabled or obs is None:
            return []
        p = ctx.world.market
        cfg = p.config
        target = ctx.reference_ago(arb.latency_steps)
        base_sym = cfg.base.symbol
        base_usd = target[base_sym]
        out = []
        for sym in p.pairs:
            asset_raw, base_raw = obs.reserves[sym]
            if asset_raw == 0 or base_raw == 0:
                continue
            asset_dec, base_dec = cfg.asset(sym).decimals, cfg.base.decimals
            # Target price in raw units: base raw per asset raw.
            target_raw = target[sym] / base_usd * 10**base_dec / 10**asset_dec
            spot_raw = base_raw / asset_raw
            gap = spot_raw / target_raw - 1.0
            if abs(gap) <= arb.min_deviation:
                continue
            cap_usd = arb.capacity_usd_per_step
            if gap < 0:  # asset cheap on the AMM: buy it with base
                amount = input_to_reach_price(base_raw, asset_raw, 1.0 / target_raw)
                amount = min(amount, int(cap_usd / base_usd * 10**base_dec))
                path = [p.base.address, p.tokens[sym].address]
                usd = amount / 10**base_dec * base_usd
            else:  # asset dear on the AMM: sell it
                amount = input_to_reach_price(asset_raw, base_raw, target_raw)
                amount = min(amount, int(cap_usd / target[sym] * 10**asset_dec))
                path = [p.tokens[sym].address, p.base.address]
                usd = amount / 10**asset_dec * target[sym]
            if amount <= 0:
                continue
            self.volume_usd += usd
            fn = p.router.functions.swapExactTokensForTokens(amount, 0, path, self.address, ctx.timestamp + 3600)
            out.append(ctx.chain.tx(fn, sender=self.address, gas=ARB_GAS, label=f"arbitrage {sym} {usd:.0f} USD",
                                    agent="arbitrageur", intent=TxIntent("arbitrage", size_usd=usd)))
        return out


class LiquidityProviders:
    def __init__(self, address: str) -> None:
        self.address = address
        self.withdrawn = False
        self.withdrawn_fraction = 0.0

    def act(self, ctx: StepContext) -> list[TxRequest]:
        lps = ctx.world.drill.amm.lps
        if self.withdrawn or lps.withdraw <= 0:
            return []
        if lps.at_s is not None:
            trigger = ctx.t_s >= lps.at_s
        else:
            back = int(round(lps.window_s / ctx.world.drill.market.step_s))
            then = ctx.reference_ago(back)
            trigger = any(abs(ctx.reference_usd[s] / then[s] - 1.0) > lps.when_volatility_above
                          for s in ctx.world.market.pairs if then.get(s))
        if not trigger:
            return []
        self.withdrawn = True
        self.withdrawn_fraction = lps.withdraw
        out = []
        for sym, pair in ctx.world.market.pairs.items():
            amount = int(ctx.world.lp_tokens_initial.get(sym, 0) * lps.withdraw)
            if amount == 0:
                continue
            intent = TxIntent("withdraw_liquidity")
            out.append(ctx.chain.tx(pair.functions.transfer(pair.address, amount), sender=self.address, gas=LP_GAS,
                                    label=f"withdraw liquidity {sym}", agent="lp", intent=intent))
            out.append(ctx.chain.tx(pair.functions.burn(self.address), sender=self.address, gas=LP_GAS,
                                    label=f"withdraw liquidity {sym}", agent="lp", intent=intent))
        return out
