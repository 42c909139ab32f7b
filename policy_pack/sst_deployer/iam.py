"""IAM identity-policy semantics for one account, in plain Python.

Decides whether identity policies (less their Denies, within a permissions
boundary) grant a required permission: an action on *every* ARN a resource
pattern names, under the requirement's condition. See
``../shared/notes/iam-facts.md`` for the rules; in short:

* explicit Deny wins; a boundary intersects;
* actions compare case-insensitively, ARNs case-sensitively; ``*`` and ``?`` are
  wildcards and ``*`` spans ``/``;
* "statement pattern Q covers required pattern P" is language inclusion of
  wildcard patterns, decided exactly on automata (:func:`covers`);
* a conditional Allow counts only when the requirement's condition implies it; a
  conditional Deny that may apply is a risk, not a loss.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final, Protocol

# --------------------------------------------------------------------------- patterns

_STAR: Final = "\x00*"  # a wildcard token; literal characters are themselves
_ANY1: Final = "\x00?"
_FRESH: Final = "\x00fresh"  # stands for every character no pattern names
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_LITERAL_VARIABLES: Final = {"*": "*", "?": "?", "$": "$"}


@lru_cache(maxsize=65536)
def tokens(pattern: str, variables_as_wildcards: bool = False) -> tuple[str, ...]:
    """A pattern as tokens. ``${*}``, ``${?}``, ``${$}`` are literal characters; other
    policy variables are literal text, or ``*`` where a variable may match anything."""
    out: list[str] = []
    pos = 0
    for match in _VARIABLE.finditer(pattern):
        out.extend(_glob_tokens(pattern[pos : match.start()]))
        name = match.group(1)
        if name in _LITERAL_VARIABLES:
            out.append(_LITERAL_VARIABLES[name])
        elif variables_as_wildcards:
            out.append(_STAR)
        else:
            out.extend(match.group(0))
        pos = match.end()
    out.extend(_glob_tokens(pattern[pos:]))
    return tuple(out)


def _glob_tokens(text: str) -> list[str]:
    return [_STAR if c == "*" else _ANY1 if c == "?" else c for c in text]


def _closure(toks: tuple[str, ...], positions: Iterable[int]) -> frozenset[int]:
    out = set()
    for i in positions:
        while True:
            out.add(i)
            if i < len(toks) and toks[i] == _STAR:
                i += 1
                continue
            break
    return frozenset(out)


def _step(toks: tuple[str, ...], state: frozenset[int], char: str) -> frozenset[int]:
    nxt = []
    for i in state:
        if i == len(toks):
            continue
        tok = toks[i]
        if tok == _STAR:
            nxt.append(i)
        elif tok == _ANY1 or tok == char:
            nxt.append(i + 1)
    return _closure(toks, nxt)


def _has_wildcard(toks: tuple[str, ...]) -> bool:
    return _STAR in toks or _ANY1 in toks


def _glob_match(toks: tuple[str, ...], text: str) -> bool:
    """Does the tokenized pattern match ``text``? Linear in practice and O(n*m) at worst
    (a regex of ``.*a.*a.*...`` backtracks exponentially on hostile patterns)."""
    i = j = 0
    star, mark = -1, 0
    while j < len(text):
        if i < len(toks) and toks[i] == _STAR:
            star, mark = i, j
            i += 1
        elif i < len(toks) and (toks[i] == _ANY1 or toks[i] == text[j]):
            i += 1
            j += 1
        elif star != -1:
            i, mark = star + 1, mark + 1
            j = mark
        else:
            return False
    while i < len(toks) and toks[i] == _STAR:
        i += 1
    return i == len(toks)


def _literal(toks: tuple[str, ...]) -> str:
    return "".join(toks)


MAX_WORK: Final = 12_000
"""Automaton steps one judgement (an :func:`evaluate`, or a :func:`covers` /
:func:`overlaps` call) may take: 10-60 ms here, by pattern count. Inclusion of wildcard unions can
need exponentially many states; past this budget, :class:`TooComplex`."""

_budget = [MAX_WORK]


class TooComplex(Exception):
    """Deciding this pattern inclusion would take too long; the caller stays conservative."""


def _fresh_budget() -> None:
    _budget[0] = MAX_WORK


@lru_cache(maxsize=65536)
def _covered(
    p: tuple[str, ...],
    union: tuple[tuple[str, ...], ...],
    complements: tuple[tuple[tuple[str, ...], ...], ...],
) -> bool:
    """Is every string P matches matched by some pattern of ``union``, or outside every
    pattern of some set in ``complements``? Exact: P's automaton walked alongside the
    subset construction of the others, over the literal characters of all plus one fresh
    character."""
    if not complements:
        # Fast paths for the shapes real ARNs take.
        if any(q == (_STAR,) for q in union):
            return True
        if not _has_wildcard(p):
            text = _literal(p)
            return any(_glob_match(q, text) for q in union)
        for q in union:
            if q == p:
                return True
            if q and q[-1] == _STAR and not _has_wildcard(q[:-1]) and p[: len(q) - 1] == q[:-1]:
                return True
    # Cheap refutation first: a few strings P matches that the others may not.
    for sample in _samples(p):
        in_union = any(_glob_match(q, sample) for q in union)
        if not in_union and all(any(_glob_match(n, sample) for n in g) for g in complements):
            return False
    others = list(union) + [q for group in complements for q in group]
    alphabet = {t for t in p if not t.startswith("\x00")}
    for q in others:
        alphabet.update(t for t in q if not t.startswith("\x00"))
    alphabet.add(_FRESH)

    group_sizes = [len(g) for g in complements]

    def accepts(states: tuple[frozenset[int], ...], patterns: Sequence[tuple[str, ...]]) -> list[bool]:
        return [len(q) in s for q, s in zip(patterns, states, strict=True)]

    start_p = _closure(p, [0])
    start_o = tuple(_closure(q, [0]) for q in others)
    seen = {(start_p, start_o)}
    todo = [(start_p, start_o)]
    wild_positions = {i for i, t in enumerate(p) if t in (_STAR, _ANY1)}
    while todo:
        sp, so = todo.pop()
        # Characters P cannot read here lead nowhere: only a wildcard needs the alphabet.
        chars = alphabet if sp & wild_positions else {p[i] for i in sp if i < len(p)}
        _budget[0] -= len(chars) * (len(others) + 1)
        if _budget[0] < 0:
            raise TooComplex(f"{len(others)} patterns against {_literal(p)!r}")
        if len(p) in sp:
            acc = accepts(so, others)
            in_union = any(acc[: len(union)])
            escapes_a_complement = False
            offset = len(union)
            for size in group_sizes:
                if not any(acc[offset : offset + size]):
                    escapes_a_complement = True
                    break
                offset += size
            if not in_union and not escapes_a_complement:
                return False
        for char in chars:
            np_ = _step(p, sp, char)
            if not np_:
                continue
            no = tuple(_step(q, s, char) for q, s in zip(others, so, strict=True))
            key = (np_, no)
            if key not in seen:
                seen.add(key)
                todo.append(key)
    return True


def _after(q: tuple[str, ...], text: tuple[str, ...]) -> bool:
    state = _closure(q, [0])
    for char in text:
        state = _step(q, state, char)
        if not state:
            return False
    return True


def literal_prefix(pattern: str) -> str:
    """The characters before a pattern's first wildcard."""
    cut = len(pattern)
    for wildcard in ("*", "?"):
        at = pattern.find(wildcard)
        if at != -1:
            cut = min(cut, at)
    return pattern[:cut]


