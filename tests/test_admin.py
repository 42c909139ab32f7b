"""Administrator access, semantically (sst_deployer.admin), and the AWS managed policy
snapshot the pack judges attached AWS policies with (sst_deployer.managed_policies)."""

from __future__ import annotations

import gzip
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sst_deployer.admin import Context, administrator_grants
from sst_deployer.iam import parse_document
from sst_deployer.managed_policies import DATA, aws_managed_document, snapshot_info

CTX = Context(partition="aws", account="112233445566", role_arn="arn:aws:iam::112233445566:role/deployer")


def grants(*statements: dict[str, Any], ctx: Context = CTX) -> list[str]:
    return [str(g) for g in administrator_grants([parse_document({"Statement": list(statements)}, "p")], ctx)]


@pytest.mark.parametrize("statement, why", [
    ({"Effect": "Allow", "Action": "*", "Resource": "*"}, 'allows every action on "*"'),
    ({"Effect": "Allow", "Action": ["*:*"], "Resource": "*"}, "allows every action (*:*)"),
    ({"Effect": "Allow", "Action": "?*", "Resource": "arn:aws:*"}, "matches every aws ARN"),
    ({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"},
     "NotAction iam:*, organizations:*: every other action"),
    ({"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::audit-logs/*"},
     "on NotResource arn:aws:s3:::audit-logs/*: every resource but those"),
    ({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringLikeIfExists": {"aws:SourceVpc": "*"}}},
     "holds on every request"),
    ({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Null": {"aws:PrincipalArn": "false"}}},
     "null aws:PrincipalArn"),
    ({"Effect": "Allow", "Action": "*", "Resource": "*",
      "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::112233445566:role/*"}}}, "arnlike"),
    ({"Effect": "Allow", "Action": "*", "Resource": "*",
      "Condition": {"StringNotEquals": {"aws:PrincipalAccount": "999999999999"}}}, "stringnotequals"),
])
def test_an_allow_of_everything_counts_whatever_its_shape(statement: dict[str, Any], why: str) -> None:
    (found,) = grants(statement)
    assert why in found and found.startswith("statement #1 of p ")


@pytest.mark.parametrize("statement", [
    {"Effect": "Deny", "Action": "*", "Resource": "*"},
    {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
    {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::*"},
    {"Effect": "Allow", "NotAction": "*", "Resource": "*"},
    {"Effect": "Allow", "Action": "*", "NotResource": "*"},
    {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
    {"Effect": "Allow", "Action": "*", "Resource": "*",
     "Condition": {"StringEquals": {"aws:PrincipalAccount": "999999999999"}}},
    {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringLike": {"aws:SourceVpc": "*"}}},
])
def test_what_is_narrower_than_everything_does_not_count(statement: dict[str, Any]) -> None:
    assert grants(statement) == []


def test_an_unknown_account_makes_account_conditions_not_count() -> None:
    statement = {"Effect": "Allow", "Action": "*", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:PrincipalAccount": "112233445566"}}}
    assert grants(statement) and grants(statement, ctx=Context()) == []


ACTIONS = st.sampled_from(["s3:GetObject", "s3:*", "iam:PassRole", "ec2:Describe*", "cloudformation:*", "sts:*",
                           "iam:Get*", "iam:PutRolePolicy", "lambda:Invoke*", "iam:Create*"])
ESCALATING = ("iam:PassRole", "sts:*", "iam:PutRolePolicy", "iam:Create*")  # PassRole, AssumeRole, CreatePolicyVersion


@settings(max_examples=200, deadline=None)
@given(actions=st.lists(ACTIONS, min_size=1, max_size=5), resource=st.sampled_from(["*", "arn:*", "arn:aws:*"]))
def test_a_list_of_services_counts_exactly_when_it_grants_privilege_escalation(
        actions: list[str], resource: str) -> None:
    """Issue 15 class 6: administrator by capability, not by shape. (Before, no list of
    services ever counted, though iam:PassRole or sts:* on every resource is escalation.)"""
    found = grants({"Effect": "Allow", "Action": actions, "Resource": resource})
    assert len(found) == (1 if any(a in ESCALATING for a in actions) else 0), found


@settings(max_examples=200, deadline=None)
@given(extra=st.lists(ACTIONS, max_size=4), resource=st.sampled_from(["*", "arn:*", "arn:aws:*", "arn:aws:*:*"]))
def test_a_wildcard_action_among_others_always_counts(extra: list[str], resource: str) -> None:
    assert len(grants({"Effect": "Allow", "Action": [*extra, "*"], "Resource": resource})) == 1


# ----------------------------------------------------------------- the AWS managed policy snapshot


def test_the_snapshot_loads_and_says_where_and_when_it_was_taken() -> None:
    info = snapshot_info()
    assert re.match(r"^moto \d+\.\d+\.\d+ \(moto/iam/aws_managed_policies\.py\), taken \d{4}-\d{2}-\d{2} "
                    r"\(newest policy version \d{4}-\d{2}-\d{2}\)$", info), info
    with gzip.open(DATA) as f:
        data = json.load(f)
    assert len(data["policies"]) > 1000
    for name, policy in data["policies"].items():
        parse_document(policy["document"], name)  # every document is one the pack can judge


def test_aws_managed_policies_are_found_by_arn_in_any_partition_and_path() -> None:
    admin = {"Version": "2012-10-17", "Statement": [{"Action": "*", "Effect": "Allow", "Resource": "*"}]}
    assert aws_managed_document("arn:aws:iam::aws:policy/AdministratorAccess") == admin
    assert aws_managed_document("arn:aws-us-gov:iam::aws:policy/AdministratorAccess") == admin
    assert aws_managed_document("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole") is not None
    assert aws_managed_document("arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole") is None  # wrong path
    assert aws_managed_document("arn:aws:iam::112233445566:policy/AdministratorAccess") is None
    assert aws_managed_document("arn:aws:iam::aws:policy/NoSuchPolicy") is None


def test_the_refresh_tool_rebuilds_the_snapshot_from_moto(tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
    import refresh_managed_policies as tool

    policies, source = tool.from_moto()
    tool.write(policies, source, tmp_path / "snapshot.json.gz")
    with gzip.open(tmp_path / "snapshot.json.gz") as f:
        fresh = json.load(f)
    with gzip.open(DATA) as f:
        shipped = json.load(f)
    assert fresh["source"] == source and fresh["policies"] == shipped["policies"]


def test_mfa_present_counts_as_always_holding_only_when_every_session_has_mfa() -> None:
    from sst_deployer.admin import Context, administrator_grants
    from sst_deployer.iam import parse_document

    doc = parse_document({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "*", "Resource": "*",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}, "mfa-admin")
    assert administrator_grants([doc], Context(account="112233445566", mfa_always=True))
    assert not administrator_grants([doc], Context(account="112233445566", mfa_always=False))
