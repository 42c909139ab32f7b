"""Pulumi.yaml declares every setting the program reads, typed and described, with the
program's own defaults, in the form the Pulumi CLI accepts.

The CLI's rules, as pulumi/pulumi implements them (sdk/go/common/workspace/project.go,
``Project.Validate`` and ``ValidateConfigValue``; config.go, ``mergeConfig``): a key
without a namespace, or in the project's, may have a schema (``type`` one of string,
integer, boolean, array with ``items``, object; a ``default`` of that type); any other
key only a ``value``; a typed project key with neither is required in every stack; a
stack's values must have the declared type; a default fills in a key the stack leaves out.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pulumi
import pytest
import yaml
from harness import ROOT, Captured, run_program, stack_config
from sst_deployer.settings import DEFAULT_QUALIFIER, DEFAULT_SST_VERSION, FEATURES, DeployerSettings

from sst_deployer_component.config import KEYS, NAMESPACE

PROJECT = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
DECLARED: dict[str, dict[str, Any]] = PROJECT["config"]
SCHEMA_TYPES = ("string", "integer", "boolean", "array", "object")
STACKS = sorted(p.name.split(".")[1] for p in ROOT.glob("Pulumi.*.yaml"))


def own(key: str) -> bool:
    return ":" not in key or key.startswith(PROJECT["name"] + ":")


def short(key: str) -> str:
    return key.split(":", 1)[1] if ":" in key else key


def has_type(value: Any, type_: str, items: dict[str, Any] | None) -> bool:
    """The CLI's ValidateConfigValue, for values as YAML gives them."""
    if type_ == "string":
        return isinstance(value, str)
    if type_ == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_ == "boolean":
        return isinstance(value, bool)
    if type_ == "object":
        return isinstance(value, dict)
    return isinstance(value, list) and items is not None and all(
        has_type(v, items["type"], items.get("items")) for v in value
    )


def test_project_is_named_like_the_config_namespace() -> None:
    assert PROJECT["name"] == NAMESPACE


def test_every_key_the_program_reads_is_declared_and_nothing_else() -> None:
    declared = {short(k) for k in DECLARED if own(k)}
    assert declared == set(KEYS)


@pytest.mark.parametrize("key", [k for k in DECLARED if own(k)])
def test_each_project_key_has_a_type_a_description_and_a_default_of_that_type(key: str) -> None:
    schema = DECLARED[key]
    assert set(schema) <= {"type", "items", "description", "default", "secret"}, "not a schema the CLI knows"
    assert schema["type"] in SCHEMA_TYPES
    assert (schema["type"] == "array") == ("items" in schema)
    assert len(schema.get("description", "")) > 20
    # Without a default, the CLI would demand the key in every stack.
    assert "default" in schema and has_type(schema["default"], schema["type"], schema.get("items"))


@pytest.mark.parametrize("key", [k for k in DECLARED if not own(k)])
def test_other_namespaces_only_set_values(key: str) -> None:
    assert set(DECLARED[key]) == {"value"}


def test_declared_defaults_are_the_programs_defaults() -> None:
    defaults = {short(k): v["default"] for k, v in DECLARED.items() if own(k)}
    settings = {f.name: f.default for f in dataclasses.fields(DeployerSettings)}
    assert defaults["qualifier"] == DEFAULT_QUALIFIER
    assert defaults["sstVersion"] == DEFAULT_SST_VERSION
    assert defaults["features"] == FEATURES
    assert defaults["toolkitStackName"] == settings["toolkit_stack_name"]
    assert defaults["bootstrapStackName"] == settings["bootstrap_stack_name"]
    assert defaults["bootstrapBucketPrefix"] == settings["bootstrap_bucket_prefix"]
    assert defaults["ssmPrefix"] == settings["ssm_prefix"]


@pytest.mark.parametrize("stack", STACKS)
def test_stack_files_have_the_declared_types(stack: str) -> None:
    for key, value in stack_config(stack).items():
        if not key.startswith(NAMESPACE + ":"):
            continue
        schema = DECLARED[short(key)]
        assert has_type(value, schema["type"], schema.get("items")), f"Pulumi.{stack}.yaml {key}"


def with_project_defaults(config: dict[str, Any]) -> dict[str, Any]:
    """Stack config as the CLI hands it to the program: project defaults fill the gaps."""
    merged = dict(config)
    for key, schema in DECLARED.items():
        if own(key):
            merged.setdefault(f"{NAMESPACE}:{short(key)}", schema["default"])
    return merged


def registered(resources: list[Captured]) -> list[tuple[str, str, Any]]:
    """What was registered, by type and name (siblings register in no fixed order)."""
    return sorted(((r.type, r.name, r.inputs) for r in resources), key=lambda r: (r[0], r[1]))


@pytest.mark.parametrize("stack", STACKS)
def test_the_defaults_change_nothing_the_program_creates(stack: str) -> None:
    """Every default declared means what the program does when the key is absent."""
    config = stack_config(stack)
    bare = run_program(config, stack=stack)
    filled = run_program(with_project_defaults(config), stack=stack)
    assert registered(filled.resources) == registered(bare.resources)
    assert filled.invokes == bare.invokes  # the caller's account is still asked for when unset


def test_a_stack_with_no_settings_at_all_gets_the_defaults_role() -> None:
    config = with_project_defaults({"aws:region": "eu-west-1"})
    stack = run_program(config, stack="minimal")
    role = stack.one("aws:iam/role:Role")
    assert "eu-west-1" in role.inputs["description"]
    assert "name" not in role.inputs  # auto-named: roleName "" is no name
    assert "permissionsBoundary" not in role.inputs
    assert role.inputs["path"] == "/" and role.inputs["maxSessionDuration"] == 3600


def test_empty_regions_fall_back_to_aws_region_and_fail_clearly_without_it() -> None:
    """[] is Pulumi.yaml's default for regions, so it means "not set", not "no region"."""
    stack = run_program({"aws:region": "ap-south-1", f"{NAMESPACE}:regions": []}, stack="minimal")
    assert "ap-south-1" in stack.one("aws:iam/role:Role").inputs["description"]
    with pytest.raises(pulumi.RunError, match="sst-deployer:regions: not set, and aws:region is not set either"):
        run_program({f"{NAMESPACE}:regions": []}, stack="minimal")
