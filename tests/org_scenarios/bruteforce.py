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
narrowing on a literal ARN is sampled exactly. Where SST's and CDK's names have a grammar
(:data:`NAMES`, regexes written from their sources, not from the pack's), only the samples
that are real names count, plus names built from that grammar.

Policy variables (documents of Version 2012-10-17 only; otherwise ``${...}`` is text):
``${key}`` and ``${key, 'default'}`` in a Resource or a condition value take the request's
single value of ``key``; a variable with no value makes that pattern or value match nothing
(IAM User Guide, "Policy variables": a variable that cannot be resolved invalidates what it is in).
"""

from __future__ import annotations

import itertools
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
    variables: bool = True  # Version 2012-10-17: ${...} are policy variables


_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def substitute(text: str, ctx: Context, variables: bool = True) -> str | None:
    """``text`` with its policy variables replaced by the request's values; None when one
    has no value. ``${*}``, ``${?}``, ``${$}`` stay (``glob`` reads them as literals)."""
    if not variables or "${" not in text:
        return text if variables or "${" not in text else text.replace("${", "${$}{")
    out, pos = [], 0
    for m in _VARIABLE.finditer(text):
        out.append(text[pos : m.start()])
        if m.group(0) in _LITERAL_VARIABLES:
            out.append(m.group(0))
        else:
            key, _, default = m.group(1).partition(",")
            values = ctx.get(key.strip().lower())
            default = default.strip()
            if values is not None and len(values) == 1:
                value = values[0]
            elif values is None and len(default) >= 2 and default[0] == default[-1] == "'":
                value = default[1:-1]
            else:
                return None
            out.append(value.replace("$", "${$}").replace("*", "${*}").replace("?", "${?}"))
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


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
                        s.get("Condition") or {}, doc.get("Version") == "2012-10-17"))
    return out


# ------------------------------------------------------------------ conditions

_NEGATED = {"stringnotequals", "stringnotequalsignorecase", "stringnotlike", "arnnotequals", "arnnotlike",
            "numericnotequals", "datenotequals"}


def _text(pattern: str) -> str:
    for k, v in _LITERAL_VARIABLES.items():
        pattern = pattern.replace(k, v)
    return pattern


def _one(op: str, policy_value: str | None, value: str) -> bool:
    if policy_value is None:  # a variable with no value matches nothing
        return False
    if op in ("stringequals", "stringnotequals"):
        return value == _text(policy_value)
    if op in ("stringequalsignorecase", "stringnotequalsignorecase"):
        return value.casefold() == _text(policy_value).casefold()
    if op in ("stringlike", "stringnotlike", "arnlike", "arnnotlike", "arnequals", "arnnotequals"):
        return glob(policy_value, value)
    if op == "bool":
        return value.lower() == policy_value.lower()
    raise Unsupported(f"condition operator {op}")


def _key_holds(operator: str, key: str, policy_values: Any, ctx: Context, variables: bool = True) -> bool:
    op = operator.lower()
    qualifier = ""
    if ":" in op:
        qualifier, op = op.split(":", 1)
    if_exists = op.endswith("ifexists")
    if if_exists:
        op = op[: -len("ifexists")]
    wanted = [substitute(str(v).lower() if isinstance(v, bool) else str(v), ctx, variables) for v in
              (policy_values if isinstance(policy_values, list) else [policy_values])]
    present = key.lower() in ctx
    values = list(ctx.get(key.lower(), []))
    if op == "null":
        return any(((w or "").lower() == "true" and not present) or ((w or "").lower() == "false" and present)
                   for w in wanted)
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


def condition_holds(condition: Mapping[str, Mapping[str, Any]], ctx: Context, variables: bool = True) -> bool:
    return all(_key_holds(op, key, vals, ctx, variables) for op, block in condition.items()
               for key, vals in block.items())


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
    patterns = [substitute(r, req.context, st.variables) for r in st.resources]
    resource_hit = any(glob(r, req.resource) for r in patterns if r is not None)
    if st.not_resource:
        resource_hit = not resource_hit
    return action_hit and resource_hit and condition_holds(st.condition, req.context, st.variables)


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


def _resource_type_fits(action: str, arn: str) -> bool:
    """S3 authorises object actions (``*Object*``) against objects, the others against
    buckets (Service Authorization Reference, Amazon S3): an ARN of the other type is no request."""
    if not arn.startswith("arn:") or arn.split(":")[2] != "s3":
        return True
    is_object = "/" in arn.split(":::", 1)[-1]
    return is_object == ("object" in action.lower())


def _name_fillers(fillers: Sequence[str]) -> list[str]:
    """Fillers made into names: a fragment as a stack or app name (``prod-x``, ``x/y``), and
    a stack name's tail with its id (``-Api/<uuid>``)."""
    clean = [f.strip("/:") for f in fillers if f and "*" not in f and "?" not in f][:20]
    return sorted({f"{a}-{b}" for a in ("prod", *clean) for b in ("myapp", *clean)}
                  | {f"{a}/{b}" for a in ("prod", "myapp") for b in clean}
                  | {f"myapp-Api/{_UUID}", f"-myapp-Api/{_UUID}", f"x-y/{_UUID}", _UUID}
                  | {f"{c}-Api/{_UUID}" for c in clean})


def _every_combination(pattern: str, fillers: Sequence[str]) -> list[str]:
    """``pattern`` with each of its (at most two) wildcards filled by every filler."""
    stars = pattern.count("*") + pattern.count("?")
    if stars > 2:
        return []
    parts = pattern.replace("?", "*").split("*")
    picks = list(dict.fromkeys(fillers))[:60]
    combos: list[tuple[str, ...]] = [()] if stars == 0 else [(a,) for a in picks] if stars == 1 else [
        (a, b) for a in picks for b in picks]
    out = []
    for combo in combos:
        text = parts[0]
        for piece, part in zip(combo, parts[1:], strict=True):
            text += piece + part
        out.append(text)
    return out


def _met(documents: Iterable[Sequence[Stmt]], near: str) -> list[str]:
    """The documents' patterns with their wildcards filled by the requirement's own region,
    account and names: strings where a document pattern and the requirement meet."""
    segments = near.split(":")
    own = [x for x in segments[3:5] if x and "*" not in x] + ["", "a", "x", "prod", "myapp", f"x-y/{_UUID}"]
    out: set[str] = set()
    for doc in documents:
        for st in doc:
            for r in st.resources:
                if "${" in r:
                    continue
                stars = r.count("*") + r.count("?")
                if stars == 0 or stars > 3:
                    continue
                parts = r.replace("?", "*").split("*")
                for combo in itertools.product(own, repeat=stars):
                    text = parts[0]
                    for piece, part in zip(combo, parts[1:], strict=True):
                        text += piece + part
                    out.add(text)
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


_NAME = r"[A-Za-z][-A-Za-z0-9]*"  # a CloudFormation stack name, an SST stage or app name
NAMES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # (the requirement's resource part, a regex of every real name there, names built from it)
    # An SST app stack: "<stage>-<app>-<Stack>" or any name with "-<stage>"/"<stage>-"
    # (sst/v2 packages/sst/src/constructs/App.ts); stack/<name>/<uuid>.
    (r"stack/\*", rf"stack/{_NAME}-[-A-Za-z0-9]*/[-0-9a-f]+",
     ("stack/prod-myapp-Api/0b5c8f2e-1d3a-4c5b-9e7f-123456789abc",
      "stack/dev-my-app-Web/1f2e3d4c-aaaa-bbbb-cccc-0123456789ab",
      "stack/x-y-Z/00000000-0000-0000-0000-000000000000")),
    (r"stack/([A-Za-z][-A-Za-z0-9]*)/\*", r"stack/{0}/[-0-9a-f]+", ("stack/{0}/7a8b9c0d-1111-2222-3333-444455556666",)),
    # Fallback secrets: /sst/<app>/.fallback/... (packages/sst/src/config.ts); SSM names.
    (r"parameter/sst/\*/\.fallback/\*", rf"parameter/sst/{_NAME}/\.fallback/[A-Za-z0-9_./-]+",
     ("parameter/sst/myapp/.fallback/Secret/STRIPE_KEY/value", "parameter/sst/payments/.fallback/Secret/A/value")),
    (r"parameter(/[^*]*)\*", r"parameter{0}[A-Za-z0-9_./-]*",
     ("parameter{0}myapp/prod/Secret/DB_URL/value", "parameter{0}payments/prod/Parameter/X/value")),
    # S3 bucket names; keys are anything.
    (r"([a-z0-9.-]*)\*", r"{0}[a-z0-9.-]*(/.*)?", ("{0}useast1-a1b2c3", "{0}useast1-a1b2c3/appMetadata/x.json")),
    (r"([a-z0-9.-]*)\*/([^*]*)\*", r"{0}[a-z0-9.-]*/{1}.*", ("{0}useast1-a1b2c3/{1}prod/myapp.json",)),
    (r"function:\*", r"function:[A-Za-z0-9_-]+(:[A-Za-z0-9$_-]+)?", ("function:prod-myapp-Api-Fn1A2B3C",)),
    (r"client/mqttjs_\*", r"client/mqttjs_[0-9a-f]+", ("client/mqttjs_1a2b3c4d",)),
    # The page's "*" for iot:Connect: SST's socket is an MQTT.js client, id mqttjs_<hex>.
    (r"client/\*", r"client/mqttjs_[0-9a-f]+", ("client/mqttjs_1a2b3c4d",)),
    # The CDK bootstrap roles: cdk-<qualifier>-<kind>-role-<account>-<region> (bootstrap template).
    (r"role/cdk-([a-z0-9]+)-\*-role-\*",
     r"role/cdk-{0}-(cfn-exec|deploy|file-publishing|image-publishing|lookup)-role-[0-9]+-[a-z0-9-]+",
     tuple(f"role/cdk-{{0}}-{k}-role-112233445566-us-east-1"
           for k in ("cfn-exec", "deploy", "file-publishing", "image-publishing", "lookup"))),
)
_UUID = "0b5c8f2e-1d3a-4c5b-9e7f-123456789abc"


