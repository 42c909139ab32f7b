"""Judge a recorded AWS check with the project's IAM semantics (``sst_deployer.iam``).

A check's context (region, the resource's tags, the service a role is passed to) becomes
the set of condition clauses known to hold for the request, which :func:`iam.evaluate`
compares with each statement's ``Condition``: a ``Null`` ``aws:ResourceTag/sst:app``
``false`` clause holds when the resource carries ``sst:app``, ``StringEquals`` /
``StringLike`` clauses hold for the value the request has.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sst_deployer.iam import Conditions, Document, evaluate, parse_document
from sst_deployer.render import render
from sst_deployer.settings import DeployerSettings

from .calls import Check


@dataclass(frozen=True)
class Asked:
    """A check as :func:`iam.evaluate` reads a requirement."""

    action: str
    resource: str
    condition: Conditions


def known_conditions(context: Mapping[str, str]) -> Conditions:
    """The condition clauses a request with ``context`` satisfies."""
    clauses = set()
    for key, value in context.items():
        key = key.lower()
        for op in ("stringequals", "stringlike", "arnequals", "arnlike"):
            clauses.add((op, key, frozenset({value})))
        clauses.add(("null", key, frozenset({"false"})))
    return frozenset(clauses)


def asked(check: Check) -> Asked:
    return Asked(check.action, check.resource, known_conditions(check.context))


@dataclass(frozen=True)
class Judge:
    """A deployer's identity documents, and the verdict on a check."""

    documents: tuple[Document, ...]

    @classmethod
    def of(cls, raw_documents: Iterable[Any]) -> Judge:
        return cls(tuple(parse_document(d, f"policy {i + 1}") for i, d in enumerate(raw_documents)))

    @classmethod
    def for_settings(cls, settings: DeployerSettings) -> Judge:
        return cls.of(render(settings))

    def allows(self, check: Check) -> bool:
        return evaluate(asked(check), self.documents).granted

    def denied(self, checks: Sequence[Check]) -> list[Check]:
        return [c for c in checks if not self.allows(c)]


def check_from_json(raw: Mapping[str, Any]) -> Check:
    return Check(raw["action"], raw["resource"], dict(raw.get("context", {})), raw.get("implied", ""))
