"""``python -m benchmarks.mutation``: mutation testing of the pure core and the component.

mutmut 3 (pinned in ``requirements-mutation.txt``) puts one-line bugs ("mutants") into
every function of ``policy_pack/sst_deployer`` and ``components/`` and runs, for each,
only the tests that call that function; a mutant no test notices "survived". mutmut
names a mutant by its file path, so it needs the package at the top of the tree it runs
in, where our tests import ``sst_deployer`` from ``policy_pack/``. This command lays the
repository out in ``build/mutation/`` as mutmut needs it (``sst_deployer/``,
``components/``, ``tests/``, the program and stack files, ``policy_pack/`` for the
served pack, whose ``sst_deployer`` points at the *mutated* copy so the gRPC tests see
the mutant too), writes mutmut's config there, runs it, and prints a table per module.

    venv/bin/python -m benchmarks.mutation run                 # everything (hours on 2 cores)
    venv/bin/python -m benchmarks.mutation run trust settings  # some modules (sst_deployer.trust ...)
    venv/bin/python -m benchmarks.mutation run --sample 100 iam  # a fixed sample of 100 mutants
    venv/bin/python -m benchmarks.mutation results             # the table of what ran so far
    venv/bin/python -m benchmarks.mutation survivors [module]  # each survivor's diff
    venv/bin/python -m benchmarks.mutation run --retry-survivors iam  # after adding tests
    venv/bin/python -m benchmarks.mutation run --fresh         # forget earlier results

Resumable: results live in ``build/mutation/mutants/*.meta``; running again tests only
mutants without a result (a function whose code changed gets new mutants). Interrupt
with Ctrl-C at any time. Hypothesis runs derandomized (fixed examples per test), so a
verdict does not depend on the seed. Not part of CI: see ``benchmarks/mutation.md``.
"""

from __future__ import annotations

import argparse
import ast
import filecmp
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "mutation"
MUTANTS = WORK / "mutants"
VENV_BIN = Path(sys.executable).parent

MODULES = (
    "sst_deployer/settings.py", "sst_deployer/partitions.py", "sst_deployer/permissions.py",
    "sst_deployer/iam.py", "sst_deployer/render.py", "sst_deployer/trust.py", "sst_deployer/tags.py",
    "sst_deployer/audit.py", "sst_deployer/context.py", "sst_deployer/cli.py", "sst_deployer/admin.py",
    "sst_deployer/managed_policies.py",
    "sst_deployer/policies/model.py", "sst_deployer/policies/rules.py", "sst_deployer/policies/pack.py",
    "sst_deployer_component/config.py", "sst_deployer_component/deployer_role.py",
    "sst_deployer_component/spec.py",
)
"""What is mutated. Not ``policies/server.py``: it adapts pulumi-policy's private servicer and
falls back to the SDK's own code on any error, so its mutants survive by design."""

# Tests that cannot run against mutmut's tree: the first reads the published folder's
# imports (mutmut's generated code imports mutmut); the second imports the package in an
# isolated interpreter (`-S -I`, no site-packages), where that import of mutmut fails.
# The e2e suite is left out by its marker (see _config).
DESELECT = ("tests/test_pack_protocol.py::test_the_published_folder_imports_nothing_from_outside_it",
            "tests/test_cli.py::test_light_install_needs_nothing_but_the_pure_package",
            # The component's packaging reads components/ (not in the mutated tree, which holds
            # sst_deployer_component/ at the top, like sst_deployer/), and the wheel test
            # installs the unmutated source into a fresh venv for minutes.
            "tests/test_component_package.py", "tests/test_component_wheel.py")

PLUGIN = '''"""Loaded by mutmut's pytest runs: fixed hypothesis examples, no example database."""
from hypothesis import settings

settings.register_profile("mutation", derandomize=True, database=None, print_blob=False)
settings.load_profile("mutation")
'''

STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped",
          35: "suspicious", 36: "timeout", -24: "timeout", 24: "timeout", 152: "timeout", 255: "timeout",
          37: "type check", -11: "segfault", -9: "segfault", None: "not run"}


def _sync_file(src: Path, dst: Path) -> None:
    """Copy keeping mtimes, and only when the content changed (mutmut's cache keys on it)."""
    if dst.exists() and filecmp.cmp(src, dst, shallow=False):
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dst)


def _sync_tree(src: Path, dst: Path, transform: bool = False) -> None:
    for path in src.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts and ".egg-info" not in str(path):
            if transform and path.suffix == ".py":
                _sync_text(undecorated(path.read_text()), path, dst / path.relative_to(src))
            else:
                _sync_file(path, dst / path.relative_to(src))


def _sync_text(text: str, src: Path, dst: Path) -> None:
    if dst.exists() and dst.read_text() == text:
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text(text)  # a new mtime: mutmut regenerates the mutants of a newer file


def undecorated(source: str) -> str:
    """mutmut 3 leaves decorated functions alone, and the IAM automaton (``iam._covered``)
    and the audit (``audit._losses``) are ``@lru_cache`` functions: write each as a plain
    function wrapped after its body (``f = lru_cache(...)(f)``), which behaves the same."""
    tree = ast.parse(source)
    lines = source.splitlines()
    edits: list[tuple[int, int, str]] = []  # (decorator line, end line, wrapper), 0-based
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and len(node.decorator_list) == 1:
            deco = node.decorator_list[0]
            text = ast.get_source_segment(source, deco) or ""
            if text.startswith(("lru_cache", "functools.lru_cache", "cache")):
                end = (node.end_lineno or node.lineno) - 1
                edits.append((deco.lineno - 1, end, f"{node.name} = {text}({node.name})"))
    for deco_line, end, wrapper in sorted(edits, reverse=True):
        lines[end + 1:end + 1] = [wrapper]
        del lines[deco_line]
    return "\n".join(lines) + "\n"


def _config(modules: list[str], also_copy: list[str]) -> str:
    # The SST CLI end-to-end suite (tests/e2e) needs node_modules and minutes per test: a
    # developer's checkout that has them would spend the run there. Its judge is tested directly.
    args = ["-p", "no:cacheprovider", "-p", "mutation_plugin", "-m", "not e2e"]
    for test in DESELECT:
        args += ["--deselect", test]
    return (
        '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n\n'
        "[tool.mutmut]\n"
        'source_paths = ["sst_deployer", "sst_deployer_component"]\n'
        f"only_mutate = {json.dumps(modules)}\n"
        f"also_copy = {json.dumps(also_copy)}\n"
        f"pytest_add_cli_args = {json.dumps(args)}\n"
        # grpc (the served pack) is not fork-safe: fork workers from a clean server process.
        'process_isolation = "forkserver"\n'
        # Changing the test files invalidates no verdict by itself; `--fresh` does.
        'on_dependency_change = "ignore"\n'
        "use_git_change_detection = false\n"
    )


