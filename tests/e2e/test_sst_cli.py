"""SST's own CLI proves the deployer role: every call it makes with the role is granted.

``sst bootstrap``, ``sst deploy`` (create, then update), ``sst secrets set``, ``sst secrets
list``, ``sst diff`` and ``sst remove`` run against moto through the judging proxy, with
the credentials of the rendered deployer role, once with SST's default names and once
with every name changed. The proxy answers AccessDenied to anything the role is not
granted, so a missing permission fails the phase that needs it, as in AWS.
Rerecord the committed calls with ``E2E_RECORD=1 venv/bin/python -m pytest tests/e2e``.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sst_deployer.render import render
from sst_deployer.settings import DeployerSettings

from . import recording
from .calls import AS_CALLER
from .conftest import require_sst
from .harness import ACCOUNT, APP, HERE, Phase, clean_build_output, installed_sst_version, session
from .proxy import Recorded

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("sst_cli")]

# (phase, CLI arguments, extra environment for sst.config.ts)
PHASES: tuple[tuple[str, tuple[str, ...], dict[str, str]], ...] = (
    ("bootstrap", ("bootstrap",), {}),
    ("deploy-create", ("deploy",), {"E2E_REVISION": "1"}),
    ("deploy-update", ("deploy",), {"E2E_REVISION": "2"}),
    ("secrets-set", ("secrets", "set", "GREETING", "hello"), {}),
    ("secrets-list", ("secrets", "list"), {}),
    ("diff", ("diff",), {"E2E_REVISION": "3"}),
    ("remove", ("remove",), {}),
)


@dataclass(frozen=True)
class Run:
    name: str
    settings: DeployerSettings
    app_env: dict[str, str]
    app_dir: Path = APP


RUNS = {
    "default": Run("default", DeployerSettings(account=ACCOUNT, regions=("us-east-1",)), {}),
    # Every name SST lets a user change, in another region: the role must follow them all.
    "custom-names": Run(
        "custom-names",
        DeployerSettings(
            account=ACCOUNT, regions=("eu-west-1",), qualifier="e2eq1", toolkit_stack_name="E2EToolkit",
            bootstrap_stack_name="E2EBootstrap", bootstrap_bucket_prefix="acme-sstboot-", ssm_prefix="/acme/",
            file_assets_bucket_name="acme-e2e-cdk-assets",
        ),
        {
            "E2E_QUALIFIER": "e2eq1", "E2E_TOOLKIT_STACK": "E2EToolkit",
            "E2E_FILE_ASSETS_BUCKET": "acme-e2e-cdk-assets", "E2E_BOOTSTRAP_STACK": "E2EBootstrap",
            "E2E_BOOTSTRAP_BUCKET": "acme-sstboot-e2e", "E2E_SSM_PREFIX": "/acme/e2eapp/e2e/",
        },
    ),
    # The last line before 2.49: stacks are created and updated by the CDK deploy role.
    "default-sst-2.48": Run(
        "default",
        DeployerSettings(account=ACCOUNT, regions=("us-east-1",), sst_version="2.48.5"),
        {},
        HERE / "app-sst-2.48",
    ),
}


@dataclass
class Result:
    run: Run
    sst_version: str
    phases: list[Phase]
    records: list[Recorded]
    seconds: float

    def deployer(self, phase: str | None = None) -> list[Recorded]:
        return [r for r in self.records if r.signer == "deployer" and (phase is None or r.phase == phase)]


@pytest.fixture(scope="module", params=sorted(RUNS))
def result(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Result]:
    run = RUNS[request.param]
    require_sst(run.app_dir)
    region = run.settings.regions[0]
    started = time.monotonic()
    clean_build_output(run.app_dir)
    with session(run.settings, region, run.app_env, tmp_path_factory.mktemp(run.name), app_dir=run.app_dir) as ses:
        for phase, args, env in PHASES:
            if phase == "secrets-set":
                ses.write_stack_metadata()
            done = ses.sst(phase, *args, extra_env=env)
            if done.returncode != 0:
                break
        out = Result(run, installed_sst_version(run.app_dir), list(ses.phases), list(ses.state.records),
                     time.monotonic() - started)
    clean_build_output(run.app_dir)
    if os.environ.get("E2E_RECORD") and all(p.returncode == 0 for p in out.phases):
        recording.write(recording.fixture_path(out.sst_version, run.name), recording.summary(
            out.sst_version, run.settings, run.app_env, [p for p, _, _ in PHASES], out.records))
    per_phase = {p: sum(len(r.checks) for r in out.deployer(p)) for p, _, _ in PHASES}
    print(f"\ne2e sst {out.sst_version} {run.name}: {len(out.phases)} phases in {out.seconds:.0f} s; "
          f"deployer checks per phase: {per_phase}")
    yield out


def test_every_phase_exits_zero_with_the_rendered_role(result: Result) -> None:
    ran = [p.name for p in result.phases]
    assert ran == [p for p, _, _ in PHASES], f"stopped after {ran[-1]}:\n{result.phases[-1].output[-4000:]}"
    for phase in result.phases:
        assert phase.returncode == 0, f"sst {' '.join(phase.args)} failed:\n{phase.output[-4000:]}"


def test_every_call_signed_with_the_deployers_key_is_granted(result: Result) -> None:
    denied = [(r.phase, r.operation, c.action, c.resource) for r in result.deployer() for c in r.denied]
    assert denied == []
    for phase, _, _ in PHASES:
        assert result.deployer(phase), f"no call made with the deployer's key in {phase}"


def test_the_checks_no_client_request_shows_are_judged(result: Result) -> None:
    s = result.run.settings
    if s.version < (2, 49, 0):
        pytest.skip("before 2.49 the CDK deploy role, not the deployer, creates and updates stacks")
    bucket = s.file_assets_bucket_name or f"cdk-{s.qualifier}-assets-{ACCOUNT}-{s.regions[0]}"
    for phase in ("bootstrap", "deploy-create", "deploy-update"):
        implied = {(c.action, c.resource.split("/")[0] if c.action == "s3:GetObject" else c.resource)
                   for r in result.deployer(phase) for c in r.checks if c.implied}
        assert ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/cdk-{s.qualifier}-cfn-exec-role-{ACCOUNT}-"
                f"{s.regions[0]}") in implied, phase
        assert ("s3:GetObject", f"arn:aws:s3:::{bucket}") in implied, phase


def test_cdk_bootstrap_resources_are_judged_as_created_with_the_deployers_rights(result: Result) -> None:
    """`cdk bootstrap` executes its change set without RoleARN: CloudFormation creates the CDK
    roles, assets bucket, repository and version parameter with the deployer's credentials."""
    s = result.run.settings
    as_caller = {(c.action, c.resource) for r in result.deployer("bootstrap") for c in r.checks
                 if c.implied == AS_CALLER}
    region = s.regions[0]
    bucket = s.file_assets_bucket_name or f"cdk-{s.qualifier}-assets-{ACCOUNT}-{region}"
    for kind in ("cfn-exec", "deploy", "file-publishing", "image-publishing", "lookup"):
        assert ("iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/cdk-{s.qualifier}-{kind}-role-{ACCOUNT}-{region}") \
            in as_caller
    assert ("s3:CreateBucket", f"arn:aws:s3:::{bucket}") in as_caller
    assert ("ecr:CreateRepository", f"arn:aws:ecr:{region}:{ACCOUNT}:repository/cdk-{s.qualifier}-container-assets-"
            f"{ACCOUNT}-{region}") in as_caller
    assert ("ssm:PutParameter", f"arn:aws:ssm:{region}:{ACCOUNT}:parameter/cdk-bootstrap/{s.qualifier}/version") \
        in as_caller


