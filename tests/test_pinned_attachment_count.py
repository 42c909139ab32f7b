"""The component's registered ``attachmentCount`` is engine data a stack can carry in any
shape: whatever it is, attachments-intact reports a violation or nothing, never "could not
check this stack". The engine's JSON cannot carry infinities or NaN to a served pack (the
SDK's own deserialization refuses them), so those go through the pack's policies directly;
the rest go through the served pack too."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from analyzer import Analyzer
from conftest import as_engine
from harness import Stack
from test_policies_direct import run_all

COMPONENT = "sst:aws:DeployerRole"
ATTACHED = "sst-deployer-attachments-intact"
CRASH = "could not check this stack"

ODD = [1e300, -1, -1.0, 1.5, "3", True, False, 10**30, None, [], {"n": 1}]


def with_count(example_stacks: dict[str, Stack], value: Any) -> list[dict[str, Any]]:
    resources = copy.deepcopy(as_engine(example_stacks["dev"]))
    component = next(r for r in resources if r["type"] == COMPONENT)
    assert component["outputs"]["attachmentCount"] == 1
    component["outputs"]["attachmentCount"] = value
    return resources


@pytest.mark.parametrize("value", [
    pytest.param(float("inf"), id="inf"),
    pytest.param(float("-inf"), id="-inf"),
    pytest.param(float("nan"), id="nan"),
    *ODD,
])
def test_any_attachment_count_is_judged_by_the_policies_without_a_crash(
        example_stacks: dict[str, Stack], value: Any) -> None:
    messages = [m for _, m in run_all(with_count(example_stacks, value))]
    assert not any(CRASH in m for m in messages), messages


@pytest.mark.parametrize("value", ODD, ids=repr)
def test_any_attachment_count_is_judged_by_the_served_pack_without_a_crash(
        pack: Analyzer, example_stacks: dict[str, Stack], value: Any) -> None:
    diags = pack.analyze_stack(with_count(example_stacks, value))
    assert not any(CRASH in d.message for d in diags), diags


@pytest.mark.parametrize("count, reported", [(1, False), (1.0, False), (2, True), (2.0, True)])
def test_fewer_attachments_than_the_component_made_are_reported(
        pack: Analyzer, example_stacks: dict[str, Stack], count: Any, reported: bool) -> None:
    messages = [d.message for d in pack.analyze_stack(with_count(example_stacks, count)) if d.policy == ATTACHED]
    assert any("has 1 of the 2 policy attachments" in m for m in messages) == reported, messages
