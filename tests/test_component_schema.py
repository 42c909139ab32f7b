"""The package schema: inferred by the SDK from ``sst_deployer_component``'s annotations,
committed as ``schema.json``, valid against Pulumi's package metaschema, and served by the
provider process over gRPC exactly as committed.

The metaschema (``tests/fixtures/pulumi_metaschema/``, its commit named in the README there)
writes named groups the ECMAScript/Go way, ``(?<major>...)``; Python's ``re``, which
``jsonschema`` uses for ``pattern``, spells them ``(?P<major>...)``. :func:`python_patterns`
respells them and changes nothing else.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import jsonschema
import pytest
from component_host import fake_engine, start_provider
from google.protobuf import empty_pb2
from harness import ROOT
from sst_deployer.settings import FEATURES, POLICY_PROFILES

from sst_deployer_component import STRATEGIES
from sst_deployer_component.about import PULUMI_PACKAGE, __version__
from tools.component_schema import SCHEMA_FILE, inferred, render

TOKEN = f"{PULUMI_PACKAGE}:index:DeployerRole"
METASCHEMA = ROOT / "tests" / "fixtures" / "pulumi_metaschema" / "pulumi.json"
OUTPUTS = {"roleArn", "roleName", "policyArns", "policyDocuments", "awsConfigProfile"}


def python_patterns(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: re.sub(r"\(\?<(?![=!])", "(?P<", v) if k == "pattern" and isinstance(v, str) else python_patterns(v)
                for k, v in node.items()}
    if isinstance(node, list):
        return [python_patterns(v) for v in node]
    return node


@pytest.fixture(scope="module")
def validator() -> Any:
    meta = python_patterns(json.loads(METASCHEMA.read_text()))
    cls = jsonschema.validators.validator_for(meta)
    cls.check_schema(meta)
    return cls(meta, format_checker=cls.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def committed() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_FILE.read_text())
    return schema


def test_the_committed_schema_is_what_the_sdk_infers_from_the_source() -> None:
    assert SCHEMA_FILE.read_text() == render(inferred()), "stale: run venv/bin/python -m tools.component_schema"


def test_the_schema_is_valid_against_pulumis_package_metaschema(validator: Any, committed: dict[str, Any]) -> None:
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(committed)]
    assert errors == []


@pytest.mark.parametrize("break_it", [
    lambda s: s.update(name="9-starts-with-a-digit"),
    lambda s: s.update(version="zero.two"),
    lambda s: s["resources"][TOKEN]["inputProperties"]["regions"].update(type="list"),
    lambda s: s["types"].update({"no-module-token": {"type": "object"}}),
], ids=["name", "version", "property-type", "type-token"])
def test_the_metaschema_check_refuses_a_broken_schema(validator: Any, committed: dict[str, Any], break_it: Any) -> None:
    broken = copy.deepcopy(committed)
    break_it(broken)
    assert list(validator.iter_errors(broken))


def test_the_schema_names_the_package_its_version_and_one_component(committed: dict[str, Any]) -> None:
    assert (committed["name"], committed["version"]) == (PULUMI_PACKAGE, __version__)
    assert list(committed["resources"]) == [TOKEN]
    assert committed["resources"][TOKEN]["isComponent"] is True


def test_the_outputs_are_the_five_the_program_exports(committed: dict[str, Any]) -> None:
    resource = committed["resources"][TOKEN]
    assert set(resource["properties"]) == OUTPUTS
    assert set(resource["required"]) == OUTPUTS
    assert all(p.get("description") for p in resource["properties"].values())


def test_every_input_is_plain_optional_and_described(committed: dict[str, Any]) -> None:
    """Plain: each setting shapes what is registered, so it must be known when declared."""
    inputs = committed["resources"][TOKEN]["inputProperties"]
    assert committed["resources"][TOKEN].get("requiredInputs", []) == []  # every setting has a default
    for name, prop in inputs.items():
        assert prop.get("plain") is True, name
        assert len(prop.get("description", "")) > 20, name
    for type_ in committed["types"].values():
        for name, prop in type_.get("properties", {}).items():
            assert prop.get("plain") is True and prop.get("description"), name


def test_strategy_and_policy_profile_are_enums_of_the_allowed_values(committed: dict[str, Any]) -> None:
    types = committed["types"]
    assert [e["value"] for e in types[f"{PULUMI_PACKAGE}:index:Strategy"]["enum"]] == list(STRATEGIES)
    assert [e["value"] for e in types[f"{PULUMI_PACKAGE}:index:PolicyProfile"]["enum"]] == list(POLICY_PROFILES)
    assert all(e.get("description") for t in ("Strategy", "PolicyProfile")
               for e in types[f"{PULUMI_PACKAGE}:index:{t}"]["enum"])


def test_the_features_object_names_every_feature_as_a_boolean(committed: dict[str, Any]) -> None:
    features = committed["types"][f"{PULUMI_PACKAGE}:index:Features"]["properties"]
    assert list(features) == list(FEATURES)
    assert {p["type"] for p in features.values()} == {"boolean"}


def test_the_provider_process_serves_the_committed_schema(committed: dict[str, Any]) -> None:
    """Started as the Python language host starts a plugin directory: ``python <dir> <engine>``."""
    with fake_engine() as engine, start_provider(engine.address) as provider:
        assert provider.get_schema() == committed
        assert provider.stub.GetPluginInfo(empty_pb2.Empty()).version == __version__
