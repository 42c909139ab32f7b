"""Rules of the pack's own layer that mutants surviving the first sampled mutmut run of
``policies/*`` and ``admin.py`` showed no test held (``benchmarks/mutation.md``, "Killed by
hand after the run"): each test states one rule and was checked against its mutant by hand.

Sources: IAM User Guide, "AWS global condition context keys" (``aws:ViaAWSService`` is
false on calls a principal makes itself; ``aws:MultiFactorAuthPresent`` is true in a
session assumed with MFA; ``aws:PrincipalArn`` and ``aws:PrincipalAccount`` are in every
request), "IAM JSON policy elements: Condition operators" (``...IfExists`` acts as the
operator when the key is present; ``StringNotLike`` holds when no pattern matches),
"IAM identifiers" (a customer managed policy's ARN ``arn:aws:iam::<account>:policy/<path><name>``);
AWS CDK bootstrap (the ``cdk-<qualifier>-...`` resource names of a custom qualifier)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from analyzer import Analyzer
from harness import UNKNOWN
from pulumi_policy import StackValidationArgs
from sst_deployer.admin import Context, administrator_grants
from sst_deployer.iam import parse_document
from sst_deployer.policies import lookalike
from sst_deployer.policies.model import read
from sst_deployer.policies.pack import _validate
from sst_deployer.render import render, to_json
from sst_deployer.settings import DeployerSettings
from test_policies_direct import policy_resources
from test_provider_semantics import (
    ACCOUNT,
    ADMIN,
    ATTACHED,
    ATTACHMENT,
    POLICY,
    POLICY_ATTACHMENT,
    ROLE,
    ROLE_POLICY,
    UNMARKED,
    Resources,
    add,
    hand_role,
    mandatory,
    of,
    sst_policy,
)

ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/deployer"
CTX = Context(partition="aws", account=ACCOUNT, role_arn=ROLE_ARN)
CODEBUILD_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "codebuild.amazonaws.com"}}]})


def everything_under(condition: dict[str, Any], ctx: Context = CTX) -> list[str]:
    """The administrator grants of ``Allow * on *`` under ``condition``."""
    doc = parse_document({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": condition}]}, "p")
    return [str(g) for g in administrator_grants([doc], ctx)]


# ----------------------------------------------------------------- conditions that always hold (admin.py)


def test_everything_unless_a_service_calls_for_the_role_is_administrator_access() -> None:
    """``aws:ViaAWSService`` is false on every call the role's sessions make themselves."""
    (found,) = everything_under({"Bool": {"aws:ViaAWSService": "false"}})
    assert "aws:ViaAWSService" in found
    assert everything_under({"Bool": {"aws:ViaAWSService": "true"}}) == []


@pytest.mark.parametrize("condition", [
    {"StringEqualsIfExists": {"aws:PrincipalAccount": ACCOUNT}},
    {"ArnEqualsIfExists": {"aws:PrincipalArn": ROLE_ARN}},
])
def test_an_if_exists_clause_on_a_key_always_present_is_judged_as_its_operator(condition: dict[str, Any]) -> None:
    """The principal's account and ARN are in every request, so ``...IfExists`` pinning
    them to the role's own holds on every request, as the plain operator does."""
    assert everything_under(condition)
    (op, clause), = condition.items()
    (key, _), = clause.items()
    assert everything_under({op: {key: "999999999999" if key == "aws:PrincipalAccount"
                                   else "arn:aws:iam::999999999999:role/other"}}) == []


def test_a_string_not_like_that_excludes_only_other_principals_still_grants_everything() -> None:
    assert everything_under({"StringNotLike": {"aws:PrincipalArn": "arn:aws:iam::999999999999:role/*"}})
    assert everything_under({"StringNotLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/*"}}) == []


# ----------------------------------------------------------------- MFA from the role's trust (rules.py)


