"""The chain a drill runs on: a fresh node configured from the drill, or a running anvil made to match.

Everything that makes two runs of one drill and seed give the same chain lives here: the fixed
genesis time, the one-second block interval, the set-up block gas limit and the state history a
drill's anvil keeps. The runner asks for a chain here; the engine (world, loop) gets it ready-made.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from defidrill.chain.rpc import DEFAULT_RPC_TIMEOUT_S
from defidrill.chain import AnvilConfig, Chain
from defidrill.chain.backends import AnyChain, launch_chain
from defidrill.chain.fork import probe_fork_url
from defidrill.drill.schema import Drill
from defidrill.toolchain import Artifacts

#: Genesis of every drill chain (2024-01-01T00:00:00Z): fixed, so block times are reproducible.
GENESIS_TIMESTAMP = 1_704_067_200
#: The first step's block time, after genesis: room for seeding's blocks (one second each).
START_OFFSET_S = 86_400
#: Blocks whose state a drill's anvil keeps in memory (``AnvilConfig.state_history_blocks``, anvil's
#: ``--prune-history``). anvil otherwise keeps hundreds, about 8 MiB each with 10,000 borrowers (measured:
#: anvil at 1.2 GiB after 31 steps; docs/performance.md). A drill reads old state in
#: two places, both within the step being settled: the trace of a failed transaction without revert
#: data (out of gas; ``Chain.revert_reasons``, which reads other reasons without state) and Aave's
#: health factor before a liquidation the scan did not see (the block before it). A step mines two
#: blocks, one more per 250 transactions of a batch: 32 blocks cover steps of up to ~7,000 transactions,
#: and a read past them raises ChainError rather than change a result. Logs and receipts are not state:
#: they stay whole (the token-supply invariant reads Transfer logs from block 0).
DRILL_STATE_HISTORY_BLOCKS: int | None = 32
#: Block gas limit while the protocol deploys and the world is seeded (then the drill's own applies).
SETUP_GAS_LIMIT = 60_000_000


def first_step_timestamp() -> int:
    """The block time of a fresh drill chain's step 0 (a day after genesis)."""
    return GENESIS_TIMESTAMP + START_OFFSET_S


@contextlib.contextmanager
def drill_chain(drill: Drill, artifacts: Artifacts, rpc_url: str | None = None, *,
                rpc_timeout_s: float = DEFAULT_RPC_TIMEOUT_S) -> Iterator[AnyChain]:
    """A fresh chain on the drill's backend configured from the drill, or, given ``rpc_url``, a
    running anvil made to match; blocks one second apart either way.

    On a running node the drill's chain settings are applied over anvil's RPC (any sender
    impersonated, the block gas limit, the next base fee); the genesis time cannot be, so block
    times start a minute after the node's latest block and differ from a fresh run's. The node
    is never stopped; the drill's contracts stay on it."""
    # Deployment and seeding get a roomy block (Aave's contracts take more than 12M gas);
    # `apply_drill_gas_limit` sets the drill's own block gas limit before its first step.
    setup_gas_limit = max(int(drill.chain.gas_limit), SETUP_GAS_LIMIT)
    if rpc_url is None:
        fork_url = drill.chain.fork_url
        if fork_url is not None:  # one clear message (exit 4) before anvil retries a dead URL
            probe_fork_url(fork_url, fork_block=drill.chain.fork_block)
        # A fork keeps the forked block's time (its contracts' clocks run from it); a fresh chain starts at a fixed one.
        config = AnvilConfig(gas_limit=setup_gas_limit, base_fee_wei=int(drill.chain.base_fee_gwei * 10**9),
                             timestamp=None if fork_url else GENESIS_TIMESTAMP, fork_url=fork_url,
                             fork_block=drill.chain.fork_block, state_history_blocks=DRILL_STATE_HISTORY_BLOCKS,
                             rpc_timeout_s=rpc_timeout_s)
        with launch_chain(drill.chain.backend, config, artifacts) as fresh:
            # Block times never come from the wall clock: the same drill and seed give the same chain.
            fresh.set_block_interval(1)
            yield fresh
        return
    chain = Chain.attach(rpc_url, artifacts, rpc_timeout_s=rpc_timeout_s)
    try:
        chain.rpc.request("anvil_autoImpersonateAccount", [True])
        chain.rpc.request("evm_setBlockGasLimit", [hex(setup_gas_limit)])
        chain.rpc.request("anvil_setNextBlockBaseFeePerGas", [hex(int(drill.chain.base_fee_gwei * 10**9))])
        chain.set_block_interval(1)
        yield chain
    finally:
        chain.rpc.close()


def apply_drill_gas_limit(chain: AnyChain, drill: Drill) -> None:
    """After seeding: the drill's own block gas limit from its first step (a congested 10M chain, say)."""
    if int(drill.chain.gas_limit) < SETUP_GAS_LIMIT:
        chain.set_block_gas_limit(int(drill.chain.gas_limit))
