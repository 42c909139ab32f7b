"""``sst-deployer audit`` against moto in server mode: roles made with boto3 as people make them.

The AdministratorAccess test runs on a moto with AWS's managed policies loaded
(MOTO_IAM_LOAD_MANAGED_POLICIES), so it is read by content like any other policy. moto does not enforce
IAM's quota of 10 managed policies per role (12 attach fine), and it pages
ListAttachedRolePolicies and ListRoles but not ListRolePolicies: tests/iam_proxy.py pages
that one, and answers AccessDenied where a test says.
"""

from __future__ import annotations

import copy
import json
import sys
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from iam_proxy import proxy
from sst_deployer import cli
from sst_deployer.aws_read import READ_PERMISSIONS
from sst_deployer.render import render
from sst_deployer.settings import DeployerSettings
from sst_deployer.tags import to_tags

from tools import local_aws

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "123456789012"  # moto's account
SETTINGS = DeployerSettings(account=ACCOUNT, regions=("us-east-1",))
PAGE_TEXT = json.dumps(json.loads((ROOT / "tests/fixtures/sst_iam_page.json").read_text())["copyPastePolicy"])
PAGE = json.loads(PAGE_TEXT.replace("112233445566", ACCOUNT))  # the page's placeholder account, replaced
TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole",
    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}
