"""Run the Pulumi program under the SDK's mock engine and capture the stack as the
engine would send it to a policy pack (type, URN, parent, dependencies, final outputs).

In preview mode the mocks return no computed outputs, so ``arn``/``id``/auto-names
stay unknown and the inputs built from them (an attachment's ``role``) are unknown too,
as in a real ``pulumi preview`` of new resources. A preview of a change to an existing
stack names the resources already in state (``run_program(existing=...)``): those get
the id and outputs an update gave them, as the engine reads them from state, so what is
computed from them is known while what comes from new resources stays unknown.

Inputs (what ``Analyze`` sees) and outputs (what ``AnalyzeStack`` sees) are kept apart,
and outputs carry what the provider reads back, which mocks do not show: pulumi-aws is
bridged from terraform-provider-aws, whose ``aws_iam_role`` Read sets
``managed_policy_arns`` from ListAttachedRolePolicies and ``inline_policy`` from AWS
(``internal/service/iam/role.go``, ``resourceRoleRead``), so a Role's outputs always
hold ``managedPolicyArns`` and ``inlinePolicies``, declared or not: right after a create,
what was attached then (``[]`` unless declared on the role), and unknown in a preview of
a new role. ``tagsAll`` is the role's tags plus the provider's ``defaultTags``. Resources
of the ``aws`` package reference a provider resource (``pulumi:providers:aws``): the
default one, made from the stack's ``aws:`` config as the engine does, or one the program
creates.
"""

from __future__ import annotations

import json
import runpy
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

ROOT = Path(__file__).resolve().parent.parent
PROGRAM = ROOT / "__main__.py"
UNKNOWN = rpc.UNKNOWN  # the engine's sentinel for an unknown string
PROJECT = "sst-deployer"


@dataclass
class Captured:
    type: str
    urn: str
    name: str
    custom: bool
    parent: str = ""
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    provider: str = ""  # "<provider urn>::<provider id>", as the engine references providers
    planned: bool = False  # created by this preview: computed outputs unknown (not in state)


@dataclass
class Stack:
    name: str
    resources: list[Captured]
    invokes: list[str]

    def of_type(self, type_: str) -> list[Captured]:
        return [r for r in self.resources if r.type == type_]

    def one(self, type_: str) -> Captured:
        found = self.of_type(type_)
        assert len(found) == 1, f"{len(found)} resources of type {type_}"
        return found[0]


def _plain(value: Any) -> Any:
    """Mock-engine values as engine JSON: unknowns become the sentinel string."""
    if isinstance(value, pulumi.output.Unknown) or value is rpc.UNKNOWN:
        return UNKNOWN
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class RecordingMocks(pulumi_mocks.Mocks):
    def __init__(self, account: str, partition: str, preview: bool) -> None:
        self.account = account
        self.partition = partition
        self.preview = preview
        self.invokes: list[str] = []
        self.existing = False  # the resource being registered is in state (set by the monitor)

    @property
    def planned(self) -> bool:
        """The resource being registered is new in a preview: no id, outputs unknown."""
        return self.preview and not self.existing

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        state = dict(args.inputs)
        if self.planned:
            return None, state
        # A namePrefix name is the prefix and 26 digits (terraform-provider-aws
        # internal/create/naming.go: id.PrefixedUniqueId, a timestamp and a counter).
        prefixed = state["namePrefix"] + "20261203072459000000000001" if state.get("namePrefix") else None
        name = state.get("name") or prefixed or f"{args.name}-1a2b3c4"
        kind = {
            "aws:iam/role:Role": "role",
            "aws:iam/policy:Policy": "policy",
            "aws:iam/openIdConnectProvider:OpenIdConnectProvider": "oidc-provider",
        }.get(args.typ)
        if kind == "oidc-provider":
            arn = f"arn:{self.partition}:iam::{self.account}:oidc-provider/token.actions.githubusercontent.com"
        elif kind:
            path = state.get("path") or "/"
            arn = f"arn:{self.partition}:iam::{self.account}:{kind}{path}{name}"
        else:
            arn = None
        if kind in ("role", "policy"):
            state["name"] = name
        if arn:
            state["arn"] = arn
        rid = name if kind else f"{args.name}-id"
        return rid, state

    def call(self, args: pulumi_mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        self.invokes.append(args.token)
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": self.account, "arn": f"arn:{self.partition}:iam::{self.account}:user/ci",
                    "userId": "AIDAEXAMPLE", "id": self.account}, []
        if args.token == "aws:index/getPartition:getPartition":
            return {"partition": self.partition, "dnsSuffix": "amazonaws.com", "id": self.partition,
                    "reverseDnsPrefix": "com.amazonaws"}, []
        raise NotImplementedError(args.token)


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """Keeps what the real engine keeps: parents, dependencies, registered outputs."""

    def __init__(self, mocks: RecordingMocks, existing: Callable[[str], bool] | None = None) -> None:
        super().__init__(mocks)
        self.recording = mocks
        self.captured: dict[str, Captured] = {}
        self.order: list[str] = []
        self.config: dict[str, Any] = {}  # the stack's config, for the default provider
        self.existing = existing  # URN -> in state (a preview of a change); None: nothing is

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        if parent and "::pulumi:pulumi:Stack::" not in parent:
            type_ = parent.split("::")[2] + "$" + type_
        return "urn:pulumi:" + "::".join([pulumi.get_stack(), pulumi.get_project(), type_, name])

    def RegisterResource(self, request: Any) -> Any:
        urn = self.make_urn(request.parent, request.type, request.name)
        self.recording.existing = bool(self.existing and self.existing(urn))
        try:
            response = super().RegisterResource(request)
        finally:
            existing, self.recording.existing = self.recording.existing, False
        if request.type == "pulumi:pulumi:Stack":
            return response
        inputs = rpc.deserialize_properties(request.object, keep_unknowns=True)
        state = self.resources[response.urn].state
        parent = request.parent if "::pulumi:pulumi:Stack::" not in request.parent else ""
        outputs = dict(inputs)
        outputs.update(state or {})
        preview = self.recording.preview and not existing
        if request.custom and preview:
            outputs.setdefault("arn", rpc.UNKNOWN)
            outputs.setdefault("id", rpc.UNKNOWN)
        provider = request.provider
        if request.custom and not provider and request.type.startswith("aws:"):
            provider = self.default_provider()
        if request.type == ROLE and request.custom:
            outputs.update(role_read_back(inputs, self.provider_config(provider), preview))
        self.captured[response.urn] = Captured(
            type=request.type,
            urn=response.urn,
            name=request.name,
            custom=bool(request.custom),
            parent=parent,
            dependencies=[d for d in request.dependencies if "::pulumi:pulumi:Stack::" not in d],
            property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
            inputs=_plain(inputs),
            outputs=_plain(outputs) if request.custom else {},
            provider=provider,
            planned=preview,
        )
        self.order.append(response.urn)
        return response

    def default_provider(self) -> str:
        """The engine's default ``aws`` provider, registered once from the ``aws:`` config."""
        urn = "urn:pulumi:" + "::".join([pulumi.get_stack(), pulumi.get_project(), PROVIDER, "default_7_0_0"])
        if urn not in self.captured:
            props = {k.split(":", 1)[1]: _config_value(v) for k, v in self.config.items() if k.startswith("aws:")}
            props["version"] = "7.0.0"
            self.captured[urn] = Captured(type=PROVIDER, urn=urn, name="default_7_0_0", custom=True,
                                          inputs=dict(props), outputs=dict(props))
            self.order.append(urn)
        return f"{urn}::default"

    def provider_config(self, reference: str) -> dict[str, Any]:
        urn = reference.rsplit("::", 1)[0] if reference else ""
        found = self.captured.get(urn)
        return found.inputs if found is not None else {}

    def RegisterResourceOutputs(self, request: Any) -> Any:
        if request.urn in self.captured:
            outputs = rpc.deserialize_properties(request.outputs, keep_unknowns=True)
            self.captured[request.urn].outputs = _plain(outputs)
        return super().RegisterResourceOutputs(request)


