"""``sst-deployer render`` behaves like a good Unix tool: one JSON value on stdout,
errors that name the flag at fault, defaults in ``--help``, quiet pipes and Ctrl-C."""

from __future__ import annotations

import fcntl
import importlib.metadata
import json
import os
import shlex
import signal
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from sst_deployer.cli import EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, parser
from sst_deployer.iam import evaluate, parse_document
from sst_deployer.partitions import REGIONS
from sst_deployer.permissions import requirements
from sst_deployer.render import MANAGED_POLICY_MAX_CHARS, policy_size, to_json
from sst_deployer.settings import DEFAULT_SST_VERSION, FEATURES, DeployerSettings
from sst_deployer.version import __version__

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "112233445566"
MODULE = [sys.executable, "-m", "sst_deployer"]
EVERY_AWS_REGION = [a for r in REGIONS["aws"] for a in ("--region", r)]


def render(*argv: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*MODULE, "render", *argv], capture_output=True, text=True, **kw)  # type: ignore[call-overload]


def grants_everything(settings: DeployerSettings, docs: list[dict]) -> bool:
    parsed = [parse_document(to_json(d), f"p{n}") for n, d in enumerate(docs)]
    return all(evaluate(r, parsed).granted for r in requirements(settings))


def test_stdout_is_one_json_array_of_documents_that_grant_what_sst_needs() -> None:
    result = render("--account", "999988887777", "--region", "eu-central-1", "--qualifier", "custom1")
    assert result.returncode == 0, result.stderr
    docs = json.loads(result.stdout)
    assert isinstance(docs, list) and len(docs) == 1
    expected = DeployerSettings(account="999988887777", regions=("eu-central-1",), qualifier="custom1")
    assert grants_everything(expected, docs)


def test_several_managed_policies_are_still_one_json_value() -> None:
    result = render("--account", ACCOUNT, *EVERY_AWS_REGION)
    assert result.returncode == 0, result.stderr
    docs = json.loads(result.stdout)  # would fail on documents printed back to back
    assert len(docs) == 4
    assert all(policy_size(to_json(d)) <= MANAGED_POLICY_MAX_CHARS for d in docs)
    assert grants_everything(DeployerSettings(account=ACCOUNT, regions=REGIONS["aws"]), docs)
    assert "4 managed policies" in result.stderr


def test_compact_output_is_one_line_with_the_same_documents() -> None:
    pretty = json.loads(render("--account", ACCOUNT, *EVERY_AWS_REGION).stdout)
    compact = render("--account", ACCOUNT, *EVERY_AWS_REGION, "--compact").stdout
    assert compact.count("\n") == 1 and json.loads(compact) == pretty


def test_out_dir_writes_one_file_per_policy_and_prints_their_paths(tmp_path: Path) -> None:
    out = tmp_path / "policies"
    out.mkdir()
    (out / "policy-9.json").write_text("{}")  # left by an earlier, bigger render
    (out / "notes.txt").write_text("mine")
    result = render("--account", ACCOUNT, *EVERY_AWS_REGION, "--out-dir", str(out))
    assert result.returncode == 0, result.stderr
    paths = [Path(line) for line in result.stdout.splitlines()]
    assert [p.name for p in paths] == [f"policy-{n}.json" for n in range(1, 5)]
    docs = [json.loads(p.read_text()) for p in paths]
    assert docs == json.loads(render("--account", ACCOUNT, *EVERY_AWS_REGION).stdout)
    assert not (out / "policy-9.json").exists() and (out / "notes.txt").read_text() == "mine"


def test_console_script_is_installed_and_is_the_same_command() -> None:
    (entry,) = importlib.metadata.entry_points(group="console_scripts", name="sst-deployer")
    assert entry.value == "sst_deployer.cli:main"
    script = Path(sys.executable).parent / "sst-deployer"
    assert script.exists(), "reinstall the package: pip install -e ./policy_pack"
    argv = ["render", "--account", ACCOUNT, "--region", "us-west-2", "--compact"]
    by_script = subprocess.run([str(script), *argv], capture_output=True, text=True, check=True)
    by_module = subprocess.run([*MODULE, *argv], capture_output=True, text=True, check=True)
    assert by_script.stdout == by_module.stdout


