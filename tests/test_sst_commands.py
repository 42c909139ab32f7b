"""The SST command table (``sst_commands``) against what SST was seen doing, and its coverage.

Each recorded call of a phase (``tests/fixtures/sst_calls``, made by tests/e2e running SST's
CLI) must be a requirement the table gives to that phase's command; every requirement of
the catalogue, for every feature and version, must belong to some command.
"""

from __future__ import annotations

import pytest
from e2e import recording
from hypothesis import given
from hypothesis import strategies as st
from sst_deployer.iam import matches
from sst_deployer.permissions import CATALOGUE, calls
from sst_deployer.settings import FEATURES, DeployerSettings
from sst_deployer.sst_commands import COMMANDS, TABLE, commands_of, commands_used

RECORDINGS = recording.load_all()
PHASE_COMMAND = {"bootstrap": "bootstrap", "deploy-create": "deploy", "deploy-update": "deploy",
                 "secrets-set": "secrets", "secrets-list": "secrets", "diff": "diff", "remove": "remove"}


@pytest.mark.parametrize(("name", "data"), RECORDINGS, ids=[n for n, _ in RECORDINGS])
def test_every_recorded_call_belongs_to_its_phases_command(name: str, data: dict) -> None:
    settings = recording.settings_from_json(data["settings"])
    reqs = calls(settings)
    missing = []
    for phase, command in PHASE_COMMAND.items():
        for call in data["phases"][phase]["deployer"]:
            serving = [r for r in reqs if r.action.lower() == call["action"].lower()
                       and matches(r.resource, call["resource"])]
            if not any(command in commands_of(r) for r in serving):
                missing.append(f"{phase}: {call['action']} on {call['resource']}")
    assert missing == []


def test_the_table_names_only_catalogue_statements_and_actions_each_with_a_source() -> None:
    sids = {g.sid: {a.lower() for a in g.actions} for g in CATALOGUE}
    for need in TABLE:
        assert need.command in COMMANDS and need.source
        assert need.sid in sids, need
        assert need.actions is None or {a.lower() for a in need.actions} <= sids[need.sid], need


@given(features=st.sets(st.sampled_from(sorted(FEATURES))),
       version=st.sampled_from(["2.0.0", "2.44.1", "2.48.5", "2.49.4", "2.49.8"]))
def test_every_call_of_the_catalogue_belongs_to_some_command(features: set[str], version: str) -> None:
    settings = DeployerSettings(account="123456789012", regions=("us-east-1",), features=frozenset(features),
                                sst_version=version)
    assert [(r.sid, r.action) for r in calls(settings) if not commands_of(r)] == []


def test_secrets_bind_and_the_console_are_commands_only_with_their_features() -> None:
    def used(*features: str) -> tuple[str, ...]:
        return commands_used(DeployerSettings(account="123456789012", regions=("us-east-1",),
                                              features=frozenset(features)))

    assert used() == ("bootstrap", "deploy", "diff", "remove", "dev")
    assert used("secrets", "rdsMigrations") == ("bootstrap", "deploy", "secrets", "diff", "remove", "dev", "console")
    assert used(*FEATURES) == COMMANDS
