"""The catalogue is exactly the reviewed (action, resource, condition) triples of each case
in tests/fixtures/catalogue_reviewed/, and the rendered policy grants every one of them and
nothing else. Expectations come from the reviewed files, never from the catalogue itself."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest
from conftest import PAGE
from sst_deployer.iam import Document, evaluate, normalize_conditions, parse_document
from sst_deployer.permissions import Requirement
from sst_deployer.render import render, to_json
from sst_deployer.settings import DeployerSettings

FIXTURES = Path(__file__).parent / "fixtures" / "catalogue_reviewed"


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("catalogue_regenerate", FIXTURES / "regenerate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATOR = _load_generator()
CASES: dict[str, DeployerSettings] = GENERATOR.cases()

# SST 2.49.0-2.49.3 cannot be served by a least-privilege role (render refuses them); the
# pack still judges custom and administrator roles on them against these triples.
RENDERED = sorted(c for c in CASES if c != "sst-2.49.0")

Triple = tuple[str, str, str]


def reviewed(case: str) -> list[Triple]:
    out = []
    for line in (FIXTURES / f"{case}.tsv").read_text().splitlines():
        action, resource, condition = line.split("\t")
        out.append((action, resource, condition))
    return out


def as_requirement(triple: Triple) -> Requirement:
    action, resource, condition = triple
    clauses = frozenset() if condition == "-" else frozenset(
        (op, key, frozenset(values)) for op, key, values in json.loads(condition))
    return Requirement("reviewed", action, resource, clauses)


def rendered(settings: DeployerSettings) -> list[Document]:
    return [parse_document(to_json(d), f"policy {n}") for n, d in enumerate(render(settings), 1)]


def test_every_reviewed_case_has_its_file_and_no_file_is_stale() -> None:
    files = {p.stem for p in FIXTURES.glob("*.tsv")}
    assert files == set(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_catalogue_is_exactly_the_reviewed_triples(case: str) -> None:
    expected = reviewed(case)
    actual = GENERATOR.lines(CASES[case])
    missing = sorted(set("\t".join(t) for t in expected) - set(actual))
    extra = sorted(set(actual) - set("\t".join(t) for t in expected))
    assert not missing and not extra, (
        f"{case}: the catalogue no longer matches the reviewed triples.\n"
        f"lost ({len(missing)}): {missing}\nnew ({len(extra)}): {extra}\n"
        "If the change is deliberate, run tests/fixtures/catalogue_reviewed/regenerate.py and review the diff "
        "(tests/fixtures/catalogue_reviewed/README.md)."
    )


@pytest.mark.parametrize("case", RENDERED)
def test_the_rendered_policy_grants_every_reviewed_triple(case: str) -> None:
    docs = rendered(CASES[case])
    lost = [t for t in reviewed(case) if not evaluate(as_requirement(t), docs).granted]
    assert lost == []


@pytest.mark.parametrize("case", RENDERED)
def test_the_rendered_policy_grants_nothing_that_is_not_reviewed(case: str) -> None:
    # Every (action, ARN) a rendered statement names is a reviewed triple, with its condition.
    allowed = set(reviewed(case))
    for n, document in enumerate(render(CASES[case]), 1):
        for statement in document["Statement"]:
            assert statement["Effect"] == "Allow" and set(statement) <= {"Sid", "Effect", "Action", "Resource",
                                                                          "Condition"}
            condition = GENERATOR.condition_text(normalize_conditions(statement.get("Condition")))
            for action in statement["Action"]:
                for resource in statement["Resource"]:
                    assert (action, resource, condition) in allowed, f"policy {n}, {statement['Sid']}"


def test_the_default_case_holds_every_pair_the_page_names() -> None:
    # The page's account and region, read from the page fixture, not from the catalogue.
    lines = set(reviewed("default"))
    page_statements = PAGE["copyPastePolicy"]["Statement"] + PAGE["breakdownStatements"]
    missing = []
    for st in page_statements:
        condition = GENERATOR.condition_text(normalize_conditions(st.get("Condition")))
        actions = [st["Action"]] if isinstance(st["Action"], str) else st["Action"]
        for action in actions:
            for resource in st["Resource"]:
                if (action, resource, condition) not in lines:
                    missing.append((action, resource, condition))
    assert missing == []


def test_the_reviewed_cases_differ_where_their_settings_do() -> None:
    # A guard on the fixture itself: each case pins something the default does not, but
    # sst-2.49.0, the first release needing every grant the default (2.49.8) needs.
    default = set(reviewed("default"))
    assert set(reviewed("sst-2.49.0")) == default
    for case in CASES:
        if case not in ("default", "sst-2.49.0"):
            assert set(reviewed(case)) != default, f"{case} pins nothing beyond the default case"
