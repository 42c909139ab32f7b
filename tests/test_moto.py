"""AWS's grammar and quotas accept every document we render: created in moto's IAM,
served on 127.0.0.1 (see conftest.moto_endpoint)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from harness import Stack, run_program
from sst_deployer.partitions import REGIONS
from sst_deployer.render import policy_size, render, to_json
from sst_deployer.settings import FEATURES, DeployerSettings

ROLE, POLICY = "aws:iam/role:Role", "aws:iam/policy:Policy"
OIDC = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"


def quotas(iam: Any) -> dict[str, int]:
    return iam.get_account_summary()["SummaryMap"]


def create_stack_in_moto(iam: Any, stack: Stack) -> None:
    """Create the stack's IAM resources with the properties the program gave them."""
    q = quotas(iam)
    role = stack.one(ROLE).outputs
    for provider in stack.of_type(OIDC):
        iam.create_open_id_connect_provider(Url=provider.outputs["url"], ClientIDList=provider.outputs["clientIdLists"])
    boundary = role.get("permissionsBoundary")
    if boundary:
        iam.create_policy(PolicyName=boundary.rsplit("/", 1)[1], PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        boundary = f"arn:aws:iam::123456789012:policy/{boundary.rsplit('/', 1)[1]}"
    assert len(role["assumeRolePolicy"]) <= q["AssumeRolePolicySizeQuota"]
    kwargs = {"PermissionsBoundary": boundary} if boundary else {}
    iam.create_role(RoleName=role["name"], Path=role["path"], AssumeRolePolicyDocument=role["assumeRolePolicy"],
                    MaxSessionDuration=int(role["maxSessionDuration"]), Description=role["description"],
                    Tags=[{"Key": k, "Value": v} for k, v in role["tags"].items()], **kwargs)
    for policy in stack.of_type(POLICY):
        document = policy.outputs["policy"]
        assert policy_size(document) <= q["PolicySizeQuota"]
        created = iam.create_policy(PolicyName=policy.outputs["name"], Path=policy.outputs["path"],
                                    PolicyDocument=document, Tags=[{"Key": k, "Value": v}
                                                                   for k, v in policy.outputs["tags"].items()])
        iam.attach_role_policy(RoleName=role["name"], PolicyArn=created["Policy"]["Arn"])
    attached = iam.list_attached_role_policies(RoleName=role["name"])["AttachedPolicies"]
    assert len(attached) <= q["AttachedPoliciesPerRoleQuota"]
    assert len(iam.list_role_tags(RoleName=role["name"])["Tags"]) == len(role["tags"])


@pytest.mark.parametrize("name", ["dev", "staging", "production"])
def test_example_stacks_are_accepted_by_iam(iam: Any, name: str, example_stacks: dict[str, Stack]) -> None:
    create_stack_in_moto(iam, example_stacks[name])


def test_every_aws_region_with_every_feature_is_accepted(iam: Any) -> None:
    stack = run_program({"aws:region": "us-east-1", "sst-deployer:regions": list(REGIONS["aws"]),
                         "sst-deployer:features": {f: True for f in FEATURES}})
    create_stack_in_moto(iam, stack)


@pytest.mark.parametrize("partition", sorted(REGIONS))
def test_rendered_documents_of_each_partition_are_accepted(iam: Any, partition: str) -> None:
    s = DeployerSettings(account="123456789012", regions=REGIONS[partition], partition=partition,
                         features=frozenset(FEATURES))
    for n, doc in enumerate(render(s)):
        iam.create_policy(PolicyName=f"{partition}-{n}", PolicyDocument=to_json(doc))


def test_moto_rejects_what_iam_rejects(iam: Any) -> None:
    # The check above can fail: an invalid document is refused.
    bad = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]})
    with pytest.raises(ClientError, match="MalformedPolicyDocument"):
        iam.create_policy(PolicyName="bad", PolicyDocument=bad)


def test_quotas_we_render_against_are_aws_defaults(iam: Any) -> None:
    from sst_deployer.render import MANAGED_POLICIES_PER_ROLE, MANAGED_POLICY_MAX_CHARS

    q = quotas(iam)
    assert (q["PolicySizeQuota"], q["AttachedPoliciesPerRoleQuota"]) == (MANAGED_POLICY_MAX_CHARS,
                                                                         MANAGED_POLICIES_PER_ROLE)
