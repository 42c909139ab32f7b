"""Issue 15 classes 3, 5, 6, 7 (tests/org_scenarios/scenarios_trust.py) through the analyzer
protocol in the four shapes of ``spec.SHAPES``, a fresh pack process per run, cross-checked
by the brute-force evaluator where they state losses, with the machinery of
test_org_scenarios."""

from __future__ import annotations

from pathlib import Path

import pytest
import test_org_scenarios as base
from org_scenarios.engine import FreshPacks
from org_scenarios.scenarios_trust import TRUST_ROUND

packs = base.packs
SCENARIOS = TRUST_ROUND.scenarios


@pytest.mark.parametrize("scenario_id, shape", base.cases(SCENARIOS))
def test_the_pack_gives_the_reasoned_verdict(packs: FreshPacks, scenario_id: str, shape: str,
                                             standalone_pack_dir: Path) -> None:
    base.give_verdict(SCENARIOS[scenario_id], shape, packs, standalone_pack_dir)


@pytest.mark.parametrize("scenario_id", [s.id for s in SCENARIOS.values() if s.lost is not None])
def test_the_expected_losses_agree_with_brute_force(scenario_id: str) -> None:
    base.losses_agree_with_brute_force(SCENARIOS[scenario_id])


def test_every_class_has_both_directions() -> None:
    for prefix in ("t-sso", "t-oidc", "t-admin", "t-lookalike"):
        found = [s for s in SCENARIOS.values() if s.id.startswith(prefix)]
        blocked = [s for s in found if s.update.findings]
        assert blocked and len(blocked) < len(found), prefix
