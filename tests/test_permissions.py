"""The catalogue holds everything SST's IAM page names, and the renderer grants it."""

from __future__ import annotations

import json
import re

import pytest
from conftest import PAGE
from sst_deployer.iam import evaluate, normalize_conditions, parse_document
from sst_deployer.permissions import CATALOGUE, Requirement, requirements
from sst_deployer.permissions import PAGE as PAGE_SOURCE
from sst_deployer.render import render, to_json
from sst_deployer.settings import FEATURES, DeployerSettings, InvalidSetting

PAGE_ACCOUNT, PAGE_REGION = "112233445566", "us-east-1"
PAGE_SETTINGS = DeployerSettings(account=PAGE_ACCOUNT, regions=(PAGE_REGION,))


def page_requirements() -> list[Requirement]:
    """Every (action, resource, condition) the page names, copy-paste policy and breakdown."""
    out = []
    statements = PAGE["copyPastePolicy"]["Statement"] + PAGE["breakdownStatements"]
    for st in statements:
        actions = [st["Action"]] if isinstance(st["Action"], str) else st["Action"]
        for action in actions:
            for resource in st["Resource"]:
                out.append(Requirement(st.get("Sid", "breakdown"), action, resource,
                                       normalize_conditions(st.get("Condition"))))
    return out


def documents(settings: DeployerSettings) -> list:
    return [parse_document(to_json(d), f"policy {n}") for n, d in enumerate(render(settings), 1)]


def test_the_page_lists_thirteen_statements_and_fourteen_breakdown_items() -> None:
    assert len(PAGE["copyPastePolicy"]["Statement"]) == 13
    assert len(PAGE["breakdownStatements"]) == 14


@pytest.mark.parametrize("req", page_requirements(), ids=lambda r: f"{r.sid}-{r.action}-{r.resource[-30:]}")
def test_the_rendered_policy_grants_every_permission_the_page_names(req: Requirement) -> None:
    assert evaluate(req, documents(PAGE_SETTINGS)).granted


def test_the_breakdowns_extra_permission_is_required() -> None:
    # The breakdown asks for ssm:GetParameter on the version parameter; the copy-paste
    # policy does not grant it, so the page's own policy fails the catalogue.
    page_doc = parse_document(PAGE["copyPastePolicy"], "page")
    page_sids = {s["Sid"] for s in PAGE["copyPastePolicy"]["Statement"]} | {"AllowSSTCheckCDKBootstrapVersion"}
    missing = [r for r in requirements(PAGE_SETTINGS) if r.sid in page_sids]
    lost = [r for r in missing if not evaluate(r, [page_doc]).granted]
    assert [(r.action, r.resource) for r in lost] == [
        ("ssm:GetParameter", "arn:aws:ssm:us-east-1:112233445566:parameter/cdk-bootstrap/hnb659fds/version")]


def test_every_page_sid_is_in_the_catalogue() -> None:
    sids = {g.sid for g in CATALOGUE}
    assert {s["Sid"] for s in PAGE["copyPastePolicy"]["Statement"]} <= sids


def test_catalogue_sids_are_unique_and_alphanumeric() -> None:
    sids = [g.sid for g in CATALOGUE]
    assert len(sids) == len(set(sids))
    assert all(re.fullmatch(r"[A-Za-z0-9]+", s) for s in sids)


def test_rows_not_on_the_page_cite_their_source() -> None:
    for grant in CATALOGUE:
        if grant.source != PAGE_SOURCE:
            assert grant.source and grant.source != "", grant.sid


@pytest.mark.parametrize("feature, sid", [
    ("secrets", "AllowSSTCLIManageAppSecrets"),
    ("liveLambda", "AllowSSTLiveLambdaSocketConnection"),
    ("rdsMigrations", "AllowSSTCLIManageRDSMigrations"),
    ("bind", "AllowSSTBindReadFunctions"),
    ("rdsSecret", "AllowSSTReadRDSSecret"),
    ("console", "AllowSSTConsoleInvokeFunctions"),
])
def test_a_feature_toggles_exactly_its_statements(feature: str, sid: str) -> None:
    on = DeployerSettings(account=PAGE_ACCOUNT, regions=(PAGE_REGION,), features=frozenset(FEATURES))
    off = DeployerSettings(account=PAGE_ACCOUNT, regions=(PAGE_REGION,), features=frozenset(FEATURES) - {feature})
    assert sid in {r.sid for r in requirements(on)}
    assert sid not in {r.sid for r in requirements(off)}


def test_sst_249_deploys_with_the_callers_credentials() -> None:
    old = DeployerSettings(account=PAGE_ACCOUNT, regions=(PAGE_REGION,), sst_version="2.47.1")
    new = DeployerSettings(account=PAGE_ACCOUNT, regions=(PAGE_REGION,), sst_version="2.49.4")
    new_actions = {r.action for r in requirements(new)} - {r.action for r in requirements(old)}
    assert new_actions == {"cloudformation:CreateStack", "cloudformation:UpdateStack"}


def test_regional_arns_repeat_per_region_and_global_ones_do_not() -> None:
    s = DeployerSettings(account=PAGE_ACCOUNT, regions=("eu-west-1", "us-east-1"))
    reqs = requirements(s)
    stacks = {r.resource for r in reqs if r.sid == "AllowSSTMonitorStackDeployment"}
    assert stacks == {f"arn:aws:cloudformation:{r}:{PAGE_ACCOUNT}:stack/*" for r in s.regions}
    roles = {r.resource for r in reqs if r.sid == "AllowCDKManageToolkitRoles"}
    assert len(roles) == 5


def test_names_users_can_change_reach_the_arns() -> None:
    s = DeployerSettings(account=PAGE_ACCOUNT, regions=("cn-north-1",), partition="aws-cn", qualifier="abc12",
                         toolkit_stack_name="MyToolkit", bootstrap_stack_name="MyBootstrap",
                         bootstrap_bucket_prefix="mybootstrap-", ssm_prefix="/apps/sst/")
    text = json.dumps([r.resource for r in requirements(s)])
    for expected in ("arn:aws-cn:", "cdk-abc12-", "stack/MyToolkit/*", "stack/MyBootstrap/*",
                     "mybootstrap-*", "parameter/apps/sst/*", "cn-north-1"):
        assert expected in text
    assert "hnb659fds" not in text and "arn:aws:" not in text


@pytest.mark.parametrize("kwargs, setting", [
    ({"account": "1234"}, "accountId"),
    ({"regions": ("mars-1",)}, "regions"),
    ({"regions": ("cn-north-1",)}, "regions"),
    ({"qualifier": "way-too-long-qualifier"}, "qualifier"),
    ({"qualifier": "bad!"}, "qualifier"),
    ({"partition": "aws-iso"}, "partition"),
    ({"ssm_prefix": "sst"}, "ssmPrefix"),
    ({"sst_version": "3.0.0"}, "sstVersion"),
    ({"features": frozenset({"telepathy"})}, "features"),
    ({"toolkit_stack_name": "1bad"}, "toolkitStackName"),
])
def test_bad_settings_name_the_setting(kwargs: dict, setting: str) -> None:
    base = {"account": PAGE_ACCOUNT, "regions": ("us-east-1",)} | kwargs
    with pytest.raises(InvalidSetting) as err:
        DeployerSettings(**base)
    assert err.value.setting == setting
