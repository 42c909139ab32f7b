"""The README's first command, ``python -m tools.local_up``: without the Pulumi CLI it
says what is missing and prints the role it would create; with a CLI (here a fake
``pulumi`` that records how it is called and really talks to the local AWS) it runs the
whole flow against moto and stops moto afterwards."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sst_deployer.render import render
from sst_deployer.settings import DeployerSettings
from sst_deployer.trust import TrustSettings, trust_document

ROOT = Path(__file__).resolve().parent.parent
TOOL = [sys.executable, "-m", "tools.local_up"]


def run_tool(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*TOOL, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def bare_env(tmp_path: Path, path: str) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {"PATH": path, "HOME": str(home), "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8"}


def sections(stdout: str) -> dict[str, Any]:
    """Each `== title ==` of the output, with the JSON document that follows it."""
    found: dict[str, Any] = {}
    decoder = json.JSONDecoder()
    for block in ("\n" + stdout).split("\n== ")[1:]:
        title, _, body = block.partition(" ==\n")
        body = body.lstrip()
        found[title] = decoder.raw_decode(body)[0] if body.startswith("{") else body
    return found


def test_without_the_pulumi_cli_it_says_what_is_missing_and_prints_the_role(tmp_path: Path) -> None:
    empty_path = tmp_path / "bin"
    empty_path.mkdir()
    state_existed = (ROOT / ".pulumi-state").exists()
    result = run_tool(env=bare_env(tmp_path, str(empty_path)))

    assert result.returncode == 3, result.stderr
    assert "the Pulumi CLI (`pulumi`) is not installed or not on PATH, so nothing was deployed" in result.stderr
    assert "curl -fsSL https://get.pulumi.com | sh" in result.stderr
    assert "https://www.pulumi.com/docs/install/" in result.stderr
    assert "Traceback" not in result.stderr
    # The role Pulumi.local.yaml asks for, computed here without the program.
    local = DeployerSettings(account="123456789012", regions=("us-east-1",))
    out = sections(result.stdout)
    assert out["trust policy (who may assume the role)"] == trust_document(TrustSettings(), "123456789012", "aws", None)
    policies = [v for k, v in out.items() if k.startswith("managed policy ")]
    assert policies == render(local)
    profile = out["~/.aws/config profile it would print"]
    assert profile.startswith("[profile local]\nrole_arn = arn:aws:iam::123456789012:role/sst-deployer-local-")
    assert "region = us-east-1" in profile
    assert (ROOT / ".pulumi-state").exists() == state_existed  # nothing deployed, nothing created


def test_a_stack_config_the_program_rejects_exits_2_with_its_message(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns("venv", ".git", ".pulumi-state", "tests",
                                                                  "__pycache__", "*.egg-info", "benchmarks"))
    local = project / "Pulumi.local.yaml"
    local.write_text(local.read_text().replace("- us-east-1", "- cn-north-1"))
    empty_path = tmp_path / "bin"
    empty_path.mkdir()
    result = run_tool("--project-dir", str(project), env=bare_env(tmp_path, str(empty_path)))
    assert result.returncode == 2
    assert "sst-deployer:regions: 'cn-north-1' is in partition aws-cn, not in aws" in result.stderr


FAKE_PULUMI = """\
#!{python}
# A stand-in for the Pulumi CLI: records how it is called, and does to the local AWS
# what `pulumi up` would (creates the role through the endpoint Pulumi.local.yaml names).
import json, os, sys, urllib.request
from pathlib import Path
import boto3, yaml

args = [a for a in sys.argv[1:] if a != "--non-interactive"]
endpoint = yaml.safe_load(Path("Pulumi.local.yaml").read_text())["config"]["aws:endpoints"][0]["iam"]
def local_aws_answers():
    try:
        urllib.request.urlopen(endpoint + "/moto-api/", timeout=2)
        return True
    except OSError:
        return False
entry = {{"argv": sys.argv[1:], "cwd": os.getcwd(), "backend": os.environ.get("PULUMI_BACKEND_URL"),
         "passphrase": os.environ.get("PULUMI_CONFIG_PASSPHRASE"), "local_aws": local_aws_answers()}}
with open(os.environ["FAKE_PULUMI_LOG"], "a") as log:
    log.write(json.dumps(entry) + "\\n")
state = Path(os.environ["PULUMI_BACKEND_URL"][len("file://"):])
stack = state / "stack-local.json"
if args[:2] == ["stack", "select"]:
    sys.exit(0 if stack.exists() else 255)
if args[:2] == ["stack", "init"]:
    stack.write_text("{{}}")
    sys.exit(0)
if args[0] == "up":
    if os.environ.get("FAKE_UP_FAILS"):
        sys.exit(255)
    if os.environ.get("FAKE_UP_WAITS"):  # until Ctrl-C, then a clean cancel that takes a while
        import signal, time
        caller = os.getppid()
        def cancel(*_):
            time.sleep(1)
            waited = os.getppid() == caller  # the tool is still there, waiting for this cancel
            with open(os.environ["FAKE_PULUMI_LOG"], "a") as log:
                log.write(json.dumps({{"argv": ["cancelled"], "waited": waited}}) + "\\n")
            sys.exit(255)
        signal.signal(signal.SIGINT, cancel)
        while True:
            time.sleep(0.1)
    iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    arn = iam.create_role(RoleName="sst-deployer-local-abc1234", AssumeRolePolicyDocument="{{}}")["Role"]["Arn"]
    stack.write_text(json.dumps({{"roleArn": arn}}))
    sys.exit(0)
