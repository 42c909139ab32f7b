"""``examples/``: one deployer with the same settings from TypeScript, Go, YAML and Python.

Only the Python one can run here (the package is installed; Pulumi's mock engine runs it).
``pulumi package add`` and SDK generation are the Pulumi CLI's, which this environment has
not, so the TypeScript and Go programs are read, not compiled: every property they set must
be one the schema has, spelt as that language's generated SDK spells it, and together they
must set the same settings as the YAML and Python programs. The YAML program's properties
are JSON, so they are also sent through ``Construct`` and must register what the Python
program registers.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from component_host import FakeEngine, Provider, fake_engine, start_provider
from harness import ROOT, Captured, run_program

from sst_deployer_component.about import PULUMI_PACKAGE
from sst_deployer_component.spec import camel_case

EXAMPLES = ROOT / "examples"
SCHEMA = json.loads((ROOT / "schema.json").read_text())
TOKEN = f"{PULUMI_PACKAGE}:index:DeployerRole"
RESOURCE = SCHEMA["resources"][TOKEN]
TYPES = SCHEMA["types"]
# The nested objects whose keys are schema properties, by the input that holds them.
NESTED = {"features": "Features", "trust": "Trust", "githubOidc": "GithubOidc"}


def yaml_program() -> dict[str, Any]:
    program: dict[str, Any] = yaml.safe_load((EXAMPLES / "yaml" / "Pulumi.yaml").read_text())
    return program


def yaml_properties() -> dict[str, Any]:
    (deployer,) = yaml_program()["resources"].values()
    assert deployer["type"] == TOKEN
    props: dict[str, Any] = deployer["properties"]
    return props


def paths(props: dict[str, Any], prefix: str = "") -> set[str]:
    """Dotted names of every property set, nested schema objects included (tags' keys are not)."""
    out = set()
    for key, value in props.items():
        out.add(prefix + key)
        if key in NESTED and isinstance(value, dict):
            out |= paths(value, f"{prefix}{key}.")
    return out


def known(path: str) -> bool:
    """A dotted property path the schema defines."""
    *parents, leaf = path.split(".")
    if not parents:
        return leaf in RESOURCE["inputProperties"]
    owner = TYPES[f"{PULUMI_PACKAGE}:index:{NESTED[parents[-1]]}"]
    return leaf in owner["properties"]


def object_keys(text: str, opener: str, key: str = r"\w+") -> set[str]:
    """Dotted keys of the brace block that ``opener`` opens (a TypeScript object literal, a Go
    composite literal): a key's block nests its keys under it."""
    tokens = re.compile(r"(?<=[\s{,])(" + key + r")\s*:(?!=)|[{}]")
    prefixes, pending, out = [""], "", set()
    for match in tokens.finditer(text, text.index(opener) + len(opener)):
        if match.group(1):
            pending = match.group(1)
            out.add(prefixes[-1] + pending)
        elif match.group(0) == "{":
            prefixes.append(f"{prefixes[-1]}{pending}." if pending else prefixes[-1])
            pending = ""
        else:
            if len(prefixes) == 1:
                break
            prefixes.pop()
            pending = ""
    return out


def typescript_paths() -> set[str]:
    source = (EXAMPLES / "typescript" / "index.ts").read_text()
    return {p for p in object_keys(source, 'new sstDeployer.DeployerRole("deployer", {')
            if not p.startswith("tags.")}


def go_paths() -> set[str]:
    source = (EXAMPLES / "go" / "main.go").read_text()
    fields = object_keys(source, "&sstdeployer.DeployerRoleArgs{", key=r"[A-Z]\w*")
    return {".".join(part[0].lower() + part[1:] for part in p.split(".")) for p in fields if not p.startswith("Tags.")}


def python_paths() -> set[str]:
    tree = ast.parse((EXAMPLES / "python" / "__main__.py").read_text())
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "DeployerRole")
    args = ast.literal_eval(ast.unparse(call.args[1]).replace("Strategy.LEAST_PRIVILEGE", "'least-privilege'"))
    return paths(camel(args))


def camel(value: Any, parent: str = "") -> Any:
    if isinstance(value, dict) and parent != "tags":
        return {camel_case(k): camel(v, k) for k, v in value.items()}
    return value


def test_the_yaml_example_uses_the_package_and_only_schema_properties() -> None:
    program = yaml_program()
    assert set(program["packages"]) == {PULUMI_PACKAGE}
    unknown = sorted(p for p in paths(yaml_properties()) if not known(p))
    assert unknown == []
    outputs = {re.fullmatch(r"\$\{deployer\.(\w+)\}", v).group(1) for v in program["outputs"].values()}  # type: ignore[union-attr]
    assert outputs <= set(RESOURCE["properties"])


@pytest.mark.parametrize("language", ["typescript", "go", "python"])
def test_each_example_sets_the_yaml_examples_settings_by_schema_names(language: str) -> None:
    found = {"typescript": typescript_paths, "go": go_paths, "python": python_paths}[language]()
    assert sorted(p for p in found if not known(p)) == []
    assert found == paths(yaml_properties())


def test_every_example_is_declared_for_pulumi_package_add() -> None:
    for language in ("typescript", "go", "yaml"):
        project = yaml.safe_load((EXAMPLES / language / "Pulumi.yaml").read_text())
        assert set(project["packages"]) == {PULUMI_PACKAGE}, language


@pytest.fixture(scope="module")
def engine() -> Iterator[FakeEngine]:
    with fake_engine() as e:
        yield e


@pytest.fixture(scope="module")
def provider(engine: FakeEngine) -> Iterator[Provider]:
    with start_provider(engine.address) as p:
        yield p


def registered(resources: list[Captured]) -> list[tuple[str, str, str]]:
    return sorted((r.type, r.urn, json.dumps(r.inputs, sort_keys=True)) for r in resources)


def test_the_yaml_examples_construct_registers_what_the_python_example_registers(
        engine: FakeEngine, provider: Provider) -> None:
    config = {"aws:region": "eu-west-1"}
    python = run_program(config, stack="staging", program=EXAMPLES / "python" / "__main__.py")
    deployment = engine.begin(config, stack="staging")
    provider.construct(deployment, TOKEN, "deployer", yaml_properties(), config=config)
    assert registered(deployment.resources) == registered(python.resources)
    assert any(r.type == "aws:iam/openIdConnectProvider:OpenIdConnectProvider" for r in python.resources)


def test_examples_dir_has_one_program_per_language() -> None:
    assert {p.name for p in EXAMPLES.iterdir() if p.is_dir()} == {"typescript", "go", "yaml", "python"}
    assert all(isinstance(p, Path) for p in EXAMPLES.iterdir())
