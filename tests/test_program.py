"""The Pulumi program, run under the SDK's mock engine for each example stack and
for edge configurations: roles grant what SST needs for their settings, and nothing
is registered when the config is wrong."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
import pytest
from harness import LAST_RUN, ROOT, Stack, run_program, stack_config
from sst_deployer.iam import evaluate, parse_document
from sst_deployer.permissions import Requirement, requirements
from sst_deployer.settings import DeployerSettings, features_from

ROLE, POLICY = "aws:iam/role:Role", "aws:iam/policy:Policy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"


def expected_settings(config: dict[str, Any], account: str = "112233445566") -> DeployerSettings:
    """What the stack file asks for, read independently of the program."""
    regions = config.get("sst-deployer:regions") or [config["aws:region"]]
    return DeployerSettings(account=config.get("sst-deployer:accountId", account), regions=tuple(sorted(regions)),
                            features=features_from(config.get("sst-deployer:features")))


def role_documents(stack: Stack) -> list:
    """The documents attached to the stack's role, found through the attachments."""
    by_arn = {p.outputs["arn"]: p for p in stack.of_type(POLICY)}
    role = stack.one(ROLE)
    docs = []
    for a in stack.of_type(ATTACHMENT):
        assert a.outputs["role"] == role.outputs["name"]
        docs.append(parse_document(by_arn[a.outputs["policyArn"]].outputs["policy"], a.name))
    return docs


NOT_NEEDED = [
    Requirement("x", "iam:CreateUser", "arn:aws:iam::112233445566:user/mallory"),
    Requirement("x", "iam:PassRole", "arn:aws:iam::112233445566:role/admin"),
    Requirement("x", "sts:AssumeRole", "arn:aws:iam::112233445566:role/OrganizationAccountAccessRole"),
    Requirement("x", "s3:DeleteBucket", "arn:aws:s3:::cdk-hnb659fds-assets-112233445566-us-east-1"),
    Requirement("x", "cloudformation:DescribeStacks", "arn:aws:cloudformation:ap-south-1:112233445566:stack/*"),
    Requirement("x", "cloudformation:DescribeStacks", "arn:aws:cloudformation:us-east-1:999999999999:stack/*"),
    Requirement("x", "lambda:UpdateFunctionConfiguration", "arn:aws:lambda:us-east-1:112233445566:function:*"),
    Requirement("x", "ec2:RunInstances", "*"),
]


@pytest.mark.parametrize("name", ["dev", "staging", "production"])
def test_example_stack_grants_exactly_what_sst_needs(name: str, example_stacks: dict[str, Stack]) -> None:
    config = stack_config(name)
    settings = expected_settings(config)
    docs = role_documents(example_stacks[name])
    lost = [r for r in requirements(settings) if not evaluate(r, docs).granted]
    assert lost == []
    wrongly = [r for r in NOT_NEEDED if evaluate(r, docs).granted]
    assert wrongly == []


def test_production_has_no_live_lambda_and_dev_has(example_stacks: dict[str, Stack]) -> None:
    iot = Requirement("x", "iot:Connect", "*")
    assert evaluate(iot, role_documents(example_stacks["dev"])).granted
    assert not evaluate(iot, role_documents(example_stacks["production"])).granted


def test_children_are_parented_to_the_component(example_stacks: dict[str, Stack]) -> None:
    for stack in example_stacks.values():
        component = stack.one("sst:aws:DeployerRole")
        assert component.parent == ""
        assert all(r.parent == component.urn for r in stack.resources
                   if r is not component and not r.type.startswith("pulumi:providers:"))


def test_component_outputs_what_users_need_next(example_stacks: dict[str, Stack]) -> None:
    out = example_stacks["staging"].one("sst:aws:DeployerRole").outputs
    role = example_stacks["staging"].one(ROLE).outputs
    assert out["roleArn"] == role["arn"] and out["roleName"] == role["name"]
    assert len(out["policyArns"]) == 1 and len(out["policyDocuments"]) == 1
    profile = out["awsConfigProfile"]
    assert profile.startswith("[profile staging]\n")
    assert f"role_arn = {role['arn']}" in profile and "source_profile = default" in profile
    assert "mfa_serial = arn:aws:iam::222233334444:mfa/" in profile
    assert out["strategy"] == "least-privilege" and out["parameters"]["sst-deployer:account"] == "222233334444"


def test_ci_only_trust_has_no_mfa_serial(example_stacks: dict[str, Stack]) -> None:
    profile = example_stacks["production"].one("sst:aws:DeployerRole").outputs["awsConfigProfile"]
    assert "mfa_serial" not in profile


