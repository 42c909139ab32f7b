"""A scenario program as the engine would show it to the pack: captured under the mock
engine (``harness.run_program``), each resource tied to its provider (and that
provider's account), with the outputs the real provider reads back.

What the provider reads back (pulumi-aws 7.x is bridged from terraform-provider-aws;
``internal/service/iam/role.go``, ``resourceRoleRead``, and pulumi-aws #4050 for the
inline-policy modes):

* a Role's ``managedPolicyArns`` is what ``ListAttachedRolePolicies`` returned when it
  was read: right after a create, the declared exclusive set or ``[]`` (attachments are
  created after their role); after ``pulumi refresh``, everything attached;
* its ``inlinePolicies`` likewise (``[]`` after a create unless declared with real
  blocks; one empty block is the "remove all" marker and reads back as ``[]``);
* both are unknown in a preview of a new role unless declared; ``tagsAll`` is the
  role's tags plus the provider's default tags (computed in the plan when both are known).

In a preview of a change to an existing stack (``capture(existing=...)``) a resource in
state keeps what the last update read back (the engine diffs against state and shows its
old outputs), and only the new ones are planned (``harness.Captured.planned``).
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import harness
from analyzer import Analyzer, Diagnostic, _diagnostics, _struct, stack_request
from harness import UNKNOWN, Stack
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime.proto import analyzer_pb2

PROGRAMS = Path(__file__).resolve().parent / "programs"
if str(PROGRAMS) not in sys.path:
    sys.path.insert(0, str(PROGRAMS))  # the programs import their kit
DEFAULT_ACCOUNT = "112233445566"
ROLE = "aws:iam/role:Role"
POLICY = "aws:iam/policy:Policy"
PROVIDER_PREFIX = "pulumi:providers:"
DEFAULT_PROVIDER = "default_7_51_1"


class AccountMocks(harness.RecordingMocks):
    """The harness's mocks, with each resource created in its provider's account
    (the provider's ``allowedAccountIds``), and the provider each resource used."""

    def __init__(self, account: str, partition: str, preview: bool) -> None:
        super().__init__(account, partition, preview)
        self.default_account = account
        self.provider_inputs: dict[str, dict[str, Any]] = {}
        self.provider_of: dict[tuple[str, str], str] = {}

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if args.typ.startswith(PROVIDER_PREFIX):
            self.provider_inputs[args.name] = dict(args.inputs)
            return (None if self.planned else f"{args.name}-id"), dict(args.inputs)
        provider = (args.provider or "").split("::")
        name = provider[3] if len(provider) > 3 else DEFAULT_PROVIDER
        self.provider_of[(args.typ, args.name)] = name
        self.account = account_of(self.provider_inputs.get(name, {})) or self.default_account
        try:
            rid, state = super().new_resource(args)
        finally:
            self.account = self.default_account
        if isinstance(state.get("policy"), dict):  # given as an object, read back as JSON text
            state["policy"] = json.dumps(state["policy"])
        return rid, state


def account_of(provider_inputs: Mapping[str, Any]) -> str | None:
    ids = provider_inputs.get("allowedAccountIds")
    if isinstance(ids, str):  # provider config arrives JSON-encoded
        try:
            ids = json.loads(ids)
        except ValueError:
            ids = [ids]
    return ids[0] if isinstance(ids, list) and ids and isinstance(ids[0], str) else None


@dataclass
class Captured:
    """One run of a scenario program, with what the engine knows of its providers."""

    stack: Stack
    preview: bool
    provider_of: dict[tuple[str, str], str]
    provider_inputs: dict[str, dict[str, Any]]
    region: str

    def urns(self, name: str) -> set[str]:
        """The URNs of the resources named ``name`` (a component and its role share one)."""
        found = {r.urn for r in self.stack.resources if r.name == name}
        assert found, f"no resource named {name!r}"
        return found


def capture(program: str, config: Mapping[str, Any], *, stack: str, preview: bool,
            existing: Callable[[str], bool] | None = None) -> Captured:
    """Run ``programs/<program>`` under the mock engine (see ``harness.run_program``);
    ``existing``: in a preview, which resources (URN) are already in state."""
    saved = harness.RecordingMocks
    holder: dict[str, AccountMocks] = {}

    class Mocks(AccountMocks):
        def __init__(self, account: str, partition: str, preview: bool) -> None:
            super().__init__(account, partition, preview)
            holder["mocks"] = self

    harness.RecordingMocks = Mocks  # type: ignore[misc]
    try:
        full = {"aws:region": "us-east-1", **config}
        captured = harness.run_program(full, stack=stack, preview=preview, program=PROGRAMS / program,
                                       existing=existing)
    finally:
        harness.RecordingMocks = saved  # type: ignore[misc]
    mocks = holder["mocks"]
    return Captured(captured, preview, mocks.provider_of, mocks.provider_inputs, str(full["aws:region"]))


def _declared(value: Any) -> bool:
    return value is not None


def _inline_blocks(declared: Any) -> list[dict[str, Any]]:
    """Declared inline policy blocks that are real policies (not the empty 'remove all' block)."""
    if not isinstance(declared, list):
        return []
    return [b for b in declared if isinstance(b, dict) and b.get("name") and b.get("policy")]


def engine_view(c: Captured, *, refreshed: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """The resources as AnalyzeStack gets them: outputs carry the provider's read-backs.

    ``refreshed``: role URN -> {"managedPolicyArns": [...], "inlinePolicies": [...]} as
    AWS would report them after ``pulumi refresh`` (from :mod:`world`)."""
    out = []
    for r in c.stack.resources:
        d = json.loads(json.dumps(asdict(r)))
        provider = c.provider_of.get((r.type, r.name), DEFAULT_PROVIDER)
        pinputs = c.provider_inputs.get(provider, {"region": c.region})
        d["provider"] = {"type": "pulumi:providers:aws", "name": provider, "properties": pinputs,
                         "urn": f"urn:pulumi:{c.stack.name}::{harness.PROJECT}::pulumi:providers:aws::{provider}"}
        outputs, inputs = d["outputs"], d["inputs"]
        if r.type == ROLE:
            default_tags = (pinputs.get("defaultTags") or {})
            if isinstance(default_tags, str):
                default_tags = json.loads(default_tags)
            tags = inputs.get("tags") or {}
            outputs["tagsAll"] = {**(default_tags.get("tags") or {}), **tags} if isinstance(tags, dict) else UNKNOWN
            if r.planned:
                if not _declared(inputs.get("managedPolicyArns")):
                    outputs["managedPolicyArns"] = UNKNOWN
                if not _inline_blocks(inputs.get("inlinePolicies")):
                    outputs["inlinePolicies"] = UNKNOWN
            else:
                managed = inputs.get("managedPolicyArns")
                outputs["managedPolicyArns"] = list(managed) if isinstance(managed, list) else []
                outputs["inlinePolicies"] = _inline_blocks(inputs.get("inlinePolicies"))
                outputs.setdefault("uniqueId", "AROAEXAMPLE" + str(abs(hash(r.urn)) % 10**8))
                if refreshed and r.urn in refreshed:
                    outputs.update(copy.deepcopy(dict(refreshed[r.urn])))
        elif r.type == POLICY:
            outputs.setdefault("attachmentCount", UNKNOWN if r.planned else 0)
            outputs.setdefault("policyId", UNKNOWN if r.planned else "ANPAEXAMPLE")
        out.append(d)
    return out


def _provider(d: Mapping[str, Any]) -> analyzer_pb2.AnalyzerProviderResource:
    p = d["provider"]
    return analyzer_pb2.AnalyzerProviderResource(type=p["type"], urn=p["urn"], name=p["name"],
                                                 properties=_struct(p.get("properties") or {}))


def judge(pack: Analyzer, resources: Iterable[Mapping[str, Any]]) -> list[Diagnostic]:
    """What the engine asks of the pack in one preview or update: ``Analyze`` for every
    resource (its inputs, as registered), then ``AnalyzeStack`` (final outputs)."""
    resources = list(resources)
    diags: list[Diagnostic] = []
    for r in resources:
        request = analyzer_pb2.AnalyzeRequest(
            type=r["type"], properties=_struct(r.get("inputs", {})), urn=r["urn"], name=r["name"],
            options=analyzer_pb2.AnalyzerResourceOptions(parent=r.get("parent", "")), provider=_provider(r))
        diags.extend(_diagnostics(pack.stub.Analyze(request)))
    request = stack_request(resources)
    for message, r in zip(request.resources, resources, strict=True):
        message.provider.CopyFrom(_provider(r))
    diags.extend(_diagnostics(pack.stub.AnalyzeStack(request)))
    return diags
