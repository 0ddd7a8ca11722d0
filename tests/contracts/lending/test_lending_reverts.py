"""Every revert path of the lending pool, each by its custom error (and its arguments where they help)."""

from __future__ import annotations

import pytest

from defidrill.errors import RevertError
from lending_kit import MAX_UINT, WAD, Listing, LendingKit

USDC = 10**6
ZERO = "0x0000000000000000000000000000000000000000"


def _reverts(fn, name: str, args: dict | None = None) -> None:
    with pytest.raises(RevertError) as err:
        fn()
    assert err.value.revert is not None and err.value.revert.name == name, err.value
    if args is not None:
        assert err.value.revert.args == args


def test_admin_functions_are_owner_only(kit, alice) -> None:
    f, weth = kit.f, kit.tokens["WETH"].address
    for call in (
        f.listCollateral(weth, 1, 2, 3, 0), f.setCloseFactor(5000, 95 * 10**16), f.setRateModel(0, 0, 0, WAD // 2),
        f.setReserveFactor(0), f.setOracle(alice), f.transferOwnership(alice), f.withdrawReserves(alice, 0),
    ):
        _reverts(lambda call=call: kit.send(call, sender=alice), "NotOwner", {"caller": alice})


def test_owner_setters_emit_events(kit, alice) -> None:
    d = kit.deployer
    r = kit.send(kit.f.setCloseFactor(4000, 9 * 10**17), sender=d)
    assert kit.chain.events(r, kit.pool, "CloseFactorUpdated") == [{"defaultBps": 4000, "fullCloseHealthFactorWad": 9 * 10**17}]
    assert kit.call(kit.f.closeFactor()) == (4000, 9 * 10**17)
    r = kit.send(kit.f.setReserveFactor(2500), sender=d)
    assert kit.chain.events(r, kit.pool, "ReserveFactorUpdated") == [{"reserveFactorBps": 2500}]
    r = kit.send(kit.f.setRateModel(1, 2, 3, 4), sender=d)
    assert kit.chain.events(r, kit.pool, "RateModelUpdated") == [
        {"baseRatePerYearWad": 1, "slope1PerYearWad": 2, "slope2PerYearWad": 3, "kinkWad": 4}
    ]
    assert kit.call(kit.f.rateModel()) == (1, 2, 3, 4)
    weth = kit.tokens["WETH"].address
    r = kit.send(kit.f.listCollateral(weth, 7000, 8000, 800, 123), sender=d)
    assert kit.chain.events(r, kit.pool, "CollateralConfigured") == [{
        "asset": weth, "decimals": 18, "ltvBps": 7000, "liquidationThresholdBps": 8000,
        "liquidationBonusBps": 800, "supplyCapRaw": 123,
    }]
    assert kit.call(kit.f.collateralAssets()) == [kit.tokens[s].address for s in ("WBTC", "WETH", "STK6")]
    r = kit.send(kit.f.setOracle(alice), sender=d)
    assert kit.chain.events(r, kit.pool, "OracleUpdated") == [{"previousOracle": kit.oracle.address, "newOracle": alice}]
    r = kit.send(kit.f.transferOwnership(alice), sender=d)
    assert kit.chain.events(r, kit.pool, "OwnershipTransferred") == [{"previousOwner": d, "newOwner": alice}]
    assert kit.call(kit.f.owner()) == alice


def test_invalid_parameters(kit) -> None:
    d, f, weth = kit.deployer, kit.f, kit.tokens["WETH"].address
    send = lambda call: kit.send(call, sender=d)  # noqa: E731
    _reverts(lambda: send(f.listCollateral(weth, 8001, 8000, 500, 0)), "LtvAboveThreshold",
             {"ltvBps": 8001, "liquidationThresholdBps": 8000})
    _reverts(lambda: send(f.listCollateral(weth, 0, 0, 500, 0)), "InvalidLiquidationThreshold", {"liquidationThresholdBps": 0})
    _reverts(lambda: send(f.listCollateral(weth, 0, 10_001, 500, 0)), "InvalidLiquidationThreshold")
    _reverts(lambda: send(f.listCollateral(weth, 7000, 8000, 0, 0)), "ZeroLiquidationBonus")
    # 9,500 x 1.06 = 10,070 > 100%: a liquidation at the threshold could not pay the bonus.
    _reverts(lambda: send(f.listCollateral(weth, 7000, 9500, 600, 0)), "LiquidationNotCollateralised",
             {"liquidationThresholdBps": 9500, "liquidationBonusBps": 600})
    send(f.listCollateral(weth, 7000, 9500, 526, 0))  # 9,500 x 1.0526 = 9,999.7 -> rounds to 10,000: allowed
    _reverts(lambda: send(f.listCollateral(weth, 7000, 9500, 527, 0)), "LiquidationNotCollateralised")
    _reverts(lambda: send(f.listCollateral(kit.usdc.address, 7000, 8000, 500, 0)), "BaseCannotBeCollateral")
    _reverts(lambda: send(f.listCollateral(ZERO, 7000, 8000, 500, 0)), "ZeroAddress")
    _reverts(lambda: send(f.setCloseFactor(0, WAD)), "InvalidCloseFactor")
    _reverts(lambda: send(f.setCloseFactor(10_001, WAD)), "InvalidCloseFactor")
    _reverts(lambda: send(f.setCloseFactor(5000, WAD + 1)), "InvalidCloseFactor",
             {"defaultBps": 5000, "fullCloseHealthFactorWad": WAD + 1})
    _reverts(lambda: send(f.setRateModel(0, 0, 0, 0)), "InvalidKink", {"kinkWad": 0})
    _reverts(lambda: send(f.setRateModel(0, 0, 0, WAD)), "InvalidKink")
    _reverts(lambda: send(f.setReserveFactor(10_001)), "ReserveFactorTooHigh", {"reserveFactorBps": 10_001})
    _reverts(lambda: send(f.setOracle(ZERO)), "ZeroAddress")
    _reverts(lambda: send(f.transferOwnership(ZERO)), "ZeroAddress")


def test_too_many_collateral_assets_and_decimals(chain) -> None:
    kit = LendingKit.deploy(chain, listings=tuple(Listing(f"T{i}", 18, WAD, 5000, 6000, 500) for i in range(16)))
    extra = chain.deploy("MintableERC20", "Extra", "X", 18)
    _reverts(lambda: kit.send(kit.f.listCollateral(extra.address, 5000, 6000, 500, 0), sender=kit.deployer),
             "TooManyCollateralAssets", {"max": 16})
    kit2 = LendingKit.deploy(chain, listings=())
    wide = chain.deploy("MintableERC20", "Wide", "W", 31)
    _reverts(lambda: kit2.send(kit2.f.listCollateral(wide.address, 5000, 6000, 500, 0), sender=kit2.deployer),
             "UnsupportedDecimals", {"token": wide.address, "decimals": 31})
    oracle = chain.deploy("FixedPriceOracle")
    _reverts(lambda: chain.deploy("LendingPool", wide.address, oracle.address), "UnsupportedDecimals")
    _reverts(lambda: chain.deploy("LendingPool", ZERO, oracle.address), "ZeroAddress")


def test_action_reverts(kit, alice, bob, keeper) -> None:
    f, weth = kit.f, kit.tokens["WETH"]
    unlisted = kit.chain.deploy("MintableERC20", "Unlisted", "U", 18)
    _reverts(lambda: kit.send(f.depositCollateral(unlisted.address, 1), sender=alice), "AssetNotListed",
             {"asset": unlisted.address})
    _reverts(lambda: kit.send(f.withdrawCollateral(unlisted.address, 1), sender=alice), "AssetNotListed")
    _reverts(lambda: kit.send(f.liquidate(bob, unlisted.address, 1), sender=alice), "AssetNotListed")
    _reverts(lambda: kit.send(f.supply(0), sender=alice), "ZeroAmount")
    _reverts(lambda: kit.send(f.withdraw(0), sender=alice), "ZeroAmount")
    _reverts(lambda: kit.send(f.depositCollateral(weth.address, 0), sender=alice), "ZeroAmount")
    _reverts(lambda: kit.send(f.borrow(0), sender=alice), "ZeroAmount")
    _reverts(lambda: kit.send(f.depositCollateralFor(ZERO, weth.address, 1), sender=alice), "ZeroAddress")
    _reverts(lambda: kit.send(f.repayFor(ZERO, 1), sender=alice), "ZeroAddress")

    _reverts(lambda: kit.send(f.withdraw(1), sender=alice), "InsufficientSupplyBalance",
             {"account": alice, "balanceBase": 0, "requestedBase": 1})
    _reverts(lambda: kit.send(f.withdrawCollateral(weth.address, 1), sender=alice), "InsufficientCollateral",
             {"account": alice, "asset": weth.address, "balanceRaw": 0, "requestedRaw": 1})
    _reverts(lambda: kit.send(f.repay(1), sender=alice), "NoDebt", {"account": alice})
    _reverts(lambda: kit.send(f.liquidate(alice, weth.address, 1), sender=keeper), "NoDebt")

    kit.deposit(alice, "WETH", 1_000 * 10**18)  # $3M: enough to borrow all the cash
    _reverts(lambda: kit.borrow(alice, 1_000_000 * USDC + 1), "InsufficientCash",
             {"cashBase": 1_000_000 * USDC, "requestedBase": 1_000_000 * USDC + 1})
    kit.borrow(alice, 900_000 * USDC)
    lender = kit.chain.accounts[9]
    _reverts(lambda: kit.send(f.withdraw(100_000 * USDC + 1), sender=lender), "InsufficientCash")
    _reverts(lambda: kit.send(f.liquidate(alice, kit.tokens["WBTC"].address, 1), sender=keeper),
             "NoCollateralToSeize", {"account": alice, "asset": kit.tokens["WBTC"].address})
    _reverts(lambda: kit.send(f.liquidate(alice, weth.address, 0), sender=keeper), "ZeroAmount")


def test_supply_cap(chain) -> None:
    kit = LendingKit.deploy(chain, listings=(Listing("CAP", 8, WAD, 5000, 6000, 500, supply_cap_raw=10**8),))
    alice = chain.accounts[1]
    kit.deposit(alice, "CAP", 10**8 - 1)
    _reverts(lambda: kit.deposit(alice, "CAP", 2), "SupplyCapExceeded",
             {"asset": kit.tokens["CAP"].address, "supplyCapRaw": 10**8, "totalAfterRaw": 10**8 + 1})
    kit.deposit(alice, "CAP", 1)


def test_withdraw_reserves(chain) -> None:
    kit = LendingKit.deploy(chain)
    d, alice = kit.deployer, chain.accounts[1]
    _reverts(lambda: kit.send(kit.f.withdrawReserves(d, 1), sender=d), "InsufficientReserves",
             {"reservesBase": 0, "requestedBase": 1})
    _reverts(lambda: kit.send(kit.f.withdrawReserves(ZERO, 0), sender=d), "ZeroAddress")
    kit.supply(chain.accounts[9], 1_000_000 * USDC)
    kit.deposit(alice, "WETH", 100 * 10**18)
    kit.borrow(alice, 100_000 * USDC)
    chain.advance(365 * 24 * 3600)
    kit.send(kit.f.accrue(), sender=d)
    reserves = kit.call(kit.f.totalReserves())
    assert reserves > 0
    r = kit.send(kit.f.withdrawReserves(d, reserves), sender=d)
    assert kit.chain.events(r, kit.pool, "ReservesWithdrawn") == [{"to": d, "amountBase": reserves}]
    assert kit.balance(kit.usdc, d) == reserves
    # Views accrue to the block they run in: a few seconds of 10% of ~0.5%/yr on 100,000 USDC at most.
    assert 0 <= kit.call(kit.f.totalReserves()) <= 100


def test_fee_on_transfer_token_is_refused(chain) -> None:
    kit = LendingKit.deploy(chain, listings=())
    fee = chain.deploy("FeeOnTransferToken", 18)
    kit.set_price(fee, WAD)
    kit.send(kit.f.listCollateral(fee.address, 5000, 6000, 500, 0), sender=kit.deployer)
    alice = chain.accounts[1]
    kit.mint(fee, alice, 100 * 10**18)
    kit.approve(fee, alice)
    _reverts(lambda: kit.send(kit.f.depositCollateral(fee.address, 100 * 10**18), sender=alice), "TransferAmountMismatch",
             {"token": fee.address, "expectedRaw": 100 * 10**18, "receivedRaw": 99 * 10**18})


def test_reentrant_token_cannot_reenter(chain) -> None:
    kit = LendingKit.deploy(chain, listings=())
    token = chain.deploy("ReentrantToken")
    kit.set_price(token, WAD)
    kit.send(kit.f.listCollateral(token.address, 5000, 6000, 500, 0), sender=kit.deployer)
    alice = chain.accounts[1]
    kit.mint(token, alice, 10 * 10**18)
    kit.approve(token, alice)
    kit.send(kit.f.depositCollateral(token.address, 10**18), sender=alice)
    calldata = kit.f.withdrawCollateral(token.address, 10**18)._encode_transaction_data()
    kit.send(token.functions.setReentry(kit.pool.address, calldata), sender=kit.deployer)
    receipt = kit.send(kit.f.depositCollateral(token.address, 10**18), sender=alice)
    [attempt] = chain.events(receipt, token, "ReentryAttempted")
    assert attempt["success"] is False
    decoded = chain.registry.decode_revert(attempt["returnData"])
    assert decoded is not None and decoded.name == "ReentrantCall"
    assert kit.call(kit.f.collateralBalance(alice, token.address)) == 2 * 10**18


def test_preview_liquidation_reports_unavailable_prices(kit, alice, keeper) -> None:
    kit.deposit(alice, "WETH", 5 * 10**18)
    kit.borrow(alice, 10_000 * USDC)
    kit.set_price(kit.tokens["WETH"], 2_000 * WAD)
    weth = kit.tokens["WETH"].address
    assert kit.call(kit.f.previewLiquidation(alice, weth, MAX_UINT))[0] > 0
    kit.set_available(kit.tokens["WETH"], False)
    _reverts(lambda: kit.call(kit.f.previewLiquidation(alice, weth, MAX_UINT)), "OraclePriceUnavailable", {"asset": weth})
    _reverts(lambda: kit.send(kit.f.liquidate(alice, weth, MAX_UINT), sender=keeper), "PriceUnavailable")
    kit.set_available(kit.tokens["WETH"], True)
    kit.set_available(kit.usdc, False)
    _reverts(lambda: kit.call(kit.f.previewLiquidation(alice, weth, MAX_UINT)), "OraclePriceUnavailable",
             {"asset": kit.usdc.address})


def test_fixed_price_oracle_is_owner_only(kit, alice) -> None:
    _reverts(lambda: kit.send(kit.oracle.functions.setPrice(alice, 1), sender=alice), "NotOwner")
    _reverts(lambda: kit.send(kit.oracle.functions.setAvailable(alice, False), sender=alice), "NotOwner")
