"""What a role ends up with, the way pulumi-aws 7.x (terraform-provider-aws) leaves it,
judged through the analyzer protocol as the engine runs a preview or update: ``Analyze``
on each resource's inputs, then ``AnalyzeStack`` on every resource's outputs.

Stacks are the real component's, captured under mocks with the provider's read-backs
(``harness.role_read_back``), plus the resources an organisation adds next to it.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from analyzer import Analyzer, Diagnostic, serve
from conftest import as_engine
from harness import UNKNOWN, Stack, role_read_back, run_program, stack_config
from sst_deployer.policies.model import MAX_DEPTH
from sst_deployer.render import render, to_json
from sst_deployer.settings import DeployerSettings

ROLE, POLICY = "aws:iam/role:Role", "aws:iam/policy:Policy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENTS_EXCLUSIVE = "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive"
POLICIES_EXCLUSIVE = "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive"
PROVIDER = "pulumi:providers:aws"
INTACT, ATTACHED = "sst-deployer-statements-intact", "sst-deployer-attachments-intact"
ADMIN, LEAST = "sst-deployer-administrator-only-in-sandboxes", "sst-deployer-least-privilege"
UNSEEN, UNMARKED = "sst-deployer-unseen-policies", "sst-deployer-unmarked-deployers"
ACCOUNT = "112233445566"
DEV_POLICY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/sst-deployer-dev-policy-1a2b3c4"
DEV_ROLE_NAME = "sst-deployer-dev-1a2b3c4"
Resources = list[dict[str, Any]]
DENY_SSM = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "NoParameters", "Effect": "Deny", "Action": "ssm:*", "Resource": "*"}]})
READ_ONLY_S3 = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})


def urn(type_: str, name: str, stack: str = "dev") -> str:
    return f"urn:pulumi:{stack}::sst-deployer::{type_}::{name}"


def add(resources: Resources, type_: str, name: str, inputs: dict[str, Any], *,
        outputs: dict[str, Any] | None = None, deps: dict[str, list[str]] | None = None,
        provider: str = "", stack: str = "dev") -> dict[str, Any]:
    """A resource the organisation adds: outputs echo inputs unless given (plus read-backs for roles)."""
    if not provider and type_ != PROVIDER:  # the engine gives every resource a provider: the stack's default
        provider = next((p["urn"] + "::default" for p in resources if p["type"] == PROVIDER), "")
    out = dict(inputs) if outputs is None else outputs
    if type_ == ROLE and outputs is None:
        out.update(role_read_back(inputs, {}, preview=False))
    r = {"type": type_, "urn": urn(type_, name, stack), "name": name, "custom": True, "parent": "",
         "dependencies": [], "property_dependencies": deps or {}, "inputs": inputs, "outputs": out,
         "provider": provider}
    resources.append(r)
    return r


def of(diags: list[Diagnostic], policy: str) -> list[str]:
    return [d.message for d in diags if d.policy == policy]


def mandatory(diags: list[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diags if d.level == "mandatory"]


def first(resources: Resources, type_: str) -> dict[str, Any]:
    return next(r for r in resources if r["type"] == type_)


@pytest.fixture
def dev(example_stacks: dict[str, Stack]) -> Resources:
    return as_engine(example_stacks["dev"])


@pytest.fixture
def dev_preview(example_previews: dict[str, Stack]) -> Resources:
    return as_engine(example_previews["dev"])


def hand_role(resources: Resources, name: str, *, account: str = ACCOUNT, provider: str = "",
              stack: str = "dev", **inputs: Any) -> dict[str, Any]:
    """A role tagged by hand as a us-east-1 deployer."""
    base = {"name": name, "tags": {"sst-deployer:role": "least-privilege", "sst-deployer:regions": "us-east-1"},
            "assumeRolePolicy": json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]})}
    base.update(inputs)
    role = add(resources, ROLE, name, base, provider=provider, stack=stack)
    role["outputs"]["arn"] = f"arn:aws:iam::{account}:role/{name}"
    return role


def sst_policy(account: str = ACCOUNT) -> str:
    return to_json(render(DeployerSettings(account=account, regions=("us-east-1",)))[0])


# ----------------------------------------------------------------- read-backs are not declarations


def test_the_component_role_read_back_as_empty_after_create_keeps_its_policy(pack: Analyzer, dev: Resources) -> None:
    role = first(dev, ROLE)
    assert role["outputs"]["managedPolicyArns"] == [] and "managedPolicyArns" not in role["inputs"]
    assert pack.run(dev) == []


def test_a_read_back_is_never_taken_for_an_exclusive_set_when_no_inputs_were_seen(pack: Analyzer,
                                                                                   dev: Resources) -> None:
    # An unchanged role gets no Analyze call in some engines: its outputs alone decide nothing.
    assert pack.analyze_stack(dev) == []


def test_a_preview_of_a_new_role_with_unknown_read_backs_is_still_judged(pack: Analyzer,
                                                                          dev_preview: Resources) -> None:
    role = first(dev_preview, ROLE)
    assert role["outputs"]["managedPolicyArns"] == UNKNOWN and role["outputs"]["inlinePolicies"] == UNKNOWN
    add(dev_preview, ROLE_POLICY, "no-params", {"role": UNKNOWN, "policy": DENY_SSM},
        deps={"role": [role["urn"]]})
    messages = of(pack.run(dev_preview), INTACT)
    assert any("denied by statement 'NoParameters' of inline policy 'no-params'" in m and "ssm:PutParameter" in m
               for m in messages)


def test_a_refreshed_read_back_listing_a_policy_outside_the_stack_counts_it(pack: Analyzer, dev: Resources) -> None:
    first(dev, ROLE)["outputs"]["managedPolicyArns"] = [DEV_POLICY_ARN, "arn:aws:iam::aws:policy/AdministratorAccess"]
    messages = of(pack.analyze_stack(dev), ADMIN)
    assert messages and "AWS managed policy AdministratorAccess" in messages[0]


# ----------------------------------------------------------------- exclusive declarations


def test_a_policy_attachment_elsewhere_detaches_the_deployers_policy(pack: Analyzer, dev: Resources) -> None:
    policy = first(dev, POLICY)
    add(dev, ROLE, "ci", {"name": "ci", "assumeRolePolicy": "{}"})
    add(dev, POLICY_ATTACHMENT, "shared", {"name": "shared", "policyArn": DEV_POLICY_ARN, "roles": ["ci"]},
        deps={"policyArn": [policy["urn"]]})
    diags = pack.run(dev)
    detached = of(diags, ATTACHED)
    assert any("its policy 'sst-deployer-dev-policy' is detached: PolicyAttachment 'shared' attaches that policy "
               "exclusively (roles: ci)" in m for m in detached)
    lost = of(diags, INTACT)
    assert lost and all("PolicyAttachment 'shared'" in m for m in lost)


def test_a_policy_attachment_that_lists_the_deployer_too_is_equivalent(pack: Analyzer, dev: Resources) -> None:
    add(dev, ROLE, "ci", {"name": "ci", "assumeRolePolicy": "{}"})
    add(dev, POLICY_ATTACHMENT, "shared", {"name": "shared", "policyArn": DEV_POLICY_ARN,
                                           "roles": ["ci", DEV_ROLE_NAME]})
    assert mandatory(pack.run(dev)) == []


def test_a_policy_attachment_in_another_account_detaches_nothing_here(pack: Analyzer, dev: Resources) -> None:
    other = add(dev, PROVIDER, "other", {"region": "us-east-1", "allowedAccountIds": ["999988887777"]})
    add(dev, POLICY_ATTACHMENT, "theirs", {"name": "theirs", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
                                           "roles": ["ci"]}, provider=other["urn"] + "::id")
    first(dev, ROLE)["outputs"]["managedPolicyArns"] = [DEV_POLICY_ARN, "arn:aws:iam::aws:policy/ReadOnlyAccess"]
    assert mandatory(pack.run(dev)) == []


def test_a_declared_managed_policy_arns_set_removes_what_it_does_not_list(pack: Analyzer) -> None:
    resources: Resources = []
    add(resources, POLICY, "sst", {"name": "sst", "policy": sst_policy()},
        outputs={"name": "sst", "policy": sst_policy(), "arn": f"arn:aws:iam::{ACCOUNT}:policy/sst"})
    hand_role(resources, "deployer", managedPolicyArns=["arn:aws:iam::aws:policy/ReadOnlyAccess"])
    add(resources, ATTACHMENT, "att", {"role": "deployer", "policyArn": f"arn:aws:iam::{ACCOUNT}:policy/sst"})
    diags = pack.run(resources)
    lost = of(diags, INTACT)
    assert lost and all("Role 'deployer' (its managedPolicyArns) declares the role's managed policies exclusively"
                        in m for m in lost)
    # The same outputs without the inputs (no Analyze): a read-back, so nothing is removed.
    assert of(pack.analyze_stack(resources), INTACT) == []


def test_an_empty_declared_set_removes_every_managed_policy(pack: Analyzer) -> None:
    resources: Resources = []
    add(resources, POLICY, "sst", {"name": "sst", "policy": sst_policy()},
        outputs={"name": "sst", "policy": sst_policy(), "arn": f"arn:aws:iam::{ACCOUNT}:policy/sst"})
    hand_role(resources, "deployer", managedPolicyArns=[])
    add(resources, ATTACHMENT, "att", {"role": "deployer", "policyArn": f"arn:aws:iam::{ACCOUNT}:policy/sst"})
    diags = pack.run(resources)
    assert any("every policy it had is removed" in m and "listed: none" in m for m in of(diags, ATTACHED))


def test_role_policy_attachments_exclusive_removes_unlisted_and_keeps_listed(pack: Analyzer, dev: Resources) -> None:
    role = first(dev, ROLE)
    tampered = copy.deepcopy(dev)
    add(tampered, ATTACHMENTS_EXCLUSIVE, "only-readonly", {
        "roleName": DEV_ROLE_NAME, "policyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]},
        deps={"roleName": [role["urn"]]})
    assert any("RolePolicyAttachmentsExclusive 'only-readonly' declares the role's managed policies exclusively" in m
               for m in of(pack.run(tampered), ATTACHED))
    add(dev, ATTACHMENTS_EXCLUSIVE, "listed", {"roleName": DEV_ROLE_NAME, "policyArns": [DEV_POLICY_ARN]})
    assert mandatory(pack.run(dev)) == []


def test_role_policies_exclusive_removes_an_unlisted_inline_policy(pack: Analyzer) -> None:
    def stack(listed: list[str]) -> Resources:
        resources: Resources = []
        hand_role(resources, "deployer")
        add(resources, ROLE_POLICY, "sst-inline", {"role": "deployer", "name": "sst", "policy": sst_policy()})
        add(resources, POLICIES_EXCLUSIVE, "inline-only", {"roleName": "deployer", "policyNames": listed})
        return resources

    lost = of(pack.run(stack(["break-glass"])), INTACT)
    assert lost and "RolePoliciesExclusive 'inline-only' declares the role's inline policies exclusively" in lost[0]
    assert mandatory(pack.run(stack(["sst"]))) == []


def test_an_empty_inline_block_removes_every_inline_policy(pack: Analyzer) -> None:
    resources: Resources = []
    hand_role(resources, "deployer", inlinePolicies=[{}])
    add(resources, ROLE_POLICY, "sst-inline", {"role": "deployer", "name": "sst", "policy": sst_policy()})
    diags = pack.run(resources)
    assert any("inlinePolicies) declares the role's inline policies exclusively (listed: none)" in m
               for m in of(diags, ATTACHED))


def test_policies_declared_on_the_role_itself_are_equivalent(pack: Analyzer) -> None:
    resources: Resources = []
    hand_role(resources, "deployer", inlinePolicies=[{"name": "sst", "policy": sst_policy()}])
    assert mandatory(pack.run(resources)) == []
    resources = []
    add(resources, POLICY, "sst", {"name": "sst", "policy": sst_policy()},
        outputs={"name": "sst", "policy": sst_policy(), "arn": f"arn:aws:iam::{ACCOUNT}:policy/sst"})
    hand_role(resources, "deployer", managedPolicyArns=[f"arn:aws:iam::{ACCOUNT}:policy/sst"])
    assert mandatory(pack.run(resources)) == []


# ----------------------------------------------------------------- identity: account and name


def two_accounts(good_in: str) -> Resources:
    """One stack, two accounts, a role named 'deployer' in each; only one gets SST's policy."""
    resources: Resources = []
    providers = {}
    for account in ("111111111111", "222222222222"):
        p = add(resources, PROVIDER, f"p{account}", {"region": "us-east-1", "allowedAccountIds": [account]})
        providers[account] = p["urn"] + "::id"
        role = hand_role(resources, "deployer", account=account, provider=providers[account],
                         stack="dev")
        role["urn"] = urn(ROLE, f"deployer-{account}")
        role["name"] = f"deployer-{account}"
    doc = sst_policy(good_in)
    add(resources, ROLE_POLICY, "sst-inline", {"role": "deployer", "name": "sst", "policy": doc},
        provider=providers[good_in])
    return resources


