"""Condition sets with several values, both ways round. A requirement's condition implies a
statement's when every request meeting the first meets the second: for an any-of operator
(StringEquals, ForAnyValue:StringEquals) the requirement's values must be a subset of the
statement's, never a superset; for negated operators only the same values are taken as
implied (sound, not complete: a guess here would hide a lost permission)."""

from __future__ import annotations

from typing import Any

import pytest
from sst_deployer.iam import evaluate, implies, normalize_conditions, parse_document
from sst_deployer.permissions import SST_APP_TAGGED, Requirement

KEY = "aws:RequestedRegion"
TAGS = "aws:TagKeys"


def cond(op: str, values: list[str], key: str = KEY) -> Any:
    return normalize_conditions({op: {key: values}})


@pytest.mark.parametrize("op, key", [("StringEquals", KEY), ("ForAnyValue:StringEquals", TAGS),
                                     ("StringLike", KEY), ("ArnEquals", "aws:SourceArn")])
def test_fewer_values_imply_more_values_for_any_of_operators(op: str, key: str) -> None:
    assert implies(cond(op, ["a"], key), cond(op, ["a", "b"], key))
    assert implies(cond(op, ["a", "b"], key), cond(op, ["a", "b", "c"], key))


@pytest.mark.parametrize("op, key", [("StringEquals", KEY), ("ForAnyValue:StringEquals", TAGS),
                                     ("StringLike", KEY), ("ArnEquals", "aws:SourceArn")])
def test_more_values_never_imply_fewer_values_for_any_of_operators(op: str, key: str) -> None:
    assert not implies(cond(op, ["a", "b"], key), cond(op, ["a"], key))
    assert not implies(cond(op, ["a", "c"], key), cond(op, ["a", "b"], key))


NEGATED = [("StringNotEquals", KEY), ("ForAnyValue:StringNotEquals", TAGS), ("ForAllValues:StringNotLike", TAGS),
           ("StringNotLike", KEY), ("ArnNotEquals", "aws:SourceArn")]


@pytest.mark.parametrize("op, key", [*NEGATED, ("ForAllValues:StringEquals", TAGS)])
def test_negated_and_for_all_values_operators_imply_the_same_values(op: str, key: str) -> None:
    assert implies(cond(op, ["a", "b"], key), cond(op, ["b", "a"], key))
    assert not implies(cond(op, ["a", "c"], key), cond(op, ["a", "b"], key))


@pytest.mark.parametrize("op, key", NEGATED)
def test_excluding_fewer_values_never_implies_excluding_more(op: str, key: str) -> None:
    # "not a" does not imply "not a and not b": the request may be b.
    assert not implies(cond(op, ["a"], key), cond(op, ["a", "b"], key))


def test_for_all_values_never_takes_more_values_as_implying_fewer() -> None:
    # Every tag key in {a, b} does not make every tag key a.
    op = "ForAllValues:StringEquals"
    assert not implies(cond(op, ["a", "b"], TAGS), cond(op, ["a"], TAGS))


def test_a_different_operator_or_key_implies_nothing() -> None:
    assert not implies(cond("StringEquals", ["a"]), cond("StringNotEquals", ["a"]))
    assert not implies(cond("StringEquals", ["a"]), cond("ForAnyValue:StringEquals", ["a"]))
    assert not implies(cond("StringEquals", ["a"], "aws:PrincipalTag/team"), cond("StringEquals", ["a"]))
    assert not implies(frozenset(), cond("StringEquals", ["a"]))
    assert implies(cond("StringEquals", ["a"]), frozenset())


def test_every_clause_of_the_weaker_condition_must_be_implied() -> None:
    both = normalize_conditions({"StringEquals": {KEY: ["a"], "aws:PrincipalTag/team": ["x"]}})
    assert implies(both, cond("StringEquals", ["a", "b"]))
    assert not implies(cond("StringEquals", ["a"]), both)
    assert implies(both, both)


