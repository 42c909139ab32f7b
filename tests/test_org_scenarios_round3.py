"""Round three of the organisation scenarios (tests/org_scenarios/scenarios_round3.py, issue 15),
through the analyzer protocol in every shape the library runs, and cross-checked by the
brute-force evaluator where it models what decides the end state, with the machinery of
test_org_scenarios."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import test_org_scenarios as base
from org_scenarios.scenarios_round3 import MISSED_BEFORE_FIXES, ROUND3

packs = base.packs
SCENARIOS = ROUND3.scenarios


@pytest.mark.parametrize("scenario_id, shape", base.cases(SCENARIOS))
def test_the_pack_gives_the_reasoned_verdict(packs: Any, scenario_id: str, shape: str,
                                             standalone_pack_dir: Path) -> None:
    """``packs``: round one's fixture (its type changes with the shapes branch's fresh pack per run)."""
    base.give_verdict(SCENARIOS[scenario_id], shape, packs, standalone_pack_dir)


@pytest.mark.parametrize("scenario_id", [s.id for s in SCENARIOS.values() if s.lost is not None])
def test_the_expected_losses_agree_with_brute_force(scenario_id: str) -> None:
    base.losses_agree_with_brute_force(SCENARIOS[scenario_id])


def test_round_three_has_at_least_sixty_arrangements() -> None:
    assert len(SCENARIOS) >= 60
    assert all(s.why.strip() for s in SCENARIOS.values())


def test_what_round_three_found_before_the_fixes_names_its_own_scenarios() -> None:
    """The round's record of the pack's misses when it was written (issue 15): each names a
    scenario and shape of this library, and says what was wrong."""
    assert MISSED_BEFORE_FIXES
    assert all(sid in SCENARIOS and shape in ("update", "preview") and why.strip()
               for (sid, shape), why in MISSED_BEFORE_FIXES.items())
