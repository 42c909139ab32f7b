"""What each policy of the pack checks, over plain :mod:`model` data.

Each rule takes the stack's deployers and the policy's config and returns
``(message, urn)`` violations; :mod:`pack` wires them to pulumi-policy.
"""

from __future__ import annotations

import fnmatch
import math
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Final

from ..admin import Context, administrator_grants
from ..audit import Loss, Risk, excess, losses
from ..context import NO_FACTS, PATTERN, OrgFacts, PrincipalContext, decided_by
from ..grammar import free
from ..iam import Document, parse_document, spelled
from ..managed_policies import snapshot_info
from ..settings import DeployerSettings
from ..trust import TrustRules, check_trust, principal_context
from .model import (
    MAX_DEPTH,
    MAX_DOCUMENT_CHARS,
    UNKNOWN,
    Deployer,
    Removal,
    Resource,
    is_unknown,
    json_depth,
    settings_for_any_account,
    too_deep,
)

Violation = tuple[str, str]

_NOT_KNOWN_YET: Final = parse_document(
    {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}, "documents not known yet")
"""Stands in for documents not known yet (preview) or not visible (outside the stack)
when looking for losses: only what the known Denies and boundary take away remains."""


def _documents(d: Deployer) -> tuple[Document, ...]:
    return tuple(s.document for s in d.sources if s.document is not None)


def _unseen(d: Deployer) -> list[str]:
    out = [s.what for s in d.sources if s.external]
    if d.boundary is not None and d.boundary.external:
        out.append(d.boundary.what)
    return out


def _removed_by(loss: Loss, removed: list[Removal]) -> list[Removal]:
    """The removals whose document has an Allow for the lost action."""
    return [r for r in removed if r.source.document is not None and any(
        st.effect == "Allow" and st.matches_action(loss.requirement.action) for st in r.source.document.statements)]


def _principal_tags(tags: Any, every: Any) -> dict[str, Any] | None:
    """The role's tags as AWS holds them, its sessions' aws:PrincipalTag/*: ``tagsAll``
    (its own tags plus the provider's ``defaultTags``, pulumi-aws ``Provider``) with its own
    tags over them; None (open) while either is unknown."""
    own = tags if isinstance(tags, dict) and not is_unknown(tags) else None
    if every is None:
        return own
    if not isinstance(every, dict) or is_unknown(every) or (tags is not None and own is None):
        return None
    return {**every, **(own or {})}


def _principal(d: Deployer, settings: DeployerSettings, org: OrgFacts = NO_FACTS) -> PrincipalContext:
    """Who the role's sessions are (trust policy) and its tags, with what the organisation
    states of every deployer (``org``): the principal's part of every request context
    (sessions and tags stay open while unknown)."""
    trust = d.role.get("assumeRolePolicy")
    tags = _principal_tags(d.role.get("tags"), d.role.get("tagsAll"))
    arn = d.role.get("arn")
    found = principal_context(None if trust is None or is_unknown(trust) else trust, tags,
                              settings.account, settings.partition,
                              arn if isinstance(arn, str) else _role_arn(d.role, settings))
    return replace(found, org=org) if org != NO_FACTS else found


def _role_arn(role: Resource, settings: DeployerSettings) -> str | None:
    """The role's ARN before it exists (a preview): ``arn:<partition>:iam::<account>:role<path><name>``
    once its name, path (default "/", pulumi-aws ``iam.Role``) and account are known (IAM
    identifiers); None otherwise. Its sessions' aws:PrincipalArn is this ARN."""
    name, path, prefix = role.get("name"), role.get("path"), role.declared("namePrefix")
    if path is None:
        path = "/"
    if not (isinstance(path, str) and settings.account) or is_unknown(path):
        return None
    arn = f"arn:{settings.partition}:iam::{settings.account}:role{path}"
    if isinstance(name, str) and not is_unknown(name):
        return arn + name
    if isinstance(prefix, str) and not is_unknown(prefix) and "*" not in prefix and "?" not in prefix:
        # The provider names it <prefix><26 digits and hex digits> (terraform-provider-aws
        # internal/create/naming.go; terraform-plugin-sdk id.PrefixedUniqueId: a timestamp and
        # a hex counter, id.UniqueIDSuffixLength = 26): a run with none of IAM's other name
        # characters, so `role/sst-*-prod` can never match it. Its length is left open.
        return PATTERN + arn + prefix + UNIQUE_SUFFIX
    return None