ROLE = "aws:iam/role:Role"
PROVIDER = "pulumi:providers:aws"


def _config_value(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text) if text[:1] in "[{" else text
    except ValueError:
        return text


def role_read_back(inputs: dict[str, Any], provider: dict[str, Any], preview: bool) -> dict[str, Any]:
    """What the provider reads back into a Role's outputs after a create (or plans in a
    preview of a new role): attachments and inline policies as AWS lists them, tags_all."""
    out: dict[str, Any] = {}
    declared_managed = inputs.get("managedPolicyArns")
    declared_inline = inputs.get("inlinePolicies")
    if preview:
        out["managedPolicyArns"] = declared_managed if declared_managed is not None else rpc.UNKNOWN
        out["inlinePolicies"] = declared_inline if declared_inline is not None else rpc.UNKNOWN
    else:
        out["managedPolicyArns"] = declared_managed if declared_managed is not None else []
        out["inlinePolicies"] = [p for p in (declared_inline or []) if isinstance(p, dict) and p.get("name")]
    default_tags = provider.get("defaultTags")
    tags = inputs.get("tags") or {}
    extra = default_tags.get("tags", {}) if isinstance(default_tags, dict) else {}
    out["tagsAll"] = {**(extra if isinstance(extra, dict) else {}), **tags} if isinstance(tags, dict) else tags
    return out


LAST_RUN: dict[str, RecordingMonitor] = {}
"""The last run's monitor, to see what was registered before a program failed."""


def config_strings(config: dict[str, Any]) -> dict[str, str]:
    """Stack YAML values as the engine passes them: objects and lists JSON-encoded."""
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}


def run_program(
    config: dict[str, Any],
    *,
    stack: str = "dev",
    preview: bool = False,
    account: str = "112233445566",
    partition: str = "aws",
    program: Path = PROGRAM,
    existing: Callable[[str], bool] | None = None,
) -> Stack:
    """Run ``program`` with ``config`` (``{"sst-deployer:regions": [...], ...}``).

    ``existing`` (previews): which resources, by URN, are already in state."""
    mocks = RecordingMocks(account, partition, preview)
    monitor = RecordingMonitor(mocks, existing)
    monitor.config = config_strings(config)
    LAST_RUN["monitor"] = monitor
    pulumi_settings.ROOT.set(None)
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=preview, monitor=monitor)
    pulumi.runtime.set_all_config(config_strings(config))
    pulumi_settings.SETTINGS.rpc_manager.clear()
    pulumi_settings.SETTINGS.outputs.clear()
    def program_run() -> None:
        runpy.run_path(str(program), run_name="__main__")

    _sync_await(run_pulumi_func(program_run))
    return Stack(stack, [monitor.captured[u] for u in monitor.order], mocks.invokes)


def stack_config(name: str) -> dict[str, Any]:
    """The config of an example stack file, ``Pulumi.<name>.yaml``."""
    import yaml

    data = yaml.safe_load((ROOT / f"Pulumi.{name}.yaml").read_text())
    return dict(data.get("config") or {})
