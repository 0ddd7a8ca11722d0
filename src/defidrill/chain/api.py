"""The chain interface: what the engine and the protocol layer may ask of a chain, whichever backend runs it.

``ChainAPI`` is an abstract base class, as ape's ``ProviderAPI`` is: every backend subclasses it and
implements each ``@abstractmethod`` (``Chain`` on anvil over JSON-RPC, ``RevmChain`` in process on
pyrevm); a backend that misses one cannot be instantiated, and mypy --strict checks each
implementation against the signature here. The engine and the protocol layer are typed against
``ChainAPI``, never against one backend.

What it holds itself (concrete, backend-neutral, no RPC: web3.py is used offline, for ABI encoding
only): the project's ABIs, encoding, decoding, deployment, single calls and transactions over the
batched ``call_many`` / ``send_many``, snapshot isolation and the drill clock (``advance``).

Node controls (balances, storage, code, impersonation, the block clock) are part of the interface,
not a second, narrower one: the engine seeds balances and the fork path writes storage and code on
whichever chain it is handed, and revm implements every one of them, ``send_one_block`` (a
congested block whose leftovers are dropped) included. What only a JSON-RPC
node has (``rpc``, ``rpc_url``, ``Chain.attach``) stays on ``Chain``: its callers (the CLI, an
attached node) make that chain themselves and so never hold an unknown backend.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from typing import Any
from collections.abc import Callable, Iterator, Mapping, Sequence

from web3 import Web3
from web3.contract.contract import ContractFunction

from defidrill.chain.abi_registry import AbiRegistry, checksum as to_checksum_address, decode_values
from defidrill.chain.calldata import fast_calldata
from defidrill.chain.setup_block import raise_setup_failures
from defidrill.chain.types import BlockInfo, Deployed, Dropped, PreparedCall, Receipt, TxIntent, TxRequest
from defidrill.errors import ChainError
from defidrill.toolchain import Artifact, Artifacts


class ChainAPI(ABC):
    """A chain the engine can drive: batched transactions and calls, logs, the clock, snapshots and
    node controls (abstract, one implementation per backend), plus encoding and deployment over them."""

    #: The unlocked dev accounts; the first deploys by default (``deployer``).
    accounts: list[str]
    chain_id: int

    def __init__(self, artifacts: Artifacts, w3: Web3) -> None:
        self.artifacts = artifacts
        self.w3 = w3
        self.registry = AbiRegistry()
        for artifact in self.artifacts.by_name.values():
            self.registry.add(artifact.name, artifact.abi)
        #: Contracts from outside the project's compilation (npm packages' artifacts, linked at deploy).
        self.foreign_artifacts: dict[str, Artifact] = {}

    @property
    def deployer(self) -> str:
        return self.accounts[0]

    # ----------------------------------------------------------------- contracts
    def register(self, *artifacts: Artifact) -> None:
        """Make foreign contracts deployable and usable by name (``at``, ``deploy``), and decode their
        events and errors in every receipt and revert. A name the project's own contracts use is refused."""
        for artifact in artifacts:
            if artifact.name in self.artifacts:
                raise ChainError(f"cannot register {artifact.name} from {artifact.source}: the project has a "
                                 f"contract of that name ({self.artifacts.get(artifact.name).source})")
            self.foreign_artifacts[artifact.name] = artifact
            self.registry.add(artifact.name, artifact.abi)

    def _artifact(self, name: str) -> Artifact:
        foreign = self.foreign_artifacts.get(name)
        return foreign if foreign is not None else self.artifacts.get(name)

    def at(self, name: str, address: str) -> Deployed:
        artifact = self._artifact(name)
        address = to_checksum_address(address)
        return Deployed(name, address, artifact.abi, self.w3.eth.contract(address=address, abi=artifact.abi))

    def deploy_tx(self, name: str, *args: Any, sender: str | None = None, gas: int | None = None) -> TxRequest:
        artifact = self._artifact(name)
        if not artifact.deployable:
            raise ChainError(f"{name} has no bytecode (an interface or abstract contract) and cannot be deployed")
        factory = self.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
        data = factory.constructor(*args).data_in_transaction
        return TxRequest(sender or self.deployer, None, data, gas=gas, label=f"deploy {name}")

    def deploy(self, name: str, *args: Any, sender: str | None = None, gas: int | None = None) -> Deployed:
        receipt = self.send(self.deploy_tx(name, *args, sender=sender, gas=gas))
        assert receipt.contract_address is not None
        return self.at(name, receipt.contract_address)

    def deploy_many(self, items: Sequence[tuple[str, Sequence[Any]]], *, sender: str | None = None,
                    gas: int | None = None) -> list[Deployed]:
        """Deploy contracts in one batch, in order (give ``gas`` when a constructor needs an earlier one)."""
        txs = [self.deploy_tx(name, *args, sender=sender, gas=gas) for name, args in items]
        receipts = self.send_many(txs)
        return [self.at(name, r.contract_address or "") for (name, _), r in zip(items, receipts)]

    # ----------------------------------------------------------------- encoding
    @staticmethod
    def encode(fn: ContractFunction | PreparedCall) -> tuple[str, str]:
        """(to, calldata) of a bound contract function call or a call encoded already (``Deployed.encoder``)."""
        if isinstance(fn, PreparedCall):
            return fn.to, fn.data
        return str(fn.address), fast_calldata(fn) or fn._encode_transaction_data()

    def tx(self, fn: ContractFunction | PreparedCall, *, sender: str | None = None, value_wei: int = 0,
           gas: int | None = None, gas_price_wei: int | None = None, label: str = "", agent: str = "",
           priority_fee_wei: int | None = None, intent: TxIntent | None = None,
           max_fee_wei: int | None = None) -> TxRequest:
        to, data = self.encode(fn)
        return TxRequest(sender or self.deployer, to, data, value_wei, gas, gas_price_wei, label or fn.fn_name,
                         agent, priority_fee_wei, intent, max_fee_wei)

    @classmethod
    def prepare(cls, fn: ContractFunction, decoder: Callable[[bytes], Any] | None = None) -> PreparedCall:
        """Encode a call once to send it many times (a drill reads the same views every step)."""
        to, data = cls.encode(fn)
        return PreparedCall(fn.fn_name, to, data, fn.abi.get("outputs", []), decoder)

    def _decode_output(self, fn: ContractFunction | PreparedCall, data_hex: str) -> Any:
        if isinstance(fn, PreparedCall) and fn.decoder is not None:
            return fn.decoder(bytes.fromhex(data_hex[2:]))
        outputs = fn.outputs if isinstance(fn, PreparedCall) else fn.abi.get("outputs", [])
        values = decode_values(outputs, bytes.fromhex(data_hex[2:]))
        if len(values) == 1:
            return values[0]
        return tuple(values)

    # ----------------------------------------------------------------- calls
    def call(self, fn: ContractFunction, *, sender: str | None = None, block: str | int = "latest") -> Any:
        return self._call_result(self.call_many([fn], sender=sender, block=block)[0])

    @staticmethod
    def _call_result(result: Any) -> Any:
        if isinstance(result, ChainError):
            raise result
        return result

    # ----------------------------------------------------------------- transactions
    def transact(self, fn: ContractFunction, *, sender: str | None = None, value_wei: int = 0,
                 gas: int | None = None) -> Receipt:
        """Send one call as a transaction, mine it, raise RevertError (decoded) if it reverts."""
        return self.send(self.tx(fn, sender=sender, value_wei=value_wei, gas=gas))

    def send(self, tx: TxRequest) -> Receipt:
        """Send one transaction and mine it (``send_many`` of one)."""
        return self.send_many([tx])[0]

    def send_setup_block(self, txs: Sequence[TxRequest], phase: str) -> None:
        """Mine set-up transactions that must all succeed (deployment wiring, seeding) as ``send_block`` does,
        the same blocks; raise ChainError (``phase``, the first failed one's label and decoded reason) when one
        was refused or reverted. Returns nothing: a backend may tell success without building every receipt
        (anvil reads the blocks' logs, see ``Chain.send_setup_block``)."""
        raise_setup_failures(self, txs, self.send_block(txs), phase)

    def logs(self, from_block: int = 0, to_block: int | str = "latest", address: str | list[str] | None = None,
             topics: list[str | None] | None = None) -> list[dict[str, Any]]:
        """Every log in a block range, decoded where an ABI knows it (``{"event": None, "raw": log}`` otherwise)."""
        decoded = []
        for log in self.raw_logs(from_block, to_block, address=address, topics=topics):
            event = self.registry.decode_log(log)
            decoded.append(event if event is not None else {"event": None, "raw": log})
        return decoded

    def events(self, receipt: Receipt, deployed: Deployed | None, name: str) -> list[dict[str, Any]]:
        return receipt.events_named(name, deployed.address if deployed else None)

    # ----------------------------------------------------------------- snapshots and the clock
    @contextlib.contextmanager
    def isolated(self) -> Iterator[None]:
        """Everything inside runs on a snapshot that is reverted on exit."""
        snap = self.snapshot()
        try:
            yield
        finally:
            self.revert(snap)

    def advance(self, seconds: int, blocks: int = 1) -> int:
        """Move time forward by ``seconds`` over ``blocks`` mined blocks; returns the new timestamp.

        The clock of a drill: seconds and blocks advance together, each block
        ``seconds // blocks`` apart, the last landing exactly on ``now + seconds``.
        """
        if blocks < 1 or seconds < blocks:
            raise ValueError(f"advance needs blocks >= 1 and seconds >= blocks (got {seconds} s, {blocks} blocks)")
        target = self.timestamp() + int(seconds)
        if blocks > 1:
            self.mine(blocks - 1, int(seconds) // blocks)
        self.set_next_timestamp(target)
        self.mine(1)
        return target

    # ================================================================= what each backend implements
    @property
    @abstractmethod
    def location(self) -> str:
        """Where this chain runs, for messages: the node's JSON-RPC URL, or ``revm (in process)``."""

    # ----------------------------------------------------------------- calls and logs
    @abstractmethod
    def call_many(self, fns: Sequence[ContractFunction | PreparedCall], *, sender: str | None = None,
                  block: str | int = "latest") -> list[Any]:
        """Run calls without sending them (eth_call), as one batch; each entry is the decoded value or
        a ChainError (RevertError with the decoded reason when it reverted), returned, not raised."""

    @abstractmethod
    def raw_logs(self, from_block: int = 0, to_block: int | str = "latest", *, address: str | list[str] | None = None,
                 topics: list[str | None] | None = None) -> list[dict[str, Any]]:
        """Logs as eth_getLogs gives them (hex fields) by block range, address(es) and topics by position."""

    @abstractmethod
    def code_at(self, address: str) -> str:
        """The runtime code at ``address`` now, 0x-prefixed hex (``"0x"`` when it holds none)."""

    @abstractmethod
    def creation_output(self, creation_code: str) -> str:
        """What ``creation_code`` (0x-prefixed hex) returns when run without a target and without keeping
        any state: a constructor-less contract's runtime code, as eth_call of the creation code gives it."""

    # ----------------------------------------------------------------- transactions
    @abstractmethod
    def send_many(self, txs: Sequence[TxRequest], *, raise_on_revert: bool = True) -> list[Receipt]:
        """Send a batch and mine it (several transactions go into one block, in batch order among
        equal bids); with ``raise_on_revert`` the first send-time error or mined revert raises
        (RevertError with the decoded reason), else failed receipts are returned (check ``.ok``)."""

    @abstractmethod
    def send_block(self, txs: Sequence[TxRequest], *,
                   timestamp: int | None = None) -> list[Receipt | ChainError | Dropped]:
        """With automine off: mine a batch as blocks of at most ``MAX_TXS_PER_BLOCK`` (the first
        stamped ``timestamp`` when it is later than the latest block), batch order among equal bids
        (a tip tie-break of batch length - position, in wei); one entry per transaction: its receipt
        (failed ones included), its send-time error, or ``Dropped(FEE_CAP)``."""

    @abstractmethod
    def send_one_block(self, txs: Sequence[TxRequest], *, timestamp: int | None = None,
                       base_fee_wei: int | None = None) -> list[Receipt | ChainError | Dropped]:
        """With automine off: mine exactly ONE block from a batch (a congested chain); what did not fit
        is ``Dropped(NO_ROOM)``, a fee cap under the base fee ``Dropped(FEE_CAP)``."""

    @abstractmethod
    def receipts(self, tx_hashes: Sequence[str]) -> list[Receipt]:
        """The receipts of mined transactions, in the order asked."""

    @abstractmethod
    def revert_reasons(self, tx_hashes: Sequence[str]) -> list[Any]:
        """Why mined transactions failed: each one's decoded revert (None when it has no reason, as
        out of gas), read without replaying it on old state."""

    # ----------------------------------------------------------------- blocks and the clock
    @abstractmethod
    def latest_block(self) -> BlockInfo:
        """Number, timestamp, base fee, gas limit and gas used of the latest block."""

    @abstractmethod
    def block_number(self) -> int:
        """Number of the latest block."""

    @abstractmethod
    def timestamp(self) -> int:
        """Timestamp of the latest block, in seconds."""

    @abstractmethod
    def mine(self, blocks: int = 1, interval_s: int | None = None) -> None:
        """Mine ``blocks`` blocks (empty unless automine is off and transactions wait), ``interval_s`` apart."""

    @abstractmethod
    def set_next_timestamp(self, ts: int) -> None:
        """The next block's timestamp, in seconds (never before the latest block's)."""

    @abstractmethod
    def set_block_interval(self, seconds: int) -> None:
        """Every new block is stamped ``seconds`` after the previous one, whatever the wall clock says."""

    @abstractmethod
    def set_block_gas_limit(self, gas: int) -> None:
        """The gas limit of every block from the next one."""

    @abstractmethod
    def next_base_fee_wei(self) -> int:
        """The next block's base fee (EIP-1559 from the latest block's gas), in wei."""

    @abstractmethod
    def set_automine(self, enabled: bool) -> None:
        """Automine on: each send is mined at once; off: transactions wait for ``mine`` or a ``send_block``."""

    @property
    @abstractmethod
    def automine(self) -> bool:
        """Whether each send is mined at once (``set_automine``)."""

    # ----------------------------------------------------------------- snapshots
    @abstractmethod
    def snapshot(self) -> str:
        """Save the whole chain (state, blocks, logs); returns an id for ``revert``."""

    @abstractmethod
    def revert(self, snapshot_id: str) -> None:
        """Back to ``snapshot_id``; it and every later snapshot are used up (ChainError when unknown)."""

    # ----------------------------------------------------------------- node controls
    @abstractmethod
    def set_balance(self, address: str, wei: int) -> None:
        """Set an account's ether balance, in wei."""

    @abstractmethod
    def set_balances(self, balances_wei: Mapping[str, int]) -> None:
        """Many ether balances at once, in wei (seeding gives every agent gas money)."""

    @abstractmethod
    def balance(self, address: str) -> int:
        """An account's ether balance, in wei."""

    @abstractmethod
    def impersonate(self, address: str) -> None:
        """Let ``address`` send transactions without its key (a no-op where no signature is checked)."""

    @abstractmethod
    def stop_impersonating(self, address: str) -> None:
        """Undo ``impersonate``."""

    @abstractmethod
    def set_storage(self, address: str, slot: int, value: int) -> None:
        """Write one 32-byte storage word of a contract."""

    @abstractmethod
    def set_storages(self, address: str, values_by_slot: Mapping[int, int]) -> None:
        """Write many storage words of one contract at once (a feed takeover writes its whole layout)."""

    @abstractmethod
    def get_storage(self, address: str, slot: int) -> int:
        """Read one storage word of a contract."""

    @abstractmethod
    def set_code(self, address: str, code: str) -> None:
        """Install runtime code (0x-prefixed hex) at ``address``; its storage and balance stay."""