def test_operator_and_key_compare_case_insensitively_and_values_do_not() -> None:
    assert implies(normalize_conditions({"stringequals": {"AWS:REQUESTEDREGION": "a"}}), cond("StringEquals", ["a"]))
    assert not implies(cond("StringEquals", ["A"]), cond("StringEquals", ["a"]))
    assert normalize_conditions({"Bool": {"aws:SecureTransport": True}}) == normalize_conditions(
        {"Bool": {"aws:SecureTransport": "TRUE"}})


# ----------------------------------------------------------------- through the evaluator

ACTION, RESOURCE = "cloudformation:DescribeStacks", "arn:aws:cloudformation:us-east-1:112233445566:stack/*"


def req(condition: Any = None) -> Requirement:
    return Requirement("probe", ACTION, RESOURCE, normalize_conditions(condition))


def allow(condition: Any) -> Any:
    return parse_document({"Statement": [{"Effect": "Allow", "Action": ACTION, "Resource": "*",
                                          "Condition": condition}]}, "allow")


def allow_and_deny(condition: Any) -> Any:
    return parse_document({"Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Sid": "D", "Effect": "Deny", "Action": ACTION, "Resource": "*", "Condition": condition}]}, "deny")


TWO = {"StringEquals": {KEY: ["us-east-1", "eu-west-1"]}}


def test_a_multi_valued_allow_grants_a_requirement_with_fewer_values_only() -> None:
    assert evaluate(req({"StringEquals": {KEY: ["us-east-1"]}}), [allow(TWO)]).granted
    assert evaluate(req(TWO), [allow(TWO)]).granted
    assert not evaluate(req({"StringEquals": {KEY: ["us-east-1", "eu-west-1", "us-west-2"]}}), [allow(TWO)]).granted
    assert not evaluate(req(), [allow(TWO)]).granted


def test_a_for_any_value_allow_grants_a_requirement_with_fewer_values_only() -> None:
    any_two = {"ForAnyValue:StringEquals": {TAGS: ["sst:app", "sst:stage"]}}
    assert evaluate(req({"ForAnyValue:StringEquals": {TAGS: ["sst:app"]}}), [allow(any_two)]).granted
    assert not evaluate(req({"ForAnyValue:StringEquals": {TAGS: ["sst:app", "team"]}}), [allow(any_two)]).granted


def test_a_multi_valued_deny_takes_away_a_requirement_whose_values_it_holds() -> None:
    three = {"StringEquals": {KEY: ["us-east-1", "eu-west-1", "us-west-2"]}}
    decision = evaluate(req({"StringEquals": {KEY: ["us-east-1"]}}), [allow_and_deny(three)])
    assert not decision.granted and [st.sid for _, st in decision.denied_by] == ["D"]


def test_a_deny_on_fewer_values_than_the_requirement_allows_is_a_risk_not_a_loss() -> None:
    one = {"StringEquals": {KEY: ["us-east-1"]}}
    decision = evaluate(req(TWO), [allow_and_deny(one)])
    assert decision.granted and not decision.denied_by and [st.sid for _, st in decision.risks] == ["D"]


def test_a_negated_deny_on_the_same_values_takes_the_requirement_away() -> None:
    not_east = {"StringNotEquals": {KEY: ["us-east-1", "eu-west-1"]}}
    decision = evaluate(req({"StringNotEquals": {KEY: ["eu-west-1", "us-east-1"]}}), [allow_and_deny(not_east)])
    assert not decision.granted and decision.denied_by


def test_a_negated_deny_on_more_values_than_the_requirement_names_is_a_risk() -> None:
    not_two = {"StringNotEquals": {KEY: ["us-east-1", "eu-west-1"]}}
    decision = evaluate(req({"StringNotEquals": {KEY: ["us-east-1"]}}), [allow_and_deny(not_two)])
    assert decision.granted and decision.risks and not decision.denied_by


def test_a_requirement_describes_itself_with_its_condition() -> None:
    assert req().describe() == f"{ACTION} on {RESOURCE}"
    tagged = Requirement("probe", ACTION, RESOURCE, normalize_conditions(SST_APP_TAGGED))
    assert tagged.describe() == f"{ACTION} on {RESOURCE} (when null aws:resourcetag/sst:app in ['false'])"
