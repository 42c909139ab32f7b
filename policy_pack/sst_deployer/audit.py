"""Judge a deployer's effective permissions against what SST needs: pure functions.

:func:`losses` lists what SST needs and the role cannot do (no Allow, a Deny, the
boundary); :func:`excess` lists what the role can do and SST does not need.
Results are cached: a hundred deployers with the same settings and documents cost one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from .context import PrincipalContext, request_contexts
from .grammar import refine
from .iam import (
    VARIABLE,
    Context,
    Decision,
    Document,
    Statement,
    TooComplex,
    condition_keys,
    conditions_text,
    covers,
    evaluate,
    implied,
    implies,
    matches,
    open_keys,
)
from .permissions import Requirement, calls, requirements
from .settings import DeployerSettings

_ARN = re.compile(r"^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)$")
_CDK_NAME = re.compile(r"cdk-([^-/:]+)-(?:assets|container-assets|[a-z-]+-role)")


@dataclass(frozen=True)
class Loss:
    """A required permission the role does not have, and why."""

    requirement: Requirement
    reason: str


@dataclass(frozen=True)
class Risk:
    """A statement whose condition the request context leaves open and that may take a
    required permission away: a conditional Deny, or a boundary's conditional Allow."""

    requirement: Requirement
    document: str
    statement: str
    what: str = "a conditional Deny"
    condition: str = ""  # the statement's condition, as text
    open_keys: tuple[str, ...] = ()  # the keys (and variables) whose value would decide it


@dataclass(frozen=True)
class Excess:
    """A grant beyond what SST needs."""

    document: str
    statement: str
    message: str


def _where(doc: Document, st: Statement) -> str:
    return f"{st.label} of {doc.name or 'a policy'}"


def _anonymous(
    identity: tuple[Document, ...], boundary: Document | None
) -> tuple[tuple[Document, ...], Document | None, dict[str, str]]:
    """The documents under positional names, so that deployers whose documents differ
    only in name share one cached verdict; and the map back to the real names."""
    anon = tuple(Document(d.statements, f"\x00{i}\x00") for i, d in enumerate(identity))
    names = {f"\x00{i}\x00": d.name or "a policy" for i, d in enumerate(identity)}
    anon_boundary = None
    if boundary is not None:
        anon_boundary = Document(boundary.statements, "\x00b\x00")
        names["\x00b\x00"] = boundary.name or "(an unnamed policy)"
    return anon, anon_boundary, names


def _named(text: str, names: dict[str, str]) -> str:
    for placeholder, name in names.items():
        text = text.replace(placeholder, name)
    return text


def losses(
    settings: DeployerSettings,
    identity: tuple[Document, ...],
    boundary: Document | None,
    context: PrincipalContext | None = None,
) -> tuple[tuple[Loss, ...], tuple[Risk, ...]]:
    """What SST's real calls need that ``identity`` (less Denies, within ``boundary``)
    does not grant. Each call is judged in every context it really has: its region,
    sender (the CLI, or CloudFormation with the caller's credentials), and, with
    ``context`` (:func:`trust.principal_context`), each way the role is assumed, its
    MFA and tags; without it, what only the principal decides stays open."""
    anon, anon_boundary, names = _anonymous(identity, boundary)
    if context is not None:
        context = context.projected(condition_keys((*identity, boundary)))
    lost, risks = _losses(settings, anon, anon_boundary, context)
    return (tuple(Loss(x.requirement, _named(x.reason, names)) for x in lost),
            tuple(Risk(r.requirement, _named(r.document, names), r.statement, r.what, r.condition, r.open_keys)
                  for r in risks))


def _judged(req: Requirement, identity: tuple[Document, ...], boundary: Document | None,
            contexts: tuple[Context, ...]) -> tuple[Decision, Context | None]:
    """The verdict over every context: the first that loses it (with that context), or
    one that grants it with every context's risks. The requirement is judged on the names
    SST really creates (:func:`grammar.refine`), not on every string its pattern matches."""
    named = refine(req.resource)
    if named != req.resource:
        req = replace(req, resource=named)
    merged: Decision | None = None
    for ctx in contexts:
        decision = evaluate(req, identity, boundary, ctx)
        if not decision.granted:
            return decision, ctx
        if merged is None:
            merged = decision
        else:
            merged.risks.extend(r for r in decision.risks if r not in merged.risks)
    assert merged is not None
    return merged, None


@lru_cache(maxsize=1024)
def _losses(
    settings: DeployerSettings, identity: tuple[Document, ...], boundary: Document | None,
    principal: PrincipalContext | None = None,
) -> tuple[tuple[Loss, ...], tuple[Risk, ...]]:
    lost: list[Loss] = []
    risks: list[Risk] = []
    relevant = condition_keys((*identity, boundary))
    for req in calls(settings):
        contexts = request_contexts(req.action, req.resource, req.senders, settings.partition, settings.account,
                                    settings.regions, principal, relevant)
        decision, failing = _judged(req, identity, boundary, contexts)
        for doc, st in decision.risks:
            what = "a conditional Deny" if st.effect == "Deny" else "a conditional Allow of the permissions boundary"
            risks.append(Risk(req, doc.name, st.label, what, conditions_text(st.conditions),
                              _open_facts(st, req, contexts)))
        if decision.granted:
            continue
        if decision.undecided:
            reason = "too complex to verify: " + "; ".join(decision.undecided) + "; simplify the patterns"
        elif decision.denied_by:
            reason = "denied by " + ", ".join(_where(d, s) for d, s in decision.denied_by)
        elif not decision.allowed:
            reason = "no Allow grants it" + _near_misses(req, identity)
        else:
            reason = f"outside the permissions boundary {boundary.name if boundary else ''}"
        if failing is not None and (failing.known or failing.absent or failing.present):
            reason += f" (in the request's context: {failing.describe()})"
        lost.append(Loss(req, reason))
    return tuple(lost), tuple(risks)


