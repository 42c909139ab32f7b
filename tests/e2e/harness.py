"""Run the real SST v2 CLI against moto through the recording proxy, as the deployer.

:func:`session` starts moto (with :mod:`moto_launcher`'s bridges) and the proxy, creates
the rendered deployer role in moto's IAM with a developer user whose only right is to
assume it, and yields a :class:`Session` whose :meth:`Session.sst` runs one CLI phase
with the assumed role's credentials and ``AWS_ENDPOINT_URL`` pointing at the proxy.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sst_deployer.render import render
from sst_deployer.settings import DeployerSettings

from tools import local_aws as moto

from .judge import Judge
from .proxy import MQTT_PATH, ProxyState, Recorded, running

HERE = Path(__file__).resolve().parent
APP = HERE / "app"
ACCOUNT = "123456789012"  # moto's default account
STAGE = "e2e"
SST_VERSION = "2.49.8"
_ADMIN = {"aws_access_key_id": "e2e-setup", "aws_secret_access_key": "e2e-setup"}


APP_SOURCES = ("sst.config.ts", "stacks", "src", "tsconfig.json")


def node_tools(app_dir: Path = APP) -> str | None:
    """Why the SST CLI cannot run here, or None when node, npm and the installed app are there."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            return f"{tool} is not on PATH"
    if not (app_dir / "node_modules" / "sst" / "package.json").exists():
        return f"the SST app's packages are not installed: run `npm ci` in {app_dir.relative_to(HERE.parent.parent)}"
    return None


def installed_sst_version(app_dir: Path = APP) -> str:
    return str(json.loads((app_dir / "node_modules" / "sst" / "package.json").read_text())["version"])


def prepare_app(app_dir: Path) -> None:
    """Give an app folder pinned to another SST version the app's own sources (copies,
    gitignored: esbuild would resolve symlinked sources against tests/e2e/app's packages)."""
    if app_dir == APP:
        return
    for name in APP_SOURCES:
        target = app_dir / name
        if target.is_dir():
            shutil.rmtree(target)
        if (APP / name).is_dir():
            shutil.copytree(APP / name, target)
        else:
            shutil.copy2(APP / name, target)


def clean_build_output(app_dir: Path = APP) -> None:
    """SST's build output (.sst/): each run starts from the sources alone."""
    shutil.rmtree(app_dir / ".sst", ignore_errors=True)


@contextmanager
def moto_server() -> Iterator[str]:
    """moto with the bridges, on a free port of 127.0.0.1; yields host:port."""
    port = moto.free_port()
    log = open(os.environ.get("E2E_MOTO_LOG") or os.devnull, "wb")
    proc = moto.start("127.0.0.1", port, command=[sys.executable, str(HERE / "moto_launcher.py")], log=log)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        moto.stop(proc)
        log.close()


def client(service: str, moto: str, region: str, **creds: str) -> Any:
    import boto3

    return boto3.client(service, endpoint_url=f"http://{moto}", region_name=region, **(creds or _ADMIN))


