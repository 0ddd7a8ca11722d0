"""anvil's unlocked dev accounts, derived the way anvil derives them (BIP-44 path m/44'/60'/0'/0/i)."""

from __future__ import annotations

import functools

from eth_account import Account


@functools.lru_cache(maxsize=8)
def _derive(mnemonic: str, count: int) -> tuple[str, ...]:
    Account.enable_unaudited_hdwallet_features()  # only to derive addresses; no key ever signs here
    return tuple(Account.from_mnemonic(mnemonic, account_path=f"m/44'/60'/0'/0/{i}").address for i in range(count))


def dev_accounts(mnemonic: str, count: int) -> list[str]:
    """The first ``count`` addresses of ``mnemonic`` (checksummed), as anvil lists them."""
    return list(_derive(mnemonic, count))
