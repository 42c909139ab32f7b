"""``python -m tools.local_up``: the deployer role of stack ``local``, deployed into a
local AWS, with nothing but this repository, its venv and the Pulumi CLI.

1. moto, in server mode, stands in for IAM and STS on the address ``Pulumi.local.yaml``
   points the AWS provider at (``aws:endpoints``);
2. Pulumi keeps its state inside the project (``PULUMI_BACKEND_URL=file://<project>/.pulumi-state``)
   under a fixed local passphrase (``PULUMI_CONFIG_PASSPHRASE``): no ``pulumi login``, no account;
3. stack ``local`` is selected, or created if missing; ``pulumi up --yes --refresh -s local``
   (``--refresh``: moto forgets everything when it stops, the state file does not);
4. the stack's outputs and the ``~/.aws/config`` profile are printed, and moto is stopped.

Without the Pulumi CLI it says what is missing and how to install it, prints the role
``pulumi up`` would create (the program itself, run under Pulumi's mock engine with the
``local`` stack's config), and exits 3.

Exit status: 0 deployed; 1 a step failed (named on stderr); 2 bad usage or stack config;
3 the Pulumi CLI is missing (nothing deployed, the role printed); 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

import yaml

from tools import local_aws as moto

ROOT: Final = Path(__file__).resolve().parent.parent
STACK: Final = "local"
STATE_DIR: Final = ".pulumi-state"
# Protects nothing secret: the local stack holds moto's test keys only.
PASSPHRASE: Final = "sst-deployer-local"
INSTALL_URL: Final = "https://www.pulumi.com/docs/install/"
INSTALL_COMMAND: Final = "curl -fsSL https://get.pulumi.com | sh"

EXIT_FAILED: Final = 1
EXIT_USAGE: Final = 2
EXIT_NO_PULUMI: Final = 3
EXIT_INTERRUPTED: Final = 130


class StepFailed(Exception):
    """A step of the flow failed; the message says which and what to do."""


class ConfigRejected(Exception):
    """The program refused the stack's config; the message is the program's."""


def find_pulumi() -> str | None:
    """The Pulumi CLI on PATH, or where its installer puts it (~/.pulumi/bin)."""
    found = shutil.which("pulumi")
    if found:
        return found
    installed = Path.home() / ".pulumi" / "bin" / "pulumi"
    return str(installed) if os.access(installed, os.X_OK) else None


def moto_endpoint(project: Path) -> tuple[str, int]:
    """Host and port of the IAM endpoint the local stack's AWS provider uses."""
    config = (yaml.safe_load((project / f"Pulumi.{STACK}.yaml").read_text()) or {}).get("config") or {}
    endpoints = config.get("aws:endpoints") or [{}]
    url = urlsplit(str(endpoints[0].get("iam", "")))
    if url.hostname not in ("127.0.0.1", "localhost") or url.port is None:
        raise StepFailed(f"Pulumi.{STACK}.yaml: aws:endpoints[0].iam should be http://127.0.0.1:<port>, "
                         f"not {url.geturl()!r}")
    return url.hostname, url.port


def pulumi_env(project: Path) -> dict[str, str]:
    """The environment every pulumi command of this flow runs in."""
    env = dict(os.environ)
    env.pop("PULUMI_CONFIG_PASSPHRASE_FILE", None)
    env.update(
        PULUMI_BACKEND_URL="file://" + (project / STATE_DIR).as_posix(),
        PULUMI_CONFIG_PASSPHRASE=PASSPHRASE,
        PULUMI_SKIP_UPDATE_CHECK="true",
    )
    return env