def create_deployer(moto: str, documents: list[dict[str, Any]], region: str) -> dict[str, str]:
    """The rendered deployer role in moto's IAM, and the credentials of a session of it,
    obtained by a developer user allowed nothing but ``sts:AssumeRole`` on it."""
    iam = client("iam", moto, region)
    user = iam.create_user(UserName="e2e-developer")["User"]
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": user["Arn"]}, "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName="sst-deployer-e2e", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    for i, doc in enumerate(documents):
        arn = iam.create_policy(PolicyName=f"sst-deployer-e2e-{i + 1}", PolicyDocument=json.dumps(doc))["Policy"]["Arn"]
        iam.attach_role_policy(RoleName="sst-deployer-e2e", PolicyArn=arn)
    iam.put_user_policy(UserName="e2e-developer", PolicyName="assume-deployer", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role["Arn"]}]}))
    key = iam.create_access_key(UserName="e2e-developer")["AccessKey"]
    sts = client("sts", moto, region, aws_access_key_id=key["AccessKeyId"],
                 aws_secret_access_key=key["SecretAccessKey"])
    creds = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="e2e")["Credentials"]
    return {"AWS_ACCESS_KEY_ID": creds["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
            "AWS_SESSION_TOKEN": creds["SessionToken"]}


@dataclass
class Phase:
    name: str
    args: list[str]
    returncode: int
    seconds: float
    output: str


@dataclass
class Session:
    moto: str
    proxy: str
    state: ProxyState
    settings: DeployerSettings
    region: str
    app_env: Mapping[str, str]  # E2E_* names for sst.config.ts
    credentials: Mapping[str, str]
    workdir: Path
    app_dir: Path = APP
    phases: list[Phase] = field(default_factory=list)

    @property
    def app(self) -> str:
        return self.app_env.get("E2E_APP", "e2eapp")

    def env(self) -> dict[str, str]:
        empty = self.workdir / "empty"
        empty.write_text("")
        keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR", "USER")}
        return {
            **keep, **self.app_env, **self.credentials,
            "AWS_REGION": self.region, "AWS_DEFAULT_REGION": self.region,
            "AWS_ENDPOINT_URL": self.proxy,
            "AWS_CONFIG_FILE": str(empty), "AWS_SHARED_CREDENTIALS_FILE": str(empty),
            "SST_TELEMETRY_DISABLED": "1", "CI": "1", "NO_COLOR": "1",
            "NODE_OPTIONS": f"--require {HERE / 'mqtt_bridge.cjs'}",
            "E2E_MQTT_REPORT": self.proxy + MQTT_PATH, "E2E_ACCOUNT": ACCOUNT,
        }

    def sst(self, phase: str, *args: str, timeout: float = 120, extra_env: Mapping[str, str] | None = None) -> Phase:
        """One SST CLI phase (``nice``d: the machine is shared), its calls recorded under ``phase``."""
        self.state.phase = phase
        started = time.monotonic()
        proc = subprocess.run(
            ["nice", "-n", "10", "node", str(self.app_dir / "node_modules" / "sst" / "cli" / "sst.js"), *args,
             "--stage", STAGE],
            cwd=self.app_dir, env={**self.env(), **(extra_env or {})}, capture_output=True, text=True, timeout=timeout,
            check=False,
        )
        result = Phase(phase, list(args), proc.returncode, time.monotonic() - started, proc.stdout + proc.stderr)
        self.phases.append(result)
        self.state.phase = "between"
        return result

    def records(self, phase: str | None = None, signer: str | None = "deployer") -> list[Recorded]:
        return [r for r in self.state.records
                if (phase is None or r.phase == phase) and (signer is None or r.signer == signer)]

    def write_stack_metadata(self) -> None:
        """Bridge for moto gap: in AWS, a Lambda of SST's bootstrap stack (support/
        bootstrap-metadata-function) is triggered by CloudFormation's EventBridge events and
        writes each stack's ``SSTMetadata`` output to ``stackMetadata/app.<app>/stage.<stage>/
        stack.<name>.json`` in the bootstrap bucket; moto emits no such events. Write it as
        that Lambda does (with setup credentials, straight to moto: not the deployer's call)."""
        cfn = client("cloudformation", self.moto, self.region)
        s3 = client("s3", self.moto, self.region)
        bucket = self.bootstrap_bucket()
        for stack in cfn.describe_stacks()["Stacks"]:
            out = {o["OutputKey"]: o.get("OutputValue") for o in stack.get("Outputs") or []}
            if "SSTMetadata" not in out:
                continue
            meta = json.loads(out["SSTMetadata"])
            s3.put_object(Bucket=bucket, Key=f"stackMetadata/app.{meta['app']}/stage.{meta['stage']}/"
                          f"stack.{stack['StackName']}.json", Body=json.dumps(meta["metadata"]).encode())

    def bootstrap_bucket(self) -> str:
        cfn = client("cloudformation", self.moto, self.region)
        name = self.app_env.get("E2E_BOOTSTRAP_STACK", "SSTBootstrap")
        stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs") or []}
        return outputs["BucketName"]


@contextmanager
def session(settings: DeployerSettings, region: str, app_env: Mapping[str, str], workdir: Path,
            enforce: bool = True, documents: list[dict[str, Any]] | None = None,
            app_dir: Path = APP) -> Iterator[Session]:
    """moto, the proxy and the deployer, ready for :meth:`Session.sst`. The deployer's
    documents are those rendered for ``settings`` unless ``documents`` are given."""
    documents = render(settings) if documents is None else documents
    with moto_server() as moto:
        state = ProxyState(moto=moto, account=ACCOUNT)
        with running(state) as proxy:
            creds = create_deployer(moto, documents, region)
            state.deployer_keys.add(creds["AWS_ACCESS_KEY_ID"])
            state.judge = Judge.of(documents)
            state.enforce = enforce
            prepare_app(app_dir)
            yield Session(moto, proxy, state, settings, region, dict(app_env), creds, workdir, app_dir)
