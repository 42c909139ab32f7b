"""NotResource, in an Allow and in a Deny: an Allow grants every ARN outside its list (so a
required pattern reaching into the list is not granted whole); a Deny applies to every ARN
outside its list (so a required pattern wholly inside the list escapes it). Directly, and
through the served pack."""

from __future__ import annotations

import copy
import json
from typing import Any

from analyzer import Analyzer
from conftest import as_engine
from harness import Stack
from sst_deployer.iam import Document, evaluate, parse_document
from sst_deployer.permissions import Requirement

BUCKETS = "arn:aws:s3:::sstbootstrap-*"
SECRETS = "arn:aws:s3:::secret-*"


def doc(*statements: dict[str, Any]) -> Document:
    return parse_document({"Version": "2012-10-17", "Statement": list(statements)}, "test")


def granted(resource: str, *statements: dict[str, Any], action: str = "s3:GetObject") -> bool:
    return evaluate(Requirement("probe", action, resource), [doc(*statements)]).granted


ALLOW_BUT_SECRETS = {"Effect": "Allow", "Action": "s3:*", "NotResource": [SECRETS, "arn:aws:s3:::vault"]}


def test_an_allow_with_not_resource_grants_what_is_outside_its_list() -> None:
    assert granted(BUCKETS, ALLOW_BUT_SECRETS)
    assert granted("arn:aws:s3:::cdk-hnb659fds-assets-112233445566-us-east-1", ALLOW_BUT_SECRETS)
    assert granted("arn:aws:s3:::vault2", ALLOW_BUT_SECRETS)


def test_an_allow_with_not_resource_does_not_grant_what_reaches_into_its_list() -> None:
    assert not granted("arn:aws:s3:::secret-app", ALLOW_BUT_SECRETS)
    assert not granted("arn:aws:s3:::vault", ALLOW_BUT_SECRETS)
    assert not granted("arn:aws:s3:::*", ALLOW_BUT_SECRETS)  # every bucket includes secret-*
    assert not granted("arn:aws:s3:::s*", ALLOW_BUT_SECRETS)
    assert not granted(BUCKETS, ALLOW_BUT_SECRETS, action="ec2:RunInstances")


def test_an_allow_with_not_resource_and_a_plain_allow_together_grant_the_union() -> None:
    rest = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": SECRETS}
    assert granted("arn:aws:s3:::s*", ALLOW_BUT_SECRETS, rest)
    assert not granted("arn:aws:s3:::*", ALLOW_BUT_SECRETS, rest)  # vault is still outside


def test_a_policy_variable_in_an_allows_not_resource_may_exclude_any_value() -> None:
    # home-${aws:username} excludes alice's bucket for alice: home-a* is not granted whole.
    allow = {"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::home-${aws:username}"}
    assert not granted("arn:aws:s3:::home-a*", allow)
    assert granted("arn:aws:s3:::work-a*", allow)


EVERYTHING = {"Effect": "Allow", "Action": "*", "Resource": "*"}
DENY_BUT_BUCKETS = {"Sid": "OnlyBootstrap", "Effect": "Deny", "Action": "s3:*", "NotResource": BUCKETS}


def test_a_deny_with_not_resource_spares_what_is_inside_its_list() -> None:
    assert granted(BUCKETS, EVERYTHING, DENY_BUT_BUCKETS)
    assert granted("arn:aws:s3:::sstbootstrap-x*", EVERYTHING, DENY_BUT_BUCKETS)
    assert granted("arn:aws:s3:::sstbootstrap-eu/app.json", EVERYTHING, DENY_BUT_BUCKETS)


def test_a_deny_with_not_resource_takes_away_what_reaches_outside_its_list() -> None:
    decision = evaluate(Requirement("probe", "s3:PutBucketPolicy", "arn:aws:s3:::cdk-hnb659fds-assets-*"),
                        [doc(EVERYTHING, DENY_BUT_BUCKETS)])
    assert not decision.granted and [st.sid for _, st in decision.denied_by] == ["OnlyBootstrap"]
    assert not granted("arn:aws:s3:::sst*", EVERYTHING, DENY_BUT_BUCKETS)  # sstother is outside
    assert granted("arn:aws:s3:::sst*", EVERYTHING, DENY_BUT_BUCKETS, action="iam:GetRole")


def test_a_conditional_deny_with_not_resource_is_a_risk() -> None:
    deny = dict(DENY_BUT_BUCKETS, Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}})
    decision = evaluate(Requirement("probe", "s3:PutBucketPolicy", "arn:aws:s3:::cdk-hnb659fds-assets-*"),
                        [doc(EVERYTHING, deny)])
    assert decision.granted and decision.risks


# ----------------------------------------------------------------- through the served pack


def edited(example_stacks: dict[str, Stack], change: Any) -> list[dict[str, Any]]:
    resources = copy.deepcopy(as_engine(example_stacks["dev"]))
    policy = next(r for r in resources if r["type"] == "aws:iam/policy:Policy")["outputs"]
    document = json.loads(policy["policy"])
    change(document)
    policy["policy"] = json.dumps(document)
    return resources


def test_the_pack_reports_what_a_not_resource_deny_takes_away(pack: Analyzer, example_stacks: dict[str, Stack]) -> None:
    resources = edited(example_stacks, lambda d: d["Statement"].append(DENY_BUT_BUCKETS))
    messages = [d.message for d in pack.analyze_stack(resources) if d.policy == "sst-deployer-statements-intact"]
    assert any("AllowCDKManageToolkitBucket" in m and "s3:PutBucketPolicy" in m
               and "denied by statement 'OnlyBootstrap'" in m for m in messages), messages
    assert not any("AllowSSTManageBootstrapBucket" in m for m in messages)


def test_the_pack_reports_a_not_resource_allow_as_excess_and_its_gap_as_a_loss(
        pack: Analyzer, example_stacks: dict[str, Stack]) -> None:
    def swap(d: dict[str, Any]) -> None:
        st = next(s for s in d["Statement"] if s["Sid"] == "AllowSSTManageBootstrapBucket")
        st.pop("Resource")
        st["NotResource"] = ["arn:aws:s3:::sstbootstrap-private*"]

    diags = pack.analyze_stack(edited(example_stacks, swap))
    least = [d.message for d in diags if d.policy == "sst-deployer-least-privilege"]
    assert any("on every resource except arn:aws:s3:::sstbootstrap-private*" in m for m in least), least
    intact = [d.message for d in diags if d.policy == "sst-deployer-statements-intact"]
    assert any("lost SST statement AllowSSTManageBootstrapBucket" in m and "no Allow grants it" in m
               for m in intact), intact
