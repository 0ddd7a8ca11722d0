"""Liquidation keepers: see liquidatable accounts (latency blocks late), pick, race, sell.

A keeper acts on the observation ``latency`` steps old (``Drill.blocks_to_steps``), so a
slow keeper may chase an account a faster one already liquidated: its transaction is
mined and reverts, and it pays the gas (recorded as a failed liquidation). Competing
keepers land in the same block ordered by their tip (``gas_bid``); anvil orders a
block's transactions by fee.

Per account the keeper repays what the close factor allows (all of the debt at
HF <= full-close threshold, Aave V3), chooses the collateral it prefers (else the one
worth most) and sends only when the bonus it expects, minus gas, clears its minimum:
    expected_profit_usd = seized_units x ref(collateral) - repaid x ref(base) - gas_usd
where the repay is the one the protocol would accept (``LendingAdapter.quote_liquidation``) and the
seizure the protocol's quote, else the pool's own estimate (guard prices, capped by the collateral
held, see ``_seized_usd``)
Capital keepers pay from their own base balance and sell seized collateral into the
AMM per ``sell_seized``; flash keepers borrow the repay amount from the pair through
FlashLiquidator, which sells the seizure in the same transaction.
"""

from __future__ import annotations

from defidrill.chain import TxIntent, TxRequest
from defidrill.engine.agents.context import StepContext
from defidrill.engine.observe import AccountView, Observation
from defidrill.protocol_terms.fixed_point import WAD
from defidrill.drill.schema import Drill
from defidrill.drill.schema.agents import KeeperConfig
from defidrill.protocol_terms.amounts import usd_to_raw_half_even
from defidrill.protocol.adapter import LendingMarkets

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

    @property
    def max_fee_wei(self) -> int | None:
        """The keeper's ``max_gas_price`` (None: no cap): the node refuses its transactions while
        the base fee is above it, and it pays base fee + tip up to it."""
        cap = self.config.max_gas_price_gwei
        return None if cap is None else int(round(cap * GWEI))

    def gas_price_wei(self, base_fee_wei: int) -> int:
        """What a transaction would pay per gas in the coming block: base fee + tip, within the cap."""
        price = base_fee_wei + self.tip_wei
        return price if self.max_fee_wei is None else min(price, self.max_fee_wei)

    def act(self, ctx: StepContext) -> list[TxRequest]:
        if self.config.is_offline(ctx.t_s):
            return []
        out = self._sell_seized(ctx)
        seen = ctx.observation_ago(self.latency_steps)
        if seen is None:
            return out
        world = ctx.world
        market, lending, markets = world.market, world.lending, world.markets
        base_sym = markets.base.symbol
        base_decimals = markets.base.decimals
        base_usd = ctx.reference_usd[base_sym]
        eth_usd = world.drill.chain.gas_token_price_usd(ctx.reference_usd)
        gas_usd = EXPECTED_GAS_USED * self.gas_price_wei(ctx.base_fee_wei) / 1e18 * eth_usd
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
            repay_base = markets.close_factor.repay_cap_base(account.debt_base, account.health_factor_wad)
            repay_usd = repay_base / 10**base_decimals * base_usd
            if budget_base is not None:
                repay_base = min(repay_base, budget_base)
                repay_usd = repay_base / 10**base_decimals * base_usd
                if repay_usd < 1.0:
                    break
            bonus = (markets.collaterals[sym].liquidator_incentive_wad - WAD) / WAD  # net of the protocol's share
            if self.config.mode == "flash" and sym in market.pairs and ctx.latest is not None:
                repay_base = min(repay_base, flash_capacity_base(ctx.latest, sym, bonus, markets))
                if repay_base <= 0:
                    continue
            # The protocol sizes the repay it would accept (and says what it seizes): adapter.quote_liquidation.
            quote = lending.quote_liquidation(account, sym, repay_base, seen.guard)
            if quote is None or quote.repay_base <= 0:
                continue
            repay_base = quote.repay_base
            if quote.seized_raw is None:
                seized_usd = _seized_usd(seen, sym, repay_base, bonus, ctx.reference_usd, markets, coll_usd)
            else:
                seized_usd = (quote.seized_raw / 10**markets.asset(sym).decimals * ctx.reference_usd[sym]
                              - repay_base / 10**base_decimals * base_usd)
            expected = seized_usd - gas_usd
            if expected < self.config.min_profit_usd:
                continue
            if self.config.mode == "flash":
                if sym not in market.pairs:
                    continue
                min_profit_base = usd_to_raw_half_even(self.config.min_profit_usd, base_usd, base_decimals)
                flash_fn = lending.flash_liquidation_call(market.pairs[sym].address, account.address, sym, repay_base,
                                                          min_profit_base)
                if flash_fn is None:  # the protocol has no flash path: this keeper cannot act on it
                    continue
                fn = flash_fn
                gas = FLASH_LIQUIDATE_GAS
            else:
                fn = lending.liquidation_call(account.address, sym, repay_base)
                gas = LIQUIDATE_GAS
                assert budget_base is not None
                budget_base -= repay_base
            out.append(ctx.chain.tx(fn, sender=self.address, gas=gas, label=f"liquidate {account.address} {sym}",
                                    agent=self.agent, priority_fee_wei=self.tip_wei, intent=TxIntent("liquidate"),
                                    max_fee_wei=self.max_fee_wei))
        return out

    def _choose_collateral(self, ctx: StepContext, account: AccountView) -> tuple[str, float] | None:
        """(symbol, value in USD at the reference) of the collateral to seize, or None."""
        collaterals = ctx.world.markets.collaterals
        held = {}
        for sym, raw in account.collateral_raw.items():
            if raw > 0 and sym in collaterals:
                held[sym] = raw / 10**collaterals[sym].asset.decimals * ctx.reference_usd[sym]
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
        market, markets = ctx.world.market, ctx.world.markets
        base_sym = markets.base.symbol
        out = []
        held = ctx.latest.balances.get(self.address, {})
        for sym, raw in held.items():
            if sym == base_sym or raw == 0 or sym not in market.pairs:
                continue
            if self.config.sell_seized == "if_profitable":
                asset_raw, base_raw = ctx.latest.reserves[sym]
                amm_usd = (base_raw / 10**markets.base.decimals) / (asset_raw / 10**markets.asset(sym).decimals)
                bonus = (markets.collaterals[sym].liquidator_incentive_wad - WAD) / WAD  # net of the protocol's share
                # The keeper paid about reference / (1 + bonus) per unit; sell only above that.
                if amm_usd < ctx.reference_usd[sym] / (1 + bonus):
                    continue
            fn = market.router.functions.swapExactTokensForTokens(raw, 0, [market.tokens[sym].address, market.base.address],
                                                             self.address, ctx.timestamp + 3600)
            out.append(ctx.chain.tx(fn, sender=self.address, gas=SELL_GAS, label=f"sell seized {sym}",
                                    agent=self.agent, priority_fee_wei=self.tip_wei, intent=TxIntent("sell_seized"),
                                    max_fee_wei=self.max_fee_wei))
        return out


