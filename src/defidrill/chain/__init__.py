"""The chain runtime: the ``ChainAPI`` interface, anvil process, batched JSON-RPC, clock, snapshots, deployment."""

from defidrill.chain.anvil import AnvilConfig, AnvilNode, free_port, start_anvil
from defidrill.chain.api import ChainAPI
from defidrill.chain.chain import Chain
from defidrill.chain.rpc import RpcClient, RpcReply
from defidrill.chain.types import BlockInfo, Deployed, Dropped, PreparedCall, Receipt, TxIntent, TxRequest

__all__ = ["AnvilConfig", "AnvilNode", "BlockInfo", "Chain", "ChainAPI", "Deployed", "Dropped", "PreparedCall", "Receipt",
           "RpcClient", "RpcReply", "TxIntent", "TxRequest",
           "free_port", "start_anvil"]