def test_same_named_roles_in_two_accounts_are_judged_apart(pack: Analyzer) -> None:
    diags = pack.run(two_accounts("111111111111"))
    attached = of(diags, ATTACHED)
    assert len(attached) == 1 and "in account 222222222222" in attached[0] and "has no policy attached" in attached[0]
    assert not any("111111111111" in m for m in of(diags, INTACT) + attached)


def test_previews_read_the_account_from_the_provider(pack: Analyzer) -> None:
    resources = two_accounts("222222222222")
    for r in resources:
        if r["type"] == ROLE:
            r["outputs"]["arn"] = UNKNOWN
            r["outputs"]["managedPolicyArns"] = r["outputs"]["inlinePolicies"] = UNKNOWN
    attached = of(pack.run(resources), ATTACHED)
    assert len(attached) == 1 and "in account 111111111111" in attached[0]


def test_a_hand_tagged_role_of_unknown_account_is_not_blamed_in_a_preview(pack: Analyzer) -> None:
    resources: Resources = []
    role = hand_role(resources, "deployer")
    role["outputs"].update(arn=UNKNOWN, managedPolicyArns=UNKNOWN, inlinePolicies=UNKNOWN)
    add(resources, ATTACHMENT, "att", {"role": UNKNOWN, "policyArn": UNKNOWN}, deps={"role": [role["urn"]]})
    diags = pack.run(resources)
    assert mandatory(diags) == []
    (note,) = of(diags, UNSEEN)  # said, as advice, rather than guessed
    assert "is not fully judged yet: its account is not known yet" in note and "sst-deployer:account" in note


