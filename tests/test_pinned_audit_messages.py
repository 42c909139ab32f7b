"""What audit.losses and audit.excess say, exactly: the pack's violation messages are built
from them, and a message that names the wrong statement, resource or fix misleads whoever
reads it at preview time."""

from __future__ import annotations

from typing import Any

import pytest
from sst_deployer.audit import excess, losses
from sst_deployer.iam import Document, parse_document
from sst_deployer.render import render, to_json
from sst_deployer.settings import DeployerSettings

A = "112233445566"
S = DeployerSettings(account=A, regions=("us-east-1",))
STACKS = f"arn:aws:cloudformation:us-east-1:{A}:stack/*"


def doc(name: str, *statements: dict[str, Any]) -> Document:
    return parse_document({"Version": "2012-10-17", "Statement": list(statements)}, name)


def rendered(name: str = "managed policy 'deployer'") -> Document:
    return parse_document(to_json(render(S)[0]), name)


def without(sid: str, name: str = "managed policy 'deployer'") -> Document:
    full = render(S)[0]
    full["Statement"] = [s for s in full["Statement"] if s["Sid"] != sid]
    return parse_document(to_json(full), name)


def messages(*docs: Document) -> list[str]:
    return [e.message for e in excess(S, docs)]


# ----------------------------------------------------------------- excess


def test_not_action_is_every_other_action() -> None:
    (found,) = excess(S, (rendered(), doc("inline policy 'x'", {"Sid": "Rest", "Effect": "Allow",
                                                                 "NotAction": ["iam:*", "s3:*"], "Resource": "*"})))
    assert (found.document, found.statement) == ("inline policy 'x'", "statement 'Rest'")
    assert found.message == ("statement 'Rest' of inline policy 'x' allows NotAction iam:*, s3:*: every other "
                             "action, present and future")


@pytest.mark.parametrize("action, what", [("*", "every action"), ("s3:*", "every s3 action"),
                                          ("ec2:*", "every ec2 action")])
def test_wildcard_actions_are_named_for_what_they_grant(action: str, what: str) -> None:
    assert messages(rendered(), doc("p", {"Sid": "W", "Effect": "Allow", "Action": action, "Resource": "*"})) == [
        f"statement 'W' of p grants {action!r}: {what}; list the actions SST needs instead"]


def test_an_action_sst_does_not_use_is_named() -> None:
    assert messages(rendered(), doc("p", {"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*"})) == [
        "statement #1 of p grants ec2:RunInstances, which SST does not need; remove it"]


def test_not_resource_lists_every_exception() -> None:
    st = {"Sid": "N", "Effect": "Allow", "Action": "s3:GetObject", "NotResource": ["arn:aws:s3:::a", "arn:aws:s3:::b"]}
    assert messages(rendered(), doc("p", st)) == [
        "statement 'N' of p grants s3:GetObject on every resource except arn:aws:s3:::a, arn:aws:s3:::b"]


@pytest.mark.parametrize("action, resource, hint", [
    ("cloudformation:DescribeStacks", "*", "every resource"),
    ("cloudformation:DescribeStacks", "arn:aws:cloudformation:us-east-1:999999999999:stack/*",
     "account 999999999999, not the deployer's 112233445566"),
    ("cloudformation:DescribeStacks", f"arn:aws:cloudformation:eu-west-1:{A}:stack/*",
     "region eu-west-1, which the deployer is not configured for"),
    ("s3:PutBucketPolicy", "arn:aws:s3:::cdk-other1-assets-x", "CDK qualifier other1, not hnb659fds"),
    ("iam:PassRole", f"arn:aws:iam::{A}:role/admin", "roles beyond the CDK bootstrap roles"),
    ("sts:AssumeRole", f"arn:aws:iam::{A}:role/admin", "roles beyond the CDK bootstrap roles"),
    ("s3:GetObject", "arn:aws:s3:::someone-elses-bucket/key", "resources SST does not use"),
    ("s3:GetObject", "not-an-arn", "a resource SST does not use"),
])
def test_a_grant_beyond_sst_names_why(action: str, resource: str, hint: str) -> None:
    (message,) = messages(rendered(), doc("p", {"Sid": "X", "Effect": "Allow", "Action": action, "Resource": resource}))
    expected = f"statement 'X' of p grants {action} on {resource} ({hint}); SST needs it only on "
    assert message.startswith(expected), message


def test_a_grant_lists_exactly_where_sst_needs_it() -> None:
    (message,) = messages(rendered(), doc("p", {"Sid": "X", "Effect": "Allow", "Action": "ssm:GetParameter",
                                                "Resource": "*"}))
    assert message.endswith(
        f"SST needs it only on arn:aws:ssm:us-east-1:{A}:parameter/cdk-bootstrap/hnb659fds/version, "
        f"arn:aws:ssm:us-east-1:{A}:parameter/sst/*, arn:aws:ssm:us-east-1:{A}:parameter/sst/*/.fallback/*")


def test_a_grant_without_the_condition_sst_needs_says_so() -> None:
    functions = f"arn:aws:lambda:us-east-1:{A}:function:*"
    (message,) = messages(rendered(), doc("p", {"Sid": "L", "Effect": "Allow",
                                                "Action": "lambda:GetFunctionConfiguration", "Resource": functions}))
    assert " without the condition SST needs; " in message


def test_the_rendered_policy_has_no_excess() -> None:
    assert excess(S, (rendered(),)) == ()


# ----------------------------------------------------------------- losses


def test_a_lost_permission_names_what_grants_it_only_partly() -> None:
    partly = doc("inline policy 'stacks'", {"Sid": "Some", "Effect": "Allow", "Action": "cloudformation:*",
                                            "Resource": [f"arn:aws:cloudformation:us-east-1:{A}:stack/app-*",
                                                         f"arn:aws:cloudformation:us-east-1:{A}:stack/web-*"]},
                 {"Sid": "Tagged", "Effect": "Allow", "Action": "cloudformation:DescribeStackResources",
                  "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/team": "web"}}})
    lost, _ = losses(S, (without("AllowSSTMonitorStackDeployment"), partly), None)
    (reason,) = {x.reason for x in lost if x.requirement.action == "cloudformation:DescribeStackResources"}
    assert reason == (
        "no Allow grants it (statement 'Some' of inline policy 'stacks' grants it only on "
        f"arn:aws:cloudformation:us-east-1:{A}:stack/app-*, arn:aws:cloudformation:us-east-1:{A}:stack/web-*; "
        "statement 'Tagged' of inline policy 'stacks' grants it only under its Condition)")


def test_a_loss_outside_an_unnamed_boundary_says_so() -> None:
    boundary = doc("", {"Effect": "Allow", "Action": "cloudformation:*", "Resource": "*"})
    lost, _ = losses(S, (rendered(),), boundary)
    assert lost and {x.reason for x in lost} == {"outside the permissions boundary (an unnamed policy)"}


def test_a_denial_names_the_statement_and_policy_even_unnamed() -> None:
    deny = doc("", {"Sid": "NoStacks", "Effect": "Deny", "Action": "cloudformation:DescribeStackResources",
                    "Resource": "*"})
    lost, _ = losses(S, (rendered(), deny), None)
    assert [(x.requirement.resource, x.reason) for x in lost] == [
        (STACKS, "denied by statement 'NoStacks' of a policy")]