PAGE_GAPS_2_49 = {
    ("ssm:GetParameter", f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/cdk-bootstrap/hnb659fds/version"),
    ("cloudformation:CreateStack", f"arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/*"),
    ("cloudformation:UpdateStack", f"arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/*"),
    ("cloudformation:ListImports", "*"),
    ("s3:GetObject", f"arn:aws:s3:::cdk-hnb659fds-assets-{ACCOUNT}-us-east-1/*"),
}
PAGE_GAPS_2_48 = {
    ("ssm:GetParameter", f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/cdk-bootstrap/hnb659fds/version"),
    ("cloudformation:ListImports", "*"),
}


@pytest.fixture(scope="module")
def moto_with_managed_policies() -> Iterator[str]:
    """moto with AWS's managed policies loaded (4 s a reset here): for AdministratorAccess only."""
    port = local_aws.free_port()
    proc = local_aws.start("127.0.0.1", port, command=(
        "env", "MOTO_IAM_LOAD_MANAGED_POLICIES=true", sys.executable, "-m", "moto.server"))
    yield f"http://127.0.0.1:{port}"
    local_aws.stop(proc)


def _account(url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """A fresh moto account at ``url``; the audit's boto3 pointed at it (AWS_ENDPOINT_URL_IAM)."""
    import boto3

    urllib.request.urlopen(urllib.request.Request(url + "/moto-api/reset", method="POST"), timeout=60)
    for key, value in {"AWS_ENDPOINT_URL_IAM": url, "AWS_ACCESS_KEY_ID": "testing",
                       "AWS_SECRET_ACCESS_KEY": "testing", "AWS_CONFIG_FILE": str(tmp_path / "none"),
                       "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return boto3.client("iam", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture
def aws(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    return _account(moto_endpoint, monkeypatch, tmp_path)


@pytest.fixture
def aws_managed(moto_with_managed_policies: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    return _account(moto_with_managed_policies, monkeypatch, tmp_path)


def audit(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(["audit", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def report(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code, out, _ = audit(capsys, *argv, "--format", "json")
    data = json.loads(out)
    assert data["exitCode"] == code
    return code, data


def make_role(iam: Any, name: str, *, managed: Sequence[dict[str, Any]] = (), inline: dict[str, Any] | None = None,
              aws_managed: Sequence[str] = (), boundary: dict[str, Any] | None = None,
              tags: dict[str, str] | None = None) -> str:
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST),
                    Tags=[{"Key": k, "Value": v} for k, v in (tags or {}).items()])
    for n, doc in enumerate(managed, start=1):
        arn = iam.create_policy(PolicyName=f"{name}-{n}", PolicyDocument=json.dumps(doc))["Policy"]["Arn"]
        iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    for arn in aws_managed:
        iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    for policy, doc in (inline or {}).items():
        iam.put_role_policy(RoleName=name, PolicyName=policy, PolicyDocument=json.dumps(doc))
    if boundary is not None:
        arn = iam.create_policy(PolicyName=f"{name}-boundary", PolicyDocument=json.dumps(boundary))["Policy"]["Arn"]
        iam.put_role_permissions_boundary(RoleName=name, PermissionsBoundary=arn)
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


def gaps(data: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f["action"], f["resource"]) for f in data["roles"][0]["failures"]}


def failing(data: dict[str, Any]) -> list[str]:
    return [c["command"] for c in data["roles"][0]["commands"] if not c["ok"]]


def fix_pairs(fix: dict[str, Any]) -> set[tuple[str, str]]:
    out = set()
    for st in fix["Statement"]:
        resources = [st["Resource"]] if isinstance(st["Resource"], str) else st["Resource"]
        out |= {(a, r) for a in st["Action"] for r in resources}
    return out


# ------------------------------------------------------------------ the page's copy-paste policy


def test_the_pages_policy_has_exactly_its_known_gaps_for_sst_2_49_8(aws: Any, capsys: Any) -> None:
    make_role(aws, "sst-page", managed=[PAGE])
    code, data = report(capsys, "--role-name", "sst-page", "--region", "us-east-1")
    assert code == 1
    assert gaps(data) == PAGE_GAPS_2_49
    assert failing(data) == ["bootstrap", "deploy", "dev"]
    assert data["roles"][0]["settingsFrom"] == "flags"


def test_the_pages_policy_has_exactly_its_known_gaps_for_sst_2_48_5(aws: Any, capsys: Any) -> None:
    make_role(aws, "sst-page", managed=[PAGE])
    code, data = report(capsys, "--role-name", "sst-page", "--region", "us-east-1", "--sst-version", "2.48.5")
    assert code == 1
    assert gaps(data) == PAGE_GAPS_2_48
    assert failing(data) == ["bootstrap", "deploy", "dev"]  # the version parameter; ListImports on deploy


def test_settings_come_from_the_roles_tags_where_present(aws: Any, capsys: Any) -> None:
    tags = to_tags(DeployerSettings(account=ACCOUNT, regions=("us-east-1",), sst_version="2.48.5"), "least-privilege")
    arn = make_role(aws, "sst-page", managed=[PAGE], tags=tags)
    code, data = report(capsys, "--role-arn", arn)  # no flags: the tags say it all
    assert code == 1
    assert data["roles"][0]["settingsFrom"] == "tags"
    assert data["roles"][0]["settings"]["sst_version"] == "2.48.5"
    assert gaps(data) == PAGE_GAPS_2_48


def test_fix_out_adds_exactly_what_is_missing_and_the_role_then_suffices(aws: Any, capsys: Any, tmp_path: Path) -> None:
    make_role(aws, "sst-page", managed=[PAGE])
    fix = tmp_path / "fix.json"
    code, out, _ = audit(capsys, "--role-name", "sst-page", "--region", "us-east-1", "--fix-out", str(fix))
    assert code == 1 and str(fix) in out and "put-role-policy" in out
    document = json.loads(fix.read_text())
    assert fix_pairs(document) == PAGE_GAPS_2_49
    aws.put_role_policy(RoleName="sst-page", PolicyName="sst-deployer-fix", PolicyDocument=fix.read_text())
    code, data = report(capsys, "--role-name", "sst-page", "--region", "us-east-1")
    assert code == 0 and data["roles"][0]["failures"] == []


def test_the_text_report_names_each_gap_its_statement_and_what_to_add(aws: Any, capsys: Any) -> None:
    make_role(aws, "sst-page", managed=[PAGE])
    code, out, _ = audit(capsys, "--role-name", "sst-page", "--region", "us-east-1")
    assert code == 1
    assert "sst deploy    FAILS: ssm:GetParameter, cloudformation:CreateStack" in out
    assert "sst remove    ok" in out
    assert ("s3:GetObject on arn:aws:s3:::cdk-hnb659fds-assets-123456789012-us-east-1/* [AllowSSTReadStackTemplates]: "
            "no Allow grants it (statement 'AllowSSTManageBootstrapBucket' of managed policy 'sst-page-1'") in out
    assert '"cloudformation:ListImports"' in out  # the statements to add, printed


# ------------------------------------------------------------------ roles that suffice, and ones that lost a piece


def test_the_rendered_role_has_no_gaps_and_nothing_in_excess(aws: Any, capsys: Any) -> None:
    make_role(aws, "sst-rendered", managed=render(SETTINGS))
    code, data = report(capsys, "--role-name", "sst-rendered", "--region", "us-east-1", "--strict")
    role = data["roles"][0]
    assert code == 0
    assert (role["failures"], role["excess"], role["administrator"], role["trust"]) == ([], [], [], [])
    assert role["fix"] is None


def test_one_statement_dropped_fails_only_the_command_that_needs_it(aws: Any, capsys: Any) -> None:
    documents = copy.deepcopy(render(SETTINGS))
    documents[0]["Statement"] = [s for s in documents[0]["Statement"] if s["Sid"] != "AllowSSTCLIRestartAppFunction"]
    make_role(aws, "sst-dropped", managed=documents)
    code, data = report(capsys, "--role-name", "sst-dropped", "--region", "us-east-1")
    assert code == 1
    assert failing(data) == ["secrets"]
    assert {a for a, _ in gaps(data)} == {"lambda:GetFunctionConfiguration", "lambda:UpdateFunctionConfiguration"}
    assert all(f["sid"] == "AllowSSTCLIRestartAppFunction" and f["fixable"] for f in data["roles"][0]["failures"])


def test_an_inline_deny_is_named_and_not_fixed_by_an_allow(aws: Any, capsys: Any) -> None:
    deny = {"Version": "2012-10-17", "Statement": [{"Sid": "NoSecretWrites", "Effect": "Deny",
                                                    "Action": "ssm:PutParameter", "Resource": "*"}]}
    make_role(aws, "sst-denied", managed=render(SETTINGS), inline={"guardrail": deny})
    code, data = report(capsys, "--role-name", "sst-denied", "--region", "us-east-1")
    assert code == 1
    role = data["roles"][0]
    assert failing(data) == ["bootstrap", "secrets"]  # the CDK version parameter, and the app's secrets
    assert {f["reason"] for f in role["failures"]} == {
        "denied by statement 'NoSecretWrites' of inline policy 'guardrail'"}
    assert role["fix"] is None


def test_a_boundary_without_s3_fails_every_s3_call_outside_the_boundary(aws: Any, capsys: Any) -> None:
    boundary = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}]}
    make_role(aws, "sst-bounded", managed=render(SETTINGS), boundary=boundary)
    code, data = report(capsys, "--role-name", "sst-bounded", "--region", "us-east-1")
    assert code == 1
    failures = data["roles"][0]["failures"]
    assert failures and {f["action"].split(":")[0] for f in failures} == {"s3"}
    assert all(f["reason"].startswith("outside the permissions boundary permissions boundary 'sst-bounded-boundary'")
               and not f["fixable"] for f in failures)
    assert "deploy" in failing(data) and "diff" not in failing(data)


def test_administrator_access_suffices_but_is_reported_and_strict_fails_it(aws_managed: Any, capsys: Any) -> None:
    make_role(aws_managed, "sst-admin", aws_managed=["arn:aws:iam::aws:policy/AdministratorAccess"])
    code, data = report(capsys, "--role-name", "sst-admin", "--region", "us-east-1")
    role = data["roles"][0]
    assert code == 0 and role["failures"] == []
    assert role["documents"] == ["AWS managed policy AdministratorAccess"]
    assert role["administrator"] == [
        'statement #1 of AWS managed policy AdministratorAccess allows every action on "*"']
    assert report(capsys, "--role-name", "sst-admin", "--region", "us-east-1", "--strict")[0] == 1


def test_the_access_analyzer_example_suffices_and_its_excess_is_listed(aws: Any, capsys: Any) -> None:
    text = (ROOT / "examples/access-analyzer-policy.json").read_text().replace("112233445566", ACCOUNT)
    make_role(aws, "sst-analyzer", managed=[json.loads(text)])
    code, data = report(capsys, "--role-name", "sst-analyzer", "--region", "us-east-1")
    role = data["roles"][0]
    assert code == 0 and role["failures"] == []
    assert any("grants iam:PassRole on arn:aws:iam::123456789012:role/cdk-hnb659fds-*-role-*" in e["message"]
               for e in role["excess"])
    assert report(capsys, "--role-name", "sst-analyzer", "--region", "us-east-1", "--strict")[0] == 1


def test_an_open_trust_is_reported(aws: Any, capsys: Any) -> None:
    make_role(aws, "sst-open", managed=render(SETTINGS))
    open_trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
        "AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]}
    aws.update_assume_role_policy(RoleName="sst-open", PolicyDocument=json.dumps(open_trust))
    code, data = report(capsys, "--role-name", "sst-open", "--region", "us-east-1", "--strict")
    assert code == 1 and data["roles"][0]["failures"] == []
    assert data["roles"][0]["trust"] == [
        f"statement #1 trusts the whole account {ACCOUNT} (arn:aws:iam::{ACCOUNT}:root) without a condition; "
        "require MFA (Bool aws:MultiFactorAuthPresent true) or name the users and roles"]


# ------------------------------------------------------------------ pagination and reading


def test_twelve_attached_policies_and_three_pages_of_inline_policies_are_all_read(
        aws: Any, capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    statements = render(SETTINGS)[0]["Statement"]
    assert len(statements) == 12
    managed = [{"Version": "2012-10-17", "Statement": [st]} for st in statements]
    # The same statements again inline, 11 policies: 3 pages of 5; the Deny in the last page counts.
    inline = {f"part-{n:02}": {"Version": "2012-10-17", "Statement": [statements[n]]} for n in range(10)}
    inline["part-10-guardrail"] = {"Version": "2012-10-17", "Statement": [
        {"Sid": "NoDelete", "Effect": "Deny", "Action": "cloudformation:DeleteStack", "Resource": "*"}]}
    make_role(aws, "sst-many", managed=managed, inline=inline)
    assert len(aws.list_attached_role_policies(RoleName="sst-many")["AttachedPolicies"]) == 12  # no quota in moto
    with proxy(aws.meta.endpoint_url, page=5) as (url, state):
        monkeypatch.setenv("AWS_ENDPOINT_URL_IAM", url)
        code, data = report(capsys, "--role-name", "sst-many", "--region", "us-east-1")
    assert state.seen.count("ListAttachedRolePolicies") == 3  # 5 + 5 + 2
    assert state.seen.count("ListRolePolicies") == 3  # 5 + 5 + 1
    assert state.seen.count("GetRolePolicy") == 11
    assert len(data["roles"][0]["documents"]) == 23
    assert code == 1 and failing(data) == ["bootstrap", "remove"]  # DeleteStack: the toolkit stack too
    assert {f["reason"] for f in data["roles"][0]["failures"]} == {
        "denied by statement 'NoDelete' of inline policy 'part-10-guardrail'"}


@pytest.mark.parametrize("operation", ["GetRole", "ListAttachedRolePolicies", "GetPolicy", "GetPolicyVersion",
                                       "ListRolePolicies", "GetRolePolicy"])
def test_access_denied_while_reading_names_the_permission_needed(
        aws: Any, capsys: Any, monkeypatch: pytest.MonkeyPatch, operation: str) -> None:
    make_role(aws, "sst-page", managed=[PAGE], inline={"extra": PAGE})
    with proxy(aws.meta.endpoint_url, deny={operation}) as (url, _):
        monkeypatch.setenv("AWS_ENDPOINT_URL_IAM", url)
        code, out, err = audit(capsys, "--role-name", "sst-page", "--region", "us-east-1")
    assert code == 3 and out == ""
    assert f"{operation} on " in err and f"the credentials need {READ_PERMISSIONS[operation]} on it" in err


def test_a_role_that_does_not_exist_could_not_be_read(aws: Any, capsys: Any) -> None:
    code, data = report(capsys, "--role-name", "no-such-role", "--region", "us-east-1")
    assert code == 3 and data["roles"] == []
    assert data["errors"][0]["error"].startswith("could not read role no-such-role: GetRole: role no-such-role "
                                                 "does not exist")


# ------------------------------------------------------------------ bad input, before anything is read


@pytest.mark.parametrize(("argv", "message"), [
    (["--role-name", "x", "--region", "us-east-1", "--sst-version", "2.99.0"], "--sst-version: '2.99.0' is newer"),
    (["--role-name", "x", "--region", "us-east-1", "--enable", "bind", "--disable", "bind"],
     "--enable bind and --disable bind contradict each other"),
    (["--role-name", "x", "--region", "mars-1"], "--region: unknown region 'mars-1'"),
    (["--role-name", "x", "--account", "12"], "--account: '12' is not a 12-digit AWS account id"),
    (["--role-arn", "arn:aws:iam::123:user/x"], "--role-arn: 'arn:aws:iam::123:user/x' is not an IAM role ARN"),
    (["--all", "--fix-out", "f.json"], "--fix-out: writes one role's fix"),
])
def test_bad_flags_exit_2_naming_the_flag_before_any_read(
        aws: Any, capsys: Any, monkeypatch: pytest.MonkeyPatch, argv: list[str], message: str) -> None:
    with proxy(aws.meta.endpoint_url) as (url, state):
        monkeypatch.setenv("AWS_ENDPOINT_URL_IAM", url)
        code, _, err = audit(capsys, *argv)
    assert code == 2 and message in err
    assert state.seen == []


def test_an_untagged_role_without_regions_is_bad_input(aws: Any, capsys: Any) -> None:
    make_role(aws, "sst-page", managed=[PAGE])
    code, _, err = audit(capsys, "--role-name", "sst-page")
    assert code == 2 and "--region: the role has no sst-deployer:* tags" in err


def test_a_role_whose_tags_are_wrong_is_bad_input_naming_the_tag(aws: Any, capsys: Any) -> None:
    tags = to_tags(SETTINGS, "least-privilege") | {"sst-deployer:sst-version": "2.49.2"}
    make_role(aws, "sst-tagged", managed=[PAGE], tags=tags)
    code, _, err = audit(capsys, "--role-name", "sst-tagged")
    assert code == 2 and "tag sst-deployer:sst-version: 2.49.2 cannot deploy with a least-privilege role" in err


# ------------------------------------------------------------------ the account


def test_all_finds_tagged_and_lookalike_deployers_among_200_roles(
        aws: Any, capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    rendered = render(SETTINGS)
    lambda_trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
        "Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    logs = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [
        "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}]}
    shared = aws.create_policy(PolicyName="rendered", PolicyDocument=json.dumps(rendered[0]))["Policy"]["Arn"]
    for n in range(4):  # tagged deployers sharing one managed policy
        aws.create_role(RoleName=f"deployer-{n}", AssumeRolePolicyDocument=json.dumps(TRUST),
                        Tags=[{"Key": k, "Value": v} for k, v in to_tags(SETTINGS, "least-privilege").items()])
        aws.attach_role_policy(RoleName=f"deployer-{n}", PolicyArn=shared)
    for n in range(3):  # the page pasted inline by hand, untagged
        aws.create_role(RoleName=f"pasted-{n}", AssumeRolePolicyDocument=json.dumps(TRUST))
        aws.put_role_policy(RoleName=f"pasted-{n}", PolicyName="sst", PolicyDocument=json.dumps(PAGE))
    for n in range(193):  # application roles
        aws.create_role(RoleName=f"app-{n:03}", AssumeRolePolicyDocument=json.dumps(lambda_trust))
        aws.put_role_policy(RoleName=f"app-{n:03}", PolicyName="logs", PolicyDocument=json.dumps(logs))
    with proxy(aws.meta.endpoint_url) as (url, state):
        monkeypatch.setenv("AWS_ENDPOINT_URL_IAM", url)
        code, data = report(capsys, "--all", "--region", "us-east-1")
    # One scan tells the 7 deployers apart; only they are read again, whole (boundary included).
    assert state.seen.count("GetAccountAuthorizationDetails") == 1 and "ListRoles" not in state.seen
    assert state.seen.count("GetRole") == 7
    assert state.seen.count("GetPolicyVersion") == 1  # the shared policy is read once
    assert code == 1 and data["skipped"] == 193 and data["errors"] == []
    verdicts = {r["name"]: (r["settingsFrom"], r["sufficient"]) for r in data["roles"]}
    assert verdicts == {**{f"deployer-{n}": ("tags", True) for n in range(4)},
                        **{f"pasted-{n}": ("flags", False) for n in range(3)}}


def test_all_over_an_account_of_sufficient_deployers_exits_0_with_a_summary(aws: Any, capsys: Any) -> None:
    make_role(aws, "deployer", managed=render(SETTINGS), tags=to_tags(SETTINGS, "least-privilege"))
    make_role(aws, "other", inline={"logs": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}]}})
    code, out, _ = audit(capsys, "--all")
    assert code == 0
    assert out.endswith("1 deployer(s) audited, 1 sufficient; 1 other role(s) skipped; 0 error(s)\n")


def test_all_without_the_account_scan_reads_every_role_paginated(
        aws: Any, capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    make_role(aws, "deployer", managed=render(SETTINGS), tags=to_tags(SETTINGS, "least-privilege"))
    make_role(aws, "pasted", inline={"sst": PAGE})
    for n in range(3):
        make_role(aws, f"app-{n}", inline={"logs": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}]}})
    with proxy(aws.meta.endpoint_url, deny={"GetAccountAuthorizationDetails"}, page=2) as (url, state):
        monkeypatch.setenv("AWS_ENDPOINT_URL_IAM", url)
        code, out, err = audit(capsys, "--all", "--region", "us-east-1", "--format", "json")
    data = json.loads(out)
    assert state.seen.count("ListRoles") == 3 and state.seen.count("GetRole") == 5  # 2 + 2 + 1 roles
    assert code == 1 and data["skipped"] == 3
    assert {r["name"]: r["sufficient"] for r in data["roles"]} == {"deployer": True, "pasted": False}
    assert "the credentials need iam:GetAccountAuthorizationDetails on it" in err and "one by one" in err


def test_all_reports_an_unreadable_role_and_exits_3(aws: Any, capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    make_role(aws, "deployer", managed=render(SETTINGS), tags=to_tags(SETTINGS, "least-privilege"))
    with proxy(aws.meta.endpoint_url, deny={"GetAccountAuthorizationDetails", "ListRoles"}) as (url, _):
        monkeypatch.setenv("AWS_ENDPOINT_URL_IAM", url)
        code, _, err = audit(capsys, "--all")
    assert code == 3 and "the credentials need iam:ListRoles" in err


# ------------------------------------------------------------------ the JSON schema


def test_the_json_report_keeps_its_schema(aws: Any, capsys: Any) -> None:
    make_role(aws, "sst-page", managed=[PAGE])
    _, data = report(capsys, "--role-name", "sst-page", "--region", "us-east-1")
    assert set(data) == {"schemaVersion", "exitCode", "roles", "errors", "skipped"}
    assert data["schemaVersion"] == 1
    role = data["roles"][0]
    assert set(role) == {"arn", "name", "settingsFrom", "strategy", "settings", "sufficient", "commands", "failures",
                         "risks", "excess", "administrator", "trust", "invalid", "documents", "fix"}
    assert set(role["failures"][0]) == {"sid", "action", "resource", "condition", "reason", "commands", "fixable"}
    assert set(role["commands"][0]) == {"command", "ok", "failures"}
    assert [c["command"] for c in role["commands"]] == ["bootstrap", "deploy", "secrets", "diff", "remove", "dev",
                                                         "console"]
    # commands point into failures by index
    deploy = next(c for c in role["commands"] if c["command"] == "deploy")
    assert {role["failures"][i]["action"] for i in deploy["failures"]} == {a for a, _ in PAGE_GAPS_2_49}


# ------------------------------------------------------------------ the README stays true


def _readme_section() -> str:
    readme = (ROOT / "README.md").read_text()
    return readme.split("## Already have a deployer?", 1)[1].split("\n## ", 1)[0]


def test_the_readmes_sample_report_is_the_commands_real_output(
        aws: Any, capsys: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    iam = aws
    iam.create_role(RoleName="sst-deployer", AssumeRolePolicyDocument=json.dumps(TRUST))
    arn = iam.create_policy(PolicyName="sst-iam-page", PolicyDocument=json.dumps(PAGE))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="sst-deployer", PolicyArn=arn)
    monkeypatch.chdir(tmp_path)
    code, out, _ = audit(capsys, "--role-name", "sst-deployer", "--region", "us-east-1", "--fix-out", "fix.json")
    sample = _readme_section().split("```text\n", 1)[1].split("\n```", 1)[0]
    assert code == 1 and out.rstrip("\n") == sample
    assert "sst-deployer audit --role-name sst-deployer --region us-east-1 --fix-out fix.json" in _readme_section()


def test_the_readmes_read_policy_lists_every_permission_the_audit_uses() -> None:
    policy = json.loads(_readme_section().split("```json\n", 1)[1].split("\n```", 1)[0])
    assert policy["Statement"][0]["Action"] == sorted(set(READ_PERMISSIONS.values()))


# ------------------------------------------------------------------ the environment


def test_an_unknown_profile_is_bad_input(aws: Any, capsys: Any) -> None:
    code, _, err = audit(capsys, "--role-name", "x", "--region", "us-east-1", "--profile", "no-such-profile")
    assert code == 2 and "--profile: The config profile (no-such-profile) could not be found" in err


def test_no_credentials_means_the_role_could_not_be_read(
        aws: Any, capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance metadata lookup
    code, _, err = audit(capsys, "--role-name", "x", "--region", "us-east-1")
    assert code == 3 and "no AWS credentials: Unable to locate credentials" in err


def test_without_boto3_the_audit_says_how_to_install_it(capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "boto3", None)  # import boto3 raises ImportError
    code, _, err = audit(capsys, "--role-name", "x", "--region", "us-east-1")
    assert code == 3 and "pip install 'sst-deployer[audit]'" in err
