"""The strict profile (and the page's) against the calls the end-to-end suite recorded
from the real SST CLI (tests/fixtures/sst_calls/, written by tests/e2e): every call the
deployer's own key signed, in every phase, is granted in the context it had."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sst_deployer.context import resource_account
from sst_deployer.iam import Context, evaluate, parse_document
from sst_deployer.render import render, to_json
from sst_deployer.settings import DeployerSettings

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "sst_calls").glob("*.json"))
# The suite replaces SST's MQTT client in-process and names it "sst-cli"; the real one is
# aws-iot-device-sdk's mqtt.js client, which SST gives no clientId, so mqtt.js names it
# mqttjs_<8 hex digits> (mqtt/lib/client.js defaultId, mqtt 4.2.8 under sst@2.49.8).
BRIDGE_CLIENT, REAL_CLIENT = ":client/sst-cli", ":client/mqttjs_5f2e9a1c"


@dataclass(frozen=True)
class Asked:
    action: str
    resource: str
    condition: frozenset = frozenset()


def settings_of(raw: dict[str, Any], profile: str) -> DeployerSettings:
    return DeployerSettings(**{**raw, "regions": tuple(raw["regions"]), "features": frozenset(raw["features"]),
                               "policy_profile": profile})


def recorded(path: Path) -> list[tuple[str, dict[str, Any]]]:
    data = json.loads(path.read_text())
    return [(phase, call) for phase, record in data["phases"].items() for call in record["deployer"]]


def test_the_recorded_calls_are_here() -> None:
    assert len(FIXTURES) >= 3 and all(recorded(f) for f in FIXTURES)


@pytest.mark.parametrize("profile", ["page", "strict"])
@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_every_recorded_call_is_granted_in_its_context(path: Path, profile: str) -> None:
    data = json.loads(path.read_text())
    s = settings_of(data["settings"], profile)
    documents = [parse_document(to_json(d), f"policy {n}") for n, d in enumerate(render(s), 1)]
    refused = []
    for phase, call in recorded(path):
        resource = call["resource"].replace(BRIDGE_CLIENT, REAL_CLIENT)
        # What the recorder saw, and what every such request also carries (context.py).
        ctx = Context.of({**call.get("context", {}), "aws:ResourceAccount": resource_account(resource, s.account),
                          "aws:SecureTransport": "true"})
        if not evaluate(Asked(call["action"], resource), documents, None, ctx).granted:
            refused.append(f"{phase}: {call['action']} on {resource}")
    assert refused == []


def test_the_strict_profile_refuses_what_sst_does_not_call() -> None:
    path = next(p for p in FIXTURES if "2.49.8.default" in p.stem)
    s = settings_of(json.loads(path.read_text())["settings"], "strict")
    documents = [parse_document(to_json(d), f"policy {n}") for n, d in enumerate(render(s), 1)]
    ctx = Context.of({"aws:RequestedRegion": "us-east-1", "aws:ResourceAccount": s.account})
    for action, resource in [
        ("s3:GetObject", "arn:aws:s3:::sstbootstrap-useast1abc/secrets/other-team.json"),
        ("s3:PutObject", "arn:aws:s3:::cdk-hnb659fds-assets-999999999999-us-east-1/x"),
        ("iot:Connect", f"arn:aws:iot:us-east-1:{s.account}:client/factory-robot-7"),
        ("iot:Publish", f"arn:aws:iot:us-east-1:{s.account}:topic/factory/line1"),
        ("sts:AssumeRole", f"arn:aws:iam::{s.account}:role/cdk-hnb659fds-cfn-exec-role-{s.account}-us-east-1"),
    ]:
        assert not evaluate(Asked(action, resource), documents, None, ctx).granted, (action, resource)
    other_account = Context.of({"aws:RequestedRegion": "us-east-1", "aws:ResourceAccount": "999999999999"})
    assert not evaluate(Asked("s3:ListBucket", "arn:aws:s3:::sstbootstrap-useast1abc"), documents, None,
                        other_account).granted
