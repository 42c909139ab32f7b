"""Administrator access, semantically: an Allow that grants (nearly) every action on every
resource, whatever it looks like.

``Action: "*"`` on ``"*"`` is the obvious shape; these grant the same:

* ``NotAction`` that leaves a privilege-escalation capability (:data:`CAPABILITIES`)
  outside its exceptions, however many (AWS's PowerUserAccess, everything but ``iam:*``,
  ``organizations:*``, ``account:*``, still grants ``sts:AssumeRole`` on every role);
* an action list that grants such a capability on every resource it acts on
  (``iam:PutRolePolicy`` on every role, ``iam:PassRole`` or ``sts:AssumeRole`` on ``*``):
  whoever can do that can give themselves anything;
* action patterns that match every action (``*:*``, ``?*``);
* resources that match every ARN of the role's partition (``arn:*``, ``arn:aws:*:*``),
  or ``NotResource`` with a few exceptions;
* conditions that hold on every request the role makes: ``...IfExists`` and
  ``StringLike``/``ArnLike`` with ``*``, ``Null`` false on keys present in every request,
  ``Bool aws:SecureTransport true`` (AWS SDKs, and so SST, call AWS over HTTPS only),
  ``Bool aws:ViaAWSService false`` (every call the role's sessions make themselves),
  ``aws:PrincipalAccount`` equal to the role's own account, ``aws:PrincipalArn`` matching
  the role itself (and their negations on anything else).

IAM's rules: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
and .../reference_policies_condition-keys.html (aws:PrincipalArn, aws:PrincipalAccount
are present in every request).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from .iam import Conditions, Document, Statement, TooComplex, conditions_text, covers, matches, overlaps, spelled

FEW: Final = 20
"""At most this many excluded patterns (NotAction, NotResource) still leave "all but a
few"; past it, a NotAction counts only when it leaves a capability (:data:`CAPABILITIES`)."""


@dataclass(frozen=True)
class Capability:
    """An action that, on every resource of ``resource``'s kind, lets its holder give
    itself any permission: privilege escalation, so administrator access."""

    action: str
    resource: str  # the ARN pattern of every resource it must hold on ({partition}, {account})
    why: str
    facts: tuple[tuple[str, str], ...] = ()  # (key, value) the escalating request carries


_ROLES, _USERS = "arn:{partition}:iam::{account}:role/*", "arn:{partition}:iam::{account}:user/*"
_GROUPS, _POLICIES = "arn:{partition}:iam::{account}:group/*", "arn:{partition}:iam::{account}:policy/*"

CAPABILITIES: Final[tuple[Capability, ...]] = (
    Capability("iam:CreatePolicyVersion", _POLICIES, "rewrite any managed policy, its own included"),
    Capability("iam:SetDefaultPolicyVersion", _POLICIES, "switch any managed policy to a broader version"),
    Capability("iam:AttachRolePolicy", _ROLES, "attach AdministratorAccess to any role, its own included"),
    Capability("iam:PutRolePolicy", _ROLES, "write any role's inline policy, its own included"),
    Capability("iam:UpdateAssumeRolePolicy", _ROLES, "let itself assume any role"),
    Capability("iam:PassRole", _ROLES, "pass any role to CloudFormation, which SST's own statements let it "
               "drive (cloudformation:CreateStack), and so act as that role",
               facts=(("iam:passedtoservice", "cloudformation.amazonaws.com"),)),
    Capability("iam:AttachUserPolicy", _USERS, "attach AdministratorAccess to any user"),
    Capability("iam:PutUserPolicy", _USERS, "write any user's inline policy"),
    Capability("iam:CreateAccessKey", _USERS, "make access keys for any user"),
    Capability("iam:CreateLoginProfile", _USERS, "set a console password for any user"),
    Capability("iam:UpdateLoginProfile", _USERS, "change any user's console password"),
    Capability("iam:AttachGroupPolicy", _GROUPS, "attach AdministratorAccess to any group"),
    Capability("iam:PutGroupPolicy", _GROUPS, "write any group's inline policy"),
    Capability("iam:AddUserToGroup", _GROUPS, "join any user to an administrators' group"),
    Capability("sts:AssumeRole", "arn:{partition}:iam::*:role/*", "assume any role that trusts its account"),
    Capability("lambda:UpdateFunctionCode", "arn:{partition}:lambda:*:{account}:function:*",
               "run its own code as any function's role"),
    Capability("glue:UpdateDevEndpoint", "arn:{partition}:glue:*:{account}:devEndpoint/*",
               "log in to any Glue endpoint and act as its role"),
)
"""Privilege escalation on every resource: Rhino Security Labs, "AWS IAM Privilege
Escalation - Methods and Mitigation" (methods 1-2 policy versions, 4-6 access keys and
login profiles, 7-13 attaching and writing policies and groups, 14 UpdateAssumeRolePolicy,
17 lambda:UpdateFunctionCode, 19 glue:UpdateDevEndpoint, 20 iam:PassRole with
cloudformation:CreateStack); IAM User Guide, "Granting a user permissions to pass a role"
(PassRole on ``*`` passes every role). ``sts:AssumeRole`` on every role reaches each role
whose trust names the account. SST's own needs are narrower: iam:PassRole and the role
writes on ``cdk-<qualifier>-*`` roles, sts:AssumeRole on them (permissions.CATALOGUE)."""


