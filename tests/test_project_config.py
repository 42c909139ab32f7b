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

import argparse
import dataclasses
import json
import re
from typing import Any

import pulumi
import pytest
import yaml
from harness import ROOT, Captured, run_program, stack_config
from sst_deployer import cli
from sst_deployer.settings import DEFAULT_QUALIFIER, DEFAULT_SST_VERSION, FEATURES, DeployerSettings
from sst_deployer.tags import PREFIX as TAG_PREFIX
from sst_deployer.tags import to_tags

from sst_deployer_component.about import PULUMI_PACKAGE
from sst_deployer_component.args import DeployerRoleArgs, Features
from sst_deployer_component.config import KEYS, NAMESPACE, POLICY_FILE
from sst_deployer_component.spec import DEFAULTS, camel_case, to_spec
from sst_deployer_component.spec import snake_case as camel_to_snake

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


# One vocabulary: the stack config (Pulumi.yaml), the component's inputs (schema.json), the
# render command's flags and the pack's tags name each setting the same way.

SCHEMA = json.loads((ROOT / "schema.json").read_text())
INPUTS: dict[str, dict[str, Any]] = SCHEMA["resources"][f"{PULUMI_PACKAGE}:index:DeployerRole"]["inputProperties"]
# The one renamed pair: a file in the project for the program, its content for the component.
CONFIG_TO_INPUT = {POLICY_FILE: "policyDocument"}


def input_of(key: str) -> str:
    return CONFIG_TO_INPUT.get(key, key)


def kebab(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "-" + m.group(1).lower(), name)


def test_every_config_key_is_a_component_input_of_the_same_name() -> None:
    assert {input_of(short(k)) for k in DECLARED if own(k)} == set(INPUTS)


@pytest.mark.parametrize("key", [k for k in DECLARED if own(k) and k not in CONFIG_TO_INPUT])
def test_a_config_key_and_its_input_have_one_description(key: str) -> None:
    assert INPUTS[input_of(key)]["description"] == DECLARED[key]["description"]


@pytest.mark.parametrize("key", [k for k in DECLARED if own(k)])
def test_a_config_default_means_what_leaving_the_input_out_means(key: str) -> None:
    """Each declared default, passed to the component, builds the spec the component builds
    when the input is left out (``""``, ``[]`` and ``{}`` included: "not set")."""
    def spec(args: dict[str, Any]) -> Any:
        return to_spec(args, account=lambda: "112233445566", partition=lambda: "aws",
                       default_region="eu-west-1", stack="dev")

    if key == POLICY_FILE:
        assert DECLARED[key]["default"] == ""
        return
    value = DECLARED[key]["default"]
    if key in ("features", "trust"):
        value = {camel_to_snake(k): v for k, v in value.items()}
    assert spec({camel_to_snake(key): value}) == spec({})
    if key in DEFAULTS:
        assert DEFAULTS[key] == DECLARED[key]["default"]


def test_the_python_args_are_the_schema_inputs_in_snake_case() -> None:
    assert {camel_case(k) for k in DeployerRoleArgs.__annotations__} == set(INPUTS)
    assert [camel_case(k) for k in Features.__annotations__] == list(FEATURES)


# Render flags are kebab-case settings; a list setting's flag is its singular, repeated.
# Settings the render command has no use for (who may assume the role, the role's own IAM
# properties, the profile) have no flag. The features are --enable/--disable FEATURE.
RENDER_FLAGS = {
    "accountId": "--account",  # spelt without -id since the first release; the one exception
    "regions": "--region",
    "qualifier": "--qualifier", "toolkitStackName": "--toolkit-stack-name",
    "bootstrapStackName": "--bootstrap-stack-name", "bootstrapBucketPrefix": "--bootstrap-bucket-prefix",
    "ssmPrefix": "--ssm-prefix", "fileAssetsBucketName": "--file-assets-bucket-name",
    "policyProfile": "--policy-profile", "sstVersion": "--sst-version",
}
NOT_SETTINGS = {"--partition", "--enable", "--disable", "--max-policies", "--compact", "--out-dir", "--help"}


def test_render_flags_are_the_settings_in_kebab_case() -> None:
    render = next(a for a in cli.parser()._subparsers._group_actions  # type: ignore[union-attr]
                  if isinstance(a, argparse._SubParsersAction)).choices["render"]
    flags = {opt for action in render._actions for opt in action.option_strings if opt.startswith("--")}
    assert flags == set(RENDER_FLAGS.values()) | NOT_SETTINGS
    for setting, flag in RENDER_FLAGS.items():
        assert setting in INPUTS
        if setting not in ("accountId", "regions"):
            assert flag == "--" + kebab(setting)
    assert kebab("regions")[:-1] == RENDER_FLAGS["regions"][2:]


# The pack's tags record a deployer's settings. Their keys predate the component's inputs
# and are carried by deployed and hand-made roles, so the four spelt differently stay until
# the pack reads both spellings (tags.from_tags); listed here so no fifth appears.
TAG_OF = {
    "accountId": "account", "strategy": "role", "toolkitStackName": "toolkit-stack",
    "bootstrapStackName": "bootstrap-stack", "fileAssetsBucketName": "file-assets-bucket",
}


def test_tag_keys_are_the_settings_in_kebab_case_but_for_the_listed_five() -> None:
    settings = DeployerSettings(account="112233445566", regions=("eu-west-1",), file_assets_bucket_name="acme-assets",
                                policy_profile="strict")
    keys = {k.removeprefix(TAG_PREFIX) for k in to_tags(settings, "least-privilege")}
    by_setting = {s: TAG_OF.get(s, kebab(s)) for s in INPUTS if TAG_OF.get(s, kebab(s)) in keys}
    assert set(by_setting.values()) == keys - {"partition"}  # the partition is the provider's, not a setting
    assert set(TAG_OF) <= set(by_setting)
