"""Pinned by mutation testing (iam.py): ArnEquals is IAM's ARN comparison, like ArnLike
(AWS IAM User Guide, "IAM JSON policy elements: Condition operators", ARN condition
operators: both compare the six colon-delimited parts, each of which may hold wildcards).
A guardrail that pins ``aws:PrincipalArn`` with ArnEquals must be judged, not ignored."""

from __future__ import annotations

import pytest
from sst_deployer.iam import Context, Outcome, condition_outcome, normalize_conditions

ROLE = "arn:aws:iam::112233445566:role/sst-deployer-dev"
CTX = Context.of({"aws:PrincipalArn": ROLE})


@pytest.mark.parametrize("operator", ["ArnEquals", "ArnLike"])
def test_arn_equals_and_arn_like_compare_arns_part_by_part(operator: str) -> None:
    def outcome(value: str) -> Outcome:
        return condition_outcome(normalize_conditions({operator: {"aws:PrincipalArn": value}}), CTX)

    assert outcome(ROLE) is Outcome.HOLDS
    assert outcome("arn:aws:iam::*:role/sst-deployer-*") is Outcome.HOLDS
    assert outcome("arn:aws:iam::112233445566:role/other") is Outcome.CANNOT_HOLD
    assert outcome("arn:aws:iam::1*dev") is Outcome.CANNOT_HOLD  # a star stays inside its part


@pytest.mark.parametrize("operator", ["ArnNotEquals", "ArnNotLike"])
def test_the_negated_arn_operators_are_the_opposite(operator: str) -> None:
    def outcome(value: str) -> Outcome:
        return condition_outcome(normalize_conditions({operator: {"aws:PrincipalArn": value}}), CTX)

    assert outcome(ROLE) is Outcome.CANNOT_HOLD
    assert outcome("arn:aws:iam::112233445566:role/other") is Outcome.HOLDS
