"""`defidrill chain up --abi-dir`: Foundry-style {abi, address} files a plain web3 client can use as they are,
decimals in the JSON line, and the deployer's role proven by transactions (what it may do, others may not)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from web3 import HTTPProvider, Web3
from web3.exceptions import ContractCustomError

from support.chain_up import chain_up

#: The reference market's tokens (docs/reference-protocol.md): WBTC 8, WETH 18, USDC 6; feeds answer in 8.
EXPECTED_DECIMALS = {"WBTC": 8, "WETH": 18, "USDC": 6, "FEED_WBTC_USD": 8, "FEED_WETH_USD": 8, "FEED_USDC_USD": 8}


def test_abi_dir_files_and_json_line(tmp_path: Path) -> None:
    abi_dir = tmp_path / "abis"
    with chain_up("--abi-dir", str(abi_dir)) as info:
        contracts = info["contracts"]
        files = sorted(p.stem for p in abi_dir.glob("*.json"))
        assert files == sorted(contracts), "one file per contract, named after it"
        for name, decimals in EXPECTED_DECIMALS.items():
            assert contracts[name]["decimals"] == decimals, name
        assert "decimals" not in contracts["LENDING_POOL"]
        assert info["abi_dir"] == str(abi_dir.resolve())

        w3 = Web3(HTTPProvider(info["rpc_url"]))
        handles = {}
        for name, entry in contracts.items():
            data = json.loads(Path(entry["abi"]).read_text())
            assert set(data) == {"abi", "address"}
            assert data["address"] == entry["address"]
            handles[name] = w3.eth.contract(address=data["address"], abi=data["abi"])
        # the files are enough to talk to the chain: decimals read through them match the line
        for name, decimals in EXPECTED_DECIMALS.items():
            assert handles[name].functions.decimals().call() == decimals
        assert handles["LENDING_POOL"].functions.owner().call() == info["roles"]["deployer"]["address"]

        deployer = info["roles"]["deployer"]["address"]
        assert deployer == info["accounts"][0]
        stranger = info["accounts"][5]
        wbtc, feed = handles["WBTC"], handles["FEED_WETH_USD"]
        # the deployer may mint and push a feed round (its role); another account may not
        before = wbtc.functions.balanceOf(stranger).call()
        tx = wbtc.functions.mint(stranger, 3 * 10**8).transact({"from": deployer})
        assert w3.eth.wait_for_transaction_receipt(tx)["status"] == 1
        assert wbtc.functions.balanceOf(stranger).call() == before + 3 * 10**8
        tx = feed.functions.transmit(2_500 * 10**8).transact({"from": deployer})
        assert w3.eth.wait_for_transaction_receipt(tx)["status"] == 1
        assert feed.functions.latestRoundData().call()[1] == 2_500 * 10**8
        with pytest.raises(ContractCustomError):
            wbtc.functions.mint(stranger, 1).transact({"from": stranger})
        with pytest.raises(ContractCustomError):
            feed.functions.transmit(1).transact({"from": stranger})
