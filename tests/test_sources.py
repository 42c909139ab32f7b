"""The project cites its sources inside itself: a clone has nothing beside the repository,
so no tracked file may point at files outside it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTSIDE = re.compile(r"\.\./shared|\.\./\.\./|/work/|shared/notes|shared/seeds")


def tracked_text_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False).stdout.split()
    if not out:  # not a git checkout (CI copies the tree): every file but environments and caches
        out = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file() and not any(
               part in ("venv", "node_modules", "build", "__pycache__") or (part.startswith(".") and part != ".ci")
               for part in p.relative_to(ROOT).parts)]
    return [ROOT / f for f in out if not f.endswith((".png", ".gz", "package-lock.json"))]


def test_no_file_cites_a_path_outside_the_repository() -> None:
    this = Path(__file__).resolve()
    offenders = []
    for path in tracked_text_files():
        if path.resolve() == this or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        offenders += [f"{path.relative_to(ROOT)}:{n}" for n, line in enumerate(text.splitlines(), 1)
                      if OUTSIDE.search(line)]
    assert offenders == []


def test_the_checker_sees_an_outside_path() -> None:
    assert OUTSIDE.search("see ../shared/notes/iam-facts.md")
    assert not OUTSIDE.search("see https://v2.sst.dev/advanced/iam-credentials")
