"""Rendered documents: valid, deterministic, compact, within IAM's quotas."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sst_deployer.iam import evaluate, parse_document
from sst_deployer.partitions import REGIONS
from sst_deployer.permissions import requirements
from sst_deployer.render import (
    MANAGED_POLICIES_PER_ROLE,
    MANAGED_POLICY_MAX_CHARS,
    QuotaExceeded,
    policy_size,
    render,
    to_json,
)
from sst_deployer.settings import FEATURES, DeployerSettings

ACCOUNT = "112233445566"


def settings_for(regions: tuple[str, ...], partition: str = "aws", **kw: object) -> DeployerSettings:
    return DeployerSettings(account=ACCOUNT, regions=tuple(sorted(set(regions))), partition=partition, **kw)  # type: ignore[arg-type]


def grants_everything(s: DeployerSettings, docs: list[dict]) -> bool:
    parsed = [parse_document(to_json(d), f"p{n}") for n, d in enumerate(docs)]
    return all(evaluate(r, parsed).granted for r in requirements(s))


def check_shape(docs: list[dict]) -> None:
    assert 1 <= len(docs) <= MANAGED_POLICIES_PER_ROLE
    for d in docs:
        assert policy_size(to_json(d)) <= MANAGED_POLICY_MAX_CHARS
        sids = [s["Sid"] for s in d["Statement"]]
        assert len(sids) == len(set(sids)) and all(re.fullmatch(r"[A-Za-z0-9]+", s) for s in sids)
        seen = set()
        for s in d["Statement"]:
            for r in s["Resource"]:
                key = (r, json.dumps(s.get("Condition"), sort_keys=True))
                assert key not in seen, f"{r} appears twice"  # each ARN once per document
                seen.add(key)


def test_one_region_fits_one_policy() -> None:
    docs = render(settings_for(("us-east-1",)))
    assert len(docs) == 1
    check_shape(docs)


@pytest.mark.parametrize("partition", sorted(REGIONS))
def test_every_region_of_a_partition_deploys(partition: str) -> None:
    s = settings_for(REGIONS[partition], partition)
    docs = render(s)
    check_shape(docs)
    assert grants_everything(s, docs)


def test_all_aws_regions_need_four_policies() -> None:
    # 18,280 characters of statements against 3 x 6,144: see benchmarks/README.md.
    docs = render(settings_for(REGIONS["aws"]))
    assert len(docs) == 4


def test_past_the_quota_a_clear_error_names_the_regions() -> None:
    with pytest.raises(QuotaExceeded, match=r"regions: 34 regions need \d+ managed policies; a role may have 2"):
        render(settings_for(REGIONS["aws"]), max_policies=2)


def test_rendering_is_byte_identical_for_equal_inputs() -> None:
    a = settings_for(("us-east-1", "eu-west-1"))
    b = settings_for(("eu-west-1", "us-east-1"))
    assert [to_json(d) for d in render(a)] == [to_json(d) for d in render(b)]


def test_broader_grants_absorb_narrower_ones() -> None:
    text = to_json(render(settings_for(("us-east-1",)))[0])
    # DescribeStacks on stack/CDKToolkit/* is inside DescribeStacks on stack/*.
    toolkit = [s for s in json.loads(text)["Statement"] if any("stack/CDKToolkit/*" in r for r in s["Resource"])]
    assert all("cloudformation:DescribeStacks" not in s["Action"] for s in toolkit)


region_sets = st.lists(st.sampled_from(REGIONS["aws"]), min_size=1, max_size=34, unique=True)
qualifiers = st.from_regex(r"[A-Za-z0-9_-]{1,10}", fullmatch=True)
feature_sets = st.frozensets(st.sampled_from(sorted(FEATURES)))


@settings(max_examples=60, deadline=None)
@given(regions=region_sets, qualifier=qualifiers, features=feature_sets)
def test_any_region_set_qualifier_and_features_render_within_quota(regions, qualifier, features) -> None:
    s = settings_for(tuple(regions), qualifier=qualifier, features=features)
    docs = render(s)
    check_shape(docs)
    assert [to_json(d) for d in render(s)] == [to_json(d) for d in docs]
    assert grants_everything(s, docs)
