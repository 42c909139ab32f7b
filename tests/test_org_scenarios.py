"""Organisation scenarios through the analyzer protocol in four shapes (after an update, a
new stack's preview, a preview of a change to an existing stack, after a refresh), each
run in a fresh pack process as the engine does, against verdicts reasoned from IAM and
provider semantics (tests/org_scenarios/)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from harness import UNKNOWN
from org_scenarios import bruteforce
from org_scenarios.bruteforce import Need
from org_scenarios.capture import Captured, capture, engine_view
from org_scenarios.engine import FreshPacks
from org_scenarios.scenarios import LIBRARY
from org_scenarios.spec import SHAPES, Scenario, WrongVerdict, check, needs, sst_context
from org_scenarios.world import RoleState, end_state, refreshed_outputs
from sst_deployer.tags import from_tags

SCENARIOS = LIBRARY.scenarios
_CAPTURED: dict[tuple[str, str], Captured] = {}


def captured(s: Scenario, shape: str) -> Captured:
    """Each scenario program runs once per session for updates (and refreshes), once for a
    new stack's preview and once for the preview of a change (``Scenario.in_state``)."""
    run = shape if shape in ("preview", "change") else "update"
    key = (s.id, run)
    if key not in _CAPTURED:
        existing = s.in_state(captured(s, "update").stack.resources).__contains__ if run == "change" else None
        _CAPTURED[key] = capture(s.program, s.config, stack=s.stack, preview=run != "update", existing=existing)
    return _CAPTURED[key]


def view(s: Scenario, shape: str) -> list[dict[str, Any]]:
    """The stack as the pack sees it in ``shape``."""
    c = captured(s, shape)
    if shape == "refreshed":
        return engine_view(c, refreshed=refreshed_outputs(end_state(c)[0]))
    if shape in ("update", "change") and s.stale:  # a role in state keeps the last refresh's read-back
        arn = {r.name: r.outputs.get("arn") for r in c.stack.resources if r.type == "aws:iam/policy:Policy"}
        stale = {urn: {"managedPolicyArns": [arn[p] for p in policies]}
                 for role, policies in s.stale.items() for urn in c.urns(role)}
        return engine_view(c, refreshed=stale)
    return engine_view(c)


@pytest.fixture(scope="session")
def packs(standalone_pack_dir: Path) -> Iterator[FreshPacks]:
    """A fresh pack process per run (``PULUMI_DRY_RUN`` true in previews), started ahead."""
    pool = FreshPacks(standalone_pack_dir)
    try:
        yield pool
    finally:
        pool.close()


def cases(scenarios: Mapping[str, Any]) -> list[Any]:
    """Every scenario in every shape, strict xfail where its verdict says the pack is wrong."""
    out: list[Any] = []
    for s in scenarios.values():
        for shape in SHAPES:
            reason = s.verdict(shape).xfail
            marks = [pytest.mark.xfail(strict=True, reason=reason, raises=WrongVerdict)] if reason else []
            out.append(pytest.param(s.id, shape, id=f"{s.id}-{shape}", marks=marks))
    return out


def give_verdict(s: Any, shape: str, packs: FreshPacks, standalone_pack_dir: Path) -> None:
    """Raises WrongVerdict unless the pack gives ``s`` its reasoned verdict in ``shape``,
    in one run of a fresh pack process configured with the scenario's ``pack_config``."""
    c = captured(s, shape)
    diags = packs.run(view(s, shape), stack=s.stack, preview=c.preview, config=s.pack_config)
    problems = check(s.verdict(shape), diags, c.urns)
    if problems:
        raise WrongVerdict("\n".join(problems))


@pytest.mark.parametrize("scenario_id, shape", cases(SCENARIOS))
def test_the_pack_gives_the_reasoned_verdict(packs: FreshPacks, scenario_id: str, shape: str,
                                             standalone_pack_dir: Path) -> None:
    give_verdict(SCENARIOS[scenario_id], shape, packs, standalone_pack_dir)


def _brute_cases() -> list[Any]:
    return [pytest.param(s.id, id=s.id) for s in SCENARIOS.values() if s.lost is not None]


Contexts = Callable[[Need, str], list[dict[str, tuple[str, ...]]]]