def may_help_cover(pattern: str, required: str) -> bool:
    """A cheap necessary condition for ``pattern`` to match any string ``required``
    matches, and so to help a union cover it: their literal prefixes agree as far as
    the shorter goes."""
    if "${" in pattern or "${" in required:
        return True
    a, b = literal_prefix(pattern), literal_prefix(required)
    return a.startswith(b) or b.startswith(a)


_SAMPLE_CHAR: Final = "\uffff"  # a character ARNs do not contain


def _samples(p: tuple[str, ...]) -> list[str]:
    """Strings ``p`` matches: each wildcard as nothing (``*``) or one unusual character."""
    short = "".join("" if t == _STAR else _SAMPLE_CHAR if t == _ANY1 else t for t in p)
    long = "".join(_SAMPLE_CHAR if t in (_STAR, _ANY1) else t for t in p)
    return [short] if short == long else [short, long]


def covers(patterns: Iterable[str], required: str, *, ignore_case: bool = False) -> bool:
    """Does the union of ``patterns`` match every string ``required`` matches?
    Raises TooComplex past :data:`MAX_WORK`."""
    _fresh_budget()
    return _covers(patterns, required, ignore_case)


def _covers(patterns: Iterable[str], required: str, ignore_case: bool) -> bool:
    if ignore_case:
        required = required.lower()
        patterns = [q.lower() for q in patterns]
    candidates = {q for q in patterns if may_help_cover(q, required)}
    if not candidates:
        return False
    return _covered(tokens(required), tuple(sorted(tokens(q) for q in candidates)), ())


