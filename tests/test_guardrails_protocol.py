"""Organisation guardrails on the example deployers, through the analyzer protocol: each
SST call is judged in the request context it really has (region, sender, MFA, tags), so a
guardrail is a loss when its condition holds for a real call, harmless when it cannot, and
a risk only when the context leaves it open; long Deny lists are judged exactly. Every
case runs on the stack right after an update and on its preview."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from analyzer import Analyzer, Diagnostic
from conftest import as_engine
from harness import Stack

ROLE, POLICY = "aws:iam/role:Role", "aws:iam/policy:Policy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
INTACT = "sst-deployer-statements-intact"
UNDECIDED = "sst-deployer-undecided-conditions"
Resources = list[dict[str, Any]]
PHASES = ["update", "preview"]


def first(resources: Resources, type_: str) -> dict[str, Any]:
    return next(r for r in resources if r["type"] == type_)


def stack_of(name: str, phase: str, example_stacks: dict[str, Stack], example_previews: dict[str, Stack]) -> Resources:
    return as_engine((example_stacks if phase == "update" else example_previews)[name])


def with_guardrail(resources: Resources, statements: list[dict[str, Any]], name: str = "org-guardrail") -> Resources:
    """The role with one more managed policy attached: the organisation's guardrail."""
    out = copy.deepcopy(resources)
    prefix = first(out, ROLE)["urn"].split("::")[0]
    urn = f"{prefix}::sst-deployer::{POLICY}::{name}"
    arn = f"arn:aws:iam::112233445566:policy/{name}"
    out.append({"type": POLICY, "urn": urn, "name": name, "custom": True, "parent": "", "dependencies": [],
                "property_dependencies": {}, "outputs": {"arn": arn, "name": name, "policy": json.dumps(
                    {"Version": "2012-10-17", "Statement": statements})}})
    attachment = copy.deepcopy(first(out, ATTACHMENT))
    attachment.update(urn=attachment["urn"] + "-" + name, name=attachment["name"] + "-" + name, parent="")
    attachment["outputs"]["policyArn"] = arn
    attachment["property_dependencies"]["policyArn"] = [urn]
    out.append(attachment)
    return out


def with_boundary(resources: Resources, statements: list[dict[str, Any]]) -> Resources:
    out = copy.deepcopy(resources)
    prefix = first(out, ROLE)["urn"].split("::")[0]
    arn = "arn:aws:iam::333344445555:policy/org-deployer-boundary"
    out.append({"type": POLICY, "urn": f"{prefix}::sst-deployer::{POLICY}::boundary", "name": "boundary",
                "custom": True, "parent": "", "dependencies": [], "property_dependencies": {},
                "outputs": {"arn": arn, "name": "org-deployer-boundary", "policy": json.dumps(
                    {"Version": "2012-10-17", "Statement": statements})}})
    first(out, ROLE)["outputs"]["permissionsBoundary"] = arn
    return out


def intact(pack: Analyzer, resources: Resources) -> list[str]:
    diags: list[Diagnostic] = pack.analyze_stack(resources)
    assert not any("could not check this stack" in d.message for d in diags)
    return [d.message for d in diags if d.policy == INTACT]


def undecided(pack: Analyzer, resources: Resources) -> list[str]:
    """The advice of sst-deployer-undecided-conditions (issue 15: undecided is not a loss)."""
    diags: list[Diagnostic] = pack.analyze_stack(resources)
    assert not any(d.policy == UNDECIDED and d.level == "mandatory" for d in diags)
    return [d.message for d in diags if d.policy == UNDECIDED]


@pytest.fixture
def stacks(example_stacks: dict[str, Stack], example_previews: dict[str, Stack]) -> Any:
    return lambda name, phase: stack_of(name, phase, example_stacks, example_previews)


def region_lock(regions: list[str], exempt_global: bool = True) -> dict[str, Any]:
    st: dict[str, Any] = {"Sid": "RegionLock", "Effect": "Deny", "Resource": "*",
                          "Condition": {"StringNotEquals": {"aws:RequestedRegion": regions}}}
    if exempt_global:
        st["NotAction"] = ["iam:*", "sts:*", "organizations:*", "support:*"]
    else:
        st["Action"] = "*"
    return st


# ----------------------------------------------------------------- region locks


