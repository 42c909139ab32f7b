"""Administrator access, semantically: an Allow that grants (nearly) every action on every
resource, whatever it looks like.

``Action: "*"`` on ``"*"`` is the obvious shape; these grant the same:

* ``NotAction`` with a few exceptions (AWS's PowerUserAccess: everything but ``iam:*``,
  ``organizations:*``, ``account:*``): every other action, present and future;
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

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from .iam import Conditions, Document, Statement, TooComplex, covers, matches

FEW: Final = 20
"""At most this many excluded patterns still leave "all but a few"."""

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
        if len(actions) > FEW or any(a.strip("*?") == "" for a in actions):
            return None
        return f"allows NotAction {', '.join(actions)}: every other action, present and future"
    try:
        if covers(actions, "?*:?*", ignore_case=True):
            return "allows every action" + ("" if actions == ("*",) else f" ({', '.join(actions)})")
    except TooComplex:
        return None
    return None


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


_CASE: Final = {k.lower(): k for k in ("aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalType", "aws:userid",
                                          "aws:CurrentTime", "aws:EpochTime", "aws:SecureTransport",
                                          "aws:PrincipalIsAWSService", "aws:ViaAWSService",
                                          "aws:MultiFactorAuthPresent")}


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
    if key not in ALWAYS_PRESENT:
        return False
    base = op.removesuffix("ifexists")
    own: list[str] = []
    if key == "aws:principalaccount" and ctx.account:
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
    text = "; ".join(f"{op} {_CASE.get(key, key)} {sorted(values)}" for op, key, values in sorted(conditions, key=str))
    return f", under a condition that holds on every request this role makes ({text})"


def administrator_grants(documents: Iterable[Document], ctx: Context) -> list[AdminGrant]:
    """Every Allow in ``documents`` that amounts to administrator access for the role."""
    out = []
    for doc in documents:
        for st in doc.statements:
            if st.effect != "Allow":
                continue
            actions = _every_action(st)
            if actions is None:
                continue
            resources = _every_resource(st, ctx)
            if resources is None:
                continue
            condition = _conditions_hold(st.conditions, ctx)
            if condition is None:
                continue
            out.append(AdminGrant(doc.name or "a policy", st.label, f"{actions} {resources}{condition}"))
    return out