def real_names(pattern: str) -> tuple[re.Pattern[str], list[str]] | None:
    """The regex of the names SST and CDK create for an ARN ``pattern``, and a few of
    them; None where the pattern has no grammar here (every string counts)."""
    m = re.match(r"^(arn:[^:]+:[^:]+:[^:]*:[^:]*:)(.*)$", pattern)
    if not m:
        return None
    head, rest = m.groups()
    for shape, regex, built in NAMES:
        found = re.fullmatch(shape, rest)
        if found:
            groups = [re.escape(g) for g in found.groups()]
            names = [head + b.format(*found.groups()) for b in built]
            return re.compile(re.escape(head) + regex.format(*groups), re.S), names
    return None


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
        samples = [need.resource] if need.exact else instances(need.resource, fillers, seen)
        grammar = None if need.exact else real_names(need.resource)
        if grammar is not None:
            regex, built = grammar
            names = _name_fillers(fillers)
            candidates = set(samples) | set(instances(need.resource, [*fillers, *names], seen))
            denies = fragments([[st for st in doc if st.effect == "Deny"] for doc in docs], need.resource)
            candidates |= set(_every_combination(need.resource, [*denies, *fillers, *sorted(names)[:10]]))
            candidates |= set(_met(docs, need.resource))
            samples = sorted(a for a in {a for a in candidates if regex.fullmatch(a) and glob(need.resource, a)}
                             | set(built) if _resource_type_fits(need.action, a))
        for arn in samples:
            for ctx in context_for(need, arn):
                req = Request(need.action, arn, ctx)
                verdict = decide(req, ident, bound)
                if verdict != "allowed":
                    out.setdefault(need.sid, []).append((req, verdict))
    return out