def test_default_trust_is_the_account_with_mfa(example_stacks: dict[str, Stack]) -> None:
    trust = json.loads(example_stacks["dev"].one(ROLE).outputs["assumeRolePolicy"])
    assert trust["Statement"] == [{
        "Sid": "TrustAccountPrincipals", "Effect": "Allow",
        "Principal": {"AWS": ["arn:aws:iam::112233445566:root"]}, "Action": "sts:AssumeRole",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]


def test_github_oidc_pins_the_repository_and_environment(example_stacks: dict[str, Stack]) -> None:
    trust = json.loads(example_stacks["production"].one(ROLE).outputs["assumeRolePolicy"])
    (st,) = trust["Statement"]
    provider = "arn:aws:iam::333344445555:oidc-provider/token.actions.githubusercontent.com"
    assert st["Principal"] == {"Federated": provider}
    assert st["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"] == [
        "repo:acme/storefront:environment:production"]


def test_account_comes_from_the_caller_only_when_not_configured(example_stacks: dict[str, Stack]) -> None:
    assert "aws:index/getCallerIdentity:getCallerIdentity" in example_stacks["dev"].invokes
    assert "aws:index/getCallerIdentity:getCallerIdentity" not in example_stacks["staging"].invokes


def test_role_is_tagged_so_the_pack_knows_what_it_must_grant(example_stacks: dict[str, Stack]) -> None:
    tags = example_stacks["production"].one(ROLE).outputs["tags"]
    assert tags["sst-deployer:role"] == "least-privilege"
    assert tags["sst-deployer:regions"] == "eu-west-1 us-east-1 us-west-2"
    assert "liveLambda" not in tags["sst-deployer:features"] and tags["environment"] == "production"


def test_a_second_run_renders_identical_documents() -> None:
    a = run_program(stack_config("staging"), stack="staging")
    b = run_program(stack_config("staging"), stack="staging")
    assert [p.outputs["policy"] for p in a.of_type(POLICY)] == [p.outputs["policy"] for p in b.of_type(POLICY)]


def base(**extra: Any) -> dict[str, Any]:
    return {"aws:region": "us-east-1", **{f"sst-deployer:{k}": v for k, v in extra.items()}}


def test_administrator_strategy_attaches_the_partitions_administrator_access() -> None:
    stack = run_program(base(strategy="administrator", regions=["us-gov-west-1"]), stack="sandbox-alice",
                        partition="aws-us-gov")
    assert stack.of_type(POLICY) == []
    (attachment,) = stack.of_type(ATTACHMENT)
    assert attachment.outputs["policyArn"] == "arn:aws-us-gov:iam::aws:policy/AdministratorAccess"


def test_custom_strategy_uses_the_users_document() -> None:
    stack = run_program(base(strategy="custom", policyFile="examples/access-analyzer-policy.json"))
    (policy,) = stack.of_type(POLICY)
    expected = json.loads((ROOT / "examples/access-analyzer-policy.json").read_text())
    assert json.loads(policy.outputs["policy"]) == expected


def test_every_region_splits_over_several_attached_policies() -> None:
    from sst_deployer.partitions import REGIONS

    stack = run_program(base(regions=list(REGIONS["aws"])))
    assert len(stack.of_type(POLICY)) == 4 and len(stack.of_type(ATTACHMENT)) == 4
    settings = DeployerSettings(account="112233445566", regions=REGIONS["aws"])
    docs = role_documents(stack)
    assert all(evaluate(r, docs).granted for r in requirements(settings))


def test_an_existing_oidc_provider_is_reused() -> None:
    arn = "arn:aws:iam::112233445566:oidc-provider/token.actions.githubusercontent.com"
    stack = run_program(base(trust={"principals": [], "githubOidc": {
        "repository": "acme/app", "branches": ["main"], "providerArn": arn}}))
    assert stack.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider") == []
    assert arn in stack.one(ROLE).outputs["assumeRolePolicy"]


def test_third_party_ci_account_needs_its_external_id() -> None:
    stack = run_program(base(trust={"principals": ["444455556666"], "externalId": "ci-vendor-7f3a",
                                    "requireMfa": False}))
    trust = json.loads(stack.one(ROLE).outputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Condition"] == {"StringEquals": {"sts:ExternalId": "ci-vendor-7f3a"}}


def test_local_stack_file_runs_against_moto_settings() -> None:
    config = stack_config("local")
    endpoints = config["aws:endpoints"][0]
    assert all(url.startswith("http://127.0.0.1:") for url in endpoints.values())
    stack = run_program(config, stack="local", account="123456789012")
    assert stack.one(ROLE).outputs["tags"]["sst-deployer:account"] == "123456789012"


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "policy.json"
    path.write_text(text)
    return str(path)


BAD: list[tuple[dict[str, Any], str]] = [
    ({"accountId": "12345"}, "sst-deployer:accountId: '12345' is not a 12-digit AWS account id"),
    ({"regions": ["us-east-1", "moon-1"]}, "sst-deployer:regions: unknown region 'moon-1'"),
    ({"regions": ["cn-north-1"]}, "sst-deployer:regions: 'cn-north-1' is in partition aws-cn, not in aws"),
    ({"qualifier": "has space"}, "sst-deployer:qualifier: 'has space'; CDK allows 1-10 characters"),
    ({"strategy": "yolo"}, "sst-deployer:strategy: 'yolo'; allowed: least-privilege, administrator, custom"),
    ({"features": {"liveLambda": True, "telepathy": True}}, "sst-deployer:features: unknown feature(s) telepathy"),
    ({"features": {"secrets": "yes"}}, "sst-deployer:features.secrets: must be true or false"),
    ({"strategy": "custom"}, "sst-deployer:policyFile: strategy custom needs a policy document file"),
    ({"trust": {"principals": []}}, "sst-deployer:trust.principals: is empty"),
    ({"trust": {"principals": ["*"]}}, "sst-deployer:trust.principals: '*': wildcard principals are not allowed"),
    ({"trust": {"principals": ["arn:aws:iam::*:root"]}}, "wildcard principals are not allowed"),
    ({"trust": {"githubOidc": {"repository": "acme/*", "branches": ["main"]}}},
     "sst-deployer:trust.githubOidc.repository: 'acme/*'; expected owner/name"),
    ({"trust": {"githubOidc": {"repository": "acme/app"}}}, "sst-deployer:trust.githubOidc: name at least one"),
    ({"trust": {"mfa": True}}, "sst-deployer:trust: unknown key(s) mfa"),
    ({"maxSessionDuration": 60}, "sst-deployer:maxSessionDuration: 60; allowed: 3600 to 43200 seconds"),
    ({"maxSessionDuration": 50000}, "sst-deployer:maxSessionDuration: 50000; allowed: 3600 to 43200"),
    ({"path": "deployers"}, "sst-deployer:path: 'deployers'; IAM allows / or /segments/"),
    ({"roleName": "has space"}, "sst-deployer:roleName: 'has space'; IAM allows 1-64"),
    ({"roleName": "x" * 65}, "sst-deployer:roleName:"),
    ({"permissionsBoundary": "org-boundary"}, "sst-deployer:permissionsBoundary: 'org-boundary'; expected"),
    ({"sstVersion": "3.0"}, "sst-deployer:sstVersion: '3.0' is not an SST 2.x release"),
    ({"sstVersion": "2.49.2"}, "sst-deployer:sstVersion: 2.49.2 cannot deploy with a least-privilege role"),
    ({"sstVersion": "2.99.0"}, "sst-deployer:sstVersion: '2.99.0' is newer than the last SST v2 release"),
    ({"fileAssetsBucketName": "Assets_Bucket"}, "sst-deployer:fileAssetsBucketName: 'Assets_Bucket'; an S3"),
    ({"regoins": ["us-east-1"]}, "sst-deployer: unknown key(s) regoins"),
    ({"tags": {"sst-deployer:role": "x"}}, "sst-deployer:tags: 'sst-deployer:role': the sst-deployer: and aws:"),
]


@pytest.mark.parametrize("config, message", BAD, ids=[f"{i}-{min(c)}" for i, (c, _) in enumerate(BAD)])
def test_bad_config_fails_before_anything_is_registered(config: dict[str, Any], message: str) -> None:
    with pytest.raises(pulumi.RunError) as err:
        run_program(base(**config))
    assert message in str(err.value)
    assert LAST_RUN["monitor"].captured == {}


@pytest.mark.parametrize("text, message", [
    ("{not json", "is not valid JSON"),
    ('{"Statement": [{"Effect": "Allow", "Resource": "*"}]}', "not a valid IAM policy: statement #1: needs Action"),
])
def test_a_bad_policy_file_fails_clearly(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(pulumi.RunError, match=message):
        run_program(base(strategy="custom", policyFile=write(tmp_path, text)))
    assert LAST_RUN["monitor"].captured == {}


def test_administrator_still_serves_the_versions_least_privilege_cannot() -> None:
    stack = run_program(base(strategy="administrator", sstVersion="2.49.2"), stack="sandbox")
    role = stack.one("aws:iam/role:Role")
    assert role.outputs["tags"]["sst-deployer:sst-version"] == "2.49.2"


def test_a_missing_policy_file_names_the_path() -> None:
    with pytest.raises(pulumi.RunError, match=r"sst-deployer:policyFile: cannot read .*nope\.json"):
        run_program(base(strategy="custom", policyFile="nope.json"))
