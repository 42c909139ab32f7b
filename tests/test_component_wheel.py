"""The component's wheel builds from a clean checkout and works in a fresh venv holding only
its declared dependencies: ``sst-deployer`` (the pack's core, its wheel built from the same
checkout), ``pulumi`` and ``pulumi-aws`` from the package index.

Cost: the slowest test of the suite. Building both wheels (pip's build isolation fetches
setuptools) takes ~25 s; the fresh venv's install, ~360 MB with pulumi-aws, took 2 min 40 s
on this 2-core machine with an empty pip cache (``--no-compile`` saves the bytecode pass).
It needs the package index, as CI has; without it the install fails and so does the test.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from component_host import fake_engine, start_provider
from harness import ROOT

from sst_deployer_component.about import DISTRIBUTION, IMPORT_NAME, __version__

PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check"]


def clean_checkout(target: Path) -> Path:
    """What a clone holds: the files git tracks (or would, once added), nothing ignored
    (no venv/, *.egg-info, build/)."""
    if not (ROOT / ".git").exists():  # CI's workspace is a copy of a clean checkout without .git (.ci/run)
        shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns(
            "venv", ".venv", "node_modules", ".npm-cache", "__pycache__", "*.egg-info", "build", ".pulumi-state",
            ".hypothesis", ".*_cache"))
        return target
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the component installed from its wheel; its python."""
    base = tmp_path_factory.mktemp("wheel")
    checkout = clean_checkout(base / "checkout")
    wheels = base / "wheels"
    subprocess.run([*PIP, "wheel", "-q", "--no-deps", "-w", str(wheels), str(checkout / "policy_pack"),
                    str(checkout / "components")], check=True, cwd=base)
    env_dir = base / "venv"
    venv.create(env_dir, with_pip=True, clear=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "--disable-pip-version-check", "install", "-q", "--no-compile",
                    "--find-links", str(wheels), DISTRIBUTION], check=True, cwd=base)
    return python


def test_the_wheel_holds_the_package_and_declares_its_dependencies(installed: Path) -> None:
    out = subprocess.run([str(installed), "-c",
                          "import json, importlib.metadata as m; d = m.distribution('" + DISTRIBUTION + "'); "
                          "print(json.dumps([d.version, sorted(d.requires or []), "
                          "sorted({f.parts[0] for f in d.files or []})]))"],
                         check=True, capture_output=True, text=True, cwd=installed.parent).stdout
    version, requires, tops = json.loads(out)
    assert version == __version__
    assert requires == sorted([f"sst-deployer=={__version__}", "pulumi<4,>=3.272", "pulumi-aws<8,>=7.51"])
    assert IMPORT_NAME in tops


def test_the_fresh_venv_has_only_the_declared_closure_and_pip_check_passes(installed: Path) -> None:
    subprocess.run([str(installed), "-m", "pip", "check"], check=True, capture_output=True)
    names = {re.sub(r"[-_.]+", "-", line.split("==")[0]).lower() for line in subprocess.run(
        [str(installed), "-m", "pip", "freeze"], check=True, capture_output=True, text=True).stdout.split()}
    assert {"sst-deployer", "sst-deployer-component", "pulumi", "pulumi-aws"} <= names
    assert not names & {"pytest", "moto", "hypothesis", "boto3", "pulumi-policy", "jsonschema"}


def test_the_installed_package_imports_and_serves_the_committed_schema(installed: Path, tmp_path: Path) -> None:
    """Run away from the checkout, so nothing of this repository can be imported by accident."""
    out = subprocess.run([str(installed), "-c", "import sst_deployer_component as c, sst_deployer; "
                          "print(c.__file__, sst_deployer.__file__, c.DeployerRole.__name__)"],
                         check=True, capture_output=True, text=True, cwd=tmp_path).stdout
    assert str(ROOT) not in out and "site-packages" in out
    with fake_engine() as engine, start_provider(engine.address, plugin_dir=tmp_path, python=str(installed),
                                                 module=f"{IMPORT_NAME}.provider") as provider:
        assert provider.get_schema() == json.loads((ROOT / "schema.json").read_text())