def _open_facts(st: Statement, req: Requirement, contexts: tuple[Context, ...]) -> tuple[str, ...]:
    """The condition keys and policy variables (lower-case) that leave ``st`` open for
    ``req`` in some of its request contexts: what would decide it."""
    out: dict[str, None] = {}
    for ctx in contexts:
        ctx = ctx.assuming(req.condition)
        out.update(dict.fromkeys(open_keys(st.conditions, ctx)))
        for pattern in st.resources:
            for name in VARIABLE.findall(pattern):
                key = name.split(",")[0].strip().lower()
                if name not in ("*", "?", "$") and ctx.state(key)[0] != "known":
                    out.setdefault(key)
    return tuple(out)


def _near_misses(req: Requirement, identity: tuple[Document, ...]) -> str:
    hints = []
    for doc in identity:
        for st in doc.statements:
            if st.effect == "Allow" and st.matches_action(req.action):
                if not implies(req.condition, st.conditions):
                    hints.append(f"{_where(doc, st)} grants it only under its Condition")
                elif not st.not_resource:
                    hints.append(f"{_where(doc, st)} grants it only on {', '.join(st.resources)}")
    return f" ({'; '.join(hints)})" if hints else ""


def _hint(settings: DeployerSettings, action: str, resource: str) -> str:
    m = _ARN.match(resource)
    if resource == "*" or (m and m.group(5) == "*"):
        return "every resource"
    if not m:
        return "a resource SST does not use"
    _, _, region, account, rest = m.groups()
    if account not in ("", settings.account):
        return f"account {account}, not the deployer's {settings.account}"
    if region and region not in settings.regions:
        return f"region {region}, which the deployer is not configured for"
    q = _CDK_NAME.search(rest)
    if q and q.group(1) != settings.qualifier:
        return f"CDK qualifier {q.group(1)}, not {settings.qualifier}"
    if action.lower() in ("iam:passrole", "sts:assumerole"):
        return "roles beyond the CDK bootstrap roles"
    return "resources SST does not use"


def excess(settings: DeployerSettings, identity: tuple[Document, ...]) -> tuple[Excess, ...]:
    """Grants in ``identity`` beyond what SST needs for ``settings``."""
    anon, _, names = _anonymous(identity, None)
    return tuple(Excess(_named(e.document, names), e.statement, _named(e.message, names))
                 for e in _excess(settings, anon))


@lru_cache(maxsize=1024)
def _excess(settings: DeployerSettings, identity: tuple[Document, ...]) -> tuple[Excess, ...]:
    needed: dict[str, list[Requirement]] = {}
    for req in requirements(settings):
        needed.setdefault(req.action.lower(), []).append(req)
    found: list[Excess] = []
    for doc in identity:
        for st in doc.statements:
            if st.effect != "Allow":
                continue
            where = _where(doc, st)
            if st.not_action:
                found.append(Excess(doc.name, st.label, f"{where} allows NotAction "
                                    f"{', '.join(st.actions)}: every other action, present and future"))
                continue
            for pattern in st.actions:
                service = pattern.split(":", 1)[0]
                if pattern == "*" or pattern.endswith(":*"):
                    what = "every action" if pattern == "*" else f"every {service} action"
                    found.append(Excess(doc.name, st.label, f"{where} grants {pattern!r}: {what}; "
                                        "list the actions SST needs instead"))
                    continue
                hits = [a for a in needed if matches(pattern, a, ignore_case=True)]
                if not hits:
                    found.append(Excess(doc.name, st.label, f"{where} grants {pattern}, which SST "
                                        "does not need; remove it"))
                    continue
                for action in hits:
                    allowed = [r.resource for r in needed[action] if implied(st.conditions, r.condition)]
                    spelled = needed[action][0].action
                    if st.not_resource:
                        found.append(Excess(doc.name, st.label, f"{where} grants {spelled} on "
                                            f"every resource except {', '.join(st.resources)}"))
                        continue
                    for resource in st.resources:
                        try:
                            within = covers(allowed, resource)
                        except TooComplex:
                            within = False  # cannot show it is within: report it
                        if not within:
                            need = ", ".join(sorted({r.resource for r in needed[action]}))
                            found.append(Excess(doc.name, st.label, (
                                f"{where} grants {spelled} on {resource} ({_hint(settings, spelled, resource)})"
                                f"{' without the condition SST needs' if not allowed else ''}; "
                                f"SST needs it only on {need}")))
    return tuple(found)
