"""The calls one SST run made, per phase, as the committed fixture stores them.

``tests/fixtures/sst_calls/sst-<version>.<run>.json`` holds the settings the deployer was
rendered with and, per phase, each distinct IAM check made with the deployer's own key
(with the operation that made it and how often), plus the calls signed by assumed CDK
roles (recorded, not the deployer's). ``tests/test_sst_calls.py`` judges them again
without node; the e2e suite rewrites them when run with ``E2E_RECORD=1``.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sst_deployer.settings import DeployerSettings

from .calls import Check
from .judge import check_from_json
from .proxy import Recorded

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "sst_calls"


def fixture_path(sst_version: str, run: str) -> Path:
    return FIXTURES / f"sst-{sst_version}.{run}.json"


def settings_json(settings: DeployerSettings) -> dict[str, Any]:
    out = dataclasses.asdict(settings)
    out["regions"] = list(settings.regions)
    out["features"] = sorted(settings.features)
    return out


def settings_from_json(raw: Mapping[str, Any]) -> DeployerSettings:
    values = dict(raw)
    values["regions"] = tuple(values["regions"])
    values["features"] = frozenset(values["features"])
    return DeployerSettings(**values)


def _distinct(records: Iterable[Recorded]) -> list[dict[str, Any]]:
    counts: Counter[str] = Counter()
    for r in records:
        for c in r.checks:
            counts[json.dumps({"operation": r.operation, "signer": r.signer, **c.as_json()}, sort_keys=True)] += 1
    return [{**json.loads(k), "count": n} for k, n in sorted(counts.items())]


def summary(sst_version: str, settings: DeployerSettings, app_env: Mapping[str, str],
            phases: Iterable[str], records: list[Recorded]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "sstVersion": sst_version,
        "settings": settings_json(settings),
        "app": dict(sorted(app_env.items())),
        "phases": {},
    }
    for phase in phases:
        mine = [r for r in records if r.phase == phase]
        out["phases"][phase] = {
            "deployer": [{k: v for k, v in c.items() if k != "signer"}
                         for c in _distinct(r for r in mine if r.signer == "deployer")],
            "assumedRoles": _distinct(r for r in mine if r.signer not in ("deployer", "other")),
        }
    return out


def write(path: Path, data: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n")


def load_all() -> list[tuple[str, dict[str, Any]]]:
    return [(p.name, json.loads(p.read_text())) for p in sorted(FIXTURES.glob("sst-*.json"))]


def deployer_checks(data: Mapping[str, Any]) -> list[tuple[str, str, Check]]:
    """(phase, operation, check) for every recorded check of the deployer's own key."""
    return [(phase, raw["operation"], check_from_json(raw))
            for phase, calls in data["phases"].items() for raw in calls["deployer"]]
