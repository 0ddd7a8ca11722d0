"""Deploy the reference protocol (placeholder until the contracts land: deploys the probe)."""

from __future__ import annotations

from dataclasses import dataclass, field

from defidrill.chain import Chain, Deployed


@dataclass
class ReferenceProtocol:
    contracts: dict[str, Deployed] = field(default_factory=dict)

    def named_contracts(self) -> dict[str, Deployed]:
        return dict(self.contracts)


def deploy_default_protocol(chain: Chain) -> ReferenceProtocol:
    return ReferenceProtocol({"PROBE": chain.deploy("ChainProbe", 1000)})
