"""The component and the deployer tags: details mutation testing found unpinned."""

from __future__ import annotations

import pytest
from harness import Stack
from sst_deployer.settings import DeployerSettings, InvalidSetting
from sst_deployer.tags import MARKER, from_tags, to_tags

from sst_deployer_component.spec import DeployerSpec

A = "112233445566"
S = DeployerSettings(account=A, regions=("eu-west-1",))
OIDC = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"


def test_the_github_oidc_provider_is_githubs_with_sts_as_audience(example_stacks: dict[str, Stack]) -> None:
    provider = example_stacks["production"].one(OIDC)
    assert provider.outputs["url"] == "https://token.actions.githubusercontent.com"
    assert provider.outputs["clientIdLists"] == ["sts.amazonaws.com"]
    assert provider.parent == example_stacks["production"].one("sst:aws:DeployerRole").urn


@pytest.mark.parametrize("tags, message", [
    ({"team": "x" * 257}, "'team': keys are 1-128 and values 0-256 characters"),
    ({"k" * 129: "v"}, f"'{'k' * 129}': keys are 1-128 and values 0-256 characters"),
    ({"sst-deployer:role": "x"}, "'sst-deployer:role': the sst-deployer: and aws: prefixes are reserved"),
    ({"AWS:cost": "x"}, "'AWS:cost': the sst-deployer: and aws: prefixes are reserved"),
    ({f"t{i}": "v" for i in range(40)}, "a role has at most 50 tags, sst-deployer's own included"),
])
def test_bad_tags_name_the_setting(tags: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidSetting) as err:
        DeployerSpec(settings=S, tags=tags).validate()
    assert (err.value.setting, err.value.message) == ("tags", message)


def test_tag_keys_of_128_and_values_of_256_characters_are_allowed() -> None:
    DeployerSpec(settings=S, tags={"k" * 128: "v" * 256}).validate()


def test_a_role_tagged_with_only_a_marker_and_regions_gets_every_default() -> None:
    tags = {MARKER: "least-privilege", "sst-deployer:regions": "eu-west-1"}
    assert from_tags(tags, account=A) == S


def test_tags_round_trip_and_none_means_no_features() -> None:
    custom = DeployerSettings(account=A, regions=("eu-west-1", "us-east-1"), qualifier="acme01",
                              toolkit_stack_name="T", bootstrap_stack_name="B", bootstrap_bucket_prefix="b-",
                              ssm_prefix="/x/", features=frozenset(), sst_version="2.47.0")
    tags = to_tags(custom, "custom")
    assert tags["sst-deployer:features"] == "none"
    assert from_tags(tags) == custom


def test_a_missing_required_tag_is_named() -> None:
    with pytest.raises(InvalidSetting) as err:
        from_tags({MARKER: "least-privilege", "sst-deployer:regions": "eu-west-1"})
    assert (err.value.setting, err.value.message) == ("sst-deployer:account",
                                                       "tag is missing; it is required on a deployer")
