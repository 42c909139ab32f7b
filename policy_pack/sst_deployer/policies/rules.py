"""What each policy of the pack checks, over plain :mod:`model` data.

Each rule takes the stack's deployers and the policy's config and returns
``(message, urn)`` violations; :mod:`pack` wires them to pulumi-policy.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from typing import Any

from ..audit import excess, losses
from ..context import PrincipalContext
from ..iam import Document
from ..settings import DeployerSettings
from ..trust import TrustRules, check_trust, principal_context
from .model import UNKNOWN, Deployer, is_unknown

Violation = tuple[str, str]


def _documents(d: Deployer) -> tuple[Document, ...]:
    return tuple(s.document for s in d.sources if s.document is not None)


def _principal(d: Deployer, settings: DeployerSettings) -> PrincipalContext:
    """Who the role's sessions are (trust policy) and its tags: the principal's part of
    every request context (sessions and tags stay open while unknown)."""
    trust = d.role.get("assumeRolePolicy")
    tags = d.role.get("tags")
    arn = d.role.get("arn")
    return principal_context(None if trust is None or is_unknown(trust) else trust,
                             tags if isinstance(tags, dict) and not is_unknown(tags) else None,
                             settings.account, settings.partition, arn if isinstance(arn, str) else None)


def statements_intact(deployers: list[Deployer], config: Mapping[str, Any]) -> list[Violation]:
    report_risks = config.get("reportConditionalDenies", True) is not False
    out: list[Violation] = []
    for d in deployers:
        urn = d.role.urn
        if d.settings_error:
            out.append((f"{d.label} is tagged as an SST deployer but {d.settings_error}. Fix the tag "
                        "so the pack knows what the role must grant.", urn))
            continue
        if d.settings is None or not d.complete:
            continue  # unknown until the update: judged then, never guessed
        for s in d.sources:
            if s.error:
                out.append((f"{d.label}: {s.what} is not a valid policy document: {s.error}", s.urn or urn))
        boundary = d.boundary.document if d.boundary is not None else None
        if d.boundary is not None and d.boundary.error:
            out.append((f"{d.label}: its permissions boundary {d.boundary.what} is not a valid policy "
                        f"document: {d.boundary.error}", urn))
        lost, risks = losses(d.settings, _documents(d), boundary, _principal(d, d.settings))
        unseen = [s.what for s in d.sources if s.external]
        if lost and not _documents(d):
            sids = sorted({loss.requirement.sid for loss in lost})
            out.append((
                f"{d.label} has no policy document granting SST anything: all {len(sids)} SST statements "
                f"({', '.join(sids)}) are lost" + (f"; {', '.join(unseen)} is outside this stack and was "
                "not checked" if unseen else "") + ". Fix: attach the deployer's policy again.", urn))
            continue
        grouped: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
        for loss in lost:
            actions, resources = grouped.setdefault((loss.requirement.sid, loss.reason), ([], []))
            if loss.requirement.action not in actions:
                actions.append(loss.requirement.action)
            if loss.requirement.resource not in resources:
                resources.append(loss.requirement.resource)
        for (sid, reason), (actions, resources) in grouped.items():
            out.append((
                f"{d.label} lost SST statement {sid}: {', '.join(actions)} on {', '.join(resources)}: "
                f"{reason}." + (f" ({', '.join(unseen)} is outside this stack and was not checked.)" if unseen else "")
                + f" Fix: restore the {sid} statement (python -m sst_deployer render prints it), "
                "or remove what denies or narrows it.", urn))
        if report_risks:
            seen = set()
            for risk in risks:
                key = (risk.requirement.sid, risk.document, risk.statement)
                if key in seen:
                    continue
                seen.add(key)
                out.append((
                    f"{d.label}: {risk.statement} of {risk.document} is {risk.what} that may take "
                    f"away SST statement {risk.requirement.sid} ({risk.requirement.describe()}). "
                    "Make sure its condition never holds for deployments, or set "
                    "reportConditionalDenies: false.", urn))
    return out


def attachments_intact(deployers: list[Deployer], config: Mapping[str, Any]) -> list[Violation]:
    out: list[Violation] = []
    for d in deployers:
        urn = d.role.urn
        attached_urns = {s.urn for s in d.sources if s.urn}
        if d.component is not None:
            for policy in d.policies_of_component:
                if policy.urn not in attached_urns and d.complete:
                    out.append((f"{d.label}: its policy '{policy.name}' is no longer attached (detached "
                                "or replaced). Restore the DeployerRole's RolePolicyAttachment.", policy.urn))
            expected = d.component.get("attachmentCount")
            if isinstance(expected, (int, float)) and len(d.attachments) < int(expected):
                out.append((f"{d.label} has {len(d.attachments)} of the {int(expected)} policy attachments "
                            f"its DeployerRole '{d.component.name}' made: a policy was detached or deleted. "
                            "Restore them, or change the component's settings instead.", urn))
        elif not d.sources:
            out.append((f"{d.label} is tagged as an SST deployer but has no policy attached: "
                        "every sst deploy would fail. Attach its policy.", urn))
    return out


def least_privilege(deployers: list[Deployer], config: Mapping[str, Any]) -> list[Violation]:
    allowed = [a for a in config.get("allowedActions", []) if isinstance(a, str)]
    out: list[Violation] = []
    for d in deployers:
        if d.settings is None or d.strategy == "administrator":
            continue  # administrator is judged by administrator-only-in-sandboxes
        for finding in excess(d.settings, _documents(d)):
            if any(a.lower() in finding.message.lower() for a in allowed):
                continue
            out.append((f"{d.label}: {finding.message}.", d.role.urn))
    return out


def _is_admin(d: Deployer) -> bool:
    if d.strategy == "administrator":
        return True
    for doc in _documents(d):
        for st in doc.statements:
            if (st.effect == "Allow" and not st.not_action and not st.not_resource and not st.conditions
                    and "*" in st.actions and "*" in st.resources):
                return True
    return False


def administrator_only_in_sandboxes(
    deployers: list[Deployer], config: Mapping[str, Any], stack: str
) -> list[Violation]:
    patterns = [p for p in config.get("sandboxStacks", DEFAULT_SANDBOXES) if isinstance(p, str)]
    if any(fnmatch.fnmatchcase(stack, p) for p in patterns):
        return []
    return [
        (f"{d.label} has AdministratorAccess (strategy {d.strategy}) in stack '{stack}', which is not a "
         f"sandbox (sandboxStacks: {', '.join(patterns) or 'none'}). Use the least-privilege strategy, "
         "or add this stack to sandboxStacks if it is a personal sandbox account.", d.role.urn)
        for d in deployers
        if _is_admin(d)
    ]


DEFAULT_SANDBOXES = ["sandbox", "sandbox-*", "*-sandbox"]


def trust(deployers: list[Deployer], config: Mapping[str, Any]) -> list[Violation]:
    rules = TrustRules(
        require_mfa=config.get("requireMfa", True) is not False,
        trusted_accounts=frozenset(a for a in config.get("trustedAccounts", []) if isinstance(a, str)),
        allow_repository_wildcards=config.get("allowRepositoryWildcards", False) is True,
    )
    out: list[Violation] = []
    for d in deployers:
        doc = d.role.get("assumeRolePolicy")
        if doc is None or doc is UNKNOWN or is_unknown(doc):
            continue
        account = d.settings.account if d.settings else ""
        for finding in check_trust(doc, account, rules):
            out.append((f"{d.label}: {finding}.", d.role.urn))
    return out
