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


def _value_of(abi_input: dict[str, Any], i: int) -> Any:
    """A value for any ABI input, structs (and arrays of them) included."""
    abi_type = str(abi_input["type"])
    if abi_type.startswith("tuple"):
        one = tuple(_value_of(c, i + k) for k, c in enumerate(abi_input["components"]))
        return [one, one] if abi_type.endswith("[]") else one
    return _value(abi_type, i)


def test_the_encoder_matches_web3_for_every_compiled_function_structs_included() -> None:
    from defidrill.chain.calldata import function_encoder

    w3 = Web3()
    structs = 0
    for artifact in compile_project().by_name.values():
        contract = w3.eth.contract(address=ADDRESS, abi=artifact.abi)
        for entry in artifact.abi:
            if entry.get("type") != "function":
                continue
            args = [_value_of(i, n) for n, i in enumerate(entry["inputs"])]
            encoder = function_encoder(ADDRESS, artifact.abi, entry["name"], contract.functions) if sum(
                e.get("name") == entry["name"] for e in artifact.abi) == 1 else None
            signature = f"{entry['name']}({','.join(str(i['type']) for i in entry['inputs'])})"
            expected = contract.get_function_by_signature(_collapsed(entry))(*args)._encode_transaction_data()
            by_signature = function_encoder(ADDRESS, artifact.abi, _collapsed(entry), contract.functions)
            assert by_signature.data(*args) == expected, signature
            assert by_signature.prepare(*args).data == expected and by_signature.prepare(*args).to == ADDRESS
            if encoder is not None:
                assert encoder.data(*args) == expected, signature
            if any(str(i["type"]).startswith("tuple") for i in entry["inputs"]):
                structs += 1
                assert fast_calldata(contract.get_function_by_signature(_collapsed(entry))(*args)) == expected
    assert structs > 0


def _collapsed(entry: dict[str, Any]) -> str:
    from eth_utils.abi import collapse_if_tuple

    return f"{entry['name']}({','.join(collapse_if_tuple(dict(i)) for i in entry['inputs'])})"


def test_the_encoder_names_overloads_and_missing_functions() -> None:
    import pytest

    from defidrill.chain.calldata import function_encoder
    from defidrill.errors import ChainError

    abi = [{"type": "function", "name": "f", "inputs": [{"name": "x", "type": "uint256"}], "outputs": []},
           {"type": "function", "name": "f", "inputs": [{"name": "x", "type": "address"}], "outputs": []}]
    functions = Web3().eth.contract(address=ADDRESS, abi=abi).functions
    with pytest.raises(ChainError, match=r"overloaded, name one of \['f\(address\)', 'f\(uint256\)'\]"):
        function_encoder(ADDRESS, abi, "f", functions)
    with pytest.raises(ChainError, match="'g' at .*: not in its ABI"):
        function_encoder(ADDRESS, abi, "g", functions)
    # f(uint256) 7: the selector keccak("f(uint256)")[:4] = 0xb3de648b, then the word 7
    assert function_encoder(ADDRESS, abi, "f(uint256)", functions).data(7) == "0xb3de648b" + f"{7:064x}"