UNIQUE_SUFFIX: Final = free("-_.,=@+/:ghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
"""What the provider appends to a ``namePrefix``: digits and lower-case hex digits only."""


def statements_intact(deployers: list[Deployer], config: Mapping[str, Any],
                      org: OrgFacts = NO_FACTS) -> list[Violation]:
    """Proven losses only: a conditional Deny the pack cannot decide is advice of
    :func:`undecided_conditions`."""
    out: list[Violation] = []
    for d in deployers:
        urn = d.role.urn
        if d.settings_error:
            out.append((f"{d.label} is tagged as an SST deployer but {d.settings_error}. Fix the tag "
                        "so the pack knows what the role must grant.", urn))
            continue
        if d.settings is None:
            if d.unknown_account is not None:
                out.extend(_lost_whatever_the_account(d, org))
            continue  # unknown until the update (d.notes says why): judged then, never guessed
        for s in d.sources:
            if s.error:
                out.append((f"{d.label}: {s.what} is not a valid policy document: {s.error}", s.urn or urn))
            elif s.oversize:
                out.append((f"{d.label}: {s.what} is {s.oversize:,} characters (whitespace not counted), over IAM's "
                            "quota of 10,240 for a role's inline policies: the update would fail at AWS. Move "
                            "statements to managed policies.", s.urn or urn))
        boundary = d.boundary.document if d.boundary is not None else None
        if d.boundary is not None and d.boundary.error:
            out.append((f"{d.label}: {d.boundary.what} is not a valid policy document: {d.boundary.error}", urn))
        # What is known is judged: documents not known yet (preview) may grant anything, but
        # cannot undo a known Deny, boundary or removal. A document outside the stack is not
        # assumed to grant anything: give it in knownPolicies (unseen-policies says so).
        hidden = any(s.pending for s in d.sources)
        known = _documents(d)
        identity = known + ((_NOT_KNOWN_YET,) if hidden else ())
        lost, _ = losses(d.settings, identity, boundary, _principal(d, d.settings, org))
        unseen = [s.what for s in d.sources if s.external]
        note = (f" ({', '.join(unseen)} is outside this stack and was not checked: give its document in "
                "knownPolicies if it grants this.)") if unseen else ""
        if lost and not known and not hidden:
            sids = sorted({loss.requirement.sid for loss in lost})
            removed = "".join(f"; {r.source.what} would, but {r.by}" for r in d.removed)
            out.append((
                f"{d.label} has no policy document granting SST anything: all {len(sids)} SST statements "
                f"({', '.join(sids)}) are lost{removed}.{note} Fix: attach the deployer's policy again.", urn))
            continue
        grouped: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
        for loss in lost:
            reason = loss.reason
            removals = _removed_by(loss, d.removed) if reason.startswith("no Allow") else []
            if removals:
                reason += "; " + "; ".join(f"{r.source.what} would grant it, but {r.by}" for r in removals)
            actions, resources = grouped.setdefault((loss.requirement.sid, reason), ([], []))
            if loss.requirement.action not in actions:
                actions.append(loss.requirement.action)
            if loss.requirement.resource not in resources:
                resources.append(loss.requirement.resource)
        for (sid, reason), (actions, resources) in grouped.items():
            out.append((
                f"{d.label} lost SST statement {sid}: {', '.join(actions)} on {', '.join(resources)}: "
                f"{reason}.{note if reason.startswith('no Allow') else ''} Fix: restore the {sid} statement "
                "(python -m sst_deployer render prints it), or remove what denies, narrows or detaches it.", urn))
    return out


def _judged(d: Deployer, org: OrgFacts) -> tuple[tuple[Loss, ...], tuple[Risk, ...]]:
    """What ``d`` loses for sure, and what it may lose, as statements-intact judges it."""
    assert d.settings is not None
    boundary = d.boundary.document if d.boundary is not None else None
    identity = _documents(d) + ((_NOT_KNOWN_YET,) if any(s.pending for s in d.sources) else ())
    return losses(d.settings, identity, boundary, _principal(d, d.settings, org))


def undecided_conditions(deployers: list[Deployer], config: Mapping[str, Any],
                         org: OrgFacts = NO_FACTS) -> list[Violation]:
    """Conditions that may take a call SST makes away and that the pack cannot decide: advice
    naming the statement, the condition, the call and the fact that would decide it (a
    mandatory verdict needs proof; statements-intact reports only proven losses)."""
    out: list[Violation] = []
    for d in deployers:
        if d.settings is None or d.settings_error:
            continue
        # Who the sessions are (MFA, session tags...) is not known until the trust is: a
        # conditional Deny that may hold is judged in the update, never guessed in a preview.
        trust = d.role.get("assumeRolePolicy")
        if trust is not None and is_unknown(trust):
            continue
        _, risks = _judged(d, org)
        grouped: dict[tuple[str, str, str, str, tuple[str, ...]], list[str]] = {}
        conditions: dict[tuple[str, str, str], str] = {}
        for risk in risks:
            calls = grouped.setdefault(
                (risk.requirement.sid, risk.document, risk.statement, risk.what, risk.open_keys), [])
            if risk.requirement.describe() not in calls:
                calls.append(risk.requirement.describe())
            conditions[(risk.requirement.sid, risk.document, risk.statement)] = risk.condition
        for (sid, document, statement, what, keys), calls in grouped.items():
            condition = conditions[(sid, document, statement)]
            facts = "; ".join(f"{spelled(k)}: {decided_by(k)}" for k in keys) or "the request's values for its keys"
            shown = ", ".join(calls[:3]) + (f" and {len(calls) - 3} more" if len(calls) > 3 else "")
            out.append((
                f"{d.label}: {statement} of {document} is {what} that may take away SST statement {sid} "
                f"({shown}): the pack cannot decide its condition ({condition or 'its Resource variables'}) "
                f"for SST's requests. It is decided by {facts}. State what the organisation knows in "
                "sst-deployer-undecided-conditions' config (organizationId, organizationPaths, principalTags), "
                "or make sure the condition never holds for deployments.", d.role.urn))
    return out


_ACCOUNT_IN: Final = re.compile(r"(?<!\d)\d{12}(?!\d)")


def _lost_whatever_the_account(d: Deployer, org: OrgFacts = NO_FACTS) -> list[Violation]:
    """A role whose account is not known yet (preview): what it lacks for every account it
    may turn out to be in (each account its documents name, and one they do not), and only
    that, since a grant can only depend on the account through those names."""
    known = _documents(d)
    if any(s.pending for s in d.sources) or d.unknown_account is None:
        return []
    named = {m for doc in known for st in doc.statements for r in st.resources for m in _ACCOUNT_IN.findall(r)}
    fresh = next(a for a in ("000000000000", "000000000001", "000000000002") if a not in named)
    candidates = [*sorted(named), fresh]
    boundary = d.boundary.document if d.boundary is not None else None
    common: dict[tuple[str, str, str], str] | None = None
    for settings in settings_for_any_account(d.unknown_account, candidates, d.partition):
        lost, _ = losses(settings, known, boundary, _principal(d, settings, org))
        found = {(x.requirement.sid, x.requirement.action,
                  x.requirement.resource.replace(settings.account, "<account>")): x.reason for x in lost}
        common = found if common is None else {k: v for k, v in common.items() if k in found}
    out: list[Violation] = []
    by_sid: dict[str, list[str]] = {}
    for sid, action, _resource in sorted(common or {}):
        if action not in by_sid.setdefault(sid, []):
            by_sid[sid].append(action)
    for sid, actions in by_sid.items():
        out.append((f"{d.label} lost SST statement {sid}: {', '.join(actions)}, whatever account it turns out to be "
                    f"in (its account is not known yet): no statement of it grants that. Fix: add the {sid} statement "
                    "(python -m sst_deployer render prints it).", d.role.urn))
    return out


def _count(value: Any) -> int | None:
    """The component's registered attachmentCount, if it is a sane whole number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and (not math.isfinite(value) or not value.is_integer()):
        return None
    return int(value) if 0 <= value <= 1000 else None


def attachments_intact(deployers: list[Deployer], config: Mapping[str, Any]) -> list[Violation]:
    out: list[Violation] = []
    for d in deployers:
        urn = d.role.urn
        attached_urns = {s.urn for s in d.sources if s.urn}
        removed = {r.source.urn: r for r in d.removed if r.source.urn}
        if d.component is not None:
            for policy in d.policies_of_component:
                if policy.urn in removed:
                    removal = removed[policy.urn]
                    out.append((f"{d.label}: its policy '{policy.name}' is detached: {removal.by}. "
                                "Keep the DeployerRole's policies out of exclusive sets, or list them there.",
                                removal.by_urn or policy.urn))
                elif policy.urn not in attached_urns and d.complete:
                    out.append((f"{d.label}: its policy '{policy.name}' is no longer attached (detached "
                                "or replaced). Restore the DeployerRole's RolePolicyAttachment.", policy.urn))
            raw = d.component.get("attachmentCount")
            expected = _count(raw)
            if raw is not None and expected is None:
                out.append((f"{d.label}: its DeployerRole '{d.component.name}' registered attachmentCount "
                            f"{raw!r}, which is not a whole number of attachments: the component's outputs were "
                            "tampered with. Run pulumi up with the component unchanged.", d.component.urn))
            elif expected is not None and len(d.attachments) < expected:
                out.append((f"{d.label} has {len(d.attachments)} of the {expected} policy attachments "
                            f"its DeployerRole '{d.component.name}' made: a policy was detached or deleted. "
                            "Restore them, or change the component's settings instead.", urn))
        elif not d.sources and d.removed:
            out.append((f"{d.label} is tagged as an SST deployer but every policy it had is removed: "
                        + "; ".join(f"{r.source.what}: {r.by}" for r in d.removed) + ".", urn))
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


def _admin_reason(d: Deployer, org: OrgFacts = NO_FACTS) -> str | None:
    """What makes ``d`` an administrator: its strategy, or an Allow that amounts to it."""
    if d.strategy == "administrator":
        return "AdministratorAccess (strategy administrator)"
    role_arn = d.role.get("arn")
    account = d.account or (d.settings.account if d.settings else "")
    partition = d.settings.partition if d.settings else "aws"
    trust = d.role.get("assumeRolePolicy")
    sessions = () if trust is None or is_unknown(trust) else principal_context(trust, None, account, partition).sessions
    ctx = Context(partition=partition, account=account, role_arn=role_arn if isinstance(role_arn, str) else "",
                  mfa_always=bool(sessions) and all(s.mfa for s in sessions),
                  organization_id=org.organization_id or "")
    grants = administrator_grants(_documents(d), ctx)
    if not grants:
        return None
    return "administrator access: " + "; ".join(str(g) for g in grants[:3])


def administrator_only_in_sandboxes(
    deployers: list[Deployer], config: Mapping[str, Any], stack: str, org: OrgFacts = NO_FACTS
) -> list[Violation]:
    patterns = [p for p in config.get("sandboxStacks", DEFAULT_SANDBOXES) if isinstance(p, str)]
    if any(fnmatch.fnmatchcase(stack, p) for p in patterns):
        return []
    out = []
    for d in deployers:
        reason = _admin_reason(d, org)
        if reason is None:
            continue
        out.append((f"{d.label} has {reason} in stack '{stack}', which is not a sandbox (sandboxStacks: "
                    f"{', '.join(patterns) or 'none'}). Use the least-privilege strategy, or add this stack to "
                    "sandboxStacks if it is a personal sandbox account.", d.role.urn))
    return out


def unseen_policies(deployers: list[Deployer], config: Mapping[str, Any]) -> list[Violation]:
    """Documents of a deployer the pack cannot see, and what SST relies on them for; and
    what could not be known yet (an account, an exclusive list), said rather than guessed."""
    out: list[Violation] = []
    for d in deployers:
        for note in dict.fromkeys(d.notes):
            out.append((f"{d.label} is not fully judged yet: {note}.", d.role.urn))
        unseen = _unseen(d)
        if not unseen:
            continue
        relies = ""
        if d.settings is not None:
            boundary = d.boundary.document if d.boundary is not None else None
            lost, _ = losses(d.settings, _documents(d), boundary, _principal(d, d.settings))
            sids = sorted({x.requirement.sid for x in lost if x.reason.startswith("no Allow")})
            if sids:
                relies = f"; nothing else the pack sees grants SST statements {', '.join(sids)}"
        out.append((f"{d.label}: {' and '.join(unseen)} {'is' if len(unseen) == 1 else 'are'} outside this stack, "
                    f"not an AWS managed policy in the pack's snapshot ({snapshot_info()}), and not in knownPolicies, "
                    f"so {'its' if len(unseen) == 1 else 'their'} statements were not checked{relies}. Add the "
                    "document(s) to knownPolicies (sst-deployer-unseen-policies config).", d.role.urn))
    return out


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
        problem = _bad_data(doc)
        if problem:
            out.append((f"{d.label}: its trust policy {problem}.", d.role.urn))
            continue
        account = d.settings.account if d.settings else (d.account or "")
        for finding in check_trust(doc, account, rules):
            if not account and ", another account," in finding:
                continue  # the role's own account is not known yet: not blamed for what the unknown hides
            out.append((f"{d.label}: {finding}.", d.role.urn))
    return out


def _bad_data(doc: Any) -> str | None:
    """What makes a document unreadable without unbounded work, if anything."""
    if too_deep(doc):
        return f"is nested more than {MAX_DEPTH} levels deep"
    if isinstance(doc, str):
        if len(doc) > MAX_DOCUMENT_CHARS:
            return f"is {len(doc):,} characters long; IAM allows 2,048 (4,096 with a quota increase)"
        depth = json_depth(doc)
        if depth > MAX_DEPTH:
            return f"nests {depth:,} levels deep; a trust policy nests at most 5"
    return None
