"""The pack's policies called directly, with resources built the way pulumi-policy
builds them (proxies over deserialized engine values): never a crash, whatever comes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import as_engine
from harness import Stack
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pulumi_policy import PolicyResource, PolicyResourceOptions, StackValidationArgs
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy
from sst_deployer.policies import declared
from sst_deployer.policies.model import UNKNOWN, deployers, plain, read
from sst_deployer.policies.pack import POLICIES

UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def policy_resources(resources: list[dict[str, Any]]) -> list[PolicyResource]:
    """As the SDK's AnalyzeStack builds them: proxies, parents and property dependencies."""
    opts = PolicyResourceOptions(False, [], None, [], None, [], None)  # type: ignore[arg-type]
    built = {r["urn"]: PolicyResource(r["type"], unknown_checking_proxy(deserialize_properties(r["outputs"])),
                                      r["urn"], r["name"], opts, None, None, [], {}) for r in resources}
    for r in resources:
        res = built[r["urn"]]
        res.parent = built.get(r.get("parent") or "")
        for key, urns in (r.get("property_dependencies") or {}).items():
            res.property_dependencies[key] = [built[u] for u in urns if u in built]
    return list(built.values())


def run_all(resources: list[dict[str, Any]]) -> list[tuple[str, str]]:
    reported: list[tuple[str, str]] = []
    built = policy_resources(resources)
    for policy in POLICIES:

        def report(message: str, urn: str | None = None, name: str = policy.name) -> None:
            reported.append((name, message))

        policy.validate(StackValidationArgs(built, {}), report)
    return reported


def test_proxies_are_read_as_plain_data_with_unknowns_marked() -> None:
    proxy = unknown_checking_proxy(deserialize_properties(
        {"tags": {"a": "b"}, "arn": UNKNOWN_STRING, "list": [1, {"x": UNKNOWN_STRING}]}))
    assert not isinstance(proxy, dict)
    try:
        proxy["arn"]
    except UnknownValueError:
        pass
    else:  # the SDK's proxy raises on an unknown: the reason plain() exists
        raise AssertionError("expected the SDK proxy to raise")
    assert plain(proxy) == {"tags": {"a": "b"}, "arn": UNKNOWN, "list": [1.0, {"x": UNKNOWN}]}


def test_example_stacks_pass_every_policy_when_called_directly(example_stacks: dict[str, Stack]) -> None:
    for name, stack in example_stacks.items():
        reported = run_all(as_engine(stack))
        # production's boundary is outside the stack: said, by the advisory unseen-policies policy only.
        assert [p for p, _ in reported] == (["sst-deployer-unseen-policies"] if name == "production" else [])


def test_the_component_role_is_found_with_its_policy(example_stacks: dict[str, Stack]) -> None:
    (d,) = deployers(read(policy_resources(as_engine(example_stacks["staging"]))))
    assert d.component is not None and d.settings is not None
    assert d.settings.regions == ("eu-west-1", "us-east-1") and d.settings.account == "222233334444"
    (source,) = d.sources
    assert source.what == "managed policy 'sst-deployer-staging-policy' (sst-deployer-staging-policy-1a2b3c4)"


def test_previews_follow_property_dependencies(example_previews: dict[str, Stack]) -> None:
    (d,) = deployers(read(policy_resources(as_engine(example_previews["dev"]))))
    # The attachment's role and policyArn are unknown; its dependencies still tie them.
    assert len(d.attachments) == 1 and d.sources[0].document is not None


# Infinities and NaN are explicit examples below, on every key, so that a failure on them
# is found on every run and not one run in twenty.
json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20)
    | st.just(UNKNOWN_STRING) | st.just("*")
    | st.just('{"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}'),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["Statement", "Effect", "Action", "Resource", "Principal", "Condition", "policy",
                         "sst-deployer:role", "sst-deployer:regions", "name", "x"]), children, max_size=5),
    max_leaves=20,
)


KEYS = ["assumeRolePolicy", "tags", "inlinePolicies", "permissionsBoundary", "policy", "role", "policyArn",
        "attachmentCount", "parameters", "managedPolicyArns", "roles", "name", "arn", "allowedAccountIds",
        "assumeRole"]
NOT_FINITE = [float("inf"), float("-inf"), float("nan")]


def _not_finite_examples(test: Any) -> Any:
    """Every key of every resource with each of inf, -inf and NaN, as explicit examples."""
    for key in KEYS:
        for target in range(4):
            for value in NOT_FINITE:
                # (attachmentCount on the DeployerRole used to crash int(): now bad data, reported)
                test = example(key=key, value=value, target=target)(test)
    return test


@pytest.mark.filterwarnings("ignore:Generating overly large repr")  # the expected failures print the fixture
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@_not_finite_examples
@given(key=st.sampled_from(KEYS),
       value=json_values, target=st.sampled_from([0, 1, 2, 3]))
def test_no_policy_ever_raises_whatever_the_values(example_stacks: dict[str, Stack], key: str, value: Any,
                                                   target: int) -> None:
    resources = as_engine(example_stacks["dev"])
    resources[target]["outputs"][key] = json.loads(json.dumps(value))
    resources[target]["inputs"][key] = json.loads(json.dumps(value))
    for r in resources:  # as if Analyze had seen every resource's inputs
        declared.remember(r["urn"], r["type"], r["inputs"])
    try:
        for _policy, message in run_all(resources):
            assert "could not check this stack" not in message, message
    finally:
        declared.forget()