def prepare(modules: list[str], fresh: bool) -> None:
    if fresh and WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True, exist_ok=True)
    _sync_tree(ROOT / "policy_pack" / "sst_deployer", WORK / "sst_deployer", transform=True)
    _sync_tree(ROOT / "components" / "sst_deployer_component", WORK / "sst_deployer_component", transform=True)
    _sync_tree(ROOT / "tests", WORK / "tests")
    _sync_tree(ROOT / "examples", WORK / "examples")
    extra_dirs = [d for d in ("tools", ".ci", "docs", "benchmarks") if (ROOT / d).is_dir()]  # tests read these too
    for d in extra_dirs:
        _sync_tree(ROOT / d, WORK / d)
    top = [ROOT / "__main__.py", *sorted(ROOT.glob("Pulumi*.yaml")), *sorted(ROOT.glob("*.md")),
           *sorted(ROOT.glob("requirements*.txt")), ROOT / "schema.json"]
    for path in top:
        _sync_file(path, WORK / path.name)
    also_copy = ["examples", "mutation_plugin.py", *extra_dirs, *(p.name for p in top)]
    (WORK / "pyproject.toml").write_text(_config(modules, also_copy))
    (WORK / "mutation_plugin.py").write_text(PLUGIN)
    # The served pack is a copy of mutants/policy_pack: its sst_deployer is the mutated one.
    pack = MUTANTS / "policy_pack"
    pack.mkdir(parents=True, exist_ok=True)
    for name in ("PulumiPolicy.yaml", "__main__.py", "requirements.txt"):
        if (ROOT / "policy_pack" / name).exists():
            _sync_file(ROOT / "policy_pack" / name, pack / name)
    # The served pack runs with the served copy as its working directory; mutmut's code
    # in it reads its config from there.
    own = ROOT / "policy_pack" / "pyproject.toml"
    (pack / "pyproject.toml").write_text((own.read_text() if own.exists() else "")
                                         + '\n[tool.mutmut]\nsource_paths = ["sst_deployer"]\n')
    link = pack / "sst_deployer"
    if not link.is_symlink():
        link.symlink_to(Path("..") / "sst_deployer", target_is_directory=True)


def _selected(names: list[str]) -> list[str]:
    if not names:
        return list(MODULES)
    out = []
    for name in names:
        hits = [m for m in MODULES if Path(m).stem == name or m == name or m.startswith(name + "/")
                or m.replace("/", ".").removesuffix(".py") == name]
        if not hits:
            sys.exit(f"unknown module {name!r}; one of: {', '.join(MODULES)}")
        out += hits
    return out


def _module_of(mutant: str) -> str:
    """``sst_deployer.iam.x__covered__mutmut_3`` -> ``sst_deployer/iam.py``."""
    dotted = mutant.partition("__mutmut_")[0].rpartition(".")[0]
    for module in MODULES:
        if module.removesuffix(".py").replace("/", ".") == dotted:
            return module
    return dotted


def _sampled(names: list[str], sample: int | None) -> set[str]:
    """A fixed pseudo-random ``sample`` of each module's mutants (all when None): the same
    names on every run, so a sampled run resumes, and a larger sample extends a smaller one."""
    if sample is None:
        return set(names)
    by_module: dict[str, list[str]] = {}
    for name in names:
        by_module.setdefault(_module_of(name), []).append(name)
    return {n for group in by_module.values()
            for n in sorted(group, key=lambda n: hashlib.sha256(n.encode()).hexdigest())[:sample]}


def run(modules: list[str], fresh: bool, max_children: int, retry: bool = False,
        sample: int | None = None) -> int:
    """Test the mutants of ``modules`` that have no verdict yet (``retry``: the survivors again).

    Every module is mutated, whichever are tested, so that mutmut's one recording of
    which tests call which function covers them all; the mutants to test are named."""
    prepare(list(MODULES), fresh)
    wanted = {"survived", "no tests", "suspicious"} if retry else {"not run"}
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    mutmut = ["nice", "-n", "15", str(VENV_BIN / "mutmut"), "run", "--max-children", str(max_children)]
    metas = _metas()
    generated = {_module_of(n) for codes in metas.values() for n in codes}
    stale = any(not (MUTANTS / m).exists() or (WORK / m).stat().st_mtime > (MUTANTS / m).stat().st_mtime
                for m in MODULES)
    if stale or not set(modules) <= generated:  # (re)generate mutants first (and test the one of partitions.py)
        subprocess.call([*mutmut, "sst_deployer.partitions.*"], cwd=WORK, env=env)
        metas = _metas()
    chosen = _sampled([n for codes in metas.values() for n in codes if _module_of(n) in modules], sample)
    names = [n for codes in metas.values() for n, c in codes.items() if n in chosen and STATUS.get(c) in wanted]
    if not names:
        results(modules)
        return 0
    add_shared_fixture_tests()
    cmd = [*mutmut, *names]
    print("in", WORK, ":", " ".join(cmd[:8]), f"... ({len(names)} names)" if len(names) > 2 else "", flush=True)
    code = subprocess.call(cmd, cwd=WORK, env=env, stdout=subprocess.DEVNULL if len(names) > 50 else None)
    results(modules)
    return code