def losses_agree_with_brute_force(s: Scenario, contexts_for: Callable[[Scenario, RoleState, Contexts], Contexts]
                                  | None = None) -> None:
    """The scenario's stated losses, against concrete requests on the converged end state
    (every library's cross-check; ``contexts_for`` adds what a library's requests also carry)."""
    assert s.lost is not None
    c = captured(s, "update")
    roles, documents = end_state(c)
    for name, expected in s.lost.items():
        (state,) = [r for r in roles.values() if r.urn in c.urns(name)]
        key = state.key
        settings = from_tags(state.tags, account=key[0], partition="aws")
        identity = [documents[arn] if arn in documents else managed_document(arn) for arn in state.managed]
        identity += list(state.inline.values())
        boundary = documents.get(state.boundary) if state.boundary else None
        contexts = sst_context(settings, s.mfa, state.tags)
        if contexts_for is not None:
            contexts = contexts_for(s, state, contexts)
        found = bruteforce.lost(needs(settings), identity, boundary, contexts)
        assert set(found) == set(expected), (
            f"{key}: brute force finds lost but the scenario does not say: {sorted(set(found) - expected)}; "
            f"the scenario says lost but brute force finds kept: {sorted(expected - set(found))}; e.g. "
            + "; ".join(f"{sid}: {reqs[0][0].action} on {reqs[0][0].resource} ({reqs[0][1]})"
                        for sid, reqs in found.items() if sid not in expected))


@pytest.mark.parametrize("scenario_id", _brute_cases())
def test_the_expected_losses_agree_with_brute_force(scenario_id: str) -> None:
    losses_agree_with_brute_force(SCENARIOS[scenario_id])


AWS_MANAGED = {
    "AdministratorAccess": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*",
                                                                     "Resource": "*"}]},
    # Allow-only: it can add, never take away; enough to show nothing is lost.
    "ReadOnlyAccess": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [
        "s3:Get*", "s3:List*", "cloudformation:Describe*", "iam:Get*", "iam:List*"], "Resource": "*"}]},
    "PowerUserAccess": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:ListRoles",
                                       "organizations:DescribeOrganization", "account:ListRegions",
                                       "account:GetAccountInformation"], "Resource": "*"}]},
}


def managed_document(arn: str) -> str:
    name = arn.rsplit("/", 1)[-1]
    if ":iam::aws:policy/" in arn and name in AWS_MANAGED:
        return json.dumps(AWS_MANAGED[name])
    raise AssertionError(f"no document for {arn}: state it in the scenario, or expect lost=None")


# ----------------------------------------------------------------- the reference evaluator itself


def _allowed(docs: list[dict[str, Any]], action: str, resource: str, ctx: dict[str, tuple[str, ...]] | None = None,
             boundary: dict[str, Any] | None = None) -> str:
    req = bruteforce.Request(action, resource, ctx or {})
    return bruteforce.decide(req, [bruteforce.statements(d) for d in docs],
                             bruteforce.statements(boundary) if boundary else None)


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}


@pytest.mark.parametrize("statement, action, resource, ctx, expected", [
    ({"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}, "s3:GetObject", "arn:aws:s3:::b/k",
     {}, "denied"),
    ({"Effect": "Deny", "Action": "S3:getobject", "Resource": "*"}, "s3:GetObject", "x", {}, "denied"),
    ({"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::B/*"}, "s3:GetObject", "arn:aws:s3:::b/k",
     {}, "allowed"),  # resources are case-sensitive
    ({"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}, "iam:PassRole", "r", {}, "allowed"),
    ({"Effect": "Deny", "Action": "*", "NotResource": "arn:aws:s3:::b*"}, "s3:GetObject", "arn:aws:s3:::b/k",
     {}, "allowed"),
    ({"Effect": "Deny", "Action": "*", "Resource": "a?c"}, "x:y", "abc", {}, "denied"),
    ({"Effect": "Deny", "Action": "*", "Resource": "a?c"}, "x:y", "abbc", {}, "allowed"),
    ({"Effect": "Deny", "Action": "*", "Resource": "a${*}"}, "x:y", "ab", {}, "allowed"),  # ${*} is a literal *
    ({"Effect": "Deny", "Action": "*", "Resource": "[ab]"}, "x:y", "a", {}, "allowed"),  # no fnmatch classes
    ({"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {
        "aws:RequestedRegion": "us-east-1"}}}, "x:y", "r", {"aws:requestedregion": ("eu-west-1",)}, "denied"),
    ({"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {
        "aws:RequestedRegion": "us-east-1"}}}, "x:y", "r", {}, "denied"),  # negated: a missing key holds
    ({"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {
        "aws:RequestedRegion": "eu-west-1"}}}, "x:y", "r", {}, "allowed"),  # a missing key does not
    ({"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"BoolIfExists": {
        "aws:MultiFactorAuthPresent": "false"}}}, "x:y", "r", {}, "denied"),
    ({"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"BoolIfExists": {
        "aws:MultiFactorAuthPresent": "false"}}}, "x:y", "r", {"aws:multifactorauthpresent": ("true",)}, "allowed"),
    ({"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Null": {
        "aws:ResourceTag/sst:app": "true"}}}, "x:y", "r", {"aws:resourcetag/sst:app": ("a",)}, "allowed"),
    ({"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Null": {
        "aws:ResourceTag/sst:app": "true"}}}, "x:y", "r", {}, "denied"),
])
def test_the_reference_evaluator_follows_iam(statement: dict[str, Any], action: str, resource: str,
                                             ctx: dict[str, tuple[str, ...]], expected: str) -> None:
    assert _allowed([_doc(ALLOW_ALL, statement)], action, resource, ctx) == expected


