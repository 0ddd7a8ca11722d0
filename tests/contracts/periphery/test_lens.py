"""The Lens against per-account calls and the pool's own totals."""

from __future__ import annotations

from eth_utils import to_checksum_address

from lending_kit import WAD, LendingKit

USDC = 10**6


def _accounts(kit: LendingKit) -> list[str]:
    a = kit.chain.accounts
    kit.deposit(a[1], "WBTC", 50_000_000)
    kit.deposit(a[1], "WETH", 4 * 10**18)
    kit.borrow(a[1], 20_000 * USDC)
    kit.deposit(a[2], "STK6", 10_000 * USDC)
    kit.borrow(a[2], 11_999 * USDC)
    kit.deposit(a[3], "WETH", 10**18)  # collateral, no debt
    return [a[1], a[2], a[3], a[4]]  # a[4] has nothing


def test_scan_equals_per_account_calls(kit) -> None:
    lens = kit.chain.deploy("Lens")
    accounts = _accounts(kit)
    kit.set_price(kit.tokens["WETH"], 2_345_678_901_234_567_890_123)
    kit.set_price(kit.usdc, 1_001 * 10**15)
    assets, rows = kit.call(lens.functions.scan(kit.pool.address, accounts))
    assert assets == kit.call(kit.f.collateralAssets())
    assert [r["account"] for r in rows] == accounts
    for row in rows:
        data = kit.account_data(row["account"])
        assert (
            row["collateralValueUsdWad"], row["liquidationValueUsdWad"], row["borrowLimitUsdWad"],
            row["debtBase"], row["debtUsdWad"], row["healthFactorWad"],
        ) == data
        assert row["healthFactorWad"] == kit.call(kit.f.healthFactor(row["account"]))
        assert row["collateralRaw"] == [kit.call(kit.f.collateralBalance(row["account"], x)) for x in assets]
        assert row["pricesOk"] is True
    assert rows[3]["healthFactorWad"] == 2**256 - 1 and rows[3]["collateralRaw"] == [0, 0, 0]


def test_scan_flags_unavailable_prices(kit) -> None:
    lens = kit.chain.deploy("Lens")
    accounts = _accounts(kit)
    kit.set_available(kit.tokens["STK6"], False)
    _, rows = kit.call(lens.functions.scan(kit.pool.address, accounts))
    assert [r["pricesOk"] for r in rows] == [True, False, True, True]  # only a[2] holds STK6
    assert rows[1]["healthFactorWad"] == 0 == kit.call(kit.f.healthFactor(accounts[1]))
    kit.set_available(kit.usdc, False)
    _, rows = kit.call(lens.functions.scan(kit.pool.address, accounts))
    assert [r["pricesOk"] for r in rows] == [False] * 4


def test_pool_state_for_invariants(kit) -> None:
    lens = kit.chain.deploy("Lens")
    _accounts(kit)
    s = kit.call(lens.functions.poolState(kit.pool.address))
    f = kit.f
    assert (s["cashBase"], s["totalSupplyBase"], s["totalBorrowBase"], s["totalReservesBase"]) == (
        kit.call(f.cash()), kit.call(f.totalSupply()), kit.call(f.totalBorrow()), kit.call(f.totalReserves())
    )
    assert s["cashBase"] == 1_000_000 * USDC - 31_999 * USDC
    assert (s["borrowIndexWad"], s["supplyIndexWad"], s["basePriceUsdWad"], s["basePriceOk"]) == (WAD, WAD, WAD, True)
    assert s["utilizationWad"] == 31_999 * USDC * WAD // (1_000_000 * USDC)
    for a in s["assets"]:
        assert a["totalCollateralRaw"] == a["poolBalanceRaw"]
        assert a["priceOk"] is True
    assert [a["totalCollateralRaw"] for a in s["assets"]] == [50_000_000, 5 * 10**18, 10_000 * USDC]


def test_scan_of_many_accounts_in_one_call(kit) -> None:
    """The drill engine scans 1000+ accounts per step in one eth_call: it must fit a 25M-gas budget."""
    lens = kit.chain.deploy("Lens")
    _accounts(kit)
    accounts = [to_checksum_address(f"0x{i:040x}") for i in range(100, 1100)] + kit.chain.accounts[1:3]
    fn = lens.functions.scan(kit.pool.address, accounts)
    _, rows = kit.call(fn)
    assert len(rows) == 1002 and rows[-1]["debtBase"] == 11_999 * USDC
    assert rows[-2]["collateralRaw"] == [50_000_000, 4 * 10**18, 0]
    gas = kit.chain.rpc.request("eth_estimateGas", [{"to": lens.address, "data": fn._encode_transaction_data()}])
    assert int(gas, 16) < 25_000_000  # measured ~21.6M: ~21k per account (4 cold slots + valuation)
