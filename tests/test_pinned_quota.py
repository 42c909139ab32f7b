"""IAM's quotas at the exact boundary: a managed policy of exactly ``max_chars`` characters
fits and one more does not; exactly ``max_policies`` policies fit and one more does not.
Deterministic: the limits are set from the documents themselves, not left to hypothesis."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sst_deployer.iam import evaluate, parse_document
from sst_deployer.partitions import REGIONS
from sst_deployer.permissions import requirements
from sst_deployer.render import (
    MANAGED_POLICY_MAX_CHARS,
    QuotaExceeded,
    policy_size,
    render,
    to_json,
)
from sst_deployer.settings import DeployerSettings, InvalidSetting

from sst_deployer_component.spec import DeployerSpec

ACCOUNT = "112233445566"
ONE = DeployerSettings(account=ACCOUNT, regions=("us-east-1",))
FIVE = DeployerSettings(account=ACCOUNT, regions=("eu-west-1", "us-east-1", "us-west-2", "ap-south-1", "sa-east-1"))


def sizes(docs: list[dict]) -> list[int]:
    return [policy_size(to_json(d)) for d in docs]


def grants_everything(settings: DeployerSettings, docs: list[dict]) -> bool:
    parsed = [parse_document(to_json(d), f"p{n}") for n, d in enumerate(docs)]
    return all(evaluate(r, parsed).granted for r in requirements(settings))


def test_policy_size_counts_every_character_but_whitespace() -> None:
    assert policy_size('{"a": [1, 2]}') == len('{"a":[1,2]}')
    assert policy_size(" \n\t{} \r\n") == 2
    assert policy_size(json.dumps({"k": "a b"})) == len('{"k":"ab"}')  # IAM counts no whitespace at all


def test_a_document_exactly_at_the_limit_stays_one_policy() -> None:
    (whole,) = render(ONE)
    size = policy_size(to_json(whole))
    assert render(ONE, max_chars=size) == [whole]


def test_one_character_over_the_limit_splits_the_document() -> None:
    (whole,) = render(ONE)
    size = policy_size(to_json(whole))
    docs = render(ONE, max_chars=size - 1)
    assert len(docs) == 2
    assert all(s <= size - 1 for s in sizes(docs))
    assert grants_everything(ONE, docs)


def test_a_split_policy_fills_up_to_exactly_the_limit() -> None:
    # Greedy packing: with the limit set to the first policy's own size, that policy
    # must come out identical (it fits exactly); one character less, it must not.
    docs = render(FIVE, max_chars=MANAGED_POLICY_MAX_CHARS // 2)
    assert len(docs) >= 2
    first = sizes(docs)[0]
    at_limit = render(FIVE, max_chars=first)
    assert at_limit[0] == docs[0] and sizes(at_limit)[0] == first
    below = render(FIVE, max_chars=first - 1)
    assert below[0] != docs[0] and sizes(below)[0] <= first - 1
    for result in (at_limit, below):
        assert grants_everything(FIVE, result)


def test_every_split_policy_is_within_the_limit_and_the_whole_is_granted() -> None:
    for limit in (2000, 3000, MANAGED_POLICY_MAX_CHARS):
        docs = render(FIVE, max_chars=limit)
        assert all(s <= limit for s in sizes(docs)), limit
        assert grants_everything(FIVE, docs)


def test_exactly_the_allowed_number_of_policies_is_accepted_and_one_more_is_not() -> None:
    every = DeployerSettings(account=ACCOUNT, regions=REGIONS["aws"])
    needed = len(render(every))
    assert needed > 1
    assert len(render(every, max_policies=needed)) == needed
    with pytest.raises(QuotaExceeded, match=rf"regions: 34 regions need {needed} managed policies; "
                                            rf"a role may have {needed - 1}"):
        render(every, max_policies=needed - 1)


def test_a_statement_that_cannot_fit_any_policy_is_named() -> None:
    with pytest.raises(QuotaExceeded, match=r"statement AllowCDKManageToolkitStack alone exceeds 50 characters"):
        render(ONE, max_chars=50)


def test_a_custom_policy_of_exactly_the_quota_is_accepted_and_one_more_is_refused() -> None:
    def custom(size: int) -> str:
        statement = {"Sid": "", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
        base = {"Version": "2012-10-17", "Statement": [statement]}
        statement["Sid"] = "S" * (size - policy_size(to_json(base)))
        text = to_json(base, indent=2)  # whitespace does not count
        assert policy_size(text) == size
        return text

    DeployerSpec(settings=ONE, strategy="custom", custom_policy=custom(MANAGED_POLICY_MAX_CHARS)).validate()
    with pytest.raises(InvalidSetting, match=r"6145 characters; a managed policy holds 6144") as err:
        DeployerSpec(settings=ONE, strategy="custom", custom_policy=custom(MANAGED_POLICY_MAX_CHARS + 1)).validate()
    assert err.value.setting == "policyDocument"  # the stack config calls it policyFile


def test_documents_are_compact_json_by_default_and_indented_on_request() -> None:
    (whole,) = render(ONE)
    compact = to_json(whole)
    assert compact == json.dumps(whole, separators=(",", ":")) and " " not in compact
    indented = to_json(whole, indent=2)
    assert indented == json.dumps(whole, indent=2) and '\n  "Statement": [' in indented
    assert json.loads(compact) == json.loads(indented) == whole


def test_the_render_command_indents_unless_asked_for_compact_output() -> None:
    base = [sys.executable, "-m", "sst_deployer", "render", "--account", ACCOUNT, "--region", "us-east-1"]
    pretty = subprocess.run(base, capture_output=True, text=True, check=True).stdout
    compact = subprocess.run([*base, "--compact"], capture_output=True, text=True, check=True).stdout
    assert json.loads(pretty) == json.loads(compact) == render(ONE)
    assert '\n    "Statement": [' in pretty and compact.strip().count("\n") == 0 and " " not in compact.strip()
