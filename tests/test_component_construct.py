"""``Construct`` over gRPC, as a TypeScript, Go or YAML program's engine sends it after
``pulumi package add``: the provider process registers the same children with the same
inputs as this repository's Python program does for the same settings (stack config there,
camelCase inputs here), refuses bad inputs naming the property before registering anything,
and the policy pack passes what it constructed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from analyzer import Analyzer, Diagnostic
from component_host import FakeEngine, Provider, fake_engine, start_provider
from conftest import as_engine
from google.protobuf import json_format
from harness import ROOT, UNKNOWN, Captured, Stack, run_program, stack_config

from sst_deployer_component.about import PULUMI_PACKAGE
from sst_deployer_component.config import NAMESPACE, POLICY_FILE

TOKEN = f"{PULUMI_PACKAGE}:index:DeployerRole"
A = "112233445566"
BOUNDARY = f"arn:aws:iam::{A}:policy/org-deployer-boundary"

CONFIGURATIONS: dict[str, dict[str, Any]] = {
    "least-privilege-three-regions": {
        "aws:region": "eu-west-1", f"{NAMESPACE}:regions": ["eu-west-1", "us-east-1", "ap-southeast-2"],
        f"{NAMESPACE}:accountId": A, f"{NAMESPACE}:features": {"liveLambda": False, "bind": True},
    },
    "least-privilege-strict-caller-account": {
        "aws:region": "us-west-2", f"{NAMESPACE}:policyProfile": "strict", f"{NAMESPACE}:qualifier": "acme01",
        f"{NAMESPACE}:fileAssetsBucketName": "acme-assets",
    },
    "administrator": {"aws:region": "eu-west-1", f"{NAMESPACE}:strategy": "administrator"},
    "custom": {"aws:region": "eu-west-1", f"{NAMESPACE}:strategy": "custom",
               f"{NAMESPACE}:{POLICY_FILE}": "examples/access-analyzer-policy.json"},
    "github-oidc": {
        "aws:region": "eu-central-1",
        f"{NAMESPACE}:trust": {"principals": [], "githubOidc": {"repository": "acme/web", "branches": ["main"],
                                                               "environments": ["production"]}},
    },
    "boundary": {"aws:region": "eu-west-1", f"{NAMESPACE}:permissionsBoundary": BOUNDARY,
                 f"{NAMESPACE}:roleName": "acme-deployer", f"{NAMESPACE}:path": "/deployers/",
                 f"{NAMESPACE}:maxSessionDuration": 7200, f"{NAMESPACE}:tags": {"team": "platform"}},
    **{f"stack-{name}": stack_config(name) for name in ("dev", "staging", "production")},
}


def construct_inputs(config: dict[str, Any]) -> dict[str, Any]:
    """The stack config as a consumer's camelCase inputs (policyFile read into policyDocument)."""
    inputs: dict[str, Any] = {}
    for key, value in config.items():
        if not key.startswith(NAMESPACE + ":"):
            continue
        name = key.split(":", 1)[1]
        if name == POLICY_FILE:
            inputs["policyDocument"] = (ROOT / value).read_text()
        else:
            inputs[name] = value
    return inputs


def stack_of(config: dict[str, Any]) -> str:
    return next((n.split("-", 1)[1] for n, c in CONFIGURATIONS.items() if c is config and n.startswith("stack-")),
                "dev")


def comparable(resources: list[Captured]) -> list[dict[str, Any]]:
    """Everything the engine records of a resource, in URN order; dependency lists as sets
    (siblings register, and the SDK gathers dependencies, in no fixed order)."""
    out = []
    for r in resources:
        d = json.loads(json.dumps(r.__dict__))
        d["dependencies"] = sorted(d["dependencies"])
        d["property_dependencies"] = {k: sorted(v) for k, v in d["property_dependencies"].items()}
        out.append(d)
    return sorted(out, key=lambda r: r["urn"])


@pytest.fixture(scope="module")
def engine() -> Iterator[FakeEngine]:
    with fake_engine() as e:
        yield e


@pytest.fixture(scope="module")
def provider(engine: FakeEngine) -> Iterator[Provider]:
    with start_provider(engine.address) as p:
        yield p


def construct(engine: FakeEngine, provider: Provider, config: dict[str, Any], inputs: dict[str, Any], *,
              stack: str = "dev", preview: bool = False) -> tuple[Any, Stack]:
    deployment = engine.begin(config, stack=stack, preview=preview)
    response = provider.construct(deployment, TOKEN, f"sst-deployer-{stack}", inputs, config=config,
                                  preview=preview)
    return response, Stack(stack, deployment.resources, deployment.invokes)


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
@pytest.mark.parametrize("name", list(CONFIGURATIONS))
def test_construct_registers_what_the_python_program_registers(engine: FakeEngine, provider: Provider,
                                                               name: str, preview: bool) -> None:
    config = CONFIGURATIONS[name]
    stack = stack_of(config)
    program = run_program(config, stack=stack, preview=preview)
    _, constructed = construct(engine, provider, config, construct_inputs(config), stack=stack, preview=preview)
    assert comparable(constructed.resources) == comparable(program.resources)
    assert constructed.invokes == program.invokes


def test_construct_returns_the_five_outputs(engine: FakeEngine, provider: Provider) -> None:
    config = CONFIGURATIONS["least-privilege-three-regions"]
    response, constructed = construct(engine, provider, config, construct_inputs(config))
    state = json_format.MessageToDict(response.state)
    assert set(state) == {"roleArn", "roleName", "policyArns", "policyDocuments", "awsConfigProfile"}
    role = constructed.one("aws:iam/role:Role")
    assert state["roleArn"] == role.outputs["arn"]
    policies = sorted(constructed.of_type("aws:iam/policy:Policy"), key=lambda p: p.name)
    assert [json.loads(d) for d in state["policyDocuments"]] == [json.loads(p.inputs["policy"]) for p in policies]
    assert state["awsConfigProfile"].startswith("[profile dev]\nrole_arn = " + role.outputs["arn"])