def _seized_usd(seen: Observation, sym: str, repay_base: int, bonus: float,
                reference_usd: dict[str, float], markets: LendingMarkets, held_usd: float) -> float:
    """What the liquidation earns at reference prices: seized value minus the repay the pool takes.

    The pool values both sides at ITS prices (the guard's) and, when the account holds less
    ``sym`` than repay x (1 + bonus), seizes all of it and shrinks the repay to match (the rest
    becomes bad debt): an underwater account still pays the bonus on what is left, so keepers
    liquidate it (Aave V3 behaves the same). Without a guard price the reference stands in.
    """
    base_sym = markets.base.symbol
    base_view, coll_view = seen.guard.get(base_sym), seen.guard.get(sym)
    base_px = base_view.price_wad / WAD if base_view and base_view.ok and base_view.price_wad else reference_usd[base_sym]
    coll_px = coll_view.price_wad / WAD if coll_view and coll_view.ok and coll_view.price_wad else reference_usd[sym]
    repay_units = repay_base / 10**markets.base.decimals
    seize_units = repay_units * base_px * (1 + bonus) / coll_px
    held_units = held_usd / reference_usd[sym] if reference_usd[sym] > 0 else 0.0
    if seize_units > held_units > 0:
        repay_units *= held_units / seize_units
        seize_units = held_units
    return float(seize_units * reference_usd[sym] - repay_units * reference_usd[base_sym])


def flash_capacity_base(obs: Observation, sym: str, bonus: float, markets: LendingMarkets) -> int:
    """The largest repay (base raw) a flash liquidation through the ``sym``/base pair can fund.

    Borrowing B base from a pair with reserves x (collateral) and y (base), the flash swap is
    repaid in collateral with getAmountIn = x B / (0.997 (y - B)); the liquidation seizes
    B (1 + bonus) / P (P = the pool's price of a raw collateral unit in raw base). Covering the
    repayment needs  B <= y - x P / (0.997 (1 + bonus)).  A keeper simulates before it sends, so it
    asks 90% of that bound (the rest pays the sale of the remainder); beyond it the transaction
    reverts with SeizedBelowRepayment.
    """
    base_sym = markets.base.symbol
    base_view, coll_view = obs.guard.get(base_sym), obs.guard.get(sym)
    if not (base_view and coll_view and base_view.ok and coll_view.ok and base_view.price_wad and coll_view.price_wad):
        return 0
    x, y = obs.reserves[sym]
    price_raw = (coll_view.price_wad / base_view.price_wad) * 10**markets.base.decimals / 10**markets.asset(sym).decimals
    bound = y - x * price_raw / (0.997 * (1 + bonus))
    return max(0, int(0.9 * bound))


def make_keepers(drill: Drill, addresses: dict[str, str]) -> list[Keeper]:
    return [Keeper(k, addresses[k.name], drill.blocks_to_steps(k.latency_blocks)) for k in drill.keepers]
