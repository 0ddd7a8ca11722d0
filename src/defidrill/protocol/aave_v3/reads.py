"""One step's read of an Aave V3 market: two strategies, measured (bench/, docs/adapters.md).

- ``lens``: our ``AaveLens.scan`` loops ``getUserAccountData`` and the collateral aToken / debt
  balances of up to ``SCAN_CHUNK`` accounts per eth_call (scaled balances times each reserve's
  index, read once per scan) and returns one flat word array, decoded here without ABI
  decoding; prices, totals and the sentinel come in the same call.
- ``rpc``: plain JSON-RPC batching: per account ``getUserAccountData``, its debt and collateral
  aToken balances (the tokens' own ``balanceOf``); per asset ``AaveOracle.getAssetPrice`` and
  the totals; each call decoded by hand.

Both give the same ``ProtocolReads`` (``tests/protocol/aave_v3`` checks they agree). Aave's
numbers: collateral and debt in the oracle's base currency (USD, 1e8), thresholds in basis
points, health factor in wad; here values become USD wad (x 1e10).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from defidrill.chain import ChainAPI, Deployed, PreparedCall
from defidrill.errors import ChainError
from defidrill.protocol.adapter import MAX_UINT, WAD, AccountView, GuardView, PoolTotals, ProtocolReads
from defidrill.protocol.aave_v3.deploy import AaveDeployment

ReadStrategy = Literal["lens", "rpc"]
#: Accounts per AaveLens.scan call: ~44k gas each (measured), well under anvil's eth_call gas cap.
SCAN_CHUNK = 250
USD_1E8_TO_WAD = 10**10
HEADER_WORDS, ACCOUNT_WORDS, NO_SENTINEL = 3, 6, 2  # AaveLens constants
#: ValidationLogic.MINIMUM_HEALTH_FACTOR_LIQUIDATION_THRESHOLD: below it the sentinel cannot hold a liquidation.
SENTINEL_HF_FLOOR_WAD = 95 * 10**16


@dataclass(frozen=True)
class ReadPlan:
    """What one step reads: the market's assets (base first), in the lens's order."""

    symbols: list[str]
    assets: list[str]
    a_tokens: list[str]
    variable_debt: str
    stable_debt: str
    sentinel: str | None


def plan_of(deployment: AaveDeployment, symbols: list[str], assets: list[str]) -> ReadPlan:
    base = symbols[0]
    return ReadPlan(symbols, assets, [deployment.reserves[s].a_token.address for s in symbols],
                    deployment.reserves[base].variable_debt.address, deployment.reserves[base].stable_debt.address,
                    deployment.sentinel.address if deployment.sentinel else None)


def _words(data: bytes) -> list[int]:
    """A returned ``uint256[]``: [offset, length, words...]."""
    n = int.from_bytes(data[32:64], "big")
    return [int.from_bytes(data[64 + 32 * i : 96 + 32 * i], "big") for i in range(n)]


def decode_uint256(data: bytes) -> int:
    """A returned ``uint256`` (the first word), without the ABI decoder's per-call set-up."""
    return int.from_bytes(data[:32], "big")


def _account_data(data: bytes) -> tuple[int, ...]:
    return tuple(int.from_bytes(data[32 * i : 32 * i + 32], "big") for i in range(6))


def _view(address: str, plan: ReadPlan, collateral_base: int, debt_base_1e8: int, threshold_bps: int, hf_wad: int,
          debt_raw: int, ok: bool, balances: Sequence[int]) -> AccountView:
    # Aave's HF numerator: totalCollateralBase.percentMul(avgLiquidationThreshold), rounded half up.
    liquidation_base = (collateral_base * threshold_bps + 5000) // 10_000
    return AccountView(address=address, health_factor_wad=hf_wad if ok else MAX_UINT,
                       collateral_value_usd_wad=collateral_base * USD_1E8_TO_WAD,
                       liquidation_value_usd_wad=liquidation_base * USD_1E8_TO_WAD, debt_base=debt_raw,
                       debt_usd_wad=debt_base_1e8 * USD_1E8_TO_WAD, prices_ok=ok,
                       collateral_raw=dict(zip(plan.symbols[1:], balances)))


def _guards(plan: ReadPlan, prices_1e8: Sequence[int], sentinel_allows: bool | None) -> dict[str, GuardView]:
    rule = "OK" if sentinel_allows is not False else "SENTINEL_PAUSES_LIQUIDATIONS"
    return {sym: GuardView(price * USD_1E8_TO_WAD, price > 0, rule if price > 0 else "PRICE_UNAVAILABLE", False)
            for sym, price in zip(plan.symbols, prices_1e8)}


def liquidatable_below_hf(sentinel_allows: bool | None) -> int:
    """While the sentinel refuses, Aave still liquidates accounts below its
    MINIMUM_HEALTH_FACTOR_LIQUIDATION_THRESHOLD (0.95): ValidationLogic.validateLiquidationCall."""
    return SENTINEL_HF_FLOOR_WAD if sentinel_allows is False else WAD