@pytest.mark.parametrize("phase", PHASES)
def test_a_region_lock_on_the_deployers_regions_passes(pack: Analyzer, stacks: Any, phase: str) -> None:
    staging = stacks("staging", phase)
    assert intact(pack, with_guardrail(staging, [region_lock(["eu-west-1", "us-east-1"])])) == []
    # Without exempting IAM it still passes: IAM is called in us-east-1, one of the two.
    assert intact(pack, with_guardrail(staging, [region_lock(["eu-west-1", "us-east-1"], False)])) == []


@pytest.mark.parametrize("phase", PHASES)
def test_a_region_lock_missing_a_deployer_region_is_a_loss(pack: Analyzer, stacks: Any, phase: str) -> None:
    messages = intact(pack, with_guardrail(stacks("staging", phase), [region_lock(["eu-west-1"])]))
    assert messages and all("denied by statement 'RegionLock'" in m for m in messages)
    assert any("aws:requestedregion=us-east-1" in m and ":us-east-1:" in m for m in messages)
    assert not any("conditional Deny" in m for m in messages)


@pytest.mark.parametrize("phase", PHASES)
def test_a_region_lock_that_forgets_iams_home_region_loses_the_cdk_roles(pack: Analyzer, stacks: Any,
                                                                         phase: str) -> None:
    production = stacks("production", phase)
    messages = intact(pack, with_guardrail(production, [region_lock(["us-west-2", "eu-west-1"], False)]))
    assert any("AllowCDKManageToolkitRoles" in m and "iam:CreateRole" in m for m in messages)
    # The same lock with IAM exempted loses only what is called in us-east-1 itself.
    exempt = intact(pack, with_guardrail(production, [region_lock(["us-west-2", "eu-west-1"])]))
    assert exempt and not any("AllowCDKManageToolkitRoles: iam:" in m for m in exempt)


# ----------------------------------------------------------------- MFA


MFA_DENY = {"Sid": "DenyWithoutMfa", "Effect": "Deny", "Action": "*", "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}


@pytest.mark.parametrize("phase", PHASES)
def test_an_mfa_deny_is_harmless_when_every_trust_path_requires_mfa(pack: Analyzer, stacks: Any,
                                                                     phase: str) -> None:
    assert intact(pack, with_guardrail(stacks("dev", phase), [MFA_DENY])) == []


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("name", ["staging", "production"])
def test_an_mfa_deny_is_a_loss_for_github_actions_sessions(pack: Analyzer, stacks: Any, phase: str,
                                                           name: str) -> None:
    messages = intact(pack, with_guardrail(stacks(name, phase), [MFA_DENY]))
    assert messages and all("denied by statement 'DenyWithoutMfa'" in m for m in messages)
    assert all("aws:multifactorauthpresent=false" in m for m in messages)


# ----------------------------------------------------------------- tag conditions


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("untagged", [
    {"Null": {"aws:ResourceTag/sst:app": "true"}},
    {"StringNotLike": {"aws:ResourceTag/sst:app": "*"}},
])
def test_a_deny_on_untagged_functions_is_harmless_to_sst(pack: Analyzer, stacks: Any, phase: str,
                                                         untagged: dict[str, Any]) -> None:
    deny = {"Sid": "OnlyAppFunctions", "Effect": "Deny", "Action": "lambda:*", "Resource": "*", "Condition": untagged}
    assert intact(pack, with_guardrail(stacks("dev", phase), [deny])) == []


@pytest.mark.parametrize("phase", PHASES)
def test_a_deny_on_one_app_tag_value_is_a_risk(pack: Analyzer, stacks: Any, phase: str) -> None:
    deny = {"Sid": "NotLegacy", "Effect": "Deny", "Action": "lambda:*", "Resource": "*",
            "Condition": {"StringEquals": {"aws:ResourceTag/sst:app": "legacy"}}}
    assert intact(pack, with_guardrail(stacks("dev", phase), [deny])) == []
    messages = undecided(pack, with_guardrail(stacks("dev", phase), [deny]))
    assert messages and all("statement 'NotLegacy'" in m and "conditional Deny that may take away" in m
                            and "aws:resourcetag/sst:app" in m for m in messages)


@pytest.mark.parametrize("phase", PHASES)
def test_principal_tags_come_from_the_roles_tags(pack: Analyzer, stacks: Any, phase: str) -> None:
    deny = {"Sid": "OnlyDevEnvironment", "Effect": "Deny", "Action": "*", "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:PrincipalTag/environment": "dev"}}}
    assert intact(pack, with_guardrail(stacks("dev", phase), [deny])) == []
    messages = intact(pack, with_guardrail(stacks("staging", phase), [deny]))
    assert messages and all("denied by statement 'OnlyDevEnvironment'" in m for m in messages)
    untagged = {**deny, "Sid": "NeedsCostCentre", "Condition": {"Null": {"aws:PrincipalTag/cost-centre": "true"}}}
    assert all("denied by statement 'NeedsCostCentre'" in m
               for m in intact(pack, with_guardrail(stacks("dev", phase), [untagged])))