if args[:3] == ["stack", "output", "--json"]:
    arn = json.loads(stack.read_text())["roleArn"]
    print(json.dumps({{"roleArn": arn, "roleName": arn.rsplit("/", 1)[1],
                      "awsConfigProfile": "[profile local]\\nrole_arn = " + arn + "\\n"}}))
    sys.exit(0)
sys.exit(f"fake pulumi: unexpected {{args}}")
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def fake_project(tmp_path: Path) -> dict[str, Any]:
    """A project whose local stack points at a free port, and a fake pulumi on PATH."""
    project = tmp_path / "project"
    project.mkdir()
    port = _free_port()
    shutil.copy(ROOT / "Pulumi.yaml", project)
    local = (ROOT / "Pulumi.local.yaml").read_text().replace("127.0.0.1:5000", f"127.0.0.1:{port}")
    assert f"127.0.0.1:{port}" in local
    (project / "Pulumi.local.yaml").write_text(local)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "pulumi"
    fake.write_text(FAKE_PULUMI.format(python=sys.executable))
    fake.chmod(0o755)
    log = tmp_path / "pulumi-calls.jsonl"
    env = bare_env(tmp_path, f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    env["FAKE_PULUMI_LOG"] = str(log)
    return {"project": project, "port": port, "env": env, "log": log, "bin": bin_dir}


def calls(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_with_the_cli_it_deploys_into_moto_with_a_project_local_backend(fake_project: dict[str, Any]) -> None:
    project, env = fake_project["project"], fake_project["env"]
    result = run_tool("--project-dir", str(project), env=env)
    assert result.returncode == 0, result.stderr

    made = calls(fake_project["log"])
    assert [c["argv"] for c in made] == [
        ["stack", "select", "local", "--non-interactive"],
        ["stack", "init", "local", "--non-interactive"],
        ["up", "--yes", "--refresh", "-s", "local", "--non-interactive"],
        ["stack", "output", "--json", "-s", "local", "--non-interactive"],
    ]
    for call in made:
        assert call["cwd"] == str(project)
        assert call["backend"] == f"file://{project}/.pulumi-state"  # no global login
        assert call["passphrase"]
        assert call["local_aws"], f"moto was not answering during {call['argv']}"
    assert not port_open(fake_project["port"]), "moto still running after the flow"

    out = sections(result.stdout)
    assert out["stack local outputs"]["roleArn"] == "arn:aws:iam::123456789012:role/sst-deployer-local-abc1234"
    assert out["~/.aws/config profile (then: AWS_PROFILE=<profile> npx sst deploy)"] == (
        "[profile local]\nrole_arn = arn:aws:iam::123456789012:role/sst-deployer-local-abc1234\n"
    )


def test_a_second_run_selects_the_stack_and_finds_the_cli_where_its_installer_puts_it(
    fake_project: dict[str, Any],
) -> None:
    project, env = fake_project["project"], fake_project["env"]
    assert run_tool("--project-dir", str(project), env=env).returncode == 0
    fake_project["log"].unlink()
    # Not on PATH, but in ~/.pulumi/bin, as right after `curl -fsSL https://get.pulumi.com | sh`.
    installed = Path(env["HOME"]) / ".pulumi" / "bin"
    installed.mkdir(parents=True)
    shutil.move(fake_project["bin"] / "pulumi", installed / "pulumi")
    # moto forgot the first role when it stopped, so the fake can create it again.
    result = run_tool("--project-dir", str(project), env=env)
    assert result.returncode == 0, result.stderr
    assert [c["argv"][:2] for c in calls(fake_project["log"])] == [
        ["stack", "select"], ["up", "--yes"], ["stack", "output"],
    ]


def test_a_failed_up_exits_1_naming_the_step_and_still_stops_moto(fake_project: dict[str, Any]) -> None:
    env = dict(fake_project["env"], FAKE_UP_FAILS="1")
    result = run_tool("--project-dir", str(fake_project["project"]), env=env)
    assert result.returncode == 1
    assert "`pulumi up --yes --refresh -s local` failed (exit 255)" in result.stderr
    assert [c["argv"][0] for c in calls(fake_project["log"])][-1] == "up"
    assert not port_open(fake_project["port"])


def test_a_busy_port_is_reported_before_anything_runs(fake_project: dict[str, Any]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", fake_project["port"]))
        busy.listen()
        result = run_tool("--project-dir", str(fake_project["project"]), env=fake_project["env"])
    assert result.returncode == 1
    assert f"127.0.0.1:{fake_project['port']} is already in use" in result.stderr
    assert calls(fake_project["log"]) == []


def test_the_help_states_the_exit_statuses() -> None:
    result = subprocess.run([*TOOL, "--help"], cwd=ROOT, capture_output=True, text=True)
    text = " ".join(result.stdout.split())
    assert result.returncode == 0
    assert "3 Pulumi CLI missing" in text and "1 a step failed" in text


def test_ctrl_c_lets_pulumi_cancel_cleanly_then_stops_moto_and_exits_130(fake_project: dict[str, Any]) -> None:
    env = dict(fake_project["env"], FAKE_UP_WAITS="1")
    proc = subprocess.Popen([*TOOL, "--project-dir", str(fake_project["project"])], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not any(c["argv"][0] == "up" for c in calls(fake_project["log"])):
            assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
            time.sleep(0.1)
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole group
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, stderr
    last = calls(fake_project["log"])[-1]
    assert last["argv"] == ["cancelled"] and last["waited"], "the tool did not wait for pulumi to cancel"
    assert not port_open(fake_project["port"]) and "Traceback" not in stderr
