"""A scripted crash on the reference protocol (``ape run crash``): the WETH price down step by step,
every account under health factor 1 liquidated by a keeper, each liquidation reported as it lands.

Works on any anvil holding the reference protocol: one deployed here (``abi_dir`` None) or a
running `defidrill chain up` read from its ``--abi-dir``. Borrowers take
``BORROW_SHARES`` of their borrow limit against ``COLLATERAL_WETH`` each, so at LTV 75% and a
liquidation threshold of 82% the first goes under after a fall of about 1 - 0.75 x 0.99 / 0.82
= 9.5%, the last after 1 - 0.75 x 0.83 / 0.82 = 24%.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from eth_typing import ChecksumAddress, HexAddress, HexStr

from defidrill.chain import Chain, ChainAPI, Deployed
from defidrill.protocol.address_book import read_abi_dir
from defidrill.protocol.reference.deploy import deploy

WAD = 10**18
#: Share of its borrow limit each borrower takes (the first is the most exposed).
BORROW_SHARES = (0.99, 0.95, 0.91, 0.87, 0.83)
COLLATERAL_WETH = 10
KEEPER_USDC = 1_000_000
TX_GAS = 1_000_000


@dataclass(frozen=True)
class CrashPlan:
    steps: int
    drop_pct: float  # per step, compounded
    borrowers: int   # at most len(BORROW_SHARES)


@dataclass(frozen=True)
class Landed:
    """One liquidation as the pool's ``Liquidation`` event reported it."""

    step: int
    price_usd: float
    account: str
    health_before: float
    repaid_usdc: float
    seized_weth: float


def run_crash(rpc_url: str, plan: CrashPlan, abi_dir: Path | None, echo: Callable[[str], None]) -> list[Landed]:
    """Seed the borrowers and a keeper, then crash; returns what landed (and echoes it line by line)."""
    chain = Chain.attach(rpc_url)
    try:
        c = _contracts(chain, abi_dir)
        weth, usdc, feed, pool = c["WETH"], c["USDC"], c["FEED_WETH_USD"], c["LENDING_POOL"]
        deployer, keeper = chain.accounts[0], chain.accounts[-1]
        borrowers = chain.accounts[3 : 3 + min(plan.borrowers, len(BORROW_SHARES))]
        _seed(chain, weth, usdc, pool, deployer, keeper, borrowers)
        start_raw = chain.call(feed.functions.latestRoundData())[1]
        feed_unit = 10 ** chain.call(feed.functions.decimals())
        usdc_unit = 10 ** chain.call(usdc.functions.decimals())
        weth_unit = 10 ** chain.call(weth.functions.decimals())
        landed: list[Landed] = []
        for step in range(1, plan.steps + 1):
            price_raw = int(start_raw * (1 - plan.drop_pct / 100) ** step)
            chain.transact(feed.functions.transmit(price_raw), sender=deployer, gas=TX_GAS)
            healths = chain.call_many([pool.functions.healthFactor(b) for b in borrowers])
            under = [b for b, hf in zip(borrowers, healths) if hf < WAD]
            echo(f"step {step}: WETH ${price_raw / feed_unit:,.2f}, {len(under)} account(s) below HF 1")
            for account in under:
                repay = chain.call(pool.functions.debtOf(account)) // 2 + 1  # the close factor's share, rounded up
                receipt = chain.transact(pool.functions.liquidate(account, weth.address, repay), sender=keeper, gas=TX_GAS)
                for args in receipt.events_named("Liquidation", pool.address):
                    hit = Landed(step, price_raw / feed_unit, args["account"], args["healthFactorBeforeWad"] / WAD,
                                 args["repaidBase"] / usdc_unit, args["seizedCollateral"] / weth_unit)
                    landed.append(hit)
                    echo(f"  liquidated {hit.account} at HF {hit.health_before:.4f}: repaid {hit.repaid_usdc:,.2f} USDC, "
                         f"seized {hit.seized_weth:.6f} WETH (block {receipt.block_number})")
        echo(f"{len(landed)} liquidation(s) in {plan.steps} steps")
        return landed
    finally:
        chain.rpc.close()


def _contracts(chain: ChainAPI, abi_dir: Path | None) -> dict[str, Deployed]:
    if abi_dir is None:
        return deploy(chain).named_contracts()
    return {name: Deployed(name, e.address, e.abi,
                           chain.w3.eth.contract(address=ChecksumAddress(HexAddress(HexStr(e.address))), abi=e.abi))
            for name, e in read_abi_dir(abi_dir).items()}


def _seed(chain: ChainAPI, weth: Deployed, usdc: Deployed, pool: Deployed, deployer: str, keeper: str,
          borrowers: list[str]) -> None:
    weth_raw = COLLATERAL_WETH * 10 ** chain.call(weth.functions.decimals())
    keeper_raw = KEEPER_USDC * 10 ** chain.call(usdc.functions.decimals())
    usdc_per_usd_wad = 10 ** chain.call(usdc.functions.decimals())  # USDC at $1: raw = usd_wad * 10**decimals / 1e18
    chain.transact(usdc.functions.mint(keeper, keeper_raw), sender=deployer, gas=TX_GAS)
    chain.transact(usdc.functions.approve(pool.address, 2**256 - 1), sender=keeper, gas=TX_GAS)
    for account, share in zip(borrowers, BORROW_SHARES):
        chain.transact(weth.functions.mint(account, weth_raw), sender=deployer, gas=TX_GAS)
        chain.transact(weth.functions.approve(pool.address, weth_raw), sender=account, gas=TX_GAS)
        chain.transact(pool.functions.depositCollateral(weth.address, weth_raw), sender=account, gas=TX_GAS)
        limit_usd_wad = chain.call(pool.functions.accountData(account))[2]
        chain.transact(pool.functions.borrow(int(limit_usd_wad * share) * usdc_per_usd_wad // WAD), sender=account,
                       gas=TX_GAS)
