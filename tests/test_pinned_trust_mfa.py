"""A trust condition that names aws:MultiFactorAuthPresent is MFA only when it requires
it to be "true": the key present with "false" (or either value, or only if it exists) lets
people in without MFA, and the pack says so, directly and through the served pack."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from analyzer import Analyzer
from conftest import as_engine
from harness import Stack
from sst_deployer.trust import TrustRules, check_trust

ACCOUNT = "112233445566"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
BOB = f"arn:aws:iam::{ACCOUNT}:user/bob"


def trust(principal: str, condition: Any) -> dict[str, Any]:
    st: dict[str, Any] = {"Sid": "People", "Effect": "Allow", "Principal": {"AWS": principal},
                          "Action": "sts:AssumeRole"}
    if condition is not None:
        st["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [st]}


def without_mfa(findings: list[str]) -> bool:
    return any("without MFA" in f for f in findings)


NOT_MFA = [
    {"Bool": {"aws:MultiFactorAuthPresent": "false"}},
    {"Bool": {"aws:MultiFactorAuthPresent": False}},
    {"Bool": {"aws:MultiFactorAuthPresent": ["true", "false"]}},
    {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}},  # long-term keys carry no such key
    {"StringEquals": {"aws:MultiFactorAuthPresent": "false"}},
    {"Null": {"aws:MultiFactorAuthPresent": "false"}},  # present, whatever its value
]
MFA = [
    {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    {"Bool": {"aws:MultiFactorAuthPresent": True}},
    {"Bool": {"AWS:MultiFactorAuthPresent": "TRUE"}},
]


@pytest.mark.parametrize("principal", [ROOT, ACCOUNT, BOB])
@pytest.mark.parametrize("condition", NOT_MFA, ids=json.dumps)
def test_the_mfa_key_present_without_requiring_true_is_not_mfa(principal: str, condition: Any) -> None:
    assert without_mfa(check_trust(trust(principal, condition), ACCOUNT, TrustRules()))


@pytest.mark.parametrize("principal", [ROOT, ACCOUNT, BOB])
@pytest.mark.parametrize("condition", MFA, ids=json.dumps)
def test_requiring_mfa_true_passes(principal: str, condition: Any) -> None:
    assert check_trust(trust(principal, condition), ACCOUNT, TrustRules()) == []


def test_a_user_without_any_condition_is_told_to_add_mfa() -> None:
    (finding,) = check_trust(trust(BOB, None), ACCOUNT, TrustRules())
    assert "statement 'People' lets arn:aws:iam::112233445566:user/bob assume the deployer without MFA" in finding


def test_mfa_is_not_asked_of_people_when_the_pack_is_configured_so() -> None:
    condition = {"Bool": {"aws:MultiFactorAuthPresent": "false"}}
    assert check_trust(trust(BOB, condition), ACCOUNT, TrustRules(require_mfa=False)) == []


def test_a_role_principal_needs_no_mfa() -> None:
    role = f"arn:aws:iam::{ACCOUNT}:role/ci"
    assert check_trust(trust(role, None), ACCOUNT, TrustRules()) == []


def test_an_mfa_age_condition_that_holds_without_mfa_is_not_mfa() -> None:
    condition = {"Null": {"aws:MultiFactorAuthAge": "true"}}  # true exactly when there was no MFA
    assert without_mfa(check_trust(trust(BOB, condition), ACCOUNT, TrustRules()))


def test_the_served_pack_reports_mfa_present_false(pack: Analyzer, example_stacks: dict[str, Stack]) -> None:
    resources = copy.deepcopy(as_engine(example_stacks["dev"]))
    role = next(r for r in resources if r["type"] == "aws:iam/role:Role")["outputs"]
    doc = json.loads(role["assumeRolePolicy"])
    assert doc["Statement"][0]["Condition"] == {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    doc["Statement"][0]["Condition"] = {"Bool": {"aws:MultiFactorAuthPresent": "false"}}
    role["assumeRolePolicy"] = json.dumps(doc)
    messages = [d.message for d in pack.analyze_stack(resources) if d.policy == "sst-deployer-trust"]
    assert len(messages) == 1 and "without MFA" in messages[0] and ROOT in messages[0]


@pytest.mark.parametrize("condition, is_mfa", [
    ({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}, True),  # false when the key is missing
    ({"NumericLessThanEquals": {"aws:MultiFactorAuthAge": "3600"}}, True),
    ({"NumericLessThanIfExists": {"aws:MultiFactorAuthAge": "3600"}}, False),  # holds without MFA
    ({"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}, False),
])
def test_mfa_age_counts_only_where_a_missing_age_fails_the_condition(condition: Any, is_mfa: bool) -> None:
    assert without_mfa(check_trust(trust(BOB, condition), ACCOUNT, TrustRules())) is not is_mfa