def _port_in_use(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((host, port)) == 0


def start_moto(host: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    if _port_in_use(host, port):
        raise StepFailed(
            f"{host}:{port} is already in use, and Pulumi.{STACK}.yaml points the AWS provider there. "
            "Stop what listens on it (on macOS, System Settings > AirDrop & Handoff > AirPlay Receiver "
            f"uses port 5000), or change the port in Pulumi.{STACK}.yaml's aws:endpoints."
        )
    with log.open("wb") as out:
        try:
            return moto.start(host, port, log=out)
        except moto.MotoDidNotStart:
            raise StepFailed(f"moto did not start on {host}:{port}; its log: {log}") from None


stop = moto.stop


def _pulumi(pulumi: str, project: Path, env: dict[str, str], *args: str, capture: bool = False,
            check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run one pulumi command in the project; ``check=False`` also keeps its stderr quiet
    (a missing stack is expected, not an error to show)."""
    argv = [pulumi, *args, "--non-interactive"]
    proc = subprocess.Popen(argv, cwd=project, env=env, text=True, stdout=subprocess.PIPE if capture else None,
                            stderr=None if check else subprocess.DEVNULL)
    try:
        out, _ = proc.communicate()
    except KeyboardInterrupt:
        # Ctrl-C reached pulumi too (same process group): let it cancel and save its state.
        proc.wait()
        raise
    if check and proc.returncode != 0:
        raise StepFailed(f"`pulumi {' '.join(args)}` failed (exit {proc.returncode}); see its output above")
    return subprocess.CompletedProcess(argv, proc.returncode, out)


def deploy(pulumi: str, project: Path) -> dict[str, Any]:
    """Steps 1-4; returns the stack's outputs. moto is stopped whatever happens."""
    host, port = moto_endpoint(project)
    state = project / STATE_DIR
    state.mkdir(exist_ok=True)
    env = pulumi_env(project)
    print(f"local AWS: moto on {host}:{port} (log: {state / 'moto.log'})", file=sys.stderr)
    moto = start_moto(host, port, state / "moto.log")
    try:
        if _pulumi(pulumi, project, env, "stack", "select", STACK, check=False).returncode != 0:
            print(f"stack {STACK!r} does not exist yet: creating it", file=sys.stderr)
            _pulumi(pulumi, project, env, "stack", "init", STACK)
        _pulumi(pulumi, project, env, "up", "--yes", "--refresh", "-s", STACK)
        out = _pulumi(pulumi, project, env, "stack", "output", "--json", "-s", STACK, capture=True).stdout
        try:
            outputs: dict[str, Any] = json.loads(out)
        except ValueError:
            raise StepFailed(f"`pulumi stack output --json` printed no JSON: {out[:200]!r}") from None
        return outputs
    finally:
        stop(moto)
        print("local AWS stopped: the role is gone with it; run this again to recreate it", file=sys.stderr)


def print_outputs(outputs: dict[str, Any]) -> None:
    print(f"== stack {STACK} outputs ==")
    print(json.dumps({k: v for k, v in outputs.items() if k != "awsConfigProfile"}, indent=2))
    print("\n== ~/.aws/config profile (then: AWS_PROFILE=<profile> npx sst deploy) ==")
    print(str(outputs.get("awsConfigProfile", "")).rstrip())


def print_plan(project: Path) -> None:
    """The role `pulumi up -s local` would create: the program under the mock engine."""
    import pulumi
    from sst_deployer.render import MANAGED_POLICY_MAX_CHARS, policy_size

    from tools.mock_run import plan

    try:
        result = plan(STACK, root=project)
    except pulumi.RunError as exc:
        raise ConfigRejected(str(exc)) from None
    (role,) = result.of_type("aws:iam/role:Role")
    policies = result.of_type("aws:iam/policy:Policy")
    outputs = result.outputs.get("sst:aws:DeployerRole", {})
    print(f"== what `pulumi up -s {STACK}` would create (the program under Pulumi's mock engine, "
          f"Pulumi.{STACK}.yaml) ==")
    name = role.inputs.get("name") or f"{role.name}-XXXXXXX (Pulumi adds the random suffix)"
    print(f"role: {name}, path {role.inputs.get('path', '/')}, "
          f"max session {int(role.inputs.get('maxSessionDuration', 3600))} s")
    print(f"description: {role.inputs.get('description')}")
    print(f"tags: {json.dumps(role.inputs.get('tags', {}), sort_keys=True)}")
    print("\n== trust policy (who may assume the role) ==")
    print(json.dumps(json.loads(role.inputs["assumeRolePolicy"]), indent=2))
    for n, policy in enumerate(policies, start=1):
        text = policy.inputs["policy"]
        print(f"\n== managed policy {n} of {len(policies)}: {policy.name} "
              f"({policy_size(text)} of {MANAGED_POLICY_MAX_CHARS} characters) ==")
        print(json.dumps(json.loads(text), indent=2))
    if "awsConfigProfile" in outputs:
        print("\n== ~/.aws/config profile it would print ==")
        print(str(outputs["awsConfigProfile"]).rstrip())


def _missing_pulumi_message() -> str:
    return (
        "error: the Pulumi CLI (`pulumi`) is not installed or not on PATH, so nothing was deployed.\n"
        f"  install it:  {INSTALL_COMMAND}\n"
        "               (then open a new shell, or add ~/.pulumi/bin to PATH)\n"
        f"  other ways:  {INSTALL_URL}\n"
        "  then run the same command again: it needs no Pulumi account and no AWS account\n"
        f"  (state in ./{STATE_DIR}, IAM from moto on 127.0.0.1).\n"
        "Below, on stdout: the role it would create."
    )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m tools.local_up",
        description=f"Deploy stack {STACK!r}'s deployer role into moto on 127.0.0.1 with a project-local "
                    "Pulumi backend, print its outputs and ~/.aws/config profile, stop moto.",
        epilog="exit status: 0 deployed; 1 a step failed; 2 bad usage or config; 3 Pulumi CLI missing "
               "(the role it would create is printed); 130 interrupted",
    )
    p.add_argument("--project-dir", type=Path, default=ROOT, help="the Pulumi project (default: this one)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    project = args.project_dir.resolve()
    try:
        pulumi = find_pulumi()
        if pulumi is None:
            print(_missing_pulumi_message(), file=sys.stderr)
            try:
                print_plan(project)
            except ConfigRejected as exc:
                print(f"error: the program rejects Pulumi.{STACK}.yaml: {exc}", file=sys.stderr)
                return EXIT_USAGE
            return EXIT_NO_PULUMI
        print_outputs(deploy(pulumi, project))
        return 0
    except StepFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
