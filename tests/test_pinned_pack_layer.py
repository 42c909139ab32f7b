"""Rules of the pack's own layer (``policies/*``, ``admin.py``) that hand-made bugs showed
no test held (issue 15, "tests that fail when this layer is wrong"): each test states one
rule, through the served pack (``Analyze`` then ``AnalyzeStack``).

Sources: pulumi-aws ``iam.Role`` (``permissionsBoundary``, ``tagsAll``: "A map of tags
assigned to the resource, including those inherited from the provider default_tags"),
``iam.RolePolicyAttachmentsExclusive``; IAM User Guide, "IAM and AWS STS quotas" (a role's
inline policies: 10,240 characters, "IAM doesn't count white space when calculating the
size of a policy"), "aws:PrincipalTag" (a role session's principal tags are the role's
tags), "IAM ARNs" (``arn:aws-us-gov:...`` in AWS GovCloud (US))."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from analyzer import Analyzer
from harness import UNKNOWN
from test_provider_semantics import (
    ACCOUNT,
    ADMIN,
    ATTACHMENT,
    ATTACHMENTS_EXCLUSIVE,
    INTACT,
    POLICY,
    ROLE,
    ROLE_POLICY,
    UNMARKED,
    Resources,
    add,
    dev,
    dev_preview,
    first,
    hand_role,
    mandatory,
    of,
    sst_policy,
)

__all__ = ["dev", "dev_preview"]  # the fixtures, shared with test_provider_semantics

BOUNDARY_WITHOUT_RDS = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "NotAction": "rds-data:*", "Resource": "*"}]})
ABAC = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "OnlyPlatform", "Effect": "Deny", "Action": "*", "Resource": "*",
     "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "platform"}}}]})


def without_statement(resources: Resources, sid: str) -> Resources:
    """The component's (first) policy without statement ``sid``, in inputs and outputs."""
    out = copy.deepcopy(resources)
    policy = first(out, POLICY)
    for props in (policy["inputs"], policy["outputs"]):
        doc = json.loads(props["policy"]) if isinstance(props["policy"], str) else props["policy"]
        doc["Statement"] = [s for s in doc["Statement"] if s.get("Sid") != sid]
        props["policy"] = json.dumps(doc)
    return out


# ----------------------------------------------------------------- the role's boundary


def test_a_boundary_left_out_while_unknown_is_judged_from_its_dependency(pack: Analyzer,
                                                                         dev_preview: Resources) -> None:
    """In a preview the engine leaves an unknown ``permissionsBoundary`` out of the role's
    properties; its property dependency still names the in-stack policy, whose document is
    known: what lies outside that boundary is lost (here the RDS Data migrations)."""
    boundary = add(dev_preview, POLICY, "org-boundary", {"name": "org-boundary", "policy": BOUNDARY_WITHOUT_RDS},
                   outputs={"name": "org-boundary", "policy": BOUNDARY_WITHOUT_RDS, "arn": UNKNOWN})
    role = first(dev_preview, ROLE)
    for props in (role["inputs"], role["outputs"]):
        props.pop("permissionsBoundary", None)
    role["property_dependencies"]["permissionsBoundary"] = [boundary["urn"]]
    lost = [d for d in mandatory(pack.run(dev_preview)) if d.policy == INTACT]
    assert lost and any("rds-data:ExecuteStatement" in d.message and "permissions boundary" in d.message
                        for d in lost)


# ----------------------------------------------------------------- principal tags


def _abac_deployer(team_in_tags_all: str) -> Resources:
    resources: Resources = []
    role = hand_role(resources, "abac-deployer")
    role["outputs"]["tagsAll"] = {**role["inputs"]["tags"], "team": team_in_tags_all}  # the provider's defaultTags
    add(resources, POLICY, "abac-sst", {"name": "abac-sst", "policy": sst_policy()},
        outputs={"name": "abac-sst", "policy": sst_policy(), "arn": f"arn:aws:iam::{ACCOUNT}:policy/abac-sst"})
    add(resources, ATTACHMENT, "abac-sst-attachment",
        {"role": "abac-deployer", "policyArn": f"arn:aws:iam::{ACCOUNT}:policy/abac-sst"})
    add(resources, ROLE_POLICY, "abac-guardrail", {"role": "abac-deployer", "name": "guardrail", "policy": ABAC})
    return resources


def test_principal_tags_are_the_roles_tags_all_with_the_providers_default_tags(pack: Analyzer) -> None:
    """team=platform comes only from the provider's defaultTags (``tagsAll``): the ABAC
    guardrail's Deny does not hold for the role's sessions."""
    assert mandatory(pack.run(_abac_deployer("platform"))) == []


def test_a_default_tag_that_fails_the_abac_guardrail_takes_everything_away(pack: Analyzer) -> None:
    lost = of(pack.run(_abac_deployer("payments")), INTACT)
    assert lost and any("OnlyPlatform" in m for m in lost)


# ----------------------------------------------------------------- the component's role


def test_a_component_role_whose_tags_were_removed_is_judged_by_the_components_parameters(
        pack: Analyzer, dev: Resources) -> None:
    """A transform that strips the role's tags does not make it any less the component's
    deployer: the component's registered ``parameters`` say what it must grant."""
    resources = without_statement(dev, "AllowSSTCLIManageRDSMigrations")
    role = first(resources, ROLE)
    for props in (role["inputs"], role["outputs"]):
        props.pop("tags", None)
        props.pop("tagsAll", None)
    lost = of(pack.run(resources), INTACT)
    assert any("rds-data:ExecuteStatement" in m for m in lost), lost