SERVED: tuple[str, ...] = ("sst_deployer.audit.", "sst_deployer.iam.", "sst_deployer.permissions.",
                           "sst_deployer.settings.", "sst_deployer.tags.", "sst_deployer.trust.",
                           "sst_deployer.partitions.", "sst_deployer.policies.")
"""Modules the served pack runs: tests that talk to it over gRPC exercise them in another process."""
PROGRAM: tuple[str, ...] = ("sst_deployer_component.", "sst_deployer.render.", "sst_deployer.permissions.",
                            "sst_deployer.settings.", "sst_deployer.tags.", "sst_deployer.trust.", "sst_deployer.iam.",
                            "sst_deployer.partitions.")
"""Modules the Pulumi program runs (in the session fixtures of the example stacks)."""
CLI: tuple[str, ...] = ("sst_deployer.cli.", "sst_deployer.render.", "sst_deployer.settings.",
                        "sst_deployer.permissions.", "sst_deployer.partitions.")
"""Modules ``python -m sst_deployer render`` runs: tests run it as a subprocess (from the mutated
tree, which is their working directory, with the mutant's name in the environment)."""


SHARED_FIXTURES = {"pack", "standalone_pack_dir", "example_stacks", "example_previews", "dev"}
"""Fixtures that run our code once per session (the served pack, the program under mocks):
mutmut credits that code to the first test that built the fixture only."""


def _runs_cli(node: ast.AST) -> bool:
    """A list ``[..., "-m", "sst_deployer", ...]`` in ``node``: a command line of the CLI."""
    return any(isinstance(n, ast.List) and any(
        isinstance(a, ast.Constant) and a.value == "-m" and isinstance(b, ast.Constant) and b.value == "sst_deployer"
        for a, b in zip(n.elts, n.elts[1:], strict=False)) for n in ast.walk(node))


def _cli_spawners(tree: ast.Module) -> set[str]:
    """Module-level names holding the CLI's command line, and helpers that use them."""
    names: set[str] = set()
    for node in tree.body:
        uses = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        if isinstance(node, ast.Assign) and _runs_cli(node):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.FunctionDef) and not node.name.startswith("test_"):
            if _runs_cli(node) or uses & names:
                names.add(node.name)
    return names


def _shared_fixture_tests() -> dict[str, set[str]]:
    """Tests using a shared fixture (or ``serve``), or running the CLI as a subprocess:
    ``{"served": ..., "program": ..., "cli": ...}``."""
    out: dict[str, set[str]] = {"served": set(), "program": set(), "cli": set()}
    for path in sorted((WORK / "tests").glob("test_*.py")):
        tree = ast.parse(path.read_text())
        spawners = _cli_spawners(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                args = {a.arg for a in node.args.args}
                calls = {c.func.id for c in ast.walk(node) if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)}
                nodeid = f"tests/{path.name}::{node.name}"
                if args & {"pack", "standalone_pack_dir"} or "serve" in calls:
                    out["served"].add(nodeid)
                if args & {"example_stacks", "example_previews", "dev"}:
                    out["program"].add(nodeid)
                if _runs_cli(node) or {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} & spawners:
                    out["cli"].add(nodeid)
    return out


