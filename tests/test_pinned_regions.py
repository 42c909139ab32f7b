"""The page's permissions for regions other than us-east-1: each (action, resource) pair of
the page, with its region replaced, is required and granted exactly, per region, and the
regional pairs of a region the deployer is not configured for are not granted."""

from __future__ import annotations

import pytest
from conftest import PAGE
from sst_deployer.iam import Document, evaluate, normalize_conditions, parse_document
from sst_deployer.permissions import Requirement, requirements
from sst_deployer.render import render, to_json
from sst_deployer.settings import DeployerSettings

ACCOUNT, PAGE_REGION = "112233445566", "us-east-1"


def page_pairs(region: str) -> set[Requirement]:
    """The page's (action, resource, condition), as the page writes them, for ``region``."""
    out = set()
    for st in PAGE["copyPastePolicy"]["Statement"] + PAGE["breakdownStatements"]:
        actions = [st["Action"]] if isinstance(st["Action"], str) else st["Action"]
        for action in actions:
            for resource in st["Resource"]:
                out.add(Requirement("page", action, resource.replace(f":{PAGE_REGION}:", f":{region}:"),
                                    normalize_conditions(st.get("Condition"))))
    return out


def regional(pairs: set[Requirement]) -> set[Requirement]:
    return {p for p in pairs if p.resource.split(":")[3:4] not in ([], [""])}


def docs(settings: DeployerSettings) -> list[Document]:
    return [parse_document(to_json(d), f"policy {n}") for n, d in enumerate(render(settings), 1)]


def required(settings: DeployerSettings) -> set[tuple[str, str, frozenset]]:
    return {(r.action, r.resource, r.condition) for r in requirements(settings)}


REGION_SETS = [("eu-west-1",), ("eu-west-1", "ap-southeast-2", "us-west-2"), ("us-east-1", "eu-central-1")]


def test_the_page_has_regional_and_global_pairs() -> None:
    pairs = page_pairs("eu-west-1")
    assert 0 < len(regional(pairs)) < len(pairs)
    assert Requirement("page", "ssm:GetParameter",
                       "arn:aws:ssm:eu-west-1:112233445566:parameter/cdk-bootstrap/hnb659fds/version") in pairs


@pytest.mark.parametrize("regions", REGION_SETS, ids="+".join)
def test_every_page_pair_is_required_exactly_in_each_configured_region(regions: tuple[str, ...]) -> None:
    settings = DeployerSettings(account=ACCOUNT, regions=regions)
    needed = required(settings)
    for region in regions:
        missing = [p for p in page_pairs(region) if (p.action, p.resource, p.condition) not in needed]
        assert missing == [], region


@pytest.mark.parametrize("regions", REGION_SETS, ids="+".join)
def test_every_page_pair_is_granted_in_each_configured_region(regions: tuple[str, ...]) -> None:
    settings = DeployerSettings(account=ACCOUNT, regions=regions)
    rendered = docs(settings)
    for region in regions:
        lost = [p for p in page_pairs(region) if not evaluate(p, rendered).granted]
        assert lost == [], region


@pytest.mark.parametrize("regions", REGION_SETS, ids="+".join)
def test_no_regional_page_pair_is_granted_in_another_region(regions: tuple[str, ...]) -> None:
    settings = DeployerSettings(account=ACCOUNT, regions=regions)
    rendered = docs(settings)
    needed = required(settings)
    for other in ("us-west-1", "ap-south-1", *(r for r in ("us-east-1",) if r not in regions)):
        wrongly = [p for p in regional(page_pairs(other)) if evaluate(p, rendered).granted]
        assert wrongly == [], other
        assert not any(f":{other}:" in resource for _, resource, _ in needed)


def test_each_region_of_a_set_gets_its_own_arns_once() -> None:
    regions = ("eu-west-1", "ap-southeast-2", "us-west-2")
    settings = DeployerSettings(account=ACCOUNT, regions=regions)
    stacks = sorted(r.resource for r in requirements(settings)
                    if (r.sid, r.action) == ("AllowSSTMonitorStackDeployment", "cloudformation:DescribeStackResources"))
    assert stacks == sorted(f"arn:aws:cloudformation:{r}:{ACCOUNT}:stack/*" for r in regions)
    roles = [r.resource for r in requirements(settings) if (r.sid, r.action) == ("AllowSSTAssumeCDKToolkitRoles",
                                                                                  "sts:AssumeRole")]
    assert len(roles) == len(set(roles)) == 5 and not any(region in arn for arn in roles for region in regions)