def _mfa_admin(trust: str | None) -> Resources:
    resources: Resources = []
    role = hand_role(resources, "deployer")  # trusted by its account's root, with MFA
    if trust is not None:
        for props in (role["inputs"], role["outputs"]):
            props["assumeRolePolicy"] = trust
    add(resources, POLICY, "sst", {"name": "sst", "policy": sst_policy()},
        outputs={"name": "sst", "policy": sst_policy(), "arn": f"arn:aws:iam::{ACCOUNT}:policy/sst"})
    add(resources, ATTACHMENT, "sst-attachment",
        {"role": "deployer", "policyArn": f"arn:aws:iam::{ACCOUNT}:policy/sst"})
    add(resources, ROLE_POLICY, "mfa-everything", {"role": "deployer", "name": "everything", "policy": json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
                                                  "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]})})
    return resources


def test_everything_under_mfa_is_administrator_access_when_every_way_in_requires_mfa(pack: Analyzer) -> None:
    (message,) = of(pack.run(_mfa_admin(None)), ADMIN)
    assert "inline policy 'mfa-everything'" in message and "aws:MultiFactorAuthPresent" in message


def test_everything_under_mfa_is_not_administrator_access_for_a_role_assumed_without_it(pack: Analyzer) -> None:
    assert of(pack.run(_mfa_admin(CODEBUILD_TRUST)), ADMIN) == []


# ----------------------------------------------------------------- policies named by ARN text (provider.py)


def test_an_in_stack_policy_attached_by_its_written_out_arn_is_the_roles_before_its_arn_is_known(
        pack: Analyzer) -> None:
    """A preview of a new policy: its ARN is unknown, and an attachment names it by the ARN
    text (account, path, name) with no dependency on it; it is still the role's policy."""
    resources: Resources = []
    hand_role(resources, "deployer")
    add(resources, POLICY, "sst", {"name": "sst-written", "policy": sst_policy()},
        outputs={"name": "sst-written", "policy": sst_policy(), "arn": UNKNOWN})
    add(resources, ATTACHMENT, "by-text", {"role": "deployer",
                                           "policyArn": f"arn:aws:iam::{ACCOUNT}:policy/sst-written"})
    diags = pack.run(resources)
    assert not [d for d in diags if "could not check" in d.message], diags
    assert mandatory(diags) == []


def test_a_policy_attachment_elsewhere_says_it_detaches_the_policy_from_every_other_role(pack: Analyzer) -> None:
    """pulumi-aws ``iam.PolicyAttachment``: exclusive for its policy across the account's
    roles; the message says so, or the fix (attach it another way) is not evident."""
    resources: Resources = []
    hand_role(resources, "deployer")
    arn = f"arn:aws:iam::{ACCOUNT}:policy/sst"
    add(resources, POLICY, "sst", {"name": "sst", "policy": sst_policy()},
        outputs={"name": "sst", "policy": sst_policy(), "arn": arn})
    add(resources, ATTACHMENT, "sst-attachment", {"role": "deployer", "policyArn": arn})
    add(resources, ROLE, "ci", {"name": "ci", "assumeRolePolicy": CODEBUILD_TRUST})
    add(resources, POLICY_ATTACHMENT, "shared", {"name": "shared", "policyArn": arn, "roles": ["ci"]})
    detached = of(pack.run(resources), ATTACHED)
    assert any("PolicyAttachment 'shared' attaches that policy exclusively (roles: ci), which detaches it from "
               "every other role in the account" in m for m in detached), detached


# ----------------------------------------------------------------- lookalikes (lookalike.py)


def test_a_lookalike_with_a_custom_qualifier_is_told_to_tag_that_qualifier(pack: Analyzer) -> None:
    resources: Resources = []
    document = to_json(render(DeployerSettings(account=ACCOUNT, regions=("us-east-1",), qualifier="orders"))[0])
    add(resources, ROLE, "orders-deployer", {"name": "orders-deployer", "assumeRolePolicy": CODEBUILD_TRUST})
    add(resources, ROLE_POLICY, "orders-sst", {"role": "orders-deployer", "name": "sst", "policy": document})
    (message,) = of(pack.run(resources), UNMARKED)
    assert "sst-deployer:qualifier=orders" in message, message


def test_lookalike_candidates_read_the_engines_resources_themselves() -> None:
    """``candidates`` takes the SDK's resources as they come, or already read."""
    resources: Resources = []
    add(resources, ROLE, "orders-deployer", {"name": "orders-deployer", "assumeRolePolicy": CODEBUILD_TRUST})
    add(resources, ROLE_POLICY, "orders-sst", {"role": "orders-deployer", "name": "sst", "policy": sst_policy()})
    built = policy_resources(resources)
    (raw,) = lookalike.candidates(built)
    (already,) = lookalike.candidates(read(built))
    assert raw.role.urn == already.role.urn == resources[0]["urn"]


# ----------------------------------------------------------------- a policy that crashes (pack.py)


def test_a_rule_that_crashes_reports_that_the_stack_could_not_be_checked_with_the_error() -> None:
    resources: Resources = []
    hand_role(resources, "deployer")

    def broken(found: Any, config: Any, stack: str) -> list[tuple[str, str]]:
        raise RuntimeError("boom")

    reported: list[tuple[str, str | None]] = []

    def report(message: str, urn: str | None = None) -> None:
        reported.append((message, urn))

    _validate(broken)(StackValidationArgs(policy_resources(resources), {}), report)
    ((message, urn),) = reported
    assert message.startswith("the sst-deployer pack could not check this stack (RuntimeError: boom)")
    assert "please report it" in message and "Traceback" in message and urn is None