def _totals(a_supply_base: int, cash_base: int, variable: int, stable: int) -> PoolTotals:
    borrow = variable + stable
    # Aave keeps the reserve factor's share as debt owed to the treasury (accruedToTreasury) until
    # minted: what backs no aToken is the reserves.
    return PoolTotals(total_borrow_base=borrow, total_supply_base=a_supply_base, cash_base=cash_base,
                      reserves_base=cash_base + borrow - a_supply_base)


class LensReader:
    def __init__(self, chain: ChainAPI, deployment: AaveDeployment, plan: ReadPlan) -> None:
        self.chain, self.d, self.plan = chain, deployment, plan
        self._market = (deployment.pool.address, deployment.oracle.address, plan.sentinel or "0x" + "0" * 40,
                        plan.assets, plan.a_tokens, plan.variable_debt, plan.stable_debt)

    def prepare(self, accounts: Sequence[str]) -> list[PreparedCall]:
        chunks = [list(accounts[i : i + SCAN_CHUNK]) for i in range(0, len(accounts), SCAN_CHUNK)] or [[]]
        self._accounts = chunks
        return [self.chain.prepare(self.d.lens.functions.scan(self._market, c), _words) for c in chunks]

    def decode(self, results: Sequence[Any]) -> ProtocolReads:
        plan, n = self.plan, len(self.plan.symbols)
        views: list[AccountView] = []
        head: list[int] = []
        for accounts, words in zip(self._accounts, results):
            if isinstance(words, ChainError):
                raise words
            head = words
            at, stride = HEADER_WORDS + 3 * n + 2, ACCOUNT_WORDS + n - 1
            for k, address in enumerate(accounts):
                w = words[at + k * stride : at + (k + 1) * stride]
                views.append(_view(address, plan, w[0], w[1], w[2], w[3], w[4], w[5] == 1, w[ACCOUNT_WORDS:]))
        sentinel = None if head[2] == NO_SENTINEL else head[2] == 1
        prices = head[HEADER_WORDS : HEADER_WORDS + n]
        supply = head[HEADER_WORDS + n : HEADER_WORDS + 3 * n]
        variable, stable = head[HEADER_WORDS + 3 * n], head[HEADER_WORDS + 3 * n + 1]
        return ProtocolReads(views, _guards(plan, prices, sentinel), _totals(supply[0], supply[1], variable, stable),
                             liquidatable_below_hf(sentinel))


class RpcReader:
    def __init__(self, chain: ChainAPI, deployment: AaveDeployment, plan: ReadPlan, underlying: Sequence[Deployed]) -> None:
        self.chain, self.d, self.plan = chain, deployment, plan
        self._underlying = list(underlying)
        self._tokens = [deployment.reserves[s].a_token for s in plan.symbols]
        self._variable = deployment.reserves[plan.symbols[0]].variable_debt
        self._stable = deployment.reserves[plan.symbols[0]].stable_debt

    def prepare(self, accounts: Sequence[str]) -> list[PreparedCall]:
        c, d, p = self.chain, self.d, self.plan
        self._accounts = list(accounts)
        calls = [c.prepare(d.oracle.functions.getAssetPrice(a), decode_uint256) for a in p.assets]
        for token, asset in zip(self._tokens, self._underlying):
            calls.append(c.prepare(token.functions.totalSupply(), decode_uint256))
            calls.append(c.prepare(asset.functions.balanceOf(token.address), decode_uint256))
        calls += [c.prepare(self._variable.functions.totalSupply(), decode_uint256),
                  c.prepare(self._stable.functions.totalSupply(), decode_uint256)]
        if d.sentinel is not None:
            calls.append(c.prepare(d.sentinel.functions.isLiquidationAllowed(), lambda b: decode_uint256(b) == 1))
        for account in accounts:
            calls.append(c.prepare(d.pool.functions.getUserAccountData(account), _account_data))
            calls.append(c.prepare(self._variable.functions.balanceOf(account), decode_uint256))
            calls.append(c.prepare(self._stable.functions.balanceOf(account), decode_uint256))
            calls += [c.prepare(t.functions.balanceOf(account), decode_uint256) for t in self._tokens[1:]]
        return calls

    def decode(self, results: Sequence[Any]) -> ProtocolReads:
        plan, n = self.plan, len(self.plan.symbols)
        prices = [0 if isinstance(r, ChainError) else r for r in results[:n]]
        supply = results[n : 3 * n]
        variable, stable = results[3 * n], results[3 * n + 1]
        i = 3 * n + 2
        sentinel = None
        if self.d.sentinel is not None:
            sentinel, i = results[i], i + 1
        stride = 2 + n
        views = []
        for address in self._accounts:
            data, var_raw, stable_raw, *balances = results[i : i + stride]
            i += stride
            ok = not isinstance(data, ChainError)
            coll, debt, _, lt, _, hf = data if ok else (0,) * 6
            views.append(_view(address, plan, coll, debt, lt, hf, var_raw + stable_raw, ok, balances))
        return ProtocolReads(views, _guards(plan, prices, sentinel), _totals(supply[0], supply[1], variable, stable),
                             liquidatable_below_hf(sentinel))
