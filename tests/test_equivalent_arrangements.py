"""For all ways of delivering SST's statements to a role: the pack passes every
arrangement that leaves the role with all of them, and names the resource that takes
some away. Policies are called directly on what the engine would send (outputs), with
the inputs ``Analyze`` would have seen remembered, as the served pack does."""

from __future__ import annotations

import json
from itertools import pairwise
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sst_deployer.policies import declared
from sst_deployer.render import render
from sst_deployer.settings import DeployerSettings
from test_policies_direct import run_all

ACCOUNT = "112233445566"
STATEMENTS = render(DeployerSettings(account=ACCOUNT, regions=("us-east-1",)))[0]["Statement"]
CHANNELS = ("role-policy", "attachment", "policy-attachment", "inline-declared", "managed-declared")
MANDATORY = {"sst-deployer-statements-intact", "sst-deployer-attachments-intact",
             "sst-deployer-administrator-only-in-sandboxes", "sst-deployer-trust"}


def urn(type_: str, name: str) -> str:
    return f"urn:pulumi:dev::org::{type_}::{name}"


def resource(type_: str, name: str, inputs: dict[str, Any], outputs: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": type_, "urn": urn(type_, name), "name": name, "inputs": inputs,
            "outputs": dict(inputs) if outputs is None else outputs, "property_dependencies": {}}


def arrangement(chunks: list[list[dict[str, Any]]], channels: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """The resources delivering ``chunks`` (parts of SST's document) to one hand-tagged
    role through ``channels``; and the ARNs of the managed policies among them."""
    out: list[dict[str, Any]] = []
    declared_inline: list[dict[str, str]] = []
    managed_arns: list[str] = []
    for n, (chunk, channel) in enumerate(zip(chunks, channels, strict=True)):
        document = json.dumps({"Version": "2012-10-17", "Statement": chunk})
        name = f"part{n}"
        arn = f"arn:aws:iam::{ACCOUNT}:policy/{name}"
        if channel == "role-policy":
            out.append(resource("aws:iam/rolePolicy:RolePolicy", name, {"role": "deployer", "name": name,
                                                                        "policy": document}))
        elif channel == "inline-declared":
            declared_inline.append({"name": name, "policy": document})
        else:
            out.append(resource("aws:iam/policy:Policy", name, {"name": name, "policy": document},
                                {"name": name, "policy": document, "arn": arn}))
            managed_arns.append(arn)
            if channel == "attachment":
                out.append(resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", f"{name}-att",
                                    {"role": "deployer", "policyArn": arn}))
            elif channel == "policy-attachment":
                out.append(resource("aws:iam/policyAttachment:PolicyAttachment", f"{name}-pa",
                                    {"name": name, "policyArn": arn, "roles": ["ci", "deployer"]}))
    role_inputs: dict[str, Any] = {
        "name": "deployer",
        "tags": {"sst-deployer:role": "least-privilege", "sst-deployer:regions": "us-east-1"},
        "assumeRolePolicy": json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]})}
    if declared_inline:
        role_inputs["inlinePolicies"] = declared_inline
    if "managed-declared" in channels:
        role_inputs["managedPolicyArns"] = list(managed_arns)  # the exclusive set lists every managed part
    role_outputs = dict(role_inputs, arn=f"arn:aws:iam::{ACCOUNT}:role/deployer",
                        managedPolicyArns=role_inputs.get("managedPolicyArns", []),
                        inlinePolicies=declared_inline)
    out.insert(0, resource("aws:iam/role:Role", "deployer", role_inputs, role_outputs))
    out.append(resource("aws:iam/role:Role", "ci", {"name": "ci", "assumeRolePolicy": "{}"},
                        {"name": "ci", "assumeRolePolicy": "{}", "arn": f"arn:aws:iam::{ACCOUNT}:role/ci"}))
    return out, managed_arns


def judged(resources: list[dict[str, Any]]) -> list[tuple[str, str]]:
    for r in resources:
        declared.remember(r["urn"], r["type"], r["inputs"])
    try:
        return [(p, m) for p, m in run_all(resources) if p in MANDATORY]
    finally:
        declared.forget()


@st.composite
def arrangements(draw: st.DrawFn) -> tuple[list[list[dict[str, Any]]], list[str]]:
    cuts = sorted(draw(st.sets(st.integers(1, len(STATEMENTS) - 1), max_size=3)))
    bounds = [0, *cuts, len(STATEMENTS)]
    chunks = [STATEMENTS[a:b] for a, b in pairwise(bounds)]
    channels = draw(st.lists(st.sampled_from(CHANNELS), min_size=len(chunks), max_size=len(chunks)))
    if "inline-declared" in channels:  # a declared inline set and RolePolicy fight: not an equivalent arrangement
        channels = ["inline-declared" if c == "role-policy" else c for c in channels]
    return chunks, channels


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(arrangements())
def test_every_arrangement_that_delivers_all_of_sst_statements_passes(case: tuple[list[Any], list[str]]) -> None:
    chunks, channels = case
    resources, _ = arrangement(chunks, channels)
    assert judged(resources) == []


@SETTINGS
@given(arrangements(), st.data())
def test_an_exclusive_set_that_leaves_a_part_out_is_named(case: tuple[list[Any], list[str]],
                                                          data: st.DataObject) -> None:
    chunks, channels = case
    resources, managed = arrangement(chunks, channels)
    if not managed:
        return
    dropped = data.draw(st.sampled_from(managed))
    kept = [a for a in managed if a != dropped]
    resources.append(resource("aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive", "pin",
                              {"roleName": "deployer", "policyArns": kept}))
    found = judged(resources)
    assert found, f"dropping {dropped} passed"
    assert any("RolePolicyAttachmentsExclusive 'pin'" in m for _, m in found)
    assert all("deployer" in m for _, m in found)
