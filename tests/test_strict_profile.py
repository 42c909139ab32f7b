"""The strict policy profile: only SST's real calls, named with account and region; it
serves every call, stays inside the page's statements, and is refused when misspelt."""

from __future__ import annotations

import json

import pytest
from analyzer import Analyzer
from conftest import as_engine
from harness import run_program
from hypothesis import given, settings
from hypothesis import strategies as st
from sst_deployer.audit import excess, losses
from sst_deployer.iam import parse_document
from sst_deployer.partitions import REGIONS
from sst_deployer.render import render, to_json
from sst_deployer.settings import FEATURES, DeployerSettings, InvalidSetting
from sst_deployer.tags import from_tags, to_tags

ACCOUNT = "112233445566"


def strict(**kwargs: object) -> DeployerSettings:
    return DeployerSettings(account=ACCOUNT, policy_profile="strict", **kwargs)  # type: ignore[arg-type]


def docs(s: DeployerSettings) -> tuple:
    return tuple(parse_document(to_json(d), f"policy {n}") for n, d in enumerate(render(s), 1))


any_strict = st.builds(
    lambda partition, k, features, version, bucket: strict(
        regions=REGIONS[partition][:k], partition=partition, features=frozenset(features), sst_version=version,
        file_assets_bucket_name=bucket),
    st.sampled_from(sorted(REGIONS)), st.integers(1, 4), st.sets(st.sampled_from(sorted(FEATURES))),
    st.sampled_from(["2.44.0", "2.48.1", "2.49.4", "2.49.8"]), st.none() | st.just("acme-cdk-assets"))


@settings(max_examples=30, deadline=None)
@given(s=any_strict)
def test_the_strict_profile_serves_every_real_call_and_stays_inside_the_page(s: DeployerSettings) -> None:
    assert losses(s, docs(s), None) == ((), ())
    assert excess(s, docs(s)) == ()


def test_the_strict_profile_is_tighter_where_sst_calls_allow() -> None:
    page = json.dumps(render(DeployerSettings(account=ACCOUNT, regions=("eu-west-1",))))
    text = json.dumps(render(strict(regions=("eu-west-1",))))
    # CDK's names with account and region.
    assert f"cdk-hnb659fds-assets-{ACCOUNT}-eu-west-1" in text and "cdk-hnb659fds-assets-*" in page
    assert f"cdk-hnb659fds-deploy-role-{ACCOUNT}-eu-west-1" in text and "-role-*\"" not in text
    # The bootstrap bucket's name carries no account: aws:ResourceAccount does.
    assert '"aws:ResourceAccount": "112233445566"' in text and "aws:ResourceAccount" not in page
    # IoT limited to SST's client, topics and topic filters.
    assert "client/mqttjs_*" in text and "topicfilter//sst/*" in text
    assert '"iot:Connect", "iot:DescribeEndpoint", "iot:Publish", "iot:Receive", "iot:Subscribe"' in page


def test_opt_in_grants_get_the_tag_condition_sst_satisfies() -> None:
    text = json.dumps(render(strict(regions=("us-east-1",), features=frozenset({"bind"}))))
    bind = [s for d in render(strict(regions=("us-east-1",), features=frozenset({"bind"})))
            for s in d["Statement"] if "ServerFunctionRole" in json.dumps(s["Resource"])]
    assert bind and all(s.get("Condition") == {"Null": {"aws:ResourceTag/sst:app": "false"}} for s in bind)
    assert "ServerFunctionRole" in text


def test_the_strict_profile_fits_iams_quotas_in_every_region() -> None:
    for partition, regions in REGIONS.items():
        assert len(render(strict(regions=regions, partition=partition))) <= 10


def test_a_policy_missing_a_strict_call_fails() -> None:
    s = strict(regions=("us-east-1",))
    documents = [json.loads(to_json(d)) for d in render(s)]
    for d in documents:
        for st_ in d["Statement"]:
            st_["Resource"] = [r for r in st_["Resource"] if "topicfilter" not in r] or ["arn:aws:s3:::nothing"]
    lost, _ = losses(s, tuple(parse_document(d) for d in documents), None)
    assert {x.requirement.action for x in lost} == {"iot:Subscribe"}


def test_a_misspelt_profile_names_the_setting_and_the_choices() -> None:
    with pytest.raises(InvalidSetting, match=r"policyProfile: 'tight'; allowed: page, strict"):
        DeployerSettings(account=ACCOUNT, regions=("us-east-1",), policy_profile="tight")
    tags = to_tags(DeployerSettings(account=ACCOUNT, regions=("us-east-1",)), "least-privilege")
    with pytest.raises(InvalidSetting, match="sst-deployer:policy-profile"):
        from_tags({**tags, "sst-deployer:policy-profile": "tight"})


def test_the_profile_round_trips_through_tags() -> None:
    s = strict(regions=("us-east-1",))
    assert from_tags(to_tags(s, "least-privilege")) == s
    page = DeployerSettings(account=ACCOUNT, regions=("us-east-1",))
    assert "sst-deployer:policy-profile" not in to_tags(page, "least-privilege")


def test_a_strict_deployer_passes_the_pack(pack: Analyzer) -> None:
    stack = run_program({"aws:region": "eu-west-1", "sst-deployer:regions": ["eu-west-1", "us-east-1"],
                         "sst-deployer:policyProfile": "strict", "sst-deployer:features": {"bind": True}})
    resources = as_engine(stack)
    assert "mqttjs_" in json.dumps(resources)
    assert pack.analyze_stack(resources) == []
