"""A hand-written decoder for ``Lens.scan``'s return value: the drill's hottest read.

eth_abi decodes the nested dynamic arrays word by word in Python (measured: ~70 ms per
step for 200 accounts, most of a step's time). The layout is fixed by the ABI, so we read
the 32-byte words directly. The result has exactly the shape ABI decoding gives
(``(assets, [dict per account])``), and ``tests/protocol/test_lens_codec.py`` checks the
two agree on a real scan.

Layout of ``(address[] assets, AccountScan[] results)``, offsets in bytes:
head: [off_assets, off_results]; at off_assets: n, then n address words; at off_results:
m, then m offsets (relative to the word after m), each struct: 8 static words
(account, healthFactorWad, collateralValueUsdWad, liquidationValueUsdWad,
borrowLimitUsdWad, debtBase, debtUsdWad, pricesOk), then an offset (relative to the
struct's start) to collateralRaw: k, then k words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from defidrill.chain.abi_registry import checksum


def _words(data: bytes) -> list[int]:
    """Every 32-byte word as an int, in one pass: indexing a list beats slicing and converting at
    each use (the decoder reads each word once or twice; 1,000 accounts x 120 steps read ~1.6M)."""
    from_bytes = int.from_bytes
    return [from_bytes(data[i : i + 32], "big") for i in range(0, len(data) - 31, 32)]


def _address(data: bytes, word: int) -> str:
    return checksum("0x" + data[32 * word + 12 : 32 * word + 32].hex())


def decode_scan(data: bytes) -> tuple[list[str], list[dict[str, Any]]]:
    words = _words(data)
    assets_at, results_at = words[0] // 32, words[1] // 32  # byte offsets -> word indexes
    assets = [_address(data, w) for w in range(assets_at + 1, assets_at + 1 + words[assets_at])]
    heads = results_at + 1  # struct offsets are relative to the word after the count
    results = []
    for j in range(words[results_at]):
        s = heads + words[heads + j] // 32  # the struct's first word
        arr = s + words[s + 8] // 32  # collateralRaw's length word
        results.append({"account": _address(data, s), "healthFactorWad": words[s + 1],
                        "collateralValueUsdWad": words[s + 2], "liquidationValueUsdWad": words[s + 3],
                        "borrowLimitUsdWad": words[s + 4], "debtBase": words[s + 5], "debtUsdWad": words[s + 6],
                        "pricesOk": words[s + 7] != 0, "collateralRaw": words[arr + 1 : arr + 1 + words[arr]]})
    return assets, results


@dataclass(frozen=True)
class ScanWords:
    """One ``Lens.scan`` reply as arrays (``decode_scan_words``): the step read's form.

    ``fields``: (m, 8, 4) uint64 limbs of each struct's 8 static words (account, healthFactorWad,
    collateralValueUsdWad, liquidationValueUsdWad, borrowLimitUsdWad, debtBase, debtUsdWad, pricesOk);
    ``collateral``: (m, k, 4) limbs of each collateralRaw (k = the scan's asset count);
    ``account_bytes``: (m, 20) uint8, each account's address."""

    assets: list[str]
    fields: npt.NDArray[np.uint64]
    collateral: npt.NDArray[np.uint64]
    account_bytes: npt.NDArray[np.uint8]


def _small(limbs: npt.NDArray[np.uint64], what: str) -> npt.NDArray[np.int64]:
    """Offsets and lengths: words whose three high limbs are zero, as int64 (a malformed reply raises)."""
    if limbs[..., :3].any() or (limbs[..., 3] >= 2**40).any():
        raise ValueError(f"Lens.scan reply: {what} out of range (not a Lens.scan return value)")
    return limbs[..., 3].astype(np.int64)


def decode_scan_words(data: bytes) -> ScanWords:
    """``decode_scan`` over numpy (the same layout, read by index arrays instead of word by word):
    ~one array operation per field for a whole chunk instead of ~20 Python operations per account
    (tests/protocol/test_reference_lens_codec.py checks it against ``decode_scan`` and eth_abi)."""
    n_words = len(data) // 32
    words = np.frombuffer(data, dtype=">u8", count=4 * n_words).astype(np.uint64).reshape(n_words, 4)
    assets_at, results_at = (int(x) // 32 for x in _small(words[:2], "head"))
    n_assets = int(_small(words[assets_at], "asset count"))
    assets = [_address(data, w) for w in range(assets_at + 1, assets_at + 1 + n_assets)]
    m = int(_small(words[results_at], "account count"))
    heads = results_at + 1
    starts = heads + _small(words[heads : heads + m], "struct offset") // 32
    fields = words[starts[:, None] + np.arange(8)]
    arrays = starts + _small(words[starts + 8], "collateralRaw offset") // 32
    lengths = _small(words[arrays], "collateralRaw length")
    if m and (lengths != lengths[0]).any():
        raise ValueError("Lens.scan reply: accounts with different collateralRaw lengths")
    k = int(lengths[0]) if m else n_assets
    collateral = words[arrays[:, None] + 1 + np.arange(k)] if m else np.zeros((0, k, 4), dtype=np.uint64)
    as_bytes = np.frombuffer(data, dtype=np.uint8, count=32 * n_words).reshape(n_words, 32)
    return ScanWords(assets, fields.reshape(m, 8, 4), collateral.reshape(m, k, 4), as_bytes[starts, 12:32])


def encode_scan_calldata(selector_hex: str, pool: str, accounts: Sequence[str]) -> str:
    """Calldata of ``Lens.scan(pool, accounts)`` (``0x`` + selector + ABI words), written out: the health
    bound reads a different part of the accounts every step, and web3 building and checking a
    ContractFunction per chunk cost ~50 ms a step at 10,000 borrowers (tests/protocol/test_reference_lens_codec.py
    checks it against eth_abi). Head: pool, the array's offset (0x40); then its length and each address."""
    words = [_ADDRESS_PAD + pool[2:].lower(), f"{64:064x}", f"{len(accounts):064x}"]
    words += [_ADDRESS_PAD + a[2:].lower() for a in accounts]
    return selector_hex + "".join(words)


_ADDRESS_PAD = "0" * 24
