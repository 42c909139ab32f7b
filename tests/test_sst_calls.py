"""Every call SST itself made with the deployer's key is granted by the catalogue (no node).

The calls come from ``tests/fixtures/sst_calls/``: what the SST CLI did, phase by phase,
when tests/e2e ran it against moto with the rendered role (see tests/e2e/README.md).
A catalogue change that drops a permission SST really uses fails here at once, naming
the call; the controls below show the judge is able to say no.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from e2e import recording
from e2e.calls import Check
from e2e.judge import Judge
from sst_deployer.render import render
from sst_deployer.settings import DeployerSettings

RECORDINGS = recording.load_all()
PAGE = json.loads((Path(__file__).parent / "fixtures" / "sst_iam_page.json").read_text())["copyPastePolicy"]


def _denied(judge: Judge, data: dict[str, Any]) -> list[str]:
    return [f"{phase}: {op} needs {c.action} on {c.resource}" + (f" ({c.implied})" if c.implied else "")
            for phase, op, c in recording.deployer_checks(data) if not judge.allows(c)]


def _settings(data: dict[str, Any], **changes: Any) -> DeployerSettings:
    return recording.settings_from_json({**data["settings"], **changes})


def test_recordings_cover_every_phase_for_default_and_changed_names() -> None:
    runs = {name.removesuffix(".json").rsplit(".", 1)[1] for name, _ in RECORDINGS}
    assert {"default", "custom-names"} <= runs
    for _, data in RECORDINGS:
        assert list(data["phases"]) == ["bootstrap", "deploy-create", "deploy-update", "secrets-set",
                                        "secrets-list", "diff", "remove"]
        assert all(calls["deployer"] for calls in data["phases"].values())


@pytest.mark.parametrize(("name", "data"), RECORDINGS, ids=[n for n, _ in RECORDINGS])
def test_every_call_sst_made_is_granted_by_the_catalogue_for_its_settings(name: str, data: dict[str, Any]) -> None:
    assert _denied(Judge.for_settings(_settings(data)), data) == []


@pytest.mark.parametrize(("name", "data"), RECORDINGS, ids=[n for n, _ in RECORDINGS])
def test_dropping_any_action_sst_used_denies_exactly_the_calls_that_need_it(name: str, data: dict[str, Any]) -> None:
    documents = render(_settings(data))
    checks = [c for _, _, c in recording.deployer_checks(data)]
    for action in sorted({c.action for c in checks}):
        without = copy.deepcopy(documents)
        for doc in without:
            for st in doc["Statement"]:
                st["Action"] = [a for a in st["Action"] if a != action] or ["none:Nothing"]
        judge = Judge.of(without)
        denied = [i for i, c in enumerate(checks) if not judge.allows(c)]
        assert denied == [i for i, c in enumerate(checks) if c.action == action], action


@pytest.mark.parametrize(("name", "data"), RECORDINGS, ids=[n for n, _ in RECORDINGS])
def test_dropping_a_statement_the_run_needs_names_the_calls_it_denies(name: str, data: dict[str, Any]) -> None:
    documents = render(_settings(data))
    needed = {}
    for i, doc in enumerate(documents):
        for j, st in enumerate(doc["Statement"]):
            without = copy.deepcopy(documents)
            del without[i]["Statement"][j]
            needed[st["Sid"]] = sorted({m.split(" needs ")[1].split(" on ")[0]
                                        for m in _denied(Judge.of(without), data)})
    from_2_49 = _settings(data).version >= (2, 49, 0)  # the deployer creates the stacks itself
    assert {sid for sid, actions in needed.items() if actions} == {
        "AllowCDKManageToolkitStack", "AllowCDKManageToolkitRoles", "AllowCDKManageToolkitBucket",
        "AllowCDKManageToolkitRepository", "AllowCDKManageToolkitVersionParameter",
        "AllowSSTMonitorStackDeployment", "AllowSSTManageBootstrapBucket", "AllowSSTCLIManageAppSecrets",
        "AllowSSTCLIRestartAppFunction", "AllowSSTLiveLambdaSocketConnection",
    } | ({"AllowSSTReadStackTemplates"} if from_2_49 else set())
    # `cdk bootstrap` sends no RoleARN: CloudFormation creates the CDK roles, bucket,
    # repository and version parameter with the deployer's own rights.
    assert needed["AllowCDKManageToolkitRoles"] == sorted(
        ["iam:AttachRolePolicy", "iam:CreateRole", "iam:GetRole", "iam:PutRolePolicy", "iam:TagRole", "sts:AssumeRole"]
        + (["iam:PassRole"] if from_2_49 else []))
    assert needed["AllowCDKManageToolkitVersionParameter"] == ["ssm:PutParameter"]
    if from_2_49:
        assert needed["AllowSSTReadStackTemplates"] == ["s3:GetObject"]
    # RDS migrations run from the SST Console, not from this CLI run.
    assert {sid for sid, actions in needed.items() if not actions} == {"AllowSSTCLIManageRDSMigrations"}


def _page_policy(account: str, region: str) -> dict[str, Any]:
    """The page's copy-paste policy with its placeholder account and region replaced."""
    text = json.dumps(PAGE).replace("112233445566", account).replace("us-east-1", region)
    return dict(json.loads(text))


