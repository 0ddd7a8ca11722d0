"""The fast calldata path gives web3.py's bytes for every function of every compiled contract it takes."""

from __future__ import annotations

from typing import Any

from web3 import Web3

from defidrill.chain.calldata import fast_calldata
from defidrill.toolchain import compile_project

ADDRESS = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


def _value(abi_type: str, i: int) -> Any:
    if abi_type.endswith("[]"):
        return [_value(abi_type[:-2], i + k) for k in range(3)]
    if abi_type == "address":
        return Web3.to_checksum_address(f"0x{(0xABC0 + i):040x}")
    if abi_type == "bool":
        return i % 2 == 0
    if abi_type == "string":
        return f"text {i}"
    if abi_type.startswith("uint"):
        return 2 ** int(abi_type[4:] or 256) - 1 - i          # the largest values: no room for a sign or width slip
    if abi_type.startswith("int"):
        return -(2 ** (int(abi_type[3:] or 256) - 1)) + i
    if abi_type.startswith("bytes"):
        return bytes(range(int(abi_type[5:]) if abi_type != "bytes" else 5))
    raise LookupError(abi_type)


def test_fast_calldata_matches_web3_everywhere_it_applies() -> None:
    w3 = Web3()
    checked = skipped = 0
    for artifact in compile_project().by_name.values():
        contract = w3.eth.contract(address=ADDRESS, abi=artifact.abi)
        for entry in artifact.abi:
            if entry.get("type") != "function":
                continue
            try:
                args = [_value(str(i["type"]), n) for n, i in enumerate(entry["inputs"])]
            except LookupError:
                skipped += 1     # a struct argument: web3 encodes it (the fast path declines tuples)
                continue
            signature = f"{entry['name']}({','.join(i['type'] for i in entry['inputs'])})"
            fn = contract.get_function_by_signature(signature)(*args)
            fast = fast_calldata(fn)
            assert fast is not None, signature
            assert fast == fn._encode_transaction_data(), signature
            checked += 1
    assert checked > 100


def test_it_declines_what_web3_would_convert_and_takes_bytes() -> None:
    abi = [{"type": "function", "name": "f", "inputs": [{"name": "x", "type": "bytes32"}], "outputs": [],
            "stateMutability": "nonpayable"}]
    contract = Web3().eth.contract(address=ADDRESS, abi=abi)
    assert fast_calldata(contract.functions.f("0x" + "11" * 32)) is None   # hex text: web3 converts it
    fn = contract.functions.f(b"\x11" * 32)
    assert fast_calldata(fn) == fn._encode_transaction_data()