def test_an_exclusive_list_not_known_yet_keeps_what_its_dependencies_name(pack: Analyzer,
                                                                         dev_preview: Resources) -> None:
    role, policy = first(dev_preview, ROLE), first(dev_preview, POLICY)
    add(dev_preview, ATTACHMENTS_EXCLUSIVE, "pinned", {"roleName": UNKNOWN, "policyArns": UNKNOWN},
        deps={"roleName": [role["urn"]], "policyArns": [policy["urn"]]})
    assert mandatory(pack.run(dev_preview)) == []
    add(dev_preview, ROLE_POLICY, "no-params", {"role": UNKNOWN, "policy": DENY_SSM}, deps={"role": [role["urn"]]})
    diags = pack.run(dev_preview)  # what is known is still judged
    assert any("denied by statement 'NoParameters'" in m for m in of(diags, INTACT))


# ----------------------------------------------------------------- policies outside the stack


def test_aws_managed_policies_are_known_by_content(pack: Analyzer, dev: Resources) -> None:
    add(dev, ATTACHMENT, "power", {"role": DEV_ROLE_NAME, "policyArn": "arn:aws:iam::aws:policy/PowerUserAccess"})
    (message,) = of(pack.run(dev), ADMIN)
    assert ("statement #1 of AWS managed policy PowerUserAccess allows NotAction iam:*, organizations:*, "
            "account:*") in message


