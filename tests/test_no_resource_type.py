"""Actions that support no resource type (cloudformation:ListImports, iot:DescribeEndpoint)
are authorised against the literal "*" (IAM User Guide, Resource element; the Service
Authorization Reference lists no resource type for them): only a statement whose Resource
matches "*" grants or denies them."""

from __future__ import annotations

import pytest
from sst_deployer.iam import Document, evaluate, parse_document
from sst_deployer.permissions import Requirement, calls
from sst_deployer.settings import DeployerSettings

LIST_IMPORTS = Requirement("AllowSSTListStackImports", "cloudformation:ListImports", "*", no_resource_type=True)
ALLOW_ALL = {"Effect": "Allow", "Action": "cloudformation:ListImports", "Resource": "*"}


def doc(*statements: dict) -> Document:
    return parse_document({"Version": "2012-10-17", "Statement": list(statements)})


def test_the_catalogue_marks_the_calls_that_have_no_resource_type() -> None:
    reqs = calls(DeployerSettings(account="112233445566", regions=("us-east-1",)))
    marked = {r.action for r in reqs if r.no_resource_type}
    assert {"cloudformation:ListImports", "iot:DescribeEndpoint"} <= marked
    assert all(r.resource == "*" for r in reqs if r.no_resource_type)


@pytest.mark.parametrize("deny_resources, denied", [
    (["arn:aws:s3:::acme-data", "arn:aws:s3:::acme-data/*"], False),  # other ARNs: not this request
    (["arn:aws:cloudformation:*:*:stack/*"], False),
    (["*"], True),
    (["?"], True),  # "?" matches the one character "*"
])
def test_a_deny_applies_only_when_its_resource_matches_the_literal_star(deny_resources: list, denied: bool) -> None:
    deny = {"Effect": "Deny", "Action": "*", "Resource": deny_resources}
    decision = evaluate(LIST_IMPORTS, [doc(ALLOW_ALL, deny)])
    assert decision.granted is not denied


def test_a_not_resource_deny_applies_to_the_literal_star() -> None:
    deny = {"Effect": "Deny", "Action": "*", "NotResource": ["arn:aws:s3:::acme-data"]}
    assert not evaluate(LIST_IMPORTS, [doc(ALLOW_ALL, deny)]).granted


def test_an_allow_on_specific_arns_does_not_grant_it() -> None:
    allow = {"Effect": "Allow", "Action": "cloudformation:ListImports",
             "Resource": "arn:aws:cloudformation:us-east-1:112233445566:stack/*"}
    assert not evaluate(LIST_IMPORTS, [doc(allow)]).granted


def test_a_pattern_requirement_star_still_means_every_arn() -> None:
    # Without the mark "*" is a pattern: a Deny on any ARN takes part of it away.
    every = Requirement("x", "cloudformation:ListImports", "*")
    deny = {"Effect": "Deny", "Action": "*", "Resource": ["arn:aws:s3:::acme-data"]}
    assert not evaluate(every, [doc(ALLOW_ALL, deny)]).granted