def overlaps(patterns: Iterable[str], required: str, *, ignore_case: bool = False) -> bool:
    """Is some string ``required`` matches also matched by one of ``patterns``?
    Raises TooComplex past :data:`MAX_WORK`."""
    _fresh_budget()
    return _overlaps(patterns, required, ignore_case)


def _overlaps(patterns: Iterable[str], required: str, ignore_case: bool) -> bool:
    fold = str.lower if ignore_case else str
    qs = tuple(sorted({tokens(fold(q), variables_as_wildcards=True) for q in patterns}))
    if not qs:
        return False
    p = tokens(fold(required))
    if not _has_wildcard(p):
        return any(_glob_match(q, _literal(p)) for q in qs)
    if p[-1] == _STAR and not _has_wildcard(p[:-1]):
        # "prefix*" overlaps Q iff Q can read the prefix: from any state, Q can finish.
        return any(_after(q, p[:-1]) for q in qs)
    # P overlaps Q iff P is not covered by "outside Q".
    return not _covered(tokens(fold(required)), (), (qs,))


@lru_cache(maxsize=65536)
def matches(pattern: str, text: str, *, ignore_case: bool = False) -> bool:
    """Does ``pattern`` match the literal ``text``?"""
    if ignore_case:
        pattern, text = pattern.lower(), text.lower()
    return _glob_match(tokens(pattern), text)


# --------------------------------------------------------------------------- conditions

Conditions = frozenset[tuple[str, str, frozenset[str]]]
"""A condition block, canonical: (operator, key, values); operator and key lower-cased."""


def _condition_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def normalize_conditions(block: Any) -> Conditions:
    """A ``Condition`` element as canonical clauses. Raises PolicyDocumentError."""
    if block is None:
        return frozenset()
    if not isinstance(block, Mapping):
        raise PolicyDocumentError("Condition must be an object of operators")
    clauses = []
    for op, body in block.items():
        if not isinstance(body, Mapping):
            raise PolicyDocumentError(f"Condition operator {op} must map keys to values")
        for key, values in body.items():
            if isinstance(values, (str, bool, int, float)):
                values = [values]
            elif not isinstance(values, Sequence):
                raise PolicyDocumentError(f"Condition {op} {key} has a value of the wrong type")
            folded = [_condition_value(v) for v in values]
            if op.lower() in ("null", "bool") or op.lower().startswith("bool"):
                folded = [v.lower() for v in folded]
            clauses.append((str(op).lower(), str(key).lower(), frozenset(folded)))
    return frozenset(clauses)


def implies(stronger: Conditions, weaker: Conditions) -> bool:
    """Whenever ``stronger`` holds, does ``weaker`` hold? Sound, not complete: each clause
    of ``weaker`` must appear in ``stronger`` with the same operator and key and, for
    any-of operators, no more values (for negated ones, the same values)."""
    for op, key, values in weaker:
        ok = False
        for op2, key2, values2 in stronger:
            if op2 != op or key2 != key:
                continue
            if "not" in op or op.startswith("forallvalues"):
                ok = values2 == values
            else:
                ok = values2 <= values
            if ok:
                break
        if not ok:
            return False
    return True


def conditions_text(conditions: Conditions) -> str:
    return "; ".join(
        f"{op} {key} in {sorted(values)}" for op, key, values in sorted(conditions, key=str)
    )


# --------------------------------------------------------------------------- documents


class PolicyDocumentError(ValueError):
    """A policy document IAM would reject, or that cannot be read."""


@dataclass(frozen=True)
class Statement:
    effect: str  # "Allow" or "Deny"
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_action: bool = False
    not_resource: bool = False
    conditions: Conditions = frozenset()
    sid: str = ""
    index: int = 0  # position in its document, for messages

    @property
    def label(self) -> str:
        return f"statement {self.sid!r}" if self.sid else f"statement #{self.index + 1}"

    def matches_action(self, action: str) -> bool:
        hit = any(matches(a, action, ignore_case=True) for a in self.actions)
        return hit != self.not_action


@dataclass(frozen=True)
class Document:
    statements: tuple[Statement, ...]
    name: str = ""  # what the document is: a policy's name, "inline policy x", ...


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise PolicyDocumentError(f"{what} must be a string or a list of strings")


