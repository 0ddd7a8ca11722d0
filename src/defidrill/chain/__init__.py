"""The chain runtime: anvil process, batched JSON-RPC, clock, snapshots, deployment."""

from defidrill.chain.anvil import AnvilConfig, AnvilNode, free_port, start_anvil
from defidrill.chain.chain import Chain
from defidrill.chain.rpc import RpcClient, RpcReply
from defidrill.chain.types import BlockInfo, Deployed, PreparedCall, Receipt, TxIntent, TxRequest

__all__ = ["AnvilConfig", "AnvilNode", "BlockInfo", "Chain", "Deployed", "PreparedCall", "Receipt", "RpcClient", "RpcReply",
           "TxIntent", "TxRequest",
           "free_port", "start_anvil"]