@pytest.mark.parametrize("phase", PHASES)
def test_a_guardrail_that_only_cloudformation_may_create_roles_is_harmless(pack: Analyzer, stacks: Any,
                                                                           phase: str) -> None:
    # cdk bootstrap creates the CDK roles through CloudFormation with the caller's credentials.
    deny = {"Sid": "RolesOnlyThroughCloudFormation", "Effect": "Deny",
            "Action": ["iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy"], "Resource": "*",
            "Condition": {"ForAnyValue:StringNotEquals": {"aws:CalledVia": "cloudformation.amazonaws.com"}}}
    never_via = {**deny, "Sid": "NeverViaCloudFormation", "Condition": {"Bool": {"aws:ViaAWSService": "true"}}}
    dev = stacks("dev", phase)
    assert intact(pack, with_guardrail(dev, [deny, {**deny, "Sid": "AndDirect", "Condition": {
        "Null": {"aws:CalledVia": "true"}}}])) == []
    messages = intact(pack, with_guardrail(dev, [never_via]))
    assert messages and all("NeverViaCloudFormation" in m for m in messages)


# ----------------------------------------------------------------- long Deny lists


def protected(n: int) -> list[str]:
    return ([f"arn:aws:s3:::acme-data-{i:04d}" for i in range(n)]
            + [f"arn:aws:s3:::acme-data-{i:04d}/*" for i in range(n)]
            + [f"arn:aws:iam::112233445566:role/acme-admin-{i}" for i in range(n)])


@pytest.mark.parametrize("phase", PHASES)
def test_a_deny_listing_hundreds_of_arns_is_judged_exactly(pack: Analyzer, stacks: Any, phase: str) -> None:
    deny = {"Sid": "ProtectData", "Effect": "Deny", "Action": ["s3:*", "iam:*", "sts:*"], "Resource": protected(300)}
    assert intact(pack, with_guardrail(stacks("dev", phase), [deny])) == []
    sst_object = "arn:aws:s3:::sstbootstrap-useast1abc-1x2y3z/appMetadata/app.web/stage.dev.json"
    hit = {**deny, "Resource": [*protected(300), sst_object]}
    messages = intact(pack, with_guardrail(stacks("dev", phase), [hit]))
    assert messages and all("denied by statement 'ProtectData'" in m for m in messages)
    assert not any("too complex" in m for m in messages)
    assert any("AllowSSTManageBootstrapBucket" in m and "appMetadata" in m for m in messages)


SST_SERVICES = ("cloudformation", "s3", "iam", "ssm", "lambda", "ecr", "iot", "rds", "logs", "secretsmanager")


def allow_list(i: int, services: tuple[str, ...]) -> dict[str, Any]:
    """'Deny everything but these prefixes' for the environment the role is tagged with."""
    return {"Sid": f"Only{i}", "Effect": "Deny", "Action": "*",
            "NotResource": [f"arn:aws:{s}:*" for s in services] + [f"arn:aws:s3:::team{i}-{j}-*" for j in range(20)],
            "Condition": {"StringEquals": {"aws:PrincipalTag/environment": "dev"}}}


@pytest.mark.parametrize("phase", PHASES)
def test_many_statements_and_prefix_lists_are_never_too_complex(pack: Analyzer, stacks: Any, phase: str) -> None:
    statements = [allow_list(i, SST_SERVICES) for i in range(150)]
    # Exactly the calls on "*" (actions with no resource type) are denied: no ARN list spares them.
    starred = intact(pack, with_guardrail(stacks("dev", phase), statements))
    assert {m.split("lost SST statement ")[1].split(":")[0] for m in starred} == {
        "AllowSSTListStackImports", "AllowSSTLiveLambdaSocketConnection", "AllowSSTBindDescribeServices"}
    assert all(" on *: denied by statement 'Only0'" in m for m in starred)
    without_iot = [*statements, allow_list(150, tuple(s for s in SST_SERVICES if s != "iot"))]
    messages = intact(pack, with_guardrail(stacks("dev", phase), without_iot))
    assert any("iot:Connect" in m and "denied by statement 'Only150' of" in m for m in messages)
    assert not any("too complex" in m for m in messages)