ALWAYS_PRESENT: Final = frozenset({
    "aws:principalarn", "aws:principalaccount", "aws:principaltype", "aws:userid", "aws:currenttime",
    "aws:epochtime", "aws:securetransport", "aws:principalisawsservice",
})
"""Global condition keys present in every request a role session makes."""


@dataclass(frozen=True)
class Context:
    """What is known of the role: its partition, account and ARN (empty when unknown), and
    whether every way it is assumed requires MFA (its trust policy)."""

    partition: str = "aws"
    account: str = ""
    role_arn: str = ""
    mfa_always: bool = False
    organization_id: str = ""  # stated by the organisation: every session's aws:PrincipalOrgID


@dataclass(frozen=True)
class AdminGrant:
    document: str
    statement: str
    why: str  # what made it count

    def __str__(self) -> str:
        return f"{self.statement} of {self.document} {self.why}"


def _every_action(st: Statement) -> str | None:
    return _every_action_of(st.actions, st.not_action)


@lru_cache(maxsize=4096)  # a hundred deployers repeat the same few statements
def _every_action_of(actions: tuple[str, ...], not_action: bool) -> str | None:
    if not_action:
        # All but a few: every other action, present and future, escalation through the
        # account's existing resources included (ssm:SendCommand to an instance with a
        # role...). A longer list still counts when it leaves a capability (_escalation).
        if len(actions) > FEW or any(a.strip("*?") == "" for a in actions):
            return None
        return f"allows NotAction {', '.join(actions)}: every other action, present and future"
    try:
        if covers(actions, "?*:?*", ignore_case=True):
            return "allows every action" + ("" if actions == ("*",) else f" ({', '.join(actions)})")
    except TooComplex:
        return None
    return None


@lru_cache(maxsize=4096)
def _capabilities_of(actions: tuple[str, ...], not_action: bool) -> tuple[Capability, ...]:
    """The capabilities a statement's Action (or NotAction) grants."""
    def listed(capability: Capability) -> bool:
        return any(matches(a, capability.action, ignore_case=True) for a in actions)

    return tuple(c for c in CAPABILITIES if listed(c) is not not_action)


def _on_every(st: Statement, template: str, ctx: Context) -> bool:
    """Does ``st`` act on every resource ``template`` names (for the role's partition and
    account; any account while it is unknown)?"""
    return _acts_on_every(st.resources, st.not_resource, template.format(
        partition=ctx.partition, account=ctx.account or "*"))


@lru_cache(maxsize=8192)
def _acts_on_every(resources: tuple[str, ...], not_resource: bool, required: str) -> bool:
    try:
        if not_resource:
            return "*" not in resources and not overlaps(resources, required)
        return "*" in resources or covers(resources, required)
    except TooComplex:
        return False


def _fact_holds(op: str, values: frozenset[str], fact: str) -> bool | None:
    """Does a String clause hold for the request value ``fact``? None: not a String clause."""
    base = op.split(":")[-1].removesuffix("ifexists")
    if base in ("stringequals", "stringlike"):
        return any(matches(v, fact) if base == "stringlike" else v == fact for v in values)
    if base in ("stringnotequals", "stringnotlike"):
        return not any(matches(v, fact) if base == "stringnotlike" else v == fact for v in values)
    return None


_PRINCIPAL_ACCOUNT: Final = re.compile(r"\$\{aws:principalaccount\}", re.IGNORECASE)


def _holds_for(capability: Capability, conditions: Conditions, ctx: Context) -> bool:
    """Every clause holds on the capability's escalating request: always (as for any
    request), or by what that request carries: PassRole to cloudformation.amazonaws.com;
    and, on the role's own account's resources, ``aws:ResourceAccount`` its account
    (``${aws:PrincipalAccount}`` resolved to it: IAM User Guide, policy variables)."""
    facts = {k: v.format(account=ctx.account) for k, v in capability.facts}
    if ctx.account:
        facts.setdefault("aws:resourceaccount", ctx.account)
    for op, key, values in conditions:
        resolved = frozenset(_PRINCIPAL_ACCOUNT.sub(ctx.account, v) if ctx.account else v for v in values)
        if key in facts and _fact_holds(op, resolved, facts[key]):
            continue
        if not _clause_always_holds(op, key, values, ctx):
            return False
    return True


