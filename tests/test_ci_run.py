""".ci/run builds its own environment in a copy of the checkout and runs the README's
test command there: a developer's venv is never touched.

Run with stand-ins for ``python3`` and the tools a venv provides, which record what
they are asked to do and where; the real install and suite are what CI itself runs."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FAKE_PYTHON3 = """\
#!/usr/bin/env bash
# python3 stand-in: `-m venv DIR` makes a venv whose tools only log their calls.
echo "python3 $* @ $PWD" >> "$CI_LOG"
if [[ "$1" == "-m" && "$2" == "venv" ]]; then
    mkdir -p "$3/bin"
    for tool in python ruff mypy; do
        printf '#!/usr/bin/env bash\\necho "venv/bin/%s $* @ $PWD" >> "$CI_LOG"\\n' "$tool" > "$3/bin/$tool"
        chmod +x "$3/bin/$tool"
    done
fi
"""


def readme_test_command() -> str:
    """The second of the README's two commands, without its comment."""
    text = (ROOT / "README.md").read_text()
    block = text.split("```bash\n", 1)[1].split("```", 1)[0]
    return block.strip().splitlines()[1].split("#", 1)[0].strip()


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A working clone with a developer's venv in it."""
    repo = tmp_path / "clone"
    (repo / ".ci").mkdir(parents=True)
    shutil.copy(ROOT / ".ci" / "run", repo / ".ci" / "run")
    shutil.copy(ROOT / "README.md", repo / "README.md")
    (repo / "requirements-dev.txt").write_text("pytest\n")
    (repo / "venv" / "bin").mkdir(parents=True)
    (repo / "venv" / "bin" / "python").write_text("the developer's interpreter")
    (repo / ".pulumi-state").mkdir()
    (repo / ".pulumi-state" / "stack.json").write_text("{}")
    return repo


def run_ci(repo: Path, tmp_path: Path, **env: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    fake_bin = tmp_path / "fake-bin"
    fake_bin.mkdir(exist_ok=True)
    (fake_bin / "python3").write_text(FAKE_PYTHON3)
    (fake_bin / "python3").chmod(0o755)
    log = tmp_path / "ci.log"
    full_env = {"PATH": f"{fake_bin}{os.pathsep}/usr/bin{os.pathsep}/bin", "CI_LOG": str(log),
                "TMPDIR": str(tmp_path), "HOME": str(tmp_path), **env}
    result = subprocess.run(["bash", str(repo / ".ci" / "run")], cwd=repo, env=full_env,
                            capture_output=True, text=True, timeout=60)
    return result, log.read_text().splitlines() if log.exists() else []


def test_ci_never_touches_the_developers_venv_or_state(checkout: Path, tmp_path: Path) -> None:
    before = sorted(str(p.relative_to(checkout)) for p in checkout.rglob("*"))
    result, log = run_ci(checkout, tmp_path)
    assert result.returncode == 0, result.stderr
    assert (checkout / "venv" / "bin" / "python").read_text() == "the developer's interpreter"
    assert sorted(str(p.relative_to(checkout)) for p in checkout.rglob("*")) == before
    assert log and all(not line.endswith(f"@ {checkout}") for line in log)


def test_ci_runs_the_readmes_test_command_in_its_own_copy(checkout: Path, tmp_path: Path) -> None:
    command = readme_test_command()
    assert command == "venv/bin/python -m pytest"
    assert command in (ROOT / ".ci" / "run").read_text().splitlines()
    result, log = run_ci(checkout, tmp_path)
    assert result.returncode == 0, result.stderr
    work = {line.rsplit(" @ ", 1)[1] for line in log}
    assert len(work) == 1  # one workspace for everything
    (workspace,) = work
    assert [line.rsplit(" @ ", 1)[0].strip() for line in log] == [
        "python3 -m venv venv",
        "venv/bin/python -m pip install --quiet --upgrade pip",
        "venv/bin/python -m pip install --quiet -r requirements-dev.txt",
        "venv/bin/ruff check .",
        "venv/bin/mypy",
        command,
    ]
    assert not Path(workspace).exists()  # a temporary workspace is removed afterwards


def test_a_kept_workspace_is_a_copy_without_local_environments(checkout: Path, tmp_path: Path) -> None:
    kept = tmp_path / "kept"
    result, _ = run_ci(checkout, tmp_path, SST_DEPLOYER_CI_DIR=str(kept))
    assert result.returncode == 0, result.stderr
    assert (kept / "README.md").read_text() == (checkout / "README.md").read_text()
    assert not (kept / ".pulumi-state").exists()
    assert (kept / "venv" / "bin" / "python").read_text() != "the developer's interpreter"


def test_the_checkout_itself_is_refused_as_workspace(checkout: Path, tmp_path: Path) -> None:
    result, log = run_ci(checkout, tmp_path, SST_DEPLOYER_CI_DIR=str(checkout))
    assert result.returncode == 2 and "must not be the checkout itself" in result.stderr
    assert log == []
