"""The verdict on a role read from AWS (``verdict``), pure: no AWS, no moto."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from sst_deployer.aws_read import Policy, Role
from sst_deployer.render import render
from sst_deployer.settings import DeployerSettings
from sst_deployer.verdict import fix_document, judge

ACCOUNT = "123456789012"
SETTINGS = DeployerSettings(account=ACCOUNT, regions=("us-east-1", "eu-west-1"),
                            features=frozenset({"secrets", "liveLambda", "rdsMigrations", "bind"}))
RENDERED = render(SETTINGS)
TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole",
    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}
PAGE = json.loads((Path(__file__).parent / "fixtures/sst_iam_page.json").read_text())["copyPastePolicy"]


def role(*documents: Any, boundary: Any = None) -> Role:
    return Role(f"arn:aws:iam::{ACCOUNT}:role/deployer", "deployer", TRUST, {},
                inline=tuple(Policy(f"p{n}", d) for n, d in enumerate(documents)),
                boundary=Policy("b", boundary, f"arn:aws:iam::{ACCOUNT}:policy/b") if boundary else None)


def pairs(document: dict[str, Any]) -> set[tuple[str, str]]:
    out = set()
    for s in document["Statement"]:
        resources = [s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"]
        out |= {(a, r) for a in s["Action"] for r in resources}
    return out


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_the_fix_adds_exactly_what_no_allow_grants_and_then_the_role_suffices(data: st.DataObject) -> None:
    documents = copy.deepcopy(RENDERED)
    for doc in documents:
        kept = []
        for s in doc["Statement"]:
            actions = data.draw(st.lists(st.sampled_from(s["Action"]), unique=True), label=s["Sid"])
            if actions:
                kept.append({**s, "Action": sorted(actions)})
        doc["Statement"] = kept or [{"Effect": "Allow", "Action": "none:None", "Resource": "*"}]
    verdict = judge(role(*documents), SETTINGS, "flags")
    fix = fix_document(verdict)
    missing = {(f.requirement.action, f.requirement.resource) for f in verdict.failures}
    assert all(f.fixable for f in verdict.failures)
    if fix is None:
        assert missing == set() and verdict.sufficient
        return
    assert pairs(fix) == missing
    assert judge(role(*documents, fix), SETTINGS, "flags").sufficient


def test_a_deny_is_not_fixed_by_an_allow_and_names_its_statement() -> None:
    deny = {"Version": "2012-10-17", "Statement": [
        {"Sid": "NoIot", "Effect": "Deny", "Action": "iot:*", "Resource": "*"}]}
    verdict = judge(role(*RENDERED, deny), SETTINGS, "flags")
    assert verdict.failures and not any(f.fixable for f in verdict.failures)
    assert {f.reason for f in verdict.failures} == {"denied by statement 'NoIot' of inline policy 'p1'"}
    # Live Lambda (dev, and secrets telling a running dev) and bind's iot:DescribeEndpoint
    assert {c for f in verdict.failures for c in f.commands} == {"secrets", "dev", "bind"}
    assert fix_document(verdict) is None


def test_a_conditional_fix_keeps_the_catalogues_condition() -> None:
    documents = copy.deepcopy(RENDERED)
    documents[0]["Statement"] = [s for s in documents[0]["Statement"] if s["Sid"] != "AllowSSTCLIRestartAppFunction"]
    fix = fix_document(judge(role(*documents), SETTINGS, "flags"))
    assert fix is not None
    # The rendered statement also carried bind's lambda:GetFunction (same resources and condition).
    assert [s["Sid"] for s in fix["Statement"]] == ["AllowSSTCLIRestartAppFunction", "AllowSSTBindReadFunctions"]
    assert all(s["Condition"] == {"Null": {"aws:ResourceTag/sst:app": "false"}} for s in fix["Statement"])


def test_a_document_that_is_not_a_policy_is_named_and_the_role_not_called_sufficient() -> None:
    broken = {"Version": "2012-10-17", "Statement": [{"Effect": "allow", "Action": "*", "Resource": "*"}]}
    verdict = judge(role(*RENDERED, broken), SETTINGS, "flags")
    assert not verdict.failures and not verdict.sufficient
    assert verdict.invalid == ("inline policy 'p1' is not a valid policy document: statement #1: Effect must be "
                               "Allow or Deny, not 'allow'",)


def test_the_pages_policy_lacks_the_calls_the_page_leaves_out() -> None:
    page = json.loads(json.dumps(PAGE).replace("112233445566", ACCOUNT))
    verdict = judge(role(page), DeployerSettings(account=ACCOUNT, regions=("us-east-1",)), "flags")
    assert {(f.requirement.sid, f.requirement.action) for f in verdict.failures} == {
        ("AllowSSTCheckCDKBootstrapVersion", "ssm:GetParameter"),
        ("AllowSSTDeployStacks", "cloudformation:CreateStack"), ("AllowSSTDeployStacks", "cloudformation:UpdateStack"),
        ("AllowSSTListStackImports", "cloudformation:ListImports"), ("AllowSSTReadStackTemplates", "s3:GetObject")}


def test_a_deny_the_request_decides_is_a_risk_not_a_failure() -> None:
    office_only = {"Version": "2012-10-17", "Statement": [{
        "Sid": "OfficeOnly", "Effect": "Deny", "Action": "cloudformation:*", "Resource": "*",
        "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}
    verdict = judge(role(*RENDERED, office_only), SETTINGS, "flags")
    assert verdict.sufficient
    assert verdict.risks and {(r.statement, r.what) for r in verdict.risks} == {("statement 'OfficeOnly'",
                                                                                 "a conditional Deny")}
