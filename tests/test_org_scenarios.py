"""Organisation scenarios through the analyzer protocol, after an update and in a preview,
against verdicts reasoned from IAM and provider semantics (tests/org_scenarios/)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from analyzer import Analyzer, serve
from org_scenarios import bruteforce
from org_scenarios.capture import Captured, capture, engine_view, judge
from org_scenarios.scenarios import LIBRARY
from org_scenarios.spec import SHAPES, Scenario, WrongVerdict, check, needs, sst_context
from org_scenarios.world import end_state, refreshed_outputs
from sst_deployer.tags import from_tags

SCENARIOS = LIBRARY.scenarios
_CAPTURED: dict[tuple[str, str], Captured] = {}


def captured(s: Scenario, shape: str) -> Captured:
    """Each scenario program runs once per session for updates and once for previews."""
    key = (s.id, "preview" if shape == "preview" else "update")
    if key not in _CAPTURED:
        _CAPTURED[key] = capture(s.program, s.config, stack=s.stack, preview=key[1] == "preview")
    return _CAPTURED[key]


def view(s: Scenario, shape: str) -> list[dict[str, Any]]:
    """The stack as the pack sees it in ``shape``."""
    c = captured(s, shape)
    if shape == "refreshed":
        return engine_view(c, refreshed=refreshed_outputs(end_state(c)[0]))
    if shape == "update" and s.stale:
        arn = {r.name: r.outputs.get("arn") for r in c.stack.resources if r.type == "aws:iam/policy:Policy"}
        stale = {urn: {"managedPolicyArns": [arn[p] for p in policies]}
                 for role, policies in s.stale.items() for urn in c.urns(role)}
        return engine_view(c, refreshed=stale)
    return engine_view(c)


@pytest.fixture(scope="session")
def packs(standalone_pack_dir: Path) -> Iterator[dict[str, Analyzer]]:
    """One pack process for updates and one for previews, as the engine runs them
    (``PULUMI_DRY_RUN``), configured with the schema defaults."""
    env = {"PYTHONPATH": "", "PYTHONSAFEPATH": ""}
    with serve(standalone_pack_dir, env=dict(env, PULUMI_DRY_RUN="false")) as update, \
            serve(standalone_pack_dir, env=dict(env, PULUMI_DRY_RUN="true")) as preview:
        update.configure()
        preview.configure()
        yield {"update": update, "preview": preview, "refreshed": update}


def cases(scenarios: Mapping[str, Any]) -> list[Any]:
    """Every scenario in every shape, strict xfail where its verdict says the pack is wrong."""
    out: list[Any] = []
    for s in scenarios.values():
        for shape in SHAPES:
            reason = s.verdict(shape).xfail
            marks = [pytest.mark.xfail(strict=True, reason=reason, raises=WrongVerdict)] if reason else []
            out.append(pytest.param(s.id, shape, id=f"{s.id}-{shape}", marks=marks))
    return out


def give_verdict(s: Any, shape: str, packs: dict[str, Analyzer], standalone_pack_dir: Path) -> None:
    """Raises WrongVerdict unless the pack gives ``s`` its reasoned verdict in ``shape``."""
    c = captured(s, shape)
    resources = view(s, shape)
    if s.pack_config:
        with serve(standalone_pack_dir, env={"PYTHONPATH": "", "PYTHONSAFEPATH": "",
                                             "PULUMI_DRY_RUN": str(shape == "preview").lower()}) as own:
            own.configure(s.pack_config)
            diags = judge(own, resources)
    else:
        diags = judge(packs[shape], resources)
    problems = check(s.verdict(shape), diags, c.urns)
    if problems:
        raise WrongVerdict("\n".join(problems))


@pytest.mark.parametrize("scenario_id, shape", cases(SCENARIOS))
def test_the_pack_gives_the_reasoned_verdict(packs: dict[str, Analyzer], scenario_id: str, shape: str,
                                             standalone_pack_dir: Path) -> None:
    give_verdict(SCENARIOS[scenario_id], shape, packs, standalone_pack_dir)


def _brute_cases() -> list[Any]:
    return [pytest.param(s.id, id=s.id) for s in SCENARIOS.values() if s.lost is not None]


@pytest.mark.parametrize("scenario_id", _brute_cases())
def test_the_expected_losses_agree_with_brute_force(scenario_id: str) -> None:
    """The scenario's stated losses, against concrete requests on the converged end state."""
    s = SCENARIOS[scenario_id]
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
        found = bruteforce.lost(needs(settings), identity, boundary, sst_context(settings, s.mfa, state.tags))
        assert set(found) == set(expected), (
            f"{key}: brute force finds lost but the scenario does not say: {sorted(set(found) - expected)}; "
            f"the scenario says lost but brute force finds kept: {sorted(expected - set(found))}; e.g. "
            + "; ".join(f"{sid}: {reqs[0][0].action} on {reqs[0][0].resource} ({reqs[0][1]})"
                        for sid, reqs in found.items() if sid not in expected))


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