def parse_document(raw: Any, name: str = "") -> Document:
    """A policy document, from a JSON string or an object (any Mapping).

    Raises PolicyDocumentError saying what is wrong."""
    if isinstance(raw, (bytes, bytearray)):
        raw = raw.decode("utf-8", "replace")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise PolicyDocumentError(f"not valid JSON ({exc})") from None
    if not isinstance(raw, Mapping):
        raise PolicyDocumentError(f"a policy document is an object, not {type(raw).__name__}")
    body = raw.get("Statement")
    if isinstance(body, Mapping):
        body = [body]
    if not isinstance(body, Sequence) or isinstance(body, str):
        raise PolicyDocumentError("Statement must be an object or a list of objects")
    statements = []
    for index, st in enumerate(body):
        if not isinstance(st, Mapping):
            raise PolicyDocumentError(f"statement #{index + 1} is not an object")
        effect = st.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise PolicyDocumentError(f"statement #{index + 1}: Effect must be Allow or Deny, not {effect!r}")
        if ("Action" in st) == ("NotAction" in st):
            raise PolicyDocumentError(f"statement #{index + 1}: needs Action or NotAction")
        if ("Resource" in st) == ("NotResource" in st):
            raise PolicyDocumentError(f"statement #{index + 1}: needs Resource or NotResource")
        action_key = "Action" if "Action" in st else "NotAction"
        resource_key = "Resource" if "Resource" in st else "NotResource"
        sid = st.get("Sid", "")
        statements.append(
            Statement(
                effect=effect,
                actions=_strings(st[action_key], f"statement #{index + 1} {action_key}"),
                resources=_strings(st[resource_key], f"statement #{index + 1} {resource_key}"),
                not_action=action_key == "NotAction",
                not_resource=resource_key == "NotResource",
                conditions=normalize_conditions(st.get("Condition")),
                sid=sid if isinstance(sid, str) else "",
                index=index,
            )
        )
    return Document(tuple(statements), name)


# --------------------------------------------------------------------------- evaluation


class Required(Protocol):
    """What a requirement looks like to the evaluator (permissions.Requirement fits)."""

    @property
    def action(self) -> str: ...
    @property
    def resource(self) -> str: ...
    @property
    def condition(self) -> Conditions: ...


@dataclass
class Decision:
    """The verdict on one requirement."""

    allowed: bool  # some Allow in the identity policies grants all of it
    within_boundary: bool  # the boundary (if any) allows all of it
    denied_by: list[tuple[Document, Statement]] = field(default_factory=list)
    risks: list[tuple[Document, Statement]] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)  # checks too complex to decide

    @property
    def granted(self) -> bool:
        return self.allowed and self.within_boundary and not self.denied_by


def _allows(documents: Sequence[Document], req: Required, undecided: list[str]) -> bool:
    union: list[str] = []
    complements: list[tuple[str, ...]] = []
    for doc in documents:
        for st in doc.statements:
            if st.effect != "Allow" or not st.matches_action(req.action):
                continue
            if not implies(req.condition, st.conditions):
                continue
            if st.not_resource:
                complements.append(st.resources)
            else:
                union.extend(st.resources)
    union = [q for q in union if may_help_cover(q, req.resource)]
    if not union and not complements:
        return False
    p = tokens(req.resource)
    qs = tuple(sorted({tokens(q) for q in union}))
    # One pattern covering it settles the question cheaply; the union is the hard case.
    for q in qs:
        try:
            if _covered(p, (q,), ()):
                return True
        except TooComplex:
            pass
    try:
        return _covered(p, qs, tuple(sorted(tuple(sorted({tokens(n, True) for n in g})) for g in complements)))
    except TooComplex as exc:
        undecided.append(f"whether the Allow statements cover {req.resource} ({exc})")
        return False


def _denies(documents: Sequence[Document], req: Required, decision: Decision) -> None:
    for doc in documents:
        for st in doc.statements:
            if st.effect != "Deny" or not st.matches_action(req.action):
                continue
            try:
                if st.not_resource:
                    hits = not _covers(st.resources, req.resource, False)
                else:
                    hits = _overlaps(st.resources, req.resource, False)
            except TooComplex as exc:
                decision.undecided.append(f"whether {st.label} of {doc.name or 'a policy'} applies ({exc})")
                hits = True  # a Deny that cannot be ruled out is taken to apply
            if not hits:
                continue
            if not st.conditions or implies(req.condition, st.conditions):
                decision.denied_by.append((doc, st))
            else:
                decision.risks.append((doc, st))


def evaluate(
    req: Required, identity: Sequence[Document], boundary: Document | None = None
) -> Decision:
    """Does the role whose identity policies are ``identity`` have ``req``? Checks too
    complex to decide within :data:`MAX_STATES` count against the grant and are listed
    in ``undecided``."""
    _fresh_budget()
    undecided: list[str] = []
    decision = Decision(
        allowed=_allows(identity, req, undecided),
        within_boundary=boundary is None or _allows([boundary], req, undecided),
        undecided=undecided,
    )
    _denies(list(identity) + ([boundary] if boundary else []), req, decision)
    return decision
