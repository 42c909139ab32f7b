"""An independent IAM evaluator, by brute force: concrete requests, concrete contexts.

Written from the IAM User Guide (policy evaluation logic; condition operators; "IAM JSON
policy elements: Action, NotAction, Resource, NotResource, Condition") without using
``sst_deployer.iam``: it is the reference the scenarios' expected verdicts are checked
against. It decides one concrete request at a time:

* explicit Deny (identity or boundary) wins; otherwise an identity Allow must match and,
  with a permissions boundary, a boundary Allow too;
* actions match case-insensitively, resources case-sensitively; ``*`` matches any run of
  characters (``/`` included), ``?`` exactly one; ``${*}``, ``${?}``, ``${$}`` are literal;
* a condition key is looked up case-insensitively; a missing key makes the condition
  false, except for negated operators and ``...IfExists`` (true) and ``Null``; sets
  (``ForAnyValue``/``ForAllValues``) follow the guide's rules for missing keys.

A requirement (action, ARN pattern, condition) is granted only if *every* sampled
request in its space is allowed: the pattern's wildcards are filled with adversarial
strings and with the literal fragments of the role's own documents, so that a Deny or
narrowing on a literal ARN is sampled exactly.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

Context = Mapping[str, Sequence[str]]  # lower-case key -> values (absent: not in the request)


class Unsupported(Exception):
    """A policy element this reference does not model: the scenario must not rely on it."""


# ------------------------------------------------------------------ matching


_LITERAL_VARIABLES = {"${*}": "*", "${?}": "?", "${$}": "$"}


@cache
def _compiled(pattern: str, fold: bool) -> re.Pattern[str]:
    """``*`` -> any run (``/`` included), ``?`` -> one character, the rest literal."""
    out = []
    i = 0
    while i < len(pattern):
        lit = next((v for k, v in _LITERAL_VARIABLES.items() if pattern.startswith(k, i)), None)
        if lit is not None:
            out.append(re.escape(lit))
            i += 4
            continue
        ch = pattern[i]
        out.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
        i += 1
    return re.compile("".join(out), re.DOTALL | (re.IGNORECASE if fold else 0))


def glob(pattern: str, text: str, *, fold: bool = False) -> bool:
    """Does ``pattern`` (``*``, ``?``) match all of ``text``?"""
    if fold:
        pattern, text = pattern.casefold(), text.casefold()
    return _compiled(pattern, fold).fullmatch(text) is not None


# ------------------------------------------------------------------ documents


def _list(value: Any, what: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise Unsupported(f"{what} must be a string or a list of strings: {value!r}")


@dataclass(frozen=True)
class Stmt:
    effect: str
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...]
    not_resource: bool
    condition: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def statements(document: Any) -> list[Stmt]:
    doc = json.loads(document) if isinstance(document, str) else document
    raw = doc.get("Statement")
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for s in items:
        if s.get("Effect") not in ("Allow", "Deny"):
            raise Unsupported(f"Effect {s.get('Effect')!r}")
        act_key = "Action" if "Action" in s else "NotAction"
        res_key = "Resource" if "Resource" in s else "NotResource"
        out.append(Stmt(s["Effect"], tuple(_list(s[act_key], act_key)), act_key == "NotAction",
                        tuple(_list(s.get(res_key, "*"), res_key)), res_key == "NotResource",
                        s.get("Condition") or {}))
    return out


# ------------------------------------------------------------------ conditions

_NEGATED = {"stringnotequals", "stringnotequalsignorecase", "stringnotlike", "arnnotequals", "arnnotlike",
            "numericnotequals", "datenotequals"}


def _one(op: str, policy_value: str, value: str) -> bool:
    if op in ("stringequals", "stringnotequals"):
        return value == policy_value
    if op in ("stringequalsignorecase", "stringnotequalsignorecase"):
        return value.casefold() == policy_value.casefold()
    if op in ("stringlike", "stringnotlike", "arnlike", "arnnotlike", "arnequals", "arnnotequals"):
        return glob(policy_value, value)
    if op == "bool":
        return value.lower() == policy_value.lower()
    raise Unsupported(f"condition operator {op}")


def _key_holds(operator: str, key: str, policy_values: Any, ctx: Context) -> bool:
    op = operator.lower()
    qualifier = ""
    if ":" in op:
        qualifier, op = op.split(":", 1)
    if_exists = op.endswith("ifexists")
    if if_exists:
        op = op[: -len("ifexists")]
    wanted = [str(v).lower() if isinstance(v, bool) else str(v) for v in
              (policy_values if isinstance(policy_values, list) else [policy_values])]
    present = key.lower() in ctx
    values = list(ctx.get(key.lower(), []))
    if op == "null":
        return any((w.lower() == "true") == (not present) for w in wanted)
    if not present:
        if qualifier == "forallvalues":
            return True
        return if_exists or op in _NEGATED
    negated = op in _NEGATED
    if qualifier == "forallvalues":
        ok = all(any(_one(op, w, v) for w in wanted) for v in values)
        return (not ok) if negated else ok
    if qualifier == "foranyvalue":
        ok = any(any(_one(op, w, v) for w in wanted) for v in values)
        return (not ok) if negated else ok
    hit = any(_one(op, w, v) for w in wanted for v in values)
    return (not hit) if negated else hit


def condition_holds(condition: Mapping[str, Mapping[str, Any]], ctx: Context) -> bool:
    return all(_key_holds(op, key, vals, ctx) for op, block in condition.items() for key, vals in block.items())


# ------------------------------------------------------------------ evaluation


@dataclass(frozen=True)
class Request:
    action: str
    resource: str
    context: Mapping[str, tuple[str, ...]]


def _applies(st: Stmt, req: Request) -> bool:
    action_hit = any(glob(a, req.action, fold=True) for a in st.actions)
    if st.not_action:
        action_hit = not action_hit
    resource_hit = any(glob(r, req.resource) for r in st.resources)
    if st.not_resource:
        resource_hit = not resource_hit
    return action_hit and resource_hit and condition_holds(st.condition, req.context)


def decide(req: Request, identity: Sequence[Sequence[Stmt]], boundary: Sequence[Stmt] | None) -> str:
    """``"allowed"``, ``"denied"`` (explicit Deny), ``"no-allow"`` or ``"boundary"``."""
    every = [st for doc in identity for st in doc] + list(boundary or [])
    if any(st.effect == "Deny" and _applies(st, req) for st in every):
        return "denied"
    if not any(st.effect == "Allow" and _applies(st, req) for doc in identity for st in doc):
        return "no-allow"
    if boundary is not None and not any(st.effect == "Allow" and _applies(st, req) for st in boundary):
        return "boundary"
    return "allowed"


def _for_action(action: str, docs: Sequence[Sequence[Stmt]]) -> list[list[Stmt]]:
    """The statements that can apply to ``action`` (a cheap pre-filter; same verdicts)."""
    def hit(st: Stmt) -> bool:
        h = any(glob(a, action, fold=True) for a in st.actions)
        return (not h) if st.not_action else h
    return [[st for st in doc if hit(st)] for doc in docs]


# ------------------------------------------------------------------ sampling

ADVERSARIAL = ("", "a", "Z9", "x/y", "-", ".", "*", "?", "[a]", "a:b", "é", " ", "${aws:username}", "prod", "myapp")


def _prefix(pattern: str) -> str:
    cut = [i for i in (pattern.find("*"), pattern.find("?"), pattern.find("${")) if i >= 0]
    return pattern[: min(cut)] if cut else pattern


def may_meet(a: str, b: str) -> bool:
    """Can patterns ``a`` and ``b`` match a common string? (Necessary condition: their
    literal prefixes agree.) Used only to skip samples that cannot matter."""
    pa, pb = _prefix(a), _prefix(b)
    return pa.startswith(pb) or pb.startswith(pa)


def fragments(documents: Iterable[Sequence[Stmt]], near: str) -> list[str]:
    """Literal pieces of the documents' resource patterns that may meet ``near``: where a
    Deny or a narrowing bites."""
    out: set[str] = set()
    for doc in documents:
        for st in doc:
            for r in st.resources:
                if not may_meet(r, near):
                    continue
                for part in r.replace("?", "*").split("*"):
                    if part:
                        out.add(part)
    return sorted(out)


def instances(pattern: str, fillers: Sequence[str], witnesses: Iterable[str], limit: int = 40) -> list[str]:
    """Concrete strings ``pattern`` matches: wildcards filled, plus the ``witnesses`` it matches."""
    stars = pattern.count("*") + pattern.count("?")
    parts = pattern.replace("?", "*").split("*")
    rng = random.Random(pattern)
    combos: list[tuple[str, ...]] = [(f,) * stars for f in fillers]
    if stars > 1:
        combos += [tuple(rng.choice(fillers) for _ in range(stars)) for _ in range(limit)]
    out: set[str] = set()
    for combo in combos:
        text = parts[0]
        for piece, part in zip(combo, parts[1:], strict=True):
            text += piece + part
        if glob(pattern, text):  # a ``?`` filled with several characters is no instance
            out.add(text)
    out.update(w for w in witnesses if glob(pattern, w))
    return sorted(out)


def witnesses(documents: Iterable[Sequence[Stmt]]) -> list[str]:
    """Each document pattern with its wildcards filled by a few strings."""
    out: set[str] = set()
    for doc in documents:
        for st in doc:
            for r in st.resources:
                for fill in ("", "a", "x/y"):
                    out.add(r.replace("${*}", "*").replace("*", fill).replace("?", "q"))
    return sorted(out)


@dataclass(frozen=True)
class Need:
    """One requirement: an action on every ARN a pattern names, in SST's own request context."""

    sid: str
    action: str
    resource: str
    tagged: bool  # the page's condition: the resource carries the sst:app tag
    exact: bool = False  # ``resource`` is the request's resource as is (``*``: no resource type)


def lost(needs: Sequence[Need], identity_docs: Sequence[Any], boundary_doc: Any | None,
         context_for: Any) -> dict[str, list[tuple[Request, str]]]:
    """Sid -> the sampled requests of that statement that are not allowed, and why."""
    identity = [statements(d) for d in identity_docs]
    boundary = statements(boundary_doc) if boundary_doc is not None else None
    docs = identity + ([boundary] if boundary is not None else [])
    seen = witnesses(docs)
    out: dict[str, list[tuple[Request, str]]] = {}
    for need in needs:
        ident = _for_action(need.action, identity)
        bound = _for_action(need.action, [boundary])[0] if boundary is not None else None
        fillers = list(ADVERSARIAL) + fragments(ident + ([bound] if bound is not None else []), need.resource)
        for arn in [need.resource] if need.exact else instances(need.resource, fillers, seen):
            for ctx in context_for(need, arn):
                req = Request(need.action, arn, ctx)
                verdict = decide(req, ident, bound)
                if verdict != "allowed":
                    out.setdefault(need.sid, []).append((req, verdict))
    return out
