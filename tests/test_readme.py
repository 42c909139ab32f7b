"""Every command README.md shows still works as written: each bash block parses, each
command of this project parses its flags, each file and module it names exists, and
each `pulumi` command uses subcommands and flags the Pulumi CLI has (checked against its
reference, https://www.pulumi.com/docs/iac/cli/commands/, since the CLI is not here)."""

from __future__ import annotations

import importlib.util
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sst_deployer.cli import EXIT_BROKEN_PIPE, EXIT_INTERRUPTED
from sst_deployer.cli import parser as render_parser

from sst_deployer_component.config import KEYS
from tools import local_up

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"```bash\n(.*?)```", README, re.S)
OPERATORS = {"&&", "||", ";", "|", "&", "(", ")"}
VENV_BIN = Path(sys.executable).parent

# Subcommand -> (flags without a value, flags taking a value, positional arguments allowed).
PULUMI: dict[tuple[str, ...], tuple[set[str], set[str], range]] = {
    ("login",): ({"--local"}, set(), range(0, 2)),
    ("stack", "init"): ({"--non-interactive"}, {"-s", "--stack"}, range(0, 2)),
    ("stack", "select"): ({"--non-interactive", "-c", "--create"}, {"-s", "--stack"}, range(0, 2)),
    ("stack", "output"): ({"--json", "--show-secrets", "--non-interactive"}, {"-s", "--stack"}, range(0, 2)),
    ("up",): ({"--yes", "-y", "--refresh", "-r", "--skip-preview", "--non-interactive"},
              {"-s", "--stack", "--policy-pack", "--policy-pack-config"}, range(0, 1)),
    ("preview",): ({"--refresh", "-r", "--non-interactive"},
                   {"-s", "--stack", "--policy-pack", "--policy-pack-config"}, range(0, 1)),
    ("policy", "publish"): (set(), set(), range(0, 2)),
    ("policy", "enable"): ({"--latest"}, {"--policy-group", "--config"}, range(2, 3)),
    ("package", "add"): (set(), set(), range(1, 3)),  # <provider: a Git URL, path or name> [parameter]
}


def commands() -> list[list[str]]:
    """Every simple command of every bash block, as argv, without leading VAR=value."""
    found = []
    for line in (line for block in BLOCKS for line in block.replace("\\\n", " ").splitlines()):
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        lexer.commenters = "#"
        argv: list[str] = []
        redirect = False
        for token in [*lexer, ";"]:
            if redirect:  # a redirection's target is no argument
                redirect = False
            elif token in OPERATORS:
                while argv and re.fullmatch(r"[A-Z_]+=.*", argv[0]):
                    argv.pop(0)
                if argv:
                    found.append(argv)
                argv = []
            elif token.startswith((">", "<")):
                redirect = True
            else:
                argv.append(token)
    return found


def lines(block: str) -> list[str]:
    return [line for line in block.replace("\\\n", " ").splitlines() if line.strip() and not line.startswith("#")]


