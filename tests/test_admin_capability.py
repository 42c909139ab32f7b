"""Administrator access by capability (issue 15 class 6): whatever grants privilege
escalation on every resource it acts on is administrator access, however the statement is
spelled, and the message names the capability; SST's own statements never are."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sst_deployer.admin import CAPABILITIES, Context, administrator_grants
from sst_deployer.iam import parse_document
from sst_deployer.render import render
from sst_deployer.settings import FEATURES, DeployerSettings

ACCOUNT = "112233445566"
CTX = Context(partition="aws", account=ACCOUNT, role_arn=f"arn:aws:iam::{ACCOUNT}:role/deployer")
NICHE = ["gamelift:*", "robomaker:*", "braket:*", "groundstation:*", "iotfleetwise:*", "panorama:*", "deepracer:*",
         "chime:*", "honeycode:*", "lookoutequipment:*", "nimble:*", "sumerian:*", "worklink:*", "iq:*", "mgn:*",
         "elastictranscoder:*", "cloud9:*", "codestar:*", "mobiletargeting:*", "snowball:*", "wam:*", "workdocs:*",
         "qldb:*", "managedblockchain:*", "evidently:*"]  # 25 services SST never calls


def grants(*statements: dict[str, Any], ctx: Context = CTX) -> list[str]:
    document = {"Version": "2012-10-17", "Statement": list(statements)}  # variables need this Version
    return [str(g) for g in administrator_grants([parse_document(document, "p")], ctx)]


def test_notaction_of_25_niche_services_on_star_is_administrator_and_says_iam() -> None:
    (found,) = grants({"Effect": "Allow", "NotAction": NICHE, "Resource": "*"})
    assert "every other action, present and future, including iam:CreatePolicyVersion" in found
    assert "(rewrite any managed policy, its own included)" in found


def test_power_user_access_is_administrator_through_assume_role_on_every_role() -> None:
    (found,) = grants({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"})
    assert "sts:AssumeRole on arn:aws:iam::*:role/*" in found and "iam:PassRole" not in found


def test_a_long_notaction_that_leaves_out_every_escalating_service_is_not_administrator() -> None:
    exclusions = ["iam:*", "sts:*", "lambda:*", "glue:*", *NICHE]
    assert grants({"Effect": "Allow", "NotAction": exclusions, "Resource": "*"}) == []


def test_a_short_notaction_is_all_but_a_few_whatever_it_excludes() -> None:
    (found,) = grants({"Effect": "Allow", "NotAction": ["iam:*", "sts:*", "lambda:*", "glue:*"], "Resource": "*"})
    assert "every other action, present and future" in found


@pytest.mark.parametrize("capability", CAPABILITIES, ids=lambda c: c.action)
def test_each_capability_on_every_resource_of_its_kind_is_administrator(capability: Any) -> None:
    resource = capability.resource.format(partition="aws", account=ACCOUNT)
    (found,) = grants({"Effect": "Allow", "Action": capability.action, "Resource": resource})
    assert f"{capability.action} on {resource} ({capability.why})" in found


@pytest.mark.parametrize("capability", CAPABILITIES, ids=lambda c: c.action)
def test_each_capability_on_one_named_resource_is_not(capability: Any) -> None:
    resource = capability.resource.format(partition="aws", account=ACCOUNT).replace("*", "x", 1)
    assert grants({"Effect": "Allow", "Action": capability.action, "Resource": resource}) == []


def test_sst_s_own_passrole_and_assume_role_on_the_cdk_roles_are_not_administrator() -> None:
    cdk = [f"arn:aws:iam::{ACCOUNT}:role/cdk-hnb659fds-{k}-role-*" for k in ("cfn-exec", "deploy", "lookup")]
    assert grants({"Effect": "Allow", "Action": ["iam:PassRole", "iam:PutRolePolicy", "iam:AttachRolePolicy",
                                                 "sts:AssumeRole"], "Resource": cdk}) == []


def test_the_capability_is_judged_in_the_role_s_partition() -> None:
    ctx = Context(partition="aws-cn", account=ACCOUNT)
    (found,) = grants({"Effect": "Allow", "Action": "iam:PutRolePolicy",
                       "Resource": f"arn:aws-cn:iam::{ACCOUNT}:role/*"}, ctx=ctx)
    assert "arn:aws-cn:iam::112233445566:role/*" in found
    assert grants({"Effect": "Allow", "Action": "iam:PutRolePolicy",
                   "Resource": f"arn:aws:iam::{ACCOUNT}:role/*"}, ctx=ctx) == []


def test_notresource_that_spares_the_roles_is_administrator_and_one_that_excludes_them_is_not() -> None:
    kept = grants({"Effect": "Allow", "Action": "iam:*", "NotResource": "arn:aws:s3:::audit-logs/*"})
    assert kept and "NotResource arn:aws:s3:::audit-logs/*" in kept[0]
    assert grants({"Effect": "Allow", "Action": ["iam:PutRolePolicy", "iam:PassRole"],
                   "NotResource": f"arn:aws:iam::{ACCOUNT}:role/*"}) == []


def test_a_condition_that_does_not_always_hold_keeps_a_capability_from_counting() -> None:
    statement = {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}
    assert grants(statement) == []
    statement["Condition"] = {"Bool": {"aws:SecureTransport": "true"}}  # every SDK call is HTTPS
    assert len(grants(statement)) == 1


@pytest.mark.parametrize("service, counts", [
    ("cloudformation.amazonaws.com", True), ("cloudformation.*", True), ("lambda.amazonaws.com", False)])
def test_passrole_on_every_role_to_cloudformation_is_escalation_whatever_the_condition_says(
        service: str, counts: bool) -> None:
    """The deployer drives CloudFormation (SST's AllowSSTDeployStacks): passing it any role
    escalates (Rhino method 20), PassedToService condition or not."""
    op = "StringLike" if "*" in service else "StringEquals"
    found = grants({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
                    "Condition": {op: {"iam:PassedToService": service}}})
    assert bool(found) is counts
    if counts:
        assert "which its escalating request meets" in found[0]


@pytest.mark.parametrize("value, counts", [
    ("${aws:PrincipalAccount}", True), ("${AWS:principalaccount}", True), (ACCOUNT, True),
    ("999999999999", False)])
def test_own_account_resources_only_still_escalate(value: str, counts: bool) -> None:
    found = grants({"Effect": "Allow", "Action": "*", "Resource": "*",
                    "Condition": {"StringEquals": {"aws:ResourceAccount": value}}})
    assert bool(found) is counts
    assert grants({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {
        "aws:ResourceAccount": value}}}, ctx=Context(partition="aws")) == []  # account unknown: not proven


def test_an_unknown_account_counts_only_what_covers_every_account() -> None:
    ctx = Context(partition="aws")
    assert grants({"Effect": "Allow", "Action": "iam:PutRolePolicy", "Resource": "arn:aws:iam::*:role/*"}, ctx=ctx)
    assert grants({"Effect": "Allow", "Action": "iam:PutRolePolicy",
                   "Resource": f"arn:aws:iam::{ACCOUNT}:role/*"}, ctx=ctx) == []


@settings(max_examples=60, deadline=None)
@given(regions=st.lists(st.sampled_from(["us-east-1", "eu-west-1", "ap-southeast-2"]), min_size=1, max_size=3,
                        unique=True),
       qualifier=st.sampled_from(["hnb659fds", "acme123"]),
       features=st.sets(st.sampled_from(sorted(FEATURES))),
       profile=st.sampled_from(["page", "strict"]))
def test_no_deployer_the_component_renders_is_administrator(regions: list[str], qualifier: str, features: set[str],
                                                             profile: str) -> None:
    s = DeployerSettings(account=ACCOUNT, regions=tuple(regions), qualifier=qualifier,
                         features=frozenset(features), policy_profile=profile)
    documents = [parse_document(d, f"deployer-{i}") for i, d in enumerate(render(s))]
    assert administrator_grants(documents, CTX) == []


def test_everything_within_the_stated_organisation_is_administrator_access() -> None:
    """Every session of the deployer carries aws:PrincipalOrgID once the organisation states its
    id (sst-deployer-undecided-conditions' organizationId): a condition on it then always holds."""
    org = "o-a1b2c3d4e5"
    statement = {"Effect": "Allow", "Action": "*", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:PrincipalOrgID": org}}}
    stated = Context(partition="aws", account=ACCOUNT, role_arn=CTX.role_arn, organization_id=org)
    assert grants(statement, ctx=stated)
    assert grants(statement) == []  # unstated: the account may be outside any organisation
    other = Context(partition="aws", account=ACCOUNT, role_arn=CTX.role_arn, organization_id="o-zzzzzzzzzz")
    assert grants(statement, ctx=other) == []
