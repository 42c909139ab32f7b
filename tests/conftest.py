"""Shared fixtures: example stacks run under mocks, a moto IAM server, the served pack."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from analyzer import Analyzer, serve  # noqa: E402
from harness import Stack, run_program, stack_config  # noqa: E402

from tools import local_aws as moto  # noqa: E402

EXAMPLES = ("dev", "staging", "production")
PAGE = json.loads((Path(__file__).parent / "fixtures" / "sst_iam_page.json").read_text())


def as_engine(stack: Stack) -> list[dict[str, Any]]:
    """A captured stack as AnalyzeStack resources (plain dicts, safe to tamper with)."""
    return json.loads(json.dumps([dataclasses.asdict(r) for r in stack.resources]))


@pytest.fixture(scope="session")
def example_stacks() -> dict[str, Stack]:
    return {name: run_program(stack_config(name), stack=name) for name in EXAMPLES}


@pytest.fixture(scope="session")
def example_previews() -> dict[str, Stack]:
    return {name: run_program(stack_config(name), stack=name, preview=True) for name in EXAMPLES}


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """moto in server mode on 127.0.0.1: the AWS IAM API for these tests."""
    port = moto.free_port()
    proc = moto.start("127.0.0.1", port)
    yield f"http://127.0.0.1:{port}"
    moto.stop(proc)


@pytest.fixture
def iam(moto_endpoint: str) -> Any:
    import boto3

    requests_reset = urllib.request.Request(moto_endpoint + "/moto-api/reset", method="POST")
    urllib.request.urlopen(requests_reset, timeout=10)
    return boto3.client("iam", endpoint_url=moto_endpoint, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture(scope="session")
def standalone_pack_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of policy_pack/ alone, as `pulumi policy publish` uploads it."""
    target = tmp_path_factory.mktemp("published") / "policy_pack"
    shutil.copytree(ROOT / "policy_pack", target,
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "venv"))
    return target


@pytest.fixture(scope="session")
def pack(standalone_pack_dir: Path) -> Iterator[Analyzer]:
    """The pack served from its standalone copy, configured with the schema defaults.

    PYTHONPATH is cleared and the installed sst_deployer is hidden by running from the
    copy, so nothing outside the folder can be imported by accident."""
    env = {"PYTHONPATH": "", "PYTHONSAFEPATH": ""}
    with serve(standalone_pack_dir, stack="dev", env=env) as analyzer:
        analyzer.configure()
        yield analyzer