def test_before_2_49_the_cdk_deploy_role_creates_the_stacks_not_the_deployer(result: Result) -> None:
    writes = {"CreateStack", "UpdateStack", "CreateChangeSet", "ExecuteChangeSet"}
    app_stack = "stack/e2e-e2eapp-Api/"
    by = {r.signer for r in result.records
          if r.operation in writes and any(app_stack in c.resource for c in r.checks)}
    if result.run.settings.version >= (2, 49, 0):
        assert by == {"deployer"}
    else:
        assert by == {f"cdk-{result.run.settings.qualifier}-deploy-role-{ACCOUNT}-us-east-1"}


def test_calls_of_the_assumed_cdk_roles_are_recorded_not_judged(result: Result) -> None:
    q = result.run.settings.qualifier
    roles = {r.signer for r in result.records if r.signer.startswith("cdk-")}
    assert {f"cdk-{q}-deploy-role-{ACCOUNT}-{result.run.settings.regions[0]}",
            f"cdk-{q}-file-publishing-role-{ACCOUNT}-{result.run.settings.regions[0]}"} <= roles
    assert all(not r.denied for r in result.records if r.signer != "deployer")


def test_restarting_functions_is_judged_on_the_functions_sst_app_tag(result: Result) -> None:
    restarts = [c for r in result.deployer("secrets-set") for c in r.checks if c.action.startswith("lambda:")]
    assert {c.action for c in restarts} == {"lambda:GetFunctionConfiguration", "lambda:UpdateFunctionConfiguration"}
    assert all(c.context.get("aws:resourcetag/sst:app") == "e2eapp" for c in restarts)


def test_the_names_the_settings_give_are_the_names_sst_used(result: Result) -> None:
    s = result.run.settings
    resources = {c.resource for r in result.deployer() for c in r.checks}
    expected = {
        f"stack/{s.toolkit_stack_name}/", f"stack/{s.bootstrap_stack_name}/", f"cdk-{s.qualifier}-deploy-role",
        f"parameter{s.ssm_prefix}", f":::{s.bootstrap_bucket_prefix}",
    }
    for fragment in expected:
        assert any(fragment in arn for arn in resources), f"no call named {fragment}"


def test_the_committed_calls_are_the_calls_sst_makes(result: Result) -> None:
    """The fixture tests/test_sst_calls.py judges without node is what this SST version does."""
    path = recording.fixture_path(result.sst_version, result.run.name)
    assert path.exists(), f"no recording for sst {result.sst_version}: rerun with E2E_RECORD=1"
    data = json.loads(path.read_text())
    committed = {(phase, op, c.action) for phase, op, c in recording.deployer_checks(data)}
    live = {(r.phase, r.operation, c.action) for r in result.deployer() for c in r.checks}
    assert live == committed, f"SST's calls changed ({path.name}); rerun with E2E_RECORD=1 and review the diff"


def test_a_role_without_cloudformation_create_stack_fails_where_aws_would(tmp_path: Path) -> None:
    """The judge can fail live: drop one action the run needs, SST stops with AccessDenied."""
    settings = RUNS["default"].settings
    documents = render(settings)
    for doc in documents:
        for st in doc["Statement"]:
            st["Action"] = [a for a in st["Action"] if a != "cloudformation:CreateStack"]
    clean_build_output()
    with session(settings, "us-east-1", {}, tmp_path, documents=documents) as ses:
        phase = ses.sst("bootstrap", "bootstrap")
        denied = [(r.operation, c.action, c.resource) for r in ses.records("bootstrap") for c in r.denied]
    clean_build_output()
    assert phase.returncode != 0
    assert "not authorized to perform: cloudformation:CreateStack" in phase.output
    assert denied == [("CreateStack", "cloudformation:CreateStack",
                       f"arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/SSTBootstrap/*")]