def test_light_install_needs_nothing_but_the_pure_package() -> None:
    """`pip install ./policy_pack` alone: no site-packages, no Pulumi, still renders."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); from sst_deployer.cli import main; "
        "status = main(['render', '--account', '112233445566', '--region', 'us-east-1', '--compact']); "
        "assert not [m for m in sys.modules if m.split('.')[0] in ('pulumi', 'pulumi_policy', 'yaml')]; "
        "sys.exit(status)"
    )
    result = subprocess.run([sys.executable, "-S", "-I", "-c", code, str(ROOT / "policy_pack")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 1
    pyproject = (ROOT / "policy_pack" / "pyproject.toml").read_text()
    assert "dependencies = []" in pyproject and 'sst-deployer = "sst_deployer.cli:main"' in pyproject


def test_help_shows_defaults_features_and_an_example_that_parses() -> None:
    text = render("--help").stdout
    words = " ".join(text.split())  # argparse wraps help to the terminal's width
    for default in ("hnb659fds", "CDKToolkit", "SSTBootstrap", "sstbootstrap-", "/sst/", DEFAULT_SST_VERSION):
        assert f"default: {default})" in words, default
    on = ", ".join(f for f, enabled in FEATURES.items() if enabled)
    off = ", ".join(f for f, enabled in FEATURES.items() if not enabled)
    assert f"default on: {on};" in words and f"default off: {off})" in words
    example = text.split("example:\n", 1)[1].replace("\\\n", " ")
    argv = shlex.split(example)
    assert argv[:2] == ["sst-deployer", "render"]
    args = parser().parse_args(argv[1:])
    assert args.regions == ["us-east-1", "eu-west-1"] and args.out_dir is not None


def test_version_is_the_package_version() -> None:
    result = subprocess.run([*MODULE, "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == f"python -m sst_deployer {__version__}"
    assert importlib.metadata.version("sst-deployer") == __version__


@pytest.mark.parametrize("feature", list(FEATURES))
def test_enabling_and_disabling_the_same_feature_is_a_usage_error(feature: str) -> None:
    result = render("--account", ACCOUNT, "--region", "us-east-1", "--enable", feature, "--disable", feature)
    assert result.returncode == 2 and result.stdout == ""
    assert f"--enable {feature} and --disable {feature}" in result.stderr


@pytest.mark.parametrize("argv, message", [
    (["--account", "12", "--region", "us-east-1"], "--account: '12' is not a 12-digit AWS account id"),
    (["--account", ACCOUNT, "--region", "atlantis-1"], "--region: unknown region 'atlantis-1'"),
    (["--account", ACCOUNT, "--region", "us-east-1", "--qualifier", "x" * 11], "--qualifier:"),
    (["--account", ACCOUNT, "--region", "us-east-1", "--partition", "aws-cn"],
     "--region: 'us-east-1' is in partition aws, not in aws-cn"),
    (["--account", ACCOUNT, "--region", "us-east-1", "--ssm-prefix", "sst"], "--ssm-prefix: 'sst'"),
    (["--account", ACCOUNT, "--region", "us-east-1", "--sst-version", "3.0"], "--sst-version: '3.0'"),
    (["--account", ACCOUNT, "--region", "us-east-1", "--max-policies", "21"], "--max-policies: '21'"),
])
def test_bad_input_names_the_flag_and_exits_2(argv: list[str], message: str) -> None:
    result = render(*argv)
    assert result.returncode == 2 and message in result.stderr and result.stdout == ""
    assert "Traceback" not in result.stderr


def test_quota_error_blames_long_names_when_default_names_would_fit() -> None:
    three = ["--region", "us-east-1", "--region", "eu-west-1", "--region", "us-west-2"]
    long_prefix = "/" + "team-platform-secrets" * 48 + "/"
    result = render("--account", ACCOUNT, *three, "--ssm-prefix", long_prefix, "--max-policies", "1")
    assert result.returncode == 2 and result.stdout == ""
    err = result.stderr
    assert "--region: 3 regions (eu-west-1, us-east-1, us-west-2) need 2 managed policies" in err
    assert "the names, not the number of regions" in err and "--ssm-prefix" in err
    assert "with the default names the same regions fit in 1 policy" in err
    # The claim is true: the same regions with the default prefix do fit.
    assert render("--account", ACCOUNT, *three, "--max-policies", "1").returncode == 0


def test_quota_error_blames_the_regions_when_default_names_would_not_fit_either() -> None:
    result = render("--account", ACCOUNT, *EVERY_AWS_REGION, "--ssm-prefix", "/apps/", "--max-policies", "3")
    assert result.returncode == 2
    err = result.stderr
    assert f"--region: {len(REGIONS['aws'])} regions ({', '.join(REGIONS['aws'])}) need 4 managed policies" in err
    assert "cause: the number of regions: even with the default names instead of --ssm-prefix '/apps/'" in err
    plain = render("--account", ACCOUNT, *EVERY_AWS_REGION, "--max-policies", "3")
    assert plain.returncode == 2 and "cause: the number of regions" in plain.stderr


def test_a_closed_stdout_ends_quietly_with_status_141() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written, as with `| head -0`
    try:
        result = subprocess.run([*MODULE, "render", "--account", ACCOUNT, *EVERY_AWS_REGION],
                                stdout=write_end, stderr=subprocess.PIPE, text=True)
    finally:
        os.close(write_end)
    assert result.returncode == EXIT_BROKEN_PIPE == 141
    assert result.stderr.startswith("# 4 managed policies") or result.stderr == ""
    assert "Traceback" not in result.stderr and "BrokenPipeError" not in result.stderr


def test_head_in_a_shell_pipeline_gets_the_first_line_and_no_traceback() -> None:
    command = f"{shlex.join([*MODULE, 'render', '--account', ACCOUNT, *EVERY_AWS_REGION])} | head -1"
    result = subprocess.run(["bash", "-c", command + "; exit ${PIPESTATUS[0]}"], capture_output=True, text=True)
    assert result.stdout == "[\n"
    assert result.returncode in (0, EXIT_BROKEN_PIPE)  # 0 when all of it fitted in the pipe first
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(not hasattr(fcntl, "F_SETPIPE_SZ"), reason="needs Linux pipe sizes")
def test_ctrl_c_while_writing_ends_quietly_with_status_130() -> None:
    read_end, write_end = os.pipe()
    size = fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)
    proc = subprocess.Popen([*MODULE, "render", "--account", ACCOUNT, *EVERY_AWS_REGION],
                            stdout=write_end, stderr=subprocess.PIPE, text=True)
    os.close(write_end)
    try:
        deadline = time.monotonic() + 30
        buffered = bytearray(4)
        while True:  # until the pipe is full: the command is blocked writing its output
            fcntl.ioctl(read_end, termios.FIONREAD, buffered)
            if int.from_bytes(buffered, sys.byteorder) >= size or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=30)
    finally:
        os.close(read_end)
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == EXIT_INTERRUPTED == 130
    assert stderr == ""


@pytest.mark.parametrize("version", ["2.49.0", "2.49.2", "2.49.3"])
def test_sst_versions_no_least_privilege_role_can_serve_are_refused(version: str) -> None:
    result = render("--account", ACCOUNT, "--region", "us-east-1", "--sst-version", version)
    assert result.returncode == 2 and result.stdout == ""
    assert f"--sst-version: {version} cannot deploy with a least-privilege role" in result.stderr
    assert "2.49.4" in result.stderr and "Traceback" not in result.stderr


def test_file_assets_bucket_name_flag_names_the_bucket_the_role_reads() -> None:
    result = render("--account", ACCOUNT, "--region", "us-east-1", "--file-assets-bucket-name", "acme-assets")
    assert result.returncode == 0, result.stderr
    settings = DeployerSettings(account=ACCOUNT, regions=("us-east-1",), file_assets_bucket_name="acme-assets")
    docs = json.loads(result.stdout)
    assert grants_everything(settings, docs) and "arn:aws:s3:::acme-assets" in result.stdout
    bad = render("--account", ACCOUNT, "--region", "us-east-1", "--file-assets-bucket-name", "Acme_Assets")
    assert bad.returncode == 2 and "--file-assets-bucket-name: 'Acme_Assets'" in bad.stderr


def test_an_unwritable_out_dir_is_named_and_exits_1(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "policies"
    not_a_dir.write_text("a file")
    result = render("--account", ACCOUNT, "--region", "us-east-1", "--out-dir", str(not_a_dir))
    assert result.returncode == 1 and result.stdout == ""
    assert f"--out-dir: cannot write {not_a_dir}" in result.stderr and "Traceback" not in result.stderr


def test_policy_profile_flag_renders_the_strict_profile_exactly_as_the_library_does() -> None:
    from sst_deployer.render import render as render_library

    result = render("--account", ACCOUNT, "--region", "eu-west-1", "--policy-profile", "strict")
    assert result.returncode == 0, result.stderr
    strict = DeployerSettings(account=ACCOUNT, regions=("eu-west-1",), policy_profile="strict")
    assert json.loads(result.stdout) == render_library(strict)
    page = render("--account", ACCOUNT, "--region", "eu-west-1")
    assert json.loads(page.stdout) != json.loads(result.stdout)
    bad = render("--account", ACCOUNT, "--region", "eu-west-1", "--policy-profile", "lax")
    assert bad.returncode == 2 and "--policy-profile" in bad.stderr
