"""Run the Pulumi program under the SDK's mock engine: what ``pulumi up`` would create.

No Pulumi CLI, provider plugin or AWS account is involved: the program itself runs,
reads the stack's config through ``sst_deployer_component.config`` and registers its resources
with a monitor that records them. IAM resources get the names and ARNs AWS would give
them, with ``XXXXXXX`` where Pulumi adds a random suffix.
"""

from __future__ import annotations

import json
import runpy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc

ROOT = Path(__file__).resolve().parent.parent
PROGRAM = ROOT / "__main__.py"


@dataclass(frozen=True)
class Registered:
    type: str
    name: str
    inputs: dict[str, Any]


@dataclass(frozen=True)
class Plan:
    """What the program registered, and the outputs its components registered (the
    stack's exports are the DeployerRole's outputs)."""

    resources: list[Registered]
    outputs: dict[str, dict[str, Any]]  # component type -> its registered outputs

    def of_type(self, type_: str) -> list[Registered]:
        return [r for r in self.resources if r.type == type_]


def stack_config(stack: str, root: Path = ROOT) -> dict[str, Any]:
    """The config the Pulumi CLI hands the program: Pulumi.<stack>.yaml over the
    project's defaults (Pulumi.yaml), objects and lists as JSON strings."""
    project = yaml.safe_load((root / "Pulumi.yaml").read_text())
    name = project["name"]
    merged: dict[str, Any] = {}
    for key, decl in (project.get("config") or {}).items():
        namespaced = key if ":" in key else f"{name}:{key}"
        if isinstance(decl, dict) and "default" in decl:
            merged[namespaced] = decl["default"]
        elif isinstance(decl, dict) and "value" in decl:
            merged[namespaced] = decl["value"]
    stack_file = yaml.safe_load((root / f"Pulumi.{stack}.yaml").read_text()) or {}
    merged.update(stack_file.get("config") or {})
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in merged.items()}


class _Mocks(pulumi_mocks.Mocks):
    def __init__(self, account: str, partition: str) -> None:
        self.account = account
        self.partition = partition

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        state = dict(args.inputs)
        kind = {"aws:iam/role:Role": "role", "aws:iam/policy:Policy": "policy"}.get(args.typ)
        if kind:
            state.setdefault("name", f"{args.name}-XXXXXXX")
            state["arn"] = f"arn:{self.partition}:iam::{self.account}:{kind}{state.get('path') or '/'}{state['name']}"
        if args.typ == "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
            state["arn"] = f"arn:{self.partition}:iam::{self.account}:oidc-provider/token.actions.githubusercontent.com"
        return f"{args.name}-id", state

    def call(self, args: pulumi_mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": self.account, "arn": f"arn:{self.partition}:iam::{self.account}:user/you",
                    "userId": "AIDAEXAMPLE", "id": self.account}, []
        if args.token == "aws:index/getPartition:getPartition":
            return {"partition": self.partition, "dnsSuffix": "amazonaws.com", "id": self.partition,
                    "reverseDnsPrefix": "com.amazonaws"}, []
        raise NotImplementedError(f"the program asked for {args.token}, which these mocks do not answer")


class _Monitor(pulumi_mocks.MockMonitor):
    def __init__(self, mocks: _Mocks) -> None:
        super().__init__(mocks)
        self.registered: list[Registered] = []
        self.components: dict[str, str] = {}  # URN -> type
        self.outputs: dict[str, dict[str, Any]] = {}

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.custom:
            self.registered.append(Registered(request.type, request.name, rpc.deserialize_properties(request.object)))
        else:
            self.components[response.urn] = request.type
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:
        if request.urn in self.components:
            self.outputs[self.components[request.urn]] = rpc.deserialize_properties(request.outputs)
        return super().RegisterResourceOutputs(request)


def plan(stack: str, *, account: str = "123456789012", partition: str = "aws", root: Path = ROOT) -> Plan:
    """Run ``root/__main__.py`` for ``stack`` under mocks. The program's own errors
    (bad config) propagate as pulumi.RunError. Once per process: the SDK's settings
    are global."""
    mocks = _Mocks(account, partition)
    monitor = _Monitor(mocks)
    pulumi.runtime.set_mocks(mocks, project="sst-deployer", stack=stack, preview=False, monitor=monitor)
    pulumi.runtime.set_all_config(stack_config(stack, root))

    @pulumi.runtime.test
    def run() -> None:
        runpy.run_path(str(root / "__main__.py"), run_name="__main__")

    run()
    return Plan(sorted(monitor.registered, key=lambda r: (r.type, r.name)), monitor.outputs)