def test_an_unseen_boundary_is_reported_and_known_policies_make_it_judged(standalone_pack_dir: Path,
                                                                           dev: Resources) -> None:
    boundary = "arn:aws:iam::112233445566:policy/org-boundary"
    first(dev, ROLE)["inputs"]["permissionsBoundary"] = boundary
    first(dev, ROLE)["outputs"]["permissionsBoundary"] = boundary
    no_s3 = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}]}
    with serve(standalone_pack_dir) as analyzer:
        analyzer.configure()
        diags = analyzer.run(dev)
        assert [d.policy for d in diags] == [UNSEEN] and diags[0].level == "advisory"
        assert f"the permissions boundary managed policy {boundary}" in diags[0].message
        analyzer.configure({UNSEEN: {"enforcementLevel": "mandatory"}})
        assert [d.level for d in analyzer.run(dev)] == ["mandatory"]
        analyzer.configure({UNSEEN: {"knownPolicies": {boundary: no_s3}}})
        lost = of(analyzer.run(dev), INTACT)
        assert lost and all("outside the permissions boundary" in m and "s3:" in m for m in lost)


# ----------------------------------------------------------------- administrator, semantically


@pytest.mark.parametrize("statement, why", [
    ({"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"}, "allows NotAction iam:*"),
    ({"Effect": "Allow", "Action": "*:*", "Resource": "arn:*"}, "matches every aws ARN"),
    ({"Effect": "Allow", "Action": "*", "Resource": "*",
      "Condition": {"StringLike": {"aws:PrincipalArn": "*"}}}, "holds on every request this role makes"),
    ({"Effect": "Allow", "Action": "*", "Resource": "*",
      "Condition": {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}}, "aws:PrincipalAccount"),
])
def test_administrator_access_in_any_shape_counts(pack: Analyzer, dev: Resources, statement: dict[str, Any],
                                                 why: str) -> None:
    add(dev, ROLE_POLICY, "extra", {"role": DEV_ROLE_NAME, "name": "extra",
                                    "policy": json.dumps({"Statement": [statement]})})
    (message,) = of(pack.run(dev), ADMIN)
    assert why in message and "inline policy 'extra'" in message


