"""anvil's fee and pool rules, for the revm backend: what a block charges and in which order it takes
transactions. Each rule was measured on anvil 1.7.1 (tests/chain/test_backends.py holds both
backends to the same hand-worked figures).

- Base fee: EIP-1559 from the parent block (target = gas limit / 2, change 1/8), also after a block
  whose fee was set (``anvil_setNextBlockBaseFeePerGas``: 200 gwei set, 33,263 of 5M gas used,
  next 175.166315 gwei).
- Price paid: min(fee cap, base fee + tip); the fee cap of a transaction sent with a tip and no cap
  is the tip + ``TxRequest.MAX_FEE_CAP_WEI`` (what ``TxRequest.to_rpc`` sends).
- Pool order (anvil's ``TransactionOrder::Fees``): the transaction's gas price, which for an
  EIP-1559 transaction is its fee CAP, not its tip: a 5 gwei tip capped at 100 gwei went after a
  1 gwei tip capped at 10,001 gwei; equal caps kept the order of arrival whatever the tips.
"""

from __future__ import annotations

from defidrill.chain.types import TxRequest
from defidrill.errors import ChainError

#: anvil's tip when a transaction names none (eth_sendTransaction without fee fields).
DEFAULT_TIP_WEI = 10**9
#: Osaka (EIP-7825): no transaction may ask for more gas; anvil's default hardfork enforces it.
TX_GAS_CAP = 2**24


def next_base_fee(parent_base_fee_wei: int, parent_gas_used: int, gas_limit: int) -> int:
    """EIP-1559: the base fee moves by at most 1/8 toward keeping blocks half full."""
    target = gas_limit // 2
    if parent_gas_used == target:
        return parent_base_fee_wei
    if parent_gas_used > target:
        return parent_base_fee_wei + max(1, parent_base_fee_wei * (parent_gas_used - target) // target // 8)
    return parent_base_fee_wei - parent_base_fee_wei * (target - parent_gas_used) // target // 8


def calldata_floor_gas(data: bytes) -> int:
    """EIP-7623 (Prague): a transaction pays at least 21,000 + 10 per calldata token."""
    zeros = data.count(0)
    return 21_000 + 10 * (zeros + 4 * (len(data) - zeros))


def fee_cap(tx: TxRequest) -> int | None:
    """An EIP-1559 transaction's max fee per gas, as ``TxRequest.to_rpc`` sends it (None: not 1559)."""
    if tx.priority_fee_wei is None:
        return None
    return tx.max_fee_wei if tx.max_fee_wei is not None else tx.priority_fee_wei + TxRequest.MAX_FEE_CAP_WEI


def fees(tx: TxRequest, base_fee_wei: int, default_tip_wei: int) -> tuple[int, int]:
    """(effective gas price, tip per gas) as anvil charges them: min(fee cap, base fee + tip).
    The caller has refused a cap under the base fee already; a legacy price under it is an error."""
    cap = fee_cap(tx)
    if tx.priority_fee_wei is not None and cap is not None:
        tip = min(tx.priority_fee_wei, cap - base_fee_wei)
        return base_fee_wei + tip, tip
    if tx.gas_price_wei is not None:
        if tx.gas_price_wei < base_fee_wei:
            raise ChainError(f"gas price {tx.gas_price_wei} below the base fee {base_fee_wei}", tx=tx.to_rpc())
        return tx.gas_price_wei, tx.gas_price_wei - base_fee_wei
    return base_fee_wei + default_tip_wei, default_tip_wei


def pool_priority(tx: TxRequest, default_tip_wei: int) -> int:
    """Where anvil's pool puts ``tx`` (higher first; ties keep arrival order): its gas price, the fee
    cap of an EIP-1559 transaction."""
    cap = fee_cap(tx)
    if cap is not None:
        return cap
    return tx.gas_price_wei if tx.gas_price_wei is not None else default_tip_wei