def add_shared_fixture_tests() -> int:
    """mutmut runs, for each mutant, the tests that called its function in its own process,
    while the test ran. Code run by a session fixture is credited to the first test that
    built it, and the served pack runs in another process: the gRPC tests would never see
    the pack's mutants, nor the tests of the example stacks the component's. Add those
    tests to every function they exercise (the pack's modules; the program's modules), and the
    tests that run the CLI as a subprocess to the modules the CLI runs."""
    stats_path = MUTANTS / "mutmut-stats.json"
    if not stats_path.exists():
        return 0
    stats = json.loads(stats_path.read_text())
    groups = _shared_fixture_tests()
    known = list(stats["duration_by_test"])
    served = [t for t in known if t.partition("[")[0] in groups["served"]]
    program = [t for t in known if t.partition("[")[0] in groups["program"]]
    cli = [t for t in known if t.partition("[")[0] in groups["cli"]]
    functions = stats["tests_by_mangled_function_name"]
    # Functions only the CLI subprocess runs were never recorded: add them from the mutants.
    for codes in _metas().values():
        for name in codes:
            function = name.partition("__mutmut_")[0]
            if function.startswith(CLI):
                functions.setdefault(function, [])
    added = 0
    for function, selected in functions.items():
        extra = ((served if function.startswith(SERVED) else []) + (program if function.startswith(PROGRAM) else [])
                 + (cli if function.startswith(CLI) else []))
        new = sorted(set(extra) - set(selected))
        selected.extend(new)
        added += len(new)
    stats_path.write_text(json.dumps(stats))
    return added


def _metas() -> dict[str, dict[str, int | None]]:
    out = {}
    for meta in sorted(MUTANTS.rglob("*.py.meta")):
        module = str(meta.relative_to(MUTANTS)).removesuffix(".meta")
        out[module] = json.loads(meta.read_text())["exit_code_by_key"]
    return out


def results(modules: list[str] | None = None) -> dict[str, Counter[str]]:
    table: dict[str, Counter[str]] = {}
    for codes in _metas().values():
        for name, code in codes.items():
            module = _module_of(name)
            if not modules or module in modules:
                table.setdefault(module, Counter())[STATUS.get(code, f"exit {code}")] += 1
    cols = ["killed", "survived", "timeout", "no tests", "suspicious", "not run"]
    print(f"| module | mutants | {' | '.join(cols)} | score |")
    print("|---|---:|" + "---:|" * len(cols) + "---:|")
    total: Counter[str] = Counter()
    for module, counts in table.items():
        total.update(counts)
        print(_row(module, counts, cols))
    print(_row("**all**", total, cols))
    return table


def _row(name: str, counts: Counter[str], cols: list[str]) -> str:
    decided = sum(counts.values()) - counts["not run"]
    killed = counts["killed"] + counts["timeout"]
    score = f"{100 * killed / decided:.1f}%" if decided else "-"
    return f"| {name} | {sum(counts.values())} | " + " | ".join(str(counts[c]) for c in cols) + f" | {score} |"


def survivors(modules: list[str]) -> None:
    for codes in _metas().values():
        for name, code in sorted(codes.items()):
            if modules and _module_of(name) not in modules:
                continue
            if STATUS.get(code) in ("survived", "no tests", "suspicious"):
                print(f"## {name} ({STATUS.get(code)})", flush=True)
                subprocess.call([str(VENV_BIN / "mutmut"), "show", name], cwd=WORK)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.mutation")
    parser.add_argument("command", choices=["run", "results", "survivors", "prepare"])
    parser.add_argument("modules", nargs="*", help="module names (iam, render, policies/model...); default: all")
    parser.add_argument("--fresh", action="store_true", help="forget earlier results")
    parser.add_argument("--sample", type=int, help="test only this many mutants per module (a fixed sample)")
    parser.add_argument("--retry-survivors", action="store_true", help="test the survivors again (after new tests)")
    parser.add_argument("--max-children", type=int, default=2, help="parallel test runs (default 2)")
    args = parser.parse_intermixed_args(argv)
    modules = _selected(args.modules)
    if args.command == "run":
        return run(modules, args.fresh, args.max_children, args.retry_survivors, args.sample)
    if args.command == "prepare":
        prepare(modules, args.fresh)
    elif args.command == "results":
        results(modules if args.modules else None)
    else:
        survivors(modules if args.modules else [])
    return 0


if __name__ == "__main__":
    sys.exit(main())
