"""The verdict on one deployer role read from AWS: pure, with the pack's own engine.

What each SST command would fail on (:func:`audit.losses`, per call and request
context, mapped to commands by :mod:`sst_commands`), what the role grants beyond SST's
needs (:func:`audit.excess`), administrator access (:mod:`admin`), trust findings
(:mod:`trust`), and the policy document that adds exactly what no Allow grants.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from . import admin
from .audit import Excess, Loss, Risk, excess, losses
from .aws_read import Role
from .iam import Document, PolicyDocumentError, parse_document
from .permissions import Requirement, spelled_conditions
from .settings import DeployerSettings
from .sst_commands import commands_of, commands_used
from .trust import TrustRules, check_trust, principal_context

NO_ALLOW: Final = "no Allow grants it"


@dataclass(frozen=True)
class Failure:
    """A call SST makes that the role cannot: what, where, and the statement or Deny at fault."""

    requirement: Requirement
    reason: str
    commands: tuple[str, ...]

    @property
    def fixable(self) -> bool:
        """Adding an Allow fixes it (not a Deny, a boundary or an undecidable pattern)."""
        return self.reason.startswith(NO_ALLOW)


@dataclass(frozen=True)
class Verdict:
    role: Role
    settings: DeployerSettings
    settings_from: str  # "tags" or "flags"
    strategy: str
    failures: tuple[Failure, ...] = ()
    risks: tuple[Risk, ...] = ()
    excess: tuple[Excess, ...] = ()
    administrator: tuple[str, ...] = ()
    trust: tuple[str, ...] = ()
    invalid: tuple[str, ...] = ()  # documents that are not valid policies (not judged)
    documents: tuple[str, ...] = field(default=())

    @property
    def sufficient(self) -> bool:
        return not self.failures and not self.invalid

    def commands(self) -> list[tuple[str, list[Failure]]]:
        """Each SST command the settings use, with the failures it would hit."""
        return [(c, [f for f in self.failures if c in f.commands]) for c in commands_used(self.settings)]


def _parsed(role: Role) -> tuple[tuple[Document, ...], Document | None, list[str]]:
    identity: list[Document] = []
    invalid: list[str] = []
    for policy in (*role.attached, *role.inline):
        try:
            identity.append(parse_document(policy.document, policy.label))
        except PolicyDocumentError as exc:
            invalid.append(f"{policy.label} is not a valid policy document: {exc}")
    boundary = None
    if role.boundary is not None:
        label = f"permissions boundary {role.boundary.name!r} ({role.boundary.arn})"
        try:
            boundary = parse_document(role.boundary.document, label)
        except PolicyDocumentError as exc:
            invalid.append(f"{label} is not a valid policy document: {exc}")
    return tuple(identity), boundary, invalid


def judge(role: Role, settings: DeployerSettings, settings_from: str, strategy: str = "least-privilege",
          trust_rules: TrustRules | None = None) -> Verdict:
    """The verdict on ``role`` as a deployer with ``settings``."""
    identity, boundary, invalid = _parsed(role)
    principal = principal_context(role.trust, role.tags, role.account, role.partition, role.arn)
    lost, risks = losses(settings, identity, boundary, principal)
    used = commands_used(settings)
    sessions = principal.sessions
    ctx = admin.Context(partition=role.partition, account=role.account, role_arn=role.arn,
                        mfa_always=bool(sessions) and all(s.mfa for s in sessions))
    grants = admin.administrator_grants(identity, ctx)
    extra = () if strategy == "administrator" or grants else excess(settings, identity)
    return Verdict(
        role=role, settings=settings, settings_from=settings_from, strategy=strategy,
        failures=tuple(Failure(x.requirement, x.reason, tuple(c for c in commands_of(x.requirement) if c in used))
                       for x in lost),
        risks=risks, excess=extra, administrator=tuple(str(g) for g in grants),
        trust=tuple(check_trust(role.trust, role.account, trust_rules or TrustRules())),
        invalid=tuple(invalid), documents=tuple(d.name for d in identity)
        + ((boundary.name,) if boundary is not None else ()),
    )


def _sid(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", text) or "Statement"


def fix_document(verdict: Verdict) -> dict[str, Any] | None:
    """A policy document that allows exactly the calls no Allow grants, nothing else;
    None when there are none. (A Deny or the boundary is fixed where it is written.)"""
    spelled = spelled_conditions(verdict.settings)
    by_key: dict[tuple[str, Any], dict[str, set[str]]] = {}
    for f in verdict.failures:
        if f.fixable:
            req = f.requirement
            by_key.setdefault((req.sid, req.condition), {}).setdefault(req.resource, set()).add(req.action)
    if not by_key:
        return None
    statements: list[dict[str, Any]] = []
    used: set[str] = set()
    for (sid, condition), resources in by_key.items():
        # Resources that miss the same actions share a statement: no action
        # is granted on a resource that did not lack it.
        groups: dict[frozenset[str], list[str]] = {}
        for resource, actions in resources.items():
            groups.setdefault(frozenset(actions), []).append(resource)
        for action_set, arns in groups.items():
            name, n = _sid(sid), 2
            while name in used:
                name, n = f"{_sid(sid)}{n}", n + 1
            used.add(name)
            st: dict[str, Any] = {"Sid": name, "Effect": "Allow", "Action": sorted(action_set),
                                  "Resource": sorted(arns) if len(arns) > 1 else arns[0]}
            if condition:
                st["Condition"] = _plain(spelled.get(condition, {}))
            statements.append(st)
    return {"Version": "2012-10-17", "Statement": statements}


def _plain(condition: Mapping[str, Mapping[str, object]]) -> dict[str, dict[str, object]]:
    return {op: dict(clause) for op, clause in condition.items()}


__all__ = ["Failure", "Loss", "Verdict", "fix_document", "judge"]
