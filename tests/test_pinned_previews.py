"""Previews in which a policy *document* is unknown (built from another resource's output),
through the served pack: an unknown document counts neither as granting nothing nor as
granting everything. The pack reports no loss it cannot know (the unknown document may
grant it), and still reports the losses the known documents prove (a known Deny, a known
boundary, a boundary cannot give back what the known identity policies lack)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from analyzer import Analyzer
from conftest import as_engine
from harness import UNKNOWN, Stack

ROLE, POLICY = "aws:iam/role:Role", "aws:iam/policy:Policy"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
INTACT, ATTACHED = "sst-deployer-statements-intact", "sst-deployer-attachments-intact"
Resources = list[dict[str, Any]]

NO_SECRETS = {"Version": "2012-10-17", "Statement": [
    {"Sid": "NoSecrets", "Effect": "Deny", "Action": "ssm:PutParameter", "Resource": "*"}]}
CLOUDFORMATION_ONLY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "OnlyStacks", "Effect": "Allow", "Action": "cloudformation:*", "Resource": "*"}]}


def first(resources: Resources, type_: str) -> dict[str, Any]:
    return next(r for r in resources if r["type"] == type_)


def of(pack: Analyzer, resources: Resources, policy: str) -> list[str]:
    return [d.message for d in pack.analyze_stack(resources) if d.policy == policy]


def everything(pack: Analyzer, resources: Resources) -> list[str]:
    return [f"{d.policy}: {d.message}" for d in pack.analyze_stack(resources)]


def unknown_managed_document(resources: Resources) -> Resources:
    out = copy.deepcopy(resources)
    first(out, POLICY)["outputs"]["policy"] = UNKNOWN
    return out


def remove_statement(resources: Resources, sid: str) -> Resources:
    out = copy.deepcopy(resources)
    policy = first(out, POLICY)["outputs"]
    doc = json.loads(policy["policy"])
    doc["Statement"] = [s for s in doc["Statement"] if s["Sid"] != sid]
    policy["policy"] = json.dumps(doc)
    return out


def with_inline(resources: Resources, name: str, document: Any) -> Resources:
    """An inline policy on the deployer role, tied to it as the engine ties it in a preview
    (the role's name may be unknown; the property dependency says which role)."""
    out = copy.deepcopy(resources)
    role = first(out, ROLE)
    out.append({"type": ROLE_POLICY, "name": name, "parent": "",
                "urn": f"urn:pulumi:dev::sst-deployer::{ROLE_POLICY}::{name}",
                "outputs": {"role": role["outputs"].get("name", UNKNOWN),
                            "policy": document if document is UNKNOWN else json.dumps(document)},
                "property_dependencies": {"role": [role["urn"]]}})
    return out


def with_boundary(resources: Resources, document: Any) -> Resources:
    out = copy.deepcopy(resources)
    arn = "arn:aws:iam::112233445566:policy/deployer-boundary"
    urn = f"urn:pulumi:dev::sst-deployer::{POLICY}::deployer-boundary"
    out.append({"type": POLICY, "name": "deployer-boundary", "urn": urn, "parent": "",
                "outputs": {"arn": arn, "name": "deployer-boundary",
                            "policy": document if document is UNKNOWN else json.dumps(document)}})
    role = first(out, ROLE)
    role["outputs"]["permissionsBoundary"] = arn
    role.setdefault("property_dependencies", {})["permissionsBoundary"] = [urn]
    return out


@pytest.fixture(scope="module", params=["update", "preview"])
def dev(request: pytest.FixtureRequest, example_stacks: dict[str, Stack],
        example_previews: dict[str, Stack]) -> Resources:
    """The dev stack as captured after an update, and in a preview (ARNs and names unknown)."""
    return as_engine((example_stacks if request.param == "update" else example_previews)["dev"])


# ----------------------------------------------------------------- no loss it cannot know


def test_an_unknown_policy_document_is_not_judged_as_granting_nothing(pack: Analyzer, dev: Resources) -> None:
    assert everything(pack, unknown_managed_document(dev)) == []


def test_an_unknown_inline_policy_is_not_judged_as_granting_nothing(pack: Analyzer, dev: Resources) -> None:
    assert everything(pack, with_inline(dev, "later", UNKNOWN)) == []


def test_an_unknown_inline_policy_may_grant_what_the_known_policy_lacks(pack: Analyzer, dev: Resources) -> None:
    narrowed = remove_statement(dev, "AllowSSTMonitorStackDeployment")
    assert any("lost SST statement AllowSSTMonitorStackDeployment" in m for m in of(pack, narrowed, INTACT))
    assert of(pack, with_inline(narrowed, "later", UNKNOWN), INTACT) == []


def test_an_unknown_boundary_document_is_not_judged_as_granting_nothing(pack: Analyzer, dev: Resources) -> None:
    assert everything(pack, with_boundary(dev, UNKNOWN)) == []


# ----------------------------------------------------------------- the losses known documents prove


def test_with_every_document_known_the_deny_and_the_boundary_are_reported(pack: Analyzer, dev: Resources) -> None:
    # The controls of the tests below: the same known documents, nothing unknown.
    denied = of(pack, with_inline(dev, "no-secrets", NO_SECRETS), INTACT)
    assert any("ssm:PutParameter" in m and "denied by statement 'NoSecrets'" in m for m in denied), denied
    bounded = of(pack, with_boundary(dev, CLOUDFORMATION_ONLY), INTACT)
    assert any("lost SST statement AllowSSTManageBootstrapBucket" in m and "outside the permissions boundary" in m
               for m in bounded), bounded


def test_a_known_deny_still_takes_away_what_an_unknown_document_may_grant(pack: Analyzer, dev: Resources) -> None:
    tampered = with_inline(unknown_managed_document(dev), "no-secrets", NO_SECRETS)
    messages = of(pack, tampered, INTACT)
    assert any("ssm:PutParameter" in m and "denied by statement 'NoSecrets'" in m for m in messages), messages


def test_a_known_deny_is_reported_beside_an_unknown_inline_policy(pack: Analyzer, dev: Resources) -> None:
    tampered = with_inline(with_inline(dev, "later", UNKNOWN), "no-secrets", NO_SECRETS)
    messages = of(pack, tampered, INTACT)
    assert any("ssm:PutParameter" in m and "denied by statement 'NoSecrets'" in m for m in messages), messages


def test_an_unknown_boundary_cannot_give_back_what_the_known_policies_lack(pack: Analyzer, dev: Resources) -> None:
    tampered = with_boundary(remove_statement(dev, "AllowSSTMonitorStackDeployment"), UNKNOWN)
    messages = of(pack, tampered, INTACT)
    assert any("lost SST statement AllowSSTMonitorStackDeployment" in m and "no Allow grants it" in m
               for m in messages), messages


def test_a_known_boundary_still_limits_an_unknown_policy(pack: Analyzer, dev: Resources) -> None:
    tampered = with_boundary(unknown_managed_document(dev), CLOUDFORMATION_ONLY)
    messages = of(pack, tampered, INTACT)
    assert any("lost SST statement AllowSSTManageBootstrapBucket" in m and "outside the permissions boundary" in m
               for m in messages), messages
    assert not any("AllowSSTMonitorStackDeployment" in m for m in messages)