def test_the_pages_copy_paste_policy_fails_on_the_calls_of_sst_2_49() -> None:
    data = dict(RECORDINGS)["sst-2.49.8.default.json"]
    s = _settings(data)
    denied = _denied(Judge.of([_page_policy(s.account, s.regions[0])]), data)
    actions = {m.split(" needs ")[1].split(" on ")[0] for m in denied}
    assert actions == {"cloudformation:CreateStack", "cloudformation:UpdateStack", "s3:GetObject"}
    assert any(m.startswith("deploy-create: CreateStack needs cloudformation:CreateStack on "
                            f"arn:aws:cloudformation:us-east-1:{s.account}:stack/e2e-e2eapp-Api/") for m in denied)
    assert any(m.endswith("(CreateStack TemplateURL)") for m in denied)


def test_the_catalogue_for_sst_before_2_49_fails_on_the_calls_of_2_49() -> None:
    data = dict(RECORDINGS)["sst-2.49.8.default.json"]
    denied = _denied(Judge.for_settings(_settings(data, sst_version="2.48.0")), data)
    assert {m.split(" needs ")[1].split(" on ")[0] for m in denied} == {
        "cloudformation:CreateStack", "cloudformation:UpdateStack", "s3:GetObject"}


def test_a_role_rendered_with_default_names_fails_on_an_app_that_changed_them() -> None:
    data = dict(RECORDINGS)["sst-2.49.8.custom-names.json"]
    s = _settings(data)
    denied = " ".join(_denied(Judge.for_settings(DeployerSettings(account=s.account, regions=s.regions)), data))
    for name in (f"stack/{s.toolkit_stack_name}/", f"cdk-{s.qualifier}-cfn-exec-role", f"cdk-{s.qualifier}-deploy-role",
                 f":::{s.bootstrap_bucket_prefix}", f"parameter{s.ssm_prefix}", f":::{s.file_assets_bucket_name}/"):
        assert name in denied, name


def test_the_judge_reads_the_sst_app_tag_of_the_function_it_restarts() -> None:
    judge = Judge.for_settings(DeployerSettings(account="123456789012", regions=("us-east-1",)))
    fn = "arn:aws:lambda:us-east-1:123456789012:function:e2e-e2eapp-Api-Hello"
    region = {"aws:requestedregion": "us-east-1"}
    assert judge.allows(Check("lambda:UpdateFunctionConfiguration", fn, {**region, "aws:resourcetag/sst:app": "a"}))
    assert not judge.allows(Check("lambda:UpdateFunctionConfiguration", fn, region))
