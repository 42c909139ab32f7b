"""What makes a hand-made role look like an SST deployer (issue 15 class 7): only what is
specific to SST (policies.lookalike.MARKERS), never what a Lambda function, a CodePipeline
CloudFormation action or a plain CDK deployer also carries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sst_deployer.iam import parse_document
from sst_deployer.policies.lookalike import DEFAULT_MINIMUM, markers_of, minimum_markers
from sst_deployer.render import render
from sst_deployer.settings import DeployerSettings

A = "112233445566"
PAGE = json.loads((Path(__file__).parent / "fixtures" / "sst_iam_page.json").read_text())["copyPastePolicy"]
CDK_ROLES = [f"arn:aws:iam::{A}:role/cdk-hnb659fds-{k}-role-{A}-us-east-1"
             for k in ("deploy", "file-publishing", "image-publishing", "lookup")]

LAMBDA_EXECUTION: list[dict[str, Any]] = [  # a function bound to its app's SST secrets, and one bucket
    {"Effect": "Allow", "Action": ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
     "Resource": f"arn:aws:ssm:us-east-1:{A}:parameter/sst/shop/prod/*"},
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject"],
     "Resource": ["arn:aws:s3:::shop-uploads", "arn:aws:s3:::shop-uploads/*"]},
    {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}]
CODEPIPELINE_CFN: list[dict[str, Any]] = [
    {"Effect": "Allow", "Action": ["cloudformation:CreateStack", "cloudformation:UpdateStack",
                                   "cloudformation:DeleteStack", "cloudformation:DescribeStacks",
                                   "cloudformation:DescribeStackEvents", "cloudformation:CreateChangeSet",
                                   "cloudformation:ExecuteChangeSet", "cloudformation:DescribeChangeSet"],
     "Resource": f"arn:aws:cloudformation:us-east-1:{A}:stack/*"},
    {"Effect": "Allow", "Action": "iam:PassRole", "Resource": f"arn:aws:iam::{A}:role/pipeline-cfn-exec"},
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion"], "Resource": "arn:aws:s3:::artifacts/*"}]
CDK_DEPLOYER: list[dict[str, Any]] = [
    {"Sid": "AssumeCDKRoles", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": CDK_ROLES},
    {"Effect": "Allow", "Action": ["cloudformation:DescribeStacks", "cloudformation:DescribeStackEvents",
                                   "cloudformation:GetTemplate"],
     "Resource": f"arn:aws:cloudformation:us-east-1:{A}:stack/*"},
    {"Effect": "Allow", "Action": "ssm:GetParameter",
     "Resource": f"arn:aws:ssm:us-east-1:{A}:parameter/cdk-bootstrap/hnb659fds/version"}]


def found(statements: list[dict[str, Any]]) -> list[str]:
    return markers_of([parse_document({"Version": "2012-10-17", "Statement": statements}, "p")])


@pytest.mark.parametrize("statements", [LAMBDA_EXECUTION, CODEPIPELINE_CFN, CDK_DEPLOYER],
                         ids=["lambda-execution", "codepipeline-cloudformation", "cdk-deployer"])
def test_ordinary_roles_carry_no_sst_marker(statements: list[dict[str, Any]]) -> None:
    assert found(statements) == []


def test_the_cdk_roles_count_beside_sst_s_own_bucket() -> None:
    bucket: dict[str, Any] = {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
                              "Resource": "arn:aws:s3:::sstbootstrap-*"}
    assert len(found([*CDK_DEPLOYER, bucket])) == 2


def test_the_page_s_policy_carries_every_marker_with_or_without_sids() -> None:
    assert len(found(PAGE["Statement"])) == 6
    no_sids = [{k: v for k, v in s.items() if k != "Sid"} for s in PAGE["Statement"]]
    assert len(found(no_sids)) == 5 >= DEFAULT_MINIMUM


def test_a_deny_carries_no_marker() -> None:
    assert found([dict(s, Effect="Deny") for s in PAGE["Statement"]]) == []


@given(regions=st.lists(st.sampled_from(["us-east-1", "eu-west-1"]), min_size=1, unique=True),
       profile=st.sampled_from(["page", "strict"]))
def test_every_rendered_deployer_looks_like_one(regions: list[str], profile: str) -> None:
    s = DeployerSettings(account=A, regions=tuple(regions), policy_profile=profile)
    docs = [parse_document(d, "p") for d in render(s)]
    assert len(markers_of(docs)) >= DEFAULT_MINIMUM


@pytest.mark.parametrize("config, expected", [
    ({}, 2), ({"minimumMarkers": 3}, 3), ({"minimumStatements": 4}, 2), ({"minimumMarkers": 0}, 2),
    ({"minimumMarkers": True}, 2), ({"minimumMarkers": "3"}, 2),
])
def test_the_minimum_is_read_from_config(config: dict[str, Any], expected: int) -> None:
    assert minimum_markers(config) == expected