def test_the_reference_evaluator_intersects_a_boundary() -> None:
    boundary = _doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    assert _allowed([_doc(ALLOW_ALL)], "s3:GetObject", "x", boundary=boundary) == "allowed"
    assert _allowed([_doc(ALLOW_ALL)], "iam:PassRole", "x", boundary=boundary) == "boundary"
    assert _allowed([_doc({"Effect": "Allow", "Action": "ec2:*", "Resource": "*"})], "s3:GetObject", "x",
                    boundary=boundary) == "no-allow"


def test_sampled_requests_hit_a_literal_deny_inside_a_wildcard_requirement() -> None:
    # ListBucket: a bucket action (PutObject is authorised against objects, never a bucket ARN).
    need = bruteforce.Need("S", "s3:ListBucket", "arn:aws:s3:::sstbootstrap-*", False)
    deny = _doc(ALLOW_ALL, {"Effect": "Deny", "Action": "s3:ListBucket",
                            "Resource": "arn:aws:s3:::sstbootstrap-useast1-7f3a9c"})
    found = bruteforce.lost([need], [deny], None, lambda need, arn: [{}])
    assert [r.resource for r, _ in found["S"]] == ["arn:aws:s3:::sstbootstrap-useast1-7f3a9c"]
    assert bruteforce.lost([need], [_doc(ALLOW_ALL)], None, lambda need, arn: [{}]) == {}


# ----------------------------------------------------------------- the shapes themselves


def test_each_run_is_served_by_a_fresh_pack_process(packs: FreshPacks) -> None:
    """The engine starts the pack for one preview or update and stops it afterwards."""
    first = len(packs.cost.pids)
    packs.run([], stack="production", preview=False)
    packs.run([], stack="production", preview=False)
    used = packs.cost.pids[first:]
    assert len(used) == 2 and len(set(packs.cost.pids)) == len(packs.cost.pids)


def test_a_change_preview_keeps_what_is_in_state_known_and_plans_what_is_new() -> None:
    """tagged-rpa: the role is in state (ARN known, read-back as the update left it); its
    policy and attachment are new (ARN unknown, so the attachment's policyArn too)."""
    c = captured(SCENARIOS["tagged-rpa"], "change")
    by_name = {r.name: r for r in c.stack.resources}
    role, policy, attachment = by_name["sst-deployer"], by_name["sst-deploy"], by_name["sst-attachment"]
    assert c.preview and not role.planned and policy.planned and attachment.planned
    assert role.outputs["arn"] == "arn:aws:iam::112233445566:role/sst-deployer"
    assert policy.outputs["arn"] == UNKNOWN
    assert attachment.inputs == {"role": "sst-deployer", "policyArn": UNKNOWN}
    (viewed,) = [r for r in view(SCENARIOS["tagged-rpa"], "change") if r["name"] == "sst-deployer"]
    assert viewed["outputs"]["managedPolicyArns"] == [] and viewed["outputs"]["inlinePolicies"] == []


def test_what_a_resource_in_state_depends_on_is_in_state_too() -> None:
    """A role in state whose trust names an OIDC provider of the stack: the provider exists."""
    from org_scenarios.scenarios_round2 import ROUND2

    c = captured(ROUND2.scenarios["r2-oidc-in-stack-mfa-guardrail"], "change")
    (oidc,) = [r for r in c.stack.resources if r.type.endswith("openIdConnectProvider:OpenIdConnectProvider")]
    assert not oidc.planned and oidc.outputs["arn"] != UNKNOWN


def test_naming_new_a_resource_that_one_in_state_depends_on_is_an_error() -> None:
    s = dataclasses.replace(SCENARIOS["tagged-managed-declared"], new=("sst-deploy",))
    with pytest.raises(ValueError, match=r"'sst-deploy'.*'sst-deployer'"):
        s.in_state(captured(SCENARIOS["tagged-managed-declared"], "update").stack.resources)
