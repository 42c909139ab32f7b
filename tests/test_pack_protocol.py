"""The policy pack end to end, through the analyzer gRPC protocol the engine uses,
served from a copy of policy_pack/ alone, on stacks captured from the real program."""

from __future__ import annotations

import ast
import copy
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from analyzer import Analyzer, Diagnostic, serve
from conftest import ROOT, as_engine
from harness import Stack, run_program
from sst_deployer.render import render, to_json
from sst_deployer.settings import DeployerSettings
from sst_deployer.tags import to_tags

ROLE, POLICY = "aws:iam/role:Role", "aws:iam/policy:Policy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
INTACT, ATTACHED = "sst-deployer-statements-intact", "sst-deployer-attachments-intact"
LEAST, TRUST = "sst-deployer-least-privilege", "sst-deployer-trust"
ADMIN = "sst-deployer-administrator-only-in-sandboxes"
UNSEEN, UNMARKED = "sst-deployer-unseen-policies", "sst-deployer-unmarked-deployers"
UNDECIDED = "sst-deployer-undecided-conditions"
Resources = list[dict[str, Any]]


def mandatory(diags: list[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diags if d.level == "mandatory"]


def of(diags: list[Diagnostic], policy: str) -> list[str]:
    return [d.message for d in diags if d.policy == policy]


def first(resources: Resources, type_: str) -> dict[str, Any]:
    return next(r for r in resources if r["type"] == type_)


def edit_policy(resources: Resources, change: Callable[[dict[str, Any]], None]) -> Resources:
    out = copy.deepcopy(resources)
    policy = first(out, POLICY)["outputs"]
    doc = json.loads(policy["policy"])
    change(doc)
    policy["policy"] = json.dumps(doc)
    return out


def statement(doc: dict[str, Any], sid: str) -> dict[str, Any]:
    return next(s for s in doc["Statement"] if s["Sid"] == sid)


@pytest.fixture(scope="module")
def dev(example_stacks: dict[str, Stack]) -> Resources:
    return as_engine(example_stacks["dev"])


# ----------------------------------------------------------------- the pack itself


def test_the_pack_describes_one_policy_per_concern(pack: Analyzer) -> None:
    info = pack.info()
    assert info.name == "sst-deployer"
    levels = {p.name: p.enforcementLevel for p in info.policies}
    assert set(levels) == {INTACT, ATTACHED, LEAST, ADMIN, TRUST, UNSEEN, UNMARKED, UNDECIDED}
    assert all(levels[n] == 0 for n in (LEAST, UNSEEN, UNMARKED, UNDECIDED))
    assert all(levels[n] == 1 for n in (INTACT, ATTACHED, ADMIN, TRUST))
    for p in info.policies:
        assert p.description and p.name.islower() and " " not in p.name
        assert all("default" in schema for schema in p.configSchema.properties.values())


# `sst-deployer audit` reads AWS with boto3: the distribution's optional extra [audit],
# imported by this one module only, inside its functions (never when the pack loads).
AUDIT_READER = ROOT / "policy_pack" / "sst_deployer" / "aws_read.py"
AUDIT_ONLY = {"boto3", "botocore"}


def _imports(path: Path) -> list[tuple[str, bool]]:
    """Each absolute import of ``path``, and whether it is at module level."""
    tree = ast.parse(path.read_text())
    top = set(map(id, tree.body))
    out = []
    for node in ast.walk(tree):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
            [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
        out += [(name, id(node) in top) for name in names]
    return out


def test_the_published_folder_imports_nothing_from_outside_it() -> None:
    allowed = {"sst_deployer", "pulumi", "pulumi_policy", "google", "grpc", "__future__"}
    stdlib = set(sys.stdlib_module_names)
    for path in (ROOT / "policy_pack").rglob("*.py"):
        for name, at_top in _imports(path):
            root = name.split(".")[0]
            if path == AUDIT_READER and root in AUDIT_ONLY:
                assert not at_top, f"{path}: imports {name} at module level; import it inside the function"
                continue
            assert root in allowed | stdlib, f"{path}: imports {name}"


def test_only_the_audit_reader_may_import_boto3_and_the_pack_never_loads_it(standalone_pack_dir: Path) -> None:
    import subprocess

    assert any(n.split(".")[0] in AUDIT_ONLY for n, _ in _imports(AUDIT_READER))  # the exemption is used
    code = ("import sys; sys.path.insert(0, '.'); import sst_deployer.policies.pack, sst_deployer.cli; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=standalone_pack_dir, capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_the_copy_serves_its_own_sst_deployer(standalone_pack_dir: Path) -> None:
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", "import runpy, sys; sys.path.insert(0, '.'); "
                          "import sst_deployer; print(sst_deployer.__file__)"],
                         cwd=standalone_pack_dir, capture_output=True, text=True, check=True).stdout
    assert out.startswith(str(standalone_pack_dir))


# ----------------------------------------------------------------- examples pass


def only_the_unseen_boundary_note(name: str, diags: list[Diagnostic]) -> bool:
    """production's boundary (Pulumi.production.yaml) is a policy outside the stack: the
    pack says it could not check it, as advice, and nothing else."""
    if name != "production":
        return diags == []
    return [(d.policy, d.level) for d in diags] == [(UNSEEN, "advisory")] and \
        "permissions boundary managed policy arn:aws:iam::" in diags[0].message


@pytest.mark.parametrize("name", ["dev", "staging", "production"])
def test_example_stacks_pass(pack: Analyzer, name: str, example_stacks: dict[str, Stack]) -> None:
    assert only_the_unseen_boundary_note(name, pack.run(as_engine(example_stacks[name])))


@pytest.mark.parametrize("name", ["dev", "staging", "production"])
def test_previews_with_unknown_values_raise_nothing(pack: Analyzer, name: str,
                                                    example_previews: dict[str, Stack]) -> None:
    resources = as_engine(example_previews[name])
    assert "04da6b54-80e4-46f7-96ec-b56ff0331ba9" in json.dumps(resources)  # unknowns are there
    assert only_the_unseen_boundary_note(name, pack.run(resources))


def test_analyze_per_resource_is_served(pack: Analyzer, dev: Resources) -> None:
    assert all(pack.analyze(r) == [] for r in dev)


def test_a_stack_without_deployers_gets_nothing(pack: Analyzer) -> None:
    unrelated = [{"type": "aws:s3/bucket:Bucket", "urn": f"urn:pulumi:dev::p::aws:s3/bucket:Bucket::b{i}",
                  "name": f"b{i}", "outputs": {"bucket": f"b{i}", "tags": {"team": "x"}}} for i in range(500)]
    unrelated.append({"type": ROLE, "urn": "urn:pulumi:dev::p::aws:iam/role:Role::other", "name": "other",
                      "outputs": {"assumeRolePolicy": '{"Statement":[{"Effect":"Allow","Principal":"*",'
                                  '"Action":"sts:AssumeRole"}]}', "name": "other"}})
    assert pack.analyze_stack(unrelated) == []


# ----------------------------------------------------------------- tampering fails


def test_a_removed_statement_is_reported_with_its_sid(pack: Analyzer, dev: Resources) -> None:
    sid = "AllowSSTMonitorStackDeployment"
    tampered = edit_policy(dev, lambda d: d["Statement"].remove(statement(d, sid)))
    messages = of(pack.analyze_stack(tampered), INTACT)
    assert any(f"lost SST statement {sid}: " in m and "cloudformation:DescribeStackResources" in m
               and "arn:aws:cloudformation:us-east-1:112233445566:stack/*" in m for m in messages)


def test_one_dropped_action_is_reported(pack: Analyzer, dev: Resources) -> None:
    tampered = edit_policy(dev, lambda d: statement(d, "AllowSSTMonitorStackDeployment")["Action"].remove(
        "cloudformation:DescribeStackResources"))
    (message,) = of(pack.analyze_stack(tampered), INTACT)
    assert "AllowSSTMonitorStackDeployment: cloudformation:DescribeStackResources on " in message
    assert "no Allow grants it" in message


def test_a_narrowed_resource_names_what_is_left(pack: Analyzer, dev: Resources) -> None:
    def narrow(d: dict[str, Any]) -> None:
        statement(d, "AllowSSTMonitorStackDeployment")["Resource"] = [
            "arn:aws:cloudformation:us-east-1:112233445566:stack/myapp-*"]
    messages = of(pack.analyze_stack(edit_policy(dev, narrow)), INTACT)
    assert messages and all(":stack/" in m for m in messages)
    assert any("grants it only on arn:aws:cloudformation:us-east-1:112233445566:stack/myapp-*" in m for m in messages)


def test_an_added_deny_is_reported(pack: Analyzer, dev: Resources) -> None:
    tampered = edit_policy(dev, lambda d: d["Statement"].append(
        {"Sid": "NoSecrets", "Effect": "Deny", "Action": "ssm:Put*", "Resource": "*"}))
    messages = of(pack.analyze_stack(tampered), INTACT)
    assert any("ssm:PutParameter" in m and "denied by statement 'NoSecrets'" in m for m in messages)


def test_a_conditional_deny_is_a_reported_risk(pack: Analyzer, dev: Resources) -> None:
    # Where calls come from is not known to the pack: a source-IP Deny may apply.
    tampered = edit_policy(dev, lambda d: d["Statement"].append(
        {"Sid": "OfficeOnly", "Effect": "Deny", "Action": "*", "Resource": "*",
         "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}))
    diags = pack.analyze_stack(tampered)
    assert of(diags, INTACT) == []  # not proven: advice (issue 15), not a mandatory loss
    messages = of(diags, UNDECIDED)
    assert messages and all("conditional Deny that may take away" in m and "aws:sourceip" in m for m in messages)
    assert all(d.level == "advisory" for d in diags if d.policy == UNDECIDED)


def test_report_conditional_denies_false_silences_the_undecided_advice(standalone_pack_dir: Path,
                                                                       dev: Resources) -> None:
    """reportConditionalDenies (statements-intact) is kept for existing configs: false now
    silences sst-deployer-undecided-conditions, which reports what it reported before."""
    tampered = edit_policy(dev, lambda d: d["Statement"].append(
        {"Sid": "OnlyOurOrg", "Effect": "Deny", "Action": "*", "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}))
    with serve(standalone_pack_dir) as analyzer:
        analyzer.configure({INTACT: {"reportConditionalDenies": False}})
        assert of(analyzer.analyze_stack(tampered), UNDECIDED) == []
        analyzer.configure({})
        (first_advice, *_) = of(analyzer.analyze_stack(tampered), UNDECIDED)
        assert "aws:PrincipalOrgID: organizationId" in first_advice
        # The organisation's facts serve statements-intact too: another org is a proven loss.
        analyzer.configure({UNDECIDED: {"organizationId": "o-zzzzzzzzzz"}})
        diags = analyzer.analyze_stack(tampered)
        assert of(diags, INTACT) and not of(diags, UNDECIDED)
        analyzer.configure({UNDECIDED: {"organizationId": "o-a1b2c3d4e5"}})
        diags = analyzer.analyze_stack(tampered)
        assert not of(diags, INTACT) and not of(diags, UNDECIDED)


def test_a_tightened_boundary_is_reported(pack: Analyzer, dev: Resources) -> None:
    tampered = copy.deepcopy(dev)
    boundary_arn = "arn:aws:iam::112233445566:policy/tight"
    tampered.append({"type": POLICY, "urn": "urn:pulumi:dev::sst-deployer::aws:iam/policy:Policy::tight",
                     "name": "tight", "outputs": {"arn": boundary_arn, "name": "tight", "policy": json.dumps(
                         {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "cloudformation:*",
                                                                  "Resource": "*"}]})}})
    first(tampered, ROLE)["outputs"]["permissionsBoundary"] = boundary_arn
    messages = of(pack.analyze_stack(tampered), INTACT)
    assert any("AllowSSTManageBootstrapBucket" in m and "outside the permissions boundary managed policy 'tight'"
               in m for m in messages)
    assert not any("AllowSSTMonitorStackDeployment" in m for m in messages)


def test_a_detached_policy_is_a_violation(pack: Analyzer, dev: Resources) -> None:
    tampered = [r for r in dev if r["type"] != ATTACHMENT]
    diags = pack.analyze_stack(tampered)
    assert any("is no longer attached" in m for m in of(diags, ATTACHED))
    assert any("has no policy document granting SST anything" in m for m in of(diags, INTACT))


def test_a_replaced_policy_is_a_violation(pack: Analyzer, dev: Resources) -> None:
    tampered = copy.deepcopy(dev)
    other = "arn:aws:iam::112233445566:policy/readonly"
    tampered.append({"type": POLICY, "urn": "urn:pulumi:dev::sst-deployer::aws:iam/policy:Policy::readonly",
                     "name": "readonly", "outputs": {"arn": other, "name": "readonly", "policy": json.dumps(
                         {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})}})
    first(tampered, ATTACHMENT)["outputs"]["policyArn"] = other
    diags = pack.analyze_stack(tampered)
    assert any("its policy 'sst-deployer-dev-policy' is no longer attached" in m for m in of(diags, ATTACHED))
    assert of(diags, INTACT)


def test_a_deleted_policy_is_a_violation(pack: Analyzer, dev: Resources) -> None:
    tampered = [r for r in dev if r["type"] not in (ATTACHMENT, POLICY)]
    messages = of(pack.analyze_stack(tampered), ATTACHED)
    assert any("has 0 of the 1 policy attachments" in m for m in messages)


def test_a_component_role_stripped_of_its_tags_is_still_checked(pack: Analyzer, dev: Resources) -> None:
    tampered = edit_policy(dev, lambda d: d["Statement"].remove(statement(d, "AllowSSTManageBootstrapBucket")))
    first(tampered, ROLE)["outputs"]["tags"] = {"environment": "dev"}
    messages = of(pack.analyze_stack(tampered), INTACT)
    assert any("lost SST statement AllowSSTManageBootstrapBucket" in m for m in messages)


def test_a_wildcard_principal_is_a_violation(pack: Analyzer, dev: Resources) -> None:
    tampered = copy.deepcopy(dev)
    role = first(tampered, ROLE)["outputs"]
    trust = json.loads(role["assumeRolePolicy"])
    trust["Statement"].append({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})
    role["assumeRolePolicy"] = json.dumps(trust)
    (message,) = of(pack.analyze_stack(tampered), TRUST)
    assert 'statement #2 trusts Principal AWS "*"' in message


def test_a_repository_wildcard_in_github_trust_is_a_violation(pack: Analyzer, example_stacks: dict[str, Stack]) -> None:
    tampered = as_engine(example_stacks["production"])
    role = first(tampered, ROLE)["outputs"]
    role["assumeRolePolicy"] = role["assumeRolePolicy"].replace("repo:acme/storefront:", "repo:acme/*:")
    assert any("pin it to one repository" in m for m in of(pack.analyze_stack(tampered), TRUST))


def test_least_privilege_is_advisory_and_names_the_excess(pack: Analyzer, dev: Resources) -> None:
    tampered = edit_policy(dev, lambda d: d["Statement"].extend([
        {"Sid": "Everything", "Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Sid": "PassAny", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::112233445566:role/*"},
        {"Sid": "Elsewhere", "Effect": "Allow", "Action": "cloudformation:DescribeStacks",
         "Resource": ["arn:aws:cloudformation:ap-south-1:112233445566:stack/*",
                      "arn:aws:cloudformation:us-east-1:999999999999:stack/*"]}]))
    diags = pack.analyze_stack(tampered)
    least = [d for d in diags if d.policy == LEAST]
    assert least and all(d.level == "advisory" for d in least)
    text = "\n".join(d.message for d in least)
    assert "statement 'Everything'" in text and "grants '*': every action" in text
    assert "iam:PassRole on arn:aws:iam::112233445566:role/* (roles beyond the CDK bootstrap roles)" in text
    assert "(region ap-south-1, which the deployer is not configured for)" in text
    assert "(account 999999999999, not the deployer's 112233445566)" in text
    # Allow * loses nothing SST needs, but it is administrator access outside a sandbox.
    assert {d.policy for d in mandatory(diags)} == {ADMIN}


def test_administrator_only_in_sandboxes(pack: Analyzer) -> None:
    config = {"aws:region": "us-east-1", "sst-deployer:strategy": "administrator"}
    sandbox = as_engine(run_program(config, stack="sandbox-alice"))
    production = as_engine(run_program(config, stack="production"))
    assert pack.analyze_stack(sandbox) == []
    (message,) = of(pack.analyze_stack(production), ADMIN)
    assert "AdministratorAccess (strategy administrator) in stack 'production'" in message


def test_sandbox_patterns_are_configurable(standalone_pack_dir: Path) -> None:
    stack = as_engine(run_program({"aws:region": "us-east-1", "sst-deployer:strategy": "administrator"},
                                  stack="alice-playground"))
    with serve(standalone_pack_dir) as analyzer:
        analyzer.configure({ADMIN: {"sandboxStacks": ["*-playground"]}})
        assert analyzer.analyze_stack(stack) == []
        analyzer.configure({ADMIN: {"sandboxStacks": []}, LEAST: {"enforcementLevel": "disabled"}})
        assert of(analyzer.analyze_stack(stack), ADMIN)


# ----------------------------------------------------------------- equivalent rewrites pass


def split_every_action(d: dict[str, Any]) -> None:
    d["Statement"] = [dict(s, Sid=f"S{n}{i}", Action=[a]) for n, s in enumerate(d["Statement"])
                      for i, a in enumerate(s["Action"])]


def wildcards(d: dict[str, Any]) -> None:
    for s in d["Statement"]:
        if any(a.startswith("cloudformation:Describe") for a in s["Action"]):
            s["Action"] = [a for a in s["Action"] if not a.startswith("cloudformation:Describe")] + [
                "cloudformation:Describe*"]


def reorder_and_rename(d: dict[str, Any]) -> None:
    d["Statement"] = [dict(s, Sid=f"Renamed{n}", Action=list(reversed(s["Action"])))
                      for n, s in enumerate(reversed(d["Statement"]))]


def merge_same_resources(d: dict[str, Any]) -> None:
    merged: dict[str, dict[str, Any]] = {}
    for s in d["Statement"]:
        key = json.dumps([s["Resource"], s.get("Condition")])
        if key in merged:
            merged[key]["Action"] += s["Action"]
        else:
            merged[key] = dict(s, Action=list(s["Action"]))
    d["Statement"] = list(merged.values())


@pytest.mark.parametrize("rewrite", [split_every_action, wildcards, reorder_and_rename, merge_same_resources])
def test_equivalent_rewrites_pass(pack: Analyzer, dev: Resources, rewrite: Callable[[dict[str, Any]], None]) -> None:
    assert mandatory(pack.analyze_stack(edit_policy(dev, rewrite))) == []


def test_a_refreshed_role_listing_its_attached_policies_counts_them_once(pack: Analyzer, dev: Resources) -> None:
    # After `pulumi refresh`, the provider reports attached policies in managedPolicyArns.
    tampered = edit_policy(dev, lambda d: d["Statement"].append(
        {"Sid": "Extra", "Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*"}))
    first(tampered, ROLE)["outputs"]["managedPolicyArns"] = [first(tampered, POLICY)["outputs"]["arn"]]
    least = of(pack.analyze_stack(tampered), LEAST)
    assert len(least) == 1 and "ec2:RunInstances" in least[0]


def test_a_document_object_instead_of_a_string_passes(pack: Analyzer, dev: Resources) -> None:
    tampered = copy.deepcopy(dev)
    policy = first(tampered, POLICY)["outputs"]
    policy["policy"] = json.loads(policy["policy"])
    role = first(tampered, ROLE)["outputs"]
    role["assumeRolePolicy"] = json.loads(role["assumeRolePolicy"])
    assert pack.analyze_stack(tampered) == []


def test_custom_strategy_with_an_access_analyzer_document_passes(pack: Analyzer) -> None:
    stack = run_program({"aws:region": "us-east-1", "sst-deployer:strategy": "custom",
                         "sst-deployer:features": {"bind": False, "console": False},
                         "sst-deployer:policyFile": "examples/access-analyzer-policy.json"})
    assert mandatory(pack.analyze_stack(as_engine(stack))) == []


def test_custom_document_missing_sst_needs_fails(pack: Analyzer, tmp_path: Path) -> None:
    doc = json.loads((ROOT / "examples/access-analyzer-policy.json").read_text())
    doc["Statement"] = [s for s in doc["Statement"] if s["Sid"] != "LiveLambda"]
    (tmp_path / "p.json").write_text(json.dumps(doc))
    stack = run_program({"aws:region": "us-east-1", "sst-deployer:strategy": "custom",
                         "sst-deployer:policyFile": str(tmp_path / "p.json")})
    messages = of(pack.analyze_stack(as_engine(stack)), INTACT)
    assert any("lost SST statement AllowSSTLiveLambdaSocketConnection: iot:DescribeEndpoint" in m for m in messages)


# ----------------------------------------------------------------- hand-made deployers


def hand_made(tags: dict[str, str], inline: str | None) -> Resources:
    role_urn = "urn:pulumi:prod::legacy::aws:iam/role:Role::deployer"
    resources: Resources = [{"type": ROLE, "urn": role_urn, "name": "deployer", "outputs": {
        "name": "deployer", "arn": "arn:aws:iam::112233445566:role/deployer", "tags": tags,
        "assumeRolePolicy": json.dumps({"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
            "Principal": {"AWS": "arn:aws:iam::112233445566:root"},
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]})}}]
    if inline is not None:
        resources.append({"type": "aws:iam/rolePolicy:RolePolicy", "name": "inline",
                          "urn": "urn:pulumi:prod::legacy::aws:iam/rolePolicy:RolePolicy::inline",
                          "outputs": {"role": "deployer", "policy": inline}})
    return resources


def test_a_role_tagged_by_hand_is_checked_for_its_own_settings(pack: Analyzer) -> None:
    s = DeployerSettings(account="112233445566", regions=("eu-west-1",), qualifier="legacy1")
    tags = {k: v for k, v in to_tags(s, "least-privilege").items()
            if k in ("sst-deployer:role", "sst-deployer:regions", "sst-deployer:qualifier")}
    good = to_json(render(s)[0])
    assert pack.analyze_stack(hand_made(tags, good)) == []
    wrong_region = to_json(render(DeployerSettings(account="112233445566", regions=("us-east-1",),
                                                   qualifier="legacy1"))[0])
    messages = of(pack.analyze_stack(hand_made(tags, wrong_region)), INTACT)
    assert messages and all("eu-west-1" in m for m in messages)


def test_a_hand_tagged_role_without_regions_is_told_which_tag(pack: Analyzer) -> None:
    (message,) = of(pack.analyze_stack(hand_made({"sst-deployer:role": "least-privilege"}, None)), INTACT)
    assert "sst-deployer:regions" in message


# ----------------------------------------------------------------- never raises


@pytest.mark.parametrize("garbage, expected", [
    ("{this is not json", "is not a valid policy document: not valid JSON"),
    (42, "is not a valid policy document: a policy document is an object, not float"),
    ({"Statement": [{"Effect": "Allow"}]}, "needs Action or NotAction"),
    ({"Statement": [{"Effect": "Allow", "Action": [1, 2], "Resource": "*"}]}, "Action must be"),
])
def test_bad_documents_are_violations_not_crashes(pack: Analyzer, dev: Resources, garbage: Any, expected: str) -> None:
    tampered = copy.deepcopy(dev)
    first(tampered, POLICY)["outputs"]["policy"] = garbage
    messages = of(pack.analyze_stack(tampered), INTACT)
    assert any(expected in m for m in messages)
    assert not any("could not check this stack" in m for d in [messages] for m in d)


@pytest.mark.parametrize("mutate", [
    lambda r: first(r, ROLE)["outputs"].update(assumeRolePolicy=[1, 2, 3]),
    lambda r: first(r, ROLE)["outputs"].update(tags={"sst-deployer:role": "x", "sst-deployer:regions": 7}),
    lambda r: first(r, ROLE)["outputs"].update(inlinePolicies="nope"),
    lambda r: first(r, ATTACHMENT)["outputs"].update(role=None, policyArn=["a"]),
    lambda r: first(r, "sst:aws:DeployerRole")["outputs"].update(attachmentCount="many"),
    lambda r: first(r, ROLE).update(outputs={}),
])
def test_odd_shapes_never_crash_the_pack(pack: Analyzer, dev: Resources, mutate: Callable[[Resources], None]) -> None:
    tampered = copy.deepcopy(dev)
    mutate(tampered)
    diags = pack.analyze_stack(tampered)
    assert not any("could not check this stack" in d.message for d in diags)


def test_the_published_pack_carries_the_packages_version() -> None:
    # `pulumi policy publish` accepts each version once: a changed pack needs a new one.
    import yaml
    from sst_deployer.version import __version__

    assert yaml.safe_load((ROOT / "policy_pack" / "PulumiPolicy.yaml").read_text())["version"] == __version__