# ----------------------------------------------------------------- boundaries


def boundary_in(regions: list[str], mfa: bool = False) -> list[dict[str, Any]]:
    condition: dict[str, Any] = {"StringEquals": {"aws:RequestedRegion": regions}}
    if mfa:
        condition["Bool"] = {"aws:MultiFactorAuthPresent": "true"}
    return [{"Sid": "WithinRegions", "Effect": "Allow", "Action": "*", "Resource": "*", "Condition": condition}]


@pytest.mark.parametrize("phase", PHASES)
def test_a_boundary_limited_to_the_deployers_regions_passes(pack: Analyzer, stacks: Any, phase: str) -> None:
    production = stacks("production", phase)
    assert intact(pack, with_boundary(production, boundary_in(["us-east-1", "us-west-2", "eu-west-1"]))) == []


@pytest.mark.parametrize("phase", PHASES)
def test_a_boundary_missing_a_region_or_demanding_mfa_is_a_loss(pack: Analyzer, stacks: Any, phase: str) -> None:
    production = stacks("production", phase)
    messages = intact(pack, with_boundary(production, boundary_in(["us-east-1", "eu-west-1"])))
    assert messages and all("outside the permissions boundary" in m for m in messages)
    assert any("aws:requestedregion=us-west-2" in m for m in messages)
    mfa = intact(pack, with_boundary(production, boundary_in(["us-east-1", "us-west-2", "eu-west-1"], mfa=True)))
    assert mfa and all("outside the permissions boundary" in m for m in mfa)


@pytest.mark.parametrize("phase", PHASES)
def test_a_boundary_condition_the_context_leaves_open_is_a_risk(pack: Analyzer, stacks: Any, phase: str) -> None:
    boundary = [{"Sid": "FromTheVpc", "Effect": "Allow", "Action": "*", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-1234"}}}]
    assert intact(pack, with_boundary(stacks("production", phase), boundary)) == []
    messages = undecided(pack, with_boundary(stacks("production", phase), boundary))
    assert messages and all("conditional Allow of the permissions boundary that may take away" in m for m in messages)


# ----------------------------------------------------------------- equivalent forms


@pytest.mark.parametrize("phase", PHASES)
def test_equivalent_tag_conditions_in_the_deployers_policy_pass(pack: Analyzer, stacks: Any, phase: str) -> None:
    resources = copy.deepcopy(stacks("dev", phase))
    policy = next(r for r in resources if r["type"] == POLICY)["outputs"]
    text = policy["policy"]
    assert '"Null":{"aws:ResourceTag/sst:app":"false"}' in text.replace(" ", "")
    policy["policy"] = json.dumps(json.loads(text)).replace('"Null": {"aws:ResourceTag/sst:app": "false"}',
                                                             '"StringLike": {"aws:ResourceTag/sst:app": "*"}')
    assert "StringLike" in policy["policy"]
    diags = pack.analyze_stack(resources)
    assert [d.message for d in diags] == []  # neither a loss nor a least-privilege finding


@pytest.mark.parametrize("phase", PHASES)
def test_a_passrole_guardrail_for_cloudformation_only_is_harmless(pack: Analyzer, stacks: Any, phase: str) -> None:
    deny = {"Sid": "PassOnlyToCloudFormation", "Effect": "Deny", "Action": "iam:PassRole", "Resource": "*",
            "Condition": {"StringNotEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}}}
    assert intact(pack, with_guardrail(stacks("dev", phase), [deny])) == []
    to_lambda = {**deny, "Sid": "PassOnlyToLambda", "Condition": {"StringNotEquals": {
        "iam:PassedToService": "lambda.amazonaws.com"}}}
    messages = intact(pack, with_guardrail(stacks("dev", phase), [to_lambda]))
    assert messages and all("iam:PassRole" in m and "PassOnlyToLambda" in m for m in messages)