def test_the_readme_starts_with_exactly_two_commands() -> None:
    assert README.startswith("# sst-deployer\n\n```bash\n")
    first, second = lines(BLOCKS[0])
    assert first.split("#")[0].strip().endswith("venv/bin/python -m tools.local_up")
    assert first.startswith("python3 -m venv venv && venv/bin/pip install -r requirements-dev.txt")
    assert second.split("#")[0].strip() == "venv/bin/python -m pytest"


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{n}" for n in range(len(BLOCKS))])
def test_every_bash_block_is_valid_bash(block: str) -> None:
    result = subprocess.run(["bash", "-n"], input=block, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def _parse(parser_: object, args: list[str]) -> None:
    try:
        parser_.parse_args(args)  # type: ignore[attr-defined]
    except SystemExit as exc:
        assert exc.code == 0, f"does not parse: {args}"


def check_pulumi(args: list[str]) -> None:
    key = next((k for k in sorted(PULUMI, key=len, reverse=True) if tuple(args[: len(k)]) == k), None)
    assert key is not None, f"pulumi {' '.join(args)}: not a subcommand this README is known to use"
    bare, valued, positional = PULUMI[key]
    rest, positionals = args[len(key):], []
    while rest:
        arg = rest.pop(0)
        if arg in valued:
            value = rest.pop(0)
            if arg in ("-s", "--stack"):
                assert (ROOT / f"Pulumi.{value}.yaml").exists(), f"no stack file for {value}"
            if arg == "--policy-pack":
                assert (ROOT / value / "PulumiPolicy.yaml").exists()
        elif arg.startswith("-"):
            assert arg in bare, f"pulumi {' '.join(key)} has no flag {arg}"
        else:
            positionals.append(arg)
    assert len(positionals) in positional, f"pulumi {' '.join(args)}: {positionals}"
    if key == ("stack", "output") and positionals:
        assert f'pulumi.export("{positionals[0]}"' in (ROOT / "__main__.py").read_text()
    if key in (("stack", "init"), ("stack", "select")):
        assert (ROOT / f"Pulumi.{positionals[0]}.yaml").exists()
    if key == ("policy", "enable"):
        version = yaml.safe_load((ROOT / "policy_pack" / "PulumiPolicy.yaml").read_text())["version"]
        assert positionals[0].endswith("/sst-deployer") and positionals[1] == version


def check_python(args: list[str]) -> None:
    assert args[0] == "-m", args
    module, rest = args[1], args[2:]
    if module == "sst_deployer":
        _parse(render_parser(), rest)
    elif module == "tools.local_up":
        _parse(local_up.parser(), rest)
    elif module == "venv":
        assert rest == ["venv"]
    elif module == "pytest":
        paths = [a for a in rest if not a.startswith("-") and a not in ("cli",)]
        assert all((ROOT / a).exists() for a in paths), rest
    else:
        assert importlib.util.find_spec(module) is not None, f"no module {module}"


def check(argv: list[str]) -> None:
    cmd, args = argv[0], argv[1:]
    if cmd == "pulumi":
        check_pulumi(args)
    elif cmd in ("python3", "venv/bin/python"):
        check_python(args)
    elif cmd == "sst-deployer":
        _parse(render_parser(), args)
    elif cmd in ("venv/bin/pip", "pip"):
        assert args[0] == "install"
        if args[1] == "-r":
            assert (ROOT / args[2]).exists()
        else:
            path, _, extra = args[1].partition("[")  # ./policy_pack[audit]: the project and an extra of it
            assert (ROOT / path / "pyproject.toml").exists()
            if extra:
                assert f"\n{extra.rstrip(']')} = [" in (ROOT / path / "pyproject.toml").read_text(), args[1]
    elif cmd in ("venv/bin/ruff", "venv/bin/mypy", "venv/bin/moto_server"):
        assert (VENV_BIN / cmd.split("/")[-1]).exists(), f"{cmd} is not installed by requirements-dev.txt"
        if cmd == "venv/bin/moto_server":
            usage = subprocess.run([str(VENV_BIN / "moto_server"), "--help"], capture_output=True, text=True).stdout
            assert "-H" in usage and "-p" in usage
    elif cmd == "bash":
        assert (ROOT / args[0]).exists()
    elif cmd == "cd":
        assert (ROOT / args[0]).is_dir()
    elif cmd == "npm":
        assert args == ["ci"], args  # the end-to-end apps install exactly what their lockfiles pin
        assert (ROOT / "tests" / "e2e" / "app" / "package-lock.json").exists()
    elif cmd == "npx":
        assert args[:2] == ["sst", "deploy"]  # SST's own CLI: the end-to-end suite runs it
    elif cmd in ("export", "mkdir", "kill"):
        pass
    else:
        pytest.fail(f"README shows a command this test does not know: {shlex.join(argv)}")


@pytest.mark.parametrize("argv", commands(), ids=lambda argv: " ".join(argv)[:60])
def test_every_command_the_readme_shows_parses(argv: list[str]) -> None:
    check(argv)


def test_the_checker_rejects_what_does_not_parse() -> None:
    """The checks above can fail: a wrong flag, subcommand or stack is caught."""
    for bad in (["pulumi", "up", "--yess"], ["pulumi", "stack", "rm", "local"], ["pulumi", "up", "-s", "qa"],
                ["sst-deployer", "render", "--acount", "1"], ["venv/bin/python", "-m", "tools.local_up", "--x"]):
        with pytest.raises(AssertionError):
            check(bad)


def test_the_configuration_table_lists_every_key() -> None:
    table = README.split("## Configuration", 1)[1].split("\n#", 1)[0]
    keys = set(re.findall(r"^\| `([A-Za-z]+)(?:\.[a-zA-Z]+)?` \|", table, re.M))
    assert keys == set(KEYS)


def test_documented_exit_statuses_are_the_real_ones() -> None:
    assert f"exits **{local_up.EXIT_NO_PULUMI}**" in README
    assert f"\n{EXIT_BROKEN_PIPE} when the reader of stdout goes away" in README
    assert f"{EXIT_INTERRUPTED} on Ctrl-C" in README


def test_the_manual_local_steps_match_what_the_tool_does() -> None:
    manual = README.split("## Try it locally", 1)[1].split("\n## ", 1)[0]
    assert f"PULUMI_CONFIG_PASSPHRASE={local_up.PASSPHRASE}" in manual
    assert f'PULUMI_BACKEND_URL="file://$PWD/{local_up.STATE_DIR}"' in manual
    host, port = local_up.moto_endpoint(ROOT)
    assert f"moto_server -H {host} -p {port}" in manual