BAD: list[tuple[dict[str, Any], str, str]] = [
    ({"regions": ["eu-west-1", "cn-north-1"]}, "regions", "'cn-north-1' is in partition aws-cn, not in aws"),
    ({"accountId": "1234"}, "accountId", "12"),
    ({"maxSessionDuration": 60}, "maxSessionDuration", "allowed: 3600 to 43200 seconds"),
    ({"maxSessionDuration": 3600.5}, "maxSessionDuration", "3600.5"),
    ({"features": {"liveLambda": "yes"}}, "features.liveLambda", "must be true or false"),
    ({"trust": {"githubOidc": {"repository": "acme/*"}}}, "trust.githubOidc.repository", "acme/*"),
    ({"trust": {"principals": ["*"]}}, "trust.principals", "*"),
    ({"strategy": "administrator", "policyDocument": "{}"}, "policyDocument", "only used with strategy custom"),
    ({"strategy": "custom"}, "policyDocument", "strategy custom needs a policy document"),
    ({"sstVersion": "2.49.2"}, "sstVersion", "2.49.2"),
    ({"roleName": "no spaces allowed"}, "roleName", "IAM allows 1-64"),
    ({"tags": {"aws:owner": "me"}}, "tags", "reserved"),
    ({"permissionsBoundary": "arn:aws:iam::aws:role/x"}, "permissionsBoundary", "managed policy ARN"),
]


@pytest.mark.parametrize(("inputs", "prop", "reason"), BAD, ids=[f"{b[1]}-{n}" for n, b in enumerate(BAD)])
def test_a_bad_input_fails_naming_its_camel_case_property_and_registers_nothing(
        engine: FakeEngine, provider: Provider, inputs: dict[str, Any], prop: str, reason: str) -> None:
    config = {"aws:region": "eu-west-1"}
    deployment = engine.begin(config, stack="dev")
    with pytest.raises(grpc.RpcError) as err:
        provider.construct(deployment, TOKEN, "sst-deployer-dev", inputs, config=config)
    details = err.value.details()
    assert f"DeployerRole {prop}: " in details and reason in details
    assert deployment.resources == []


def test_an_enum_value_outside_the_schema_is_refused_by_the_sdk_with_its_property_path(
        engine: FakeEngine, provider: Provider) -> None:
    deployment = engine.begin({"aws:region": "eu-west-1"}, stack="dev")
    with pytest.raises(grpc.RpcError) as err:
        provider.construct(deployment, TOKEN, "sst-deployer-dev", {"policyProfile": "lenient"},
                           config={"aws:region": "eu-west-1"})
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    metadata = dict(err.value.trailing_metadata())
    assert b"policyProfile" in metadata["grpc-status-details-bin"]
    assert deployment.resources == []


@pytest.mark.parametrize("inputs", [
    {"accountId": UNKNOWN},
    {"regions": ["eu-west-1", UNKNOWN]},
    {"trust": {"githubOidc": {"repository": UNKNOWN}}},
    {"tags": {"team": UNKNOWN}},
], ids=["accountId", "regions", "trust.githubOidc.repository", "tags.team"])
def test_an_input_unknown_during_preview_is_refused_and_no_policy_is_registered(
        engine: FakeEngine, provider: Provider, inputs: dict[str, Any]) -> None:
    """A value of another resource not yet created: registering documents built without it
    would show the pack (and the reviewer) a policy that is not the one deployed."""
    config = {"aws:region": "eu-west-1"}
    deployment = engine.begin(config, stack="dev", preview=True)
    with pytest.raises(grpc.RpcError) as err:
        provider.construct(deployment, TOKEN, "sst-deployer-dev", inputs, config=config, preview=True)
    details = err.value.details()
    prop = next(iter(inputs))
    assert f"DeployerRole {prop}" in details and "must be known when the deployer is declared" in details
    assert deployment.resources == []


def mandatory(diags: list[Diagnostic]) -> list[str]:
    return [f"{d.policy}: {d.message}" for d in diags if d.level == "mandatory"]


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
@pytest.mark.parametrize("name", ["least-privilege-three-regions", "github-oidc", "boundary",
                                  "stack-staging", "stack-production"])
def test_the_pack_passes_what_was_constructed(engine: FakeEngine, provider: Provider, pack: Analyzer,
                                              name: str, preview: bool) -> None:
    config = CONFIGURATIONS[name]
    _, constructed = construct(engine, provider, config, construct_inputs(config), stack=stack_of(config),
                               preview=preview)
    diags = pack.run(as_engine(constructed))
    assert mandatory(diags) == []
    assert any(r.type == "sst:aws:DeployerRole" for r in constructed.resources)


@pytest.mark.parametrize("name", list(CONFIGURATIONS))
def test_the_pack_says_the_same_of_a_constructed_stack_as_of_the_program(
        engine: FakeEngine, provider: Provider, pack: Analyzer, name: str) -> None:
    """Blocks included: the custom example grants only what Access Analyzer saw, and the
    pack stops it whichever language declared it."""
    config = CONFIGURATIONS[name]
    stack = stack_of(config)
    _, constructed = construct(engine, provider, config, construct_inputs(config), stack=stack)
    said = sorted((d.policy, d.level, d.message) for d in pack.run(as_engine(constructed)))
    assert said == sorted((d.policy, d.level, d.message) for d in pack.run(as_engine(run_program(config, stack=stack))))
    if name == "custom":
        assert any(level == "mandatory" for _, level, _ in said)