# ----------------------------------------------------------------- lookalikes


def test_a_role_with_one_sst_statements_worth_and_half_of_another_is_not_a_lookalike(pack: Analyzer) -> None:
    """An application's release role that watches its own stack and writes one bucket
    (issue 15 class 7): the stack read is all of AllowSSTManageBootstrapStack's actions (2
    of 2), the bucket access half of AllowSSTManageBootstrapBucket's (2 of 4), and half is
    not most: one statement's worth, under the default minimumStatements (2)."""
    resources: Resources = []
    add(resources, ROLE, "orders-release", {"name": "orders-release", "assumeRolePolicy": json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                 "Principal": {"Service": "codebuild.amazonaws.com"}}]})})
    add(resources, ROLE_POLICY, "orders-release-access", {"role": "orders-release", "name": "access",
                                                          "policy": json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["cloudformation:DescribeStacks", "cloudformation:DescribeStackEvents"],
         "Resource": f"arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/orders/*"},
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
         "Resource": "arn:aws:s3:::orders-releases/*"}]})})
    assert of(pack.run(resources), UNMARKED) == []


# ----------------------------------------------------------------- administrator in every partition


@pytest.mark.parametrize("resource", ["*", "arn:aws-us-gov:*:*:*:*"])
def test_administrator_access_counts_in_govcloud_too(pack: Analyzer, resource: str) -> None:
    resources: Resources = []
    role = hand_role(resources, "gov-deployer", tags={"sst-deployer:role": "least-privilege",
                                                       "sst-deployer:regions": "us-gov-west-1"})
    role["outputs"]["arn"] = f"arn:aws-us-gov:iam::{ACCOUNT}:role/gov-deployer"
    add(resources, ROLE_POLICY, "gov-everything", {"role": "gov-deployer", "name": "everything", "policy": json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": resource}]})})
    (message,) = of(pack.run(resources), ADMIN)
    assert "inline policy 'gov-everything'" in message


# ----------------------------------------------------------------- exclusive lists not known yet


@pytest.mark.parametrize("policy_arns", [UNKNOWN, [UNKNOWN, "arn:aws:iam::112233445566:policy/org-baseline"]],
                         ids=["list-unknown", "one-entry-unknown"])
def test_an_exclusive_list_not_known_yet_detaches_nothing_for_sure(pack: Analyzer, dev_preview: Resources,
                                                                   policy_arns: Any) -> None:
    """A RolePolicyAttachmentsExclusive whose policyArns is not known yet (and no property
    dependency says which policy): it may list the deployer's policy, so no loss is proven."""
    role = first(dev_preview, ROLE)
    add(dev_preview, ATTACHMENTS_EXCLUSIVE, "pinned", {"roleName": UNKNOWN, "policyArns": policy_arns},
        deps={"roleName": [role["urn"]]})
    assert mandatory(pack.run(dev_preview)) == []


def test_a_known_exclusive_list_without_the_deployers_policy_detaches_it(pack: Analyzer,
                                                                          dev_preview: Resources) -> None:
    role = first(dev_preview, ROLE)
    add(dev_preview, ATTACHMENTS_EXCLUSIVE, "pinned",
        {"roleName": UNKNOWN, "policyArns": ["arn:aws:iam::112233445566:policy/org-baseline"]},
        deps={"roleName": [role["urn"]]})
    assert [d for d in mandatory(pack.run(dev_preview)) if d.policy == INTACT]


# ----------------------------------------------------------------- IAM's inline quota


def _inline_of(size_without_whitespace: int) -> str:
    """A pretty-printed inline document (indent 4: far over 10,240 characters with its
    whitespace) of exactly ``size_without_whitespace`` characters without it."""
    doc = json.loads(sst_policy())
    pad = {"Sid": "Uploads", "Effect": "Allow", "Action": "s3:GetObject", "Resource": []}
    doc["Statement"].append(pad)
    resources: list[str] = pad["Resource"]  # type: ignore[assignment]

    def size() -> int:
        text = json.dumps(doc, indent=4)
        return len(text) - sum(text.count(c) for c in " \t\r\n")

    n = 0
    while size() < size_without_whitespace - 80:  # each entry adds 34 characters
        resources.append(f"arn:aws:s3:::uploads-{n:06d}/*")
        n += 1
    resources.append("arn:aws:s3:::u")
    resources[-1] += "x" * (size_without_whitespace - size())  # each x is one more character
    text = json.dumps(doc, indent=4)
    assert len(text) - sum(text.count(c) for c in " \t\r\n") == size_without_whitespace, "padding arithmetic"
    return text


@pytest.mark.parametrize("size, over", [(10_240, False), (10_241, True)])
def test_the_inline_quota_counts_characters_without_whitespace(pack: Analyzer, dev: Resources, size: int,
                                                               over: bool) -> None:
    document = _inline_of(size)
    assert len(document) > 12_000
    role = first(dev, ROLE)
    add(dev, ROLE_POLICY, "big-inline", {"role": role["outputs"]["name"], "name": "big", "policy": document})
    said = [d.message for d in pack.run(dev) if "quota of 10,240" in d.message]
    assert bool(said) == over, said