def test_a_condition_that_may_not_hold_is_not_administrator(pack: Analyzer, dev: Resources) -> None:
    add(dev, ROLE_POLICY, "extra", {"role": DEV_ROLE_NAME, "name": "extra", "policy": json.dumps({"Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*",
         "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}}]})})
    assert of(pack.run(dev), ADMIN) == []


# ----------------------------------------------------------------- hand-written deployers


def test_an_untagged_copy_of_the_page_is_told_how_to_tag_it(pack: Analyzer) -> None:
    resources: Resources = []
    add(resources, ROLE, "legacy", {"name": "legacy", "assumeRolePolicy": "{}"})
    resources[-1]["outputs"]["arn"] = f"arn:aws:iam::{ACCOUNT}:role/legacy"
    add(resources, ROLE_POLICY, "page", {"role": "legacy", "name": "page", "policy": sst_policy()})
    diags = pack.run(resources)
    (d,) = diags
    assert d.policy == UNMARKED and d.level == "advisory"
    assert "looks like an SST deployer" in d.message
    assert "sst-deployer:role=least-privilege, sst-deployer:regions=us-east-1" in d.message


def test_an_ordinary_role_does_not_look_like_a_deployer(pack: Analyzer) -> None:
    resources: Resources = []
    add(resources, ROLE, "app", {"name": "app", "assumeRolePolicy": "{}"})
    add(resources, ROLE_POLICY, "read", {"role": "app", "name": "read", "policy": READ_ONLY_S3})
    assert pack.run(resources) == []


# ----------------------------------------------------------------- bad data


@pytest.mark.parametrize("document, expected", [
    ("[" * 5000 + "]" * 5000, "its JSON nests 5,000 levels deep"),
    (json.dumps({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "x" * 1_100_000}]}),
     "characters long, too large to judge; IAM allows 6,144"),
])
def test_deep_or_huge_documents_are_violations_that_say_what_is_wrong(pack: Analyzer, dev: Resources,
                                                                      document: str, expected: str) -> None:
    first(dev, POLICY)["outputs"]["policy"] = document
    messages = of(pack.run(dev), INTACT)
    assert any(expected in m for m in messages)
    assert not any("please report" in m for m in messages)


@pytest.mark.parametrize("count", [float("inf"), float("-inf"), float("nan"), 1.5, -3])
def test_a_non_integral_attachment_count_is_bad_data(pack: Analyzer, dev: Resources, count: float) -> None:
    first(dev, "sst:aws:DeployerRole")["outputs"]["attachmentCount"] = count
    messages = of(pack.run(dev), ATTACHED)
    assert len(messages) == 1 and "not a whole number of attachments" in messages[0]


def test_programs_with_explicit_providers_capture_their_config(tmp_path: Path) -> None:
    program = tmp_path / "__main__.py"
    program.write_text("import pulumi_aws as aws\n"
                       "p = aws.Provider('prod', region='eu-west-1', allowed_account_ids=['123412341234'])\n"
                       "import pulumi\n"
                       "aws.iam.Role('r', assume_role_policy='{}', opts=pulumi.ResourceOptions(provider=p))\n")
    stack = run_program(stack_config("dev"), program=program)
    role = stack.one(ROLE)
    provider = next(r for r in stack.resources if r.type == PROVIDER and r.name == "prod")
    assert role.provider.startswith(provider.urn + "::")
    # The engine JSON-encodes a provider's non-string config, as the SDK sends it.
    assert json.loads(provider.inputs["allowedAccountIds"]) == ["123412341234"]


def _field(tag: int, payload: bytes) -> bytes:
    size, n = b"", len(payload)
    while True:
        byte, n = n & 0x7F, n >> 7
        size += bytes([byte | 0x80]) if n else bytes([byte])
        if not n:
            return bytes([tag]) + size + payload


def nested_request(levels: int) -> bytes:
    """An AnalyzeStackRequest whose one Role has a property nested ``levels`` objects deep,
    serialized by hand: Value{struct_value: Struct{fields: {"a": ...}}}, innermost "x"."""
    value = _field(0x1A, b"x")
    for _ in range(levels):
        value = _field(0x2A, _field(0x0A, _field(0x0A, b"a") + _field(0x12, value)))
    properties = _field(0x0A, _field(0x0A, b"tags") + _field(0x12, value))
    resource = (_field(0x0A, ROLE.encode()) + _field(0x12, properties)
                + _field(0x1A, urn(ROLE, "deep").encode()) + _field(0x22, b"deep"))
    return _field(0x0A, resource)


def test_values_nested_a_thousand_levels_deep_are_read_without_recursing(pack: Analyzer) -> None:
    # pulumi-policy's own json_format.MessageToDict and deserialize_properties recurse per level;
    # the pack's reading stops at MAX_DEPTH. (Past ~4,000 levels protobuf's upb decoder itself
    # overflows the C stack and kills the process before any Python runs: see the README,
    # "Bad data and pulumi-policy's own limits".)
    assert pack.analyze_stack_bytes(nested_request(1000)) == []


def test_a_request_protobuf_cannot_decode_is_a_violation_that_says_why(pack: Analyzer) -> None:
    (d,) = pack.analyze_stack_bytes(b"\x0a\xff\xff\xff\xff\x0f")  # a length running past the end
    assert d.level == "mandatory" and "could not be decoded" in d.message


def test_properties_nested_deeper_than_the_pack_reads_are_bad_data(pack: Analyzer, dev: Resources) -> None:
    value: Any = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    for _ in range(MAX_DEPTH + 1):
        value = {"a": value}
    first(dev, POLICY)["outputs"]["policy"] = value
    assert any("nested more than 32 levels deep" in m for m in of(pack.run(dev), INTACT))


def test_a_trust_policy_nested_thousands_deep_is_a_violation_that_says_so(pack: Analyzer, dev: Resources) -> None:
    first(dev, ROLE)["outputs"]["assumeRolePolicy"] = "[" * 5000 + "]" * 5000
    (message,) = of(pack.run(dev), "sst-deployer-trust")
    assert "its trust policy nests 5,000 levels deep" in message


def test_an_unseen_policy_is_not_assumed_to_grant_what_is_lost(standalone_pack_dir: Path, dev: Resources) -> None:
    shared = "arn:aws:iam::112233445566:policy/org/shared-deploy-extras"
    policy = first(dev, POLICY)["outputs"]
    document = json.loads(policy["policy"])
    moved = [s for s in document["Statement"] if s["Sid"] == "AllowSSTManageBootstrapBucket"]
    document["Statement"] = [s for s in document["Statement"] if s["Sid"] != "AllowSSTManageBootstrapBucket"]
    policy["policy"] = json.dumps(document)
    add(dev, ATTACHMENT, "extras", {"role": DEV_ROLE_NAME, "policyArn": shared})
    with serve(standalone_pack_dir) as analyzer:
        analyzer.configure()
        lost = of(analyzer.run(dev), INTACT)
        assert lost and all("AllowSSTManageBootstrapBucket" in m and "give its document in knownPolicies" in m
                            for m in lost)
        analyzer.configure({UNSEEN: {"knownPolicies": {shared: {"Version": "2012-10-17", "Statement": moved}}}})
        assert mandatory(analyzer.run(dev)) == []  # the statement moved to the shared policy: equivalent


def test_an_unknown_account_hides_only_what_depends_on_it(pack: Analyzer) -> None:
    def preview_of(document: str) -> Resources:
        resources: Resources = []
        role = hand_role(resources, "deployer")
        role["outputs"].update(arn=UNKNOWN, managedPolicyArns=UNKNOWN, inlinePolicies=UNKNOWN)
        add(resources, ROLE_POLICY, "sst", {"role": "deployer", "name": "sst", "policy": document})
        return resources

    assert mandatory(pack.run(preview_of(sst_policy()))) == []  # granted in the account its ARNs name
    partial = json.loads(sst_policy())
    for statement in partial["Statement"]:
        statement["Action"] = [a for a in statement["Action"] if a != "cloudformation:CreateStack"]
    (message,) = of(pack.run(preview_of(json.dumps(partial))), INTACT)
    assert "lost SST statement AllowSSTDeployStacks: cloudformation:CreateStack, whatever account" in message