def _escalation(st: Statement, ctx: Context) -> str | None:
    """What privilege escalation ``st`` grants on every resource, described; else None."""
    granted = [c for c in _capabilities_of(st.actions, st.not_action)
               if _on_every(st, c.resource, ctx) and _holds_for(c, st.conditions, ctx)]
    if not granted:
        return None
    named = "; ".join(f"{c.action} on {c.resource.format(partition=ctx.partition, account=ctx.account or '*')}"
                      f" ({c.why})" for c in granted[:3])
    more = f" and {len(granted) - 3} more" if len(granted) > 3 else ""
    if st.not_action:
        head = f"allows NotAction {', '.join(st.actions)}: every other action, present and future, including"
    else:
        head = f"allows {', '.join(st.actions)}, which grants privilege escalation:"
    where = f" (NotResource {', '.join(st.resources)})" if st.not_resource else ""
    return f"{head} {named}{more}{where}"


def _every_resource(st: Statement, ctx: Context) -> str | None:
    if st.not_resource:
        if len(st.resources) > FEW or "*" in st.resources:
            return None
        return f"on NotResource {', '.join(st.resources)}: every resource but those"
    if "*" in st.resources:
        return 'on "*"'
    try:
        # Every well-formed ARN: arn:partition:service:region:account:resource.
        if covers(st.resources, f"arn:{ctx.partition}:*:*:*:*"):
            return f"on every resource ({', '.join(st.resources)} matches every {ctx.partition} ARN)"
    except TooComplex:
        return None
    return None



def _clause_always_holds(op: str, key: str, values: frozenset[str], ctx: Context) -> bool:
    if op.endswith("ifexists") and "*" in values and ("like" in op and "not" not in op):
        return True
    if op.removesuffix("ifexists") == "bool" and key == "aws:securetransport":
        # AWS SDKs and CLIs (so SST) call AWS APIs over HTTPS only.
        return values == frozenset({"true"})
    if op.removesuffix("ifexists") == "bool" and key == "aws:viaawsservice":
        # False on every call the role's sessions make themselves (IAM User Guide,
        # aws:ViaAWSService): whatever a service does for them, they may do directly.
        return values == frozenset({"false"})
    if op.removesuffix("ifexists") == "bool" and key == "aws:multifactorauthpresent":
        # True on every session when every trust path of the role requires MFA.
        return ctx.mfa_always and values == frozenset({"true"})
    if op == "null":
        return key in ALWAYS_PRESENT and values == frozenset({"false"})
    if key not in ALWAYS_PRESENT and not (key == "aws:principalorgid" and ctx.organization_id):
        return False
    base = op.removesuffix("ifexists")
    own: list[str] = []
    if key == "aws:principalorgid":
        own = [ctx.organization_id]
    elif key == "aws:principalaccount" and ctx.account:
        own = [ctx.account]
    elif key == "aws:principalarn" and ctx.role_arn:
        own = [ctx.role_arn]
    if base in ("stringlike", "arnlike"):
        return "*" in values or any(matches(v, o) for v in values for o in own)
    if base in ("stringequals", "arnequals"):
        return bool(own) and any(v == o for v in values for o in own)
    if base in ("stringnotequals", "arnnotequals"):
        return bool(own) and all(v != o for v in values for o in own)
    if base in ("stringnotlike", "arnnotlike"):
        return bool(own) and not any(matches(v, o) for v in values for o in own)
    return False


def _conditions_hold(conditions: Conditions, ctx: Context) -> str | None:
    """"" when there are none, a description when every clause always holds, else None."""
    if not conditions:
        return ""
    for op, key, values in conditions:
        if not _clause_always_holds(op, key, values, ctx):
            return None
    text = "; ".join(f"{op} {spelled(key)} {sorted(values)}" for op, key, values in sorted(conditions, key=str))
    return f", under a condition that holds on every request this role makes ({text})"


def administrator_grants(documents: Iterable[Document], ctx: Context) -> list[AdminGrant]:
    """Every Allow in ``documents`` that amounts to administrator access for the role:
    every action on every resource, or a privilege-escalation capability on every
    resource it acts on (:data:`CAPABILITIES`), under no condition or one that always holds."""
    out = []
    for doc in documents:
        for st in doc.statements:
            if st.effect != "Allow":
                continue
            condition = _conditions_hold(st.conditions, ctx)
            actions = _every_action(st) if condition is not None else None
            resources = _every_resource(st, ctx) if actions is not None else None
            escalation = None if resources is not None and not st.not_action else _escalation(st, ctx)
            if escalation is not None:
                why = escalation + (condition or "" if condition is not None else
                                    f", under {conditions_text(st.conditions)}, which its escalating request meets")
            elif actions is not None and resources is not None:
                why = f"{actions} {resources}{condition}"
            else:
                continue
            out.append(AdminGrant(doc.name or "a policy", st.label, why))
    return out
