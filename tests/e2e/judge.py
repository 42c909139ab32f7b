"""Judge a recorded AWS check with the project's IAM semantics (``sst_deployer.iam``).

A check's context (region, the resource's tags, the service a role is passed to, a call
CloudFormation makes with the caller's credentials) is the request context
:func:`iam.evaluate` judges each statement's ``Condition`` in, with what every such
request also carries: the resource's account and ``aws:SecureTransport`` (SDK calls are
HTTPS; the proxy itself speaks HTTP on 127.0.0.1).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sst_deployer.context import resource_account
from sst_deployer.iam import Conditions, Context, Document, evaluate, parse_document
from sst_deployer.render import render
from sst_deployer.settings import DeployerSettings

from .calls import Check

ACCOUNT = "123456789012"


@dataclass(frozen=True)
class Asked:
    """A check as :func:`iam.evaluate` reads a requirement (no condition of its own)."""

    action: str
    resource: str
    condition: Conditions = frozenset()


def context_of(check: Check, account: str = ACCOUNT) -> Context:
    """The request context of ``check``."""
    return Context.of({**check.context, "aws:ResourceAccount": resource_account(check.resource, account),
                       "aws:SecureTransport": "true"})


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
        return evaluate(Asked(check.action, check.resource), self.documents, None, context_of(check)).granted

    def denied(self, checks: Sequence[Check]) -> list[Check]:
        return [c for c in checks if not self.allows(c)]


def check_from_json(raw: Mapping[str, Any]) -> Check:
    return Check(raw["action"], raw["resource"], dict(raw.get("context", {})), raw.get("implied", ""))
