"""IAM identity-policy semantics for one account, in plain Python.

Decides whether identity policies (less their Denies, within a permissions
boundary) grant a required permission: an action on *every* ARN a resource
pattern names, in the request context the call really has. The rules follow the IAM
User Guide ("Policy evaluation logic", "IAM JSON policy elements: Condition operators",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):

* explicit Deny wins; a boundary intersects;
* actions compare case-insensitively, ARNs case-sensitively; ``*`` and ``?`` are
  wildcards and ``*`` spans ``/``;
* "statement pattern Q covers required pattern P" is language inclusion of wildcard
  patterns, decided exactly on automata (:func:`covers`); overlap pattern by pattern
  (:func:`pair_overlaps`); literal and ``prefix*`` lists by lookup;
* a condition is judged in a :class:`Context` (:func:`condition_outcome`): it holds,
  cannot hold, or may hold when the context leaves it open. An Allow counts when it
  holds; a Deny is a loss when it holds, harmless when it cannot, a risk when open; a
  boundary Allow that may hold counts, as a risk.
"""

from __future__ import annotations

import bisect
import ipaddress
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from functools import lru_cache
from typing import Any, Final, Protocol

# --------------------------------------------------------------------------- patterns

_STAR: Final = "\x00*"  # a wildcard token; literal characters are themselves
_ANY1: Final = "\x00?"
_FRESH: Final = "\x00fresh"  # stands for every character no pattern names
_TYPED: Final = "\x00t"  # a name wildcard: "\x00t" + the characters it cannot read
NAME_OPEN: Final = "\x01"
NAME_CLOSE: Final = "\x02"
"""A requirement's resource may write ``\x01<chars>\x02``: any run (possibly empty) of
characters other than ``<chars>``, the part of a name a grammar leaves free
(:mod:`grammar`); policies never contain these control characters."""
_NAME_WILDCARD = re.compile("\x01([^\x01\x02]*)\x02")
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
VARIABLE: Final = _VARIABLE
"""A policy variable, ``${name}`` (IAM User Guide, "Policy variables")."""
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
    out: list[str] = []
    pos = 0
    for match in _NAME_WILDCARD.finditer(text):
        out.extend(_STAR if c == "*" else _ANY1 if c == "?" else c for c in text[pos : match.start()])
        out.append(_TYPED + "".join(sorted(set(match.group(1)))))
        pos = match.end()
    out.extend(_STAR if c == "*" else _ANY1 if c == "?" else c for c in text[pos:])
    return out


def _is_typed(tok: str) -> bool:
    return tok.startswith(_TYPED)


def _star_like(tok: str) -> bool:
    """A token that may read nothing and stays put after reading: ``*`` or a name wildcard."""
    return tok == _STAR or tok.startswith(_TYPED)


def _typed_reads(tok: str, char: str) -> bool:
    """Can a name wildcard read ``char`` (a character, or a wildcard/fresh token)?"""
    return char.startswith("\x00") or char not in tok[len(_TYPED):]


def _closure(toks: tuple[str, ...], positions: Iterable[int]) -> frozenset[int]:
    out = set()
    for i in positions:
        while True:
            out.add(i)
            if i < len(toks) and _star_like(toks[i]):
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
        elif _is_typed(tok):
            if _typed_reads(tok, char):
                nxt.append(i)
        elif tok == _ANY1 or tok == char:
            nxt.append(i + 1)
    return _closure(toks, nxt)


@lru_cache(maxsize=65536)
def _has_typed(toks: tuple[str, ...]) -> bool:
    """Does the pattern hold a name wildcard? Asked on every match: scanning the tokens
    each time was 0.2 s of the pack's 0.3 s of cold glob matching at 100 deployers."""
    return any(_is_typed(t) for t in toks)


def _has_wildcard(toks: tuple[str, ...]) -> bool:
    return _STAR in toks or _ANY1 in toks or _has_typed(toks)


def _glob_match(toks: tuple[str, ...], text: str) -> bool:
    """Does the tokenized pattern match ``text``? Linear in practice and O(n*m) at worst
    (a regex of ``.*a.*a.*...`` backtracks exponentially on hostile patterns)."""
    if _has_typed(toks):
        state = _closure(toks, [0])
        for char in text:
            state = _step(toks, state, char)
            if not state:
                return False
        return len(toks) in state
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
        if all(_is_simple(q) for q in union):
            # A union of literals and "prefix*" patterns covers P only if one of them does:
            # the string P matches with each wildcard as fresh characters is matched by no
            # literal, and by a "prefix*" only if its prefix is part of P's leading literal.
            return any(_simple_covers(q, p) for q in union)
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
    alphabet.update(c for t in p if _is_typed(t) for c in t[len(_TYPED):])
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
    wild_positions = {i for i, t in enumerate(p) if t in (_STAR, _ANY1) or _is_typed(t)}
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


def _is_simple(q: tuple[str, ...]) -> bool:
    """A literal, or a literal followed by one ``*``."""
    return _STAR not in q[:-1] and _ANY1 not in q


def _simple_covers(q: tuple[str, ...], p: tuple[str, ...]) -> bool:
    if q and q[-1] == _STAR:
        head = q[:-1]
        return p[: len(head)] == head and not _has_wildcard(head)
    return q == p


@lru_cache(maxsize=65536)
def pair_overlaps(p: tuple[str, ...], q: tuple[str, ...]) -> bool:
    """Do two tokenized patterns match a common string? The product of their automata,
    at most ``(len(p)+1) * (len(q)+1)`` states: polynomial, so never too complex."""
    if not _has_wildcard(p):
        return _glob_match(q, _literal(p))
    if not _has_wildcard(q):
        return _glob_match(p, _literal(q))
    start = (0, 0)
    seen = {start}
    todo = [start]
    while todo:
        i, j = todo.pop()
        moves = []
        if i < len(p) and _star_like(p[i]):
            moves.append((i + 1, j))  # the star reads nothing
        if j < len(q) and _star_like(q[j]):
            moves.append((i, j + 1))
        if i == len(p) and j == len(q):
            return True
        if i < len(p) and j < len(q):
            a, b = p[i], q[j]
            if _pair_reads(a, b):  # both can read one character
                moves.append((i if _star_like(a) else i + 1, j if _star_like(b) else j + 1))
        for m in moves:
            if m not in seen:
                seen.add(m)
                todo.append(m)
    return False


def _pair_reads(a: str, b: str) -> bool:
    """Is there a character both tokens can read? A name wildcard reads any character but
    its own; two wildcards always share one (there are more characters than any excludes)."""
    if _is_typed(a) and not b.startswith("\x00"):
        return _typed_reads(a, b)
    if _is_typed(b) and not a.startswith("\x00"):
        return _typed_reads(b, a)
    return a.startswith("\x00") or b.startswith("\x00") or a == b


def _after(q: tuple[str, ...], text: tuple[str, ...]) -> bool:
    state = _closure(q, [0])
    for char in text:
        state = _step(q, state, char)
        if not state:
            return False
    return True


@lru_cache(maxsize=65536)
def literal_prefix(pattern: str) -> str:
    """The characters before a pattern's first wildcard."""
    cut = len(pattern)
    for wildcard in ("*", "?", NAME_OPEN):
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
    short = "".join("" if _star_like(t) else _SAMPLE_CHAR if t == _ANY1 else t for t in p)
    long = "".join(_SAMPLE_CHAR if t == _ANY1 or _star_like(t) else t for t in p)
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
    """Overlap distributes over a union: pattern by pattern, each in polynomial time, so a
    Deny listing hundreds of ARNs costs hundreds of small checks and never a subset
    construction."""
    fold = str.lower if ignore_case else str
    p = tokens(fold(required))
    literal_p = None if _has_wildcard(p) else _literal(p)
    prefix_p = p[:-1] if p and p[-1] == _STAR and not _has_wildcard(p[:-1]) else None
    for q in patterns:
        qt = tokens(fold(q), variables_as_wildcards=True)
        if literal_p is not None:
            if _glob_match(qt, literal_p):
                return True
        elif prefix_p is not None:
            # "prefix*" overlaps Q iff Q can read the prefix: from any state, Q can finish.
            if _after(qt, prefix_p):
                return True
        elif pair_overlaps(p, qt):
            return True
    return False


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


GLOBAL_KEYS: Final = tuple(sorted((
    "aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast", "aws:CurrentTime", "aws:EpochTime",
    "aws:FederatedProvider", "aws:MultiFactorAuthAge", "aws:MultiFactorAuthPresent", "aws:PrincipalAccount",
    "aws:PrincipalArn", "aws:PrincipalIsAWSService", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths",
    "aws:PrincipalServiceName", "aws:PrincipalType", "aws:Referer", "aws:RequestedRegion", "aws:ResourceAccount",
    "aws:ResourceOrgID", "aws:ResourceOrgPaths", "aws:SecureTransport", "aws:SourceAccount", "aws:SourceArn",
    "aws:SourceIdentity", "aws:SourceIp", "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:SourceVpc", "aws:SourceVpce",
    "aws:TagKeys", "aws:TokenIssueTime", "aws:UserAgent", "aws:userid", "aws:username", "aws:ViaAWSService",
    "aws:VpcSourceIp", "aws:PrincipalTag/", "aws:RequestTag/", "aws:ResourceTag/",
)))
"""AWS global condition keys as the IAM User Guide spells them ("AWS global condition context
keys"); names ending in ``/`` take a tag key after them."""
_SPELLING: Final = {k.lower(): k for k in GLOBAL_KEYS}


def spelled(key: str) -> str:
    """A (lower-cased) condition key as AWS documents it, for messages: ``aws:sourceip`` ->
    ``aws:SourceIp``; a tag key keeps the case it has; unknown keys are returned as given."""
    head, slash, rest = key.partition("/")
    known = _SPELLING.get(head.lower() + slash)
    return known + rest if known and slash else known or key


def conditions_text(conditions: Conditions) -> str:
    return "; ".join(
        f"{op} {key} in {sorted(values)}" for op, key, values in sorted(conditions, key=str)
    )



# --------------------------------------------------------------------------- request context


class Outcome(Enum):
    """A condition judged in a request context."""

    HOLDS = "holds"
    CANNOT_HOLD = "cannot hold"
    MAY_HOLD = "may hold"  # the context really leaves it open


@dataclass(frozen=True)
class Context:
    """What one real request carries, key by key (names lower-cased).

    A key is *known* (its values), *present* (one non-empty value nobody knows yet, as
    ``aws:ResourceTag/sst:app`` on the app's resources), *absent*, or open (not
    described: it may be absent or carry anything). Keys under a ``closed`` prefix
    (``aws:principaltag/`` when the role's tags are known) are absent unless described.
    """

    known: tuple[tuple[str, tuple[str, ...]], ...] = ()
    present: frozenset[str] = frozenset()
    absent: frozenset[str] = frozenset()
    closed: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        known: Mapping[str, str | Sequence[str]] | None = None,
        present: Iterable[str] = (),
        absent: Iterable[str] = (),
        closed: Iterable[str] = (),
    ) -> Context:
        pairs = {}
        for key, values in (known or {}).items():
            vals = (values,) if isinstance(values, str) else tuple(values)
            if vals:  # an empty set is IAM's "null dataset": the key is absent
                pairs[key.lower()] = vals
        return cls(
            known=tuple(sorted(pairs.items())),
            present=frozenset(k.lower() for k in present) - set(pairs),
            absent=frozenset(k.lower() for k in absent) - set(pairs),
            closed=tuple(sorted(c.lower() for c in closed)),
        )

    def state(self, key: str) -> tuple[str, tuple[str, ...]]:
        """("known", values) | ("present", ()) | ("absent", ()) | ("open", ())."""
        key = key.lower()
        for k, values in self.known:
            if k == key:
                return "known", values
        if key in self.present:
            return "present", ()
        if key in self.absent or any(key.startswith(c) for c in self.closed):
            return "absent", ()
        return "open", ()

    def keys(self) -> frozenset[str]:
        return frozenset(k for k, _ in self.known) | self.present | self.absent

    def merged(self, other: Context) -> Context:
        """``other``'s facts over this one's."""
        known = dict(self.known)
        for k in other.present | other.absent:
            known.pop(k, None)
        known.update(dict(other.known))
        return Context(
            known=tuple(sorted(known.items())),
            present=(self.present - other.absent - {k for k, _ in other.known}) | other.present,
            absent=(self.absent - other.present - {k for k, _ in other.known}) | other.absent,
            closed=tuple(sorted(set(self.closed) | set(other.closed))),
        )

    def assuming(self, conditions: Conditions) -> Context:
        """This context where a condition is a fact: ``Null k false`` (or ``StringLike k
        "*"``) makes ``k`` present, ``Null k true`` absent, a single-valued equality known."""
        if not conditions:
            return self
        known: dict[str, tuple[str, ...]] = {}
        present, absent = set(), set()
        for op, key, values in conditions:
            if op == "null" and values == {"false"}:
                if self.state(key)[0] != "known":
                    present.add(key)
            elif op == "null" and values == {"true"}:
                absent.add(key)
            elif op in ("stringlike", "foranyvalue:stringlike") and "*" in values:
                if self.state(key)[0] != "known":
                    present.add(key)  # matches any value: the key is there
            elif op in ("stringequals", "bool", "arnequals", "numericequals") and len(values) == 1:
                (value,) = values
                if "${" not in value:
                    known[key] = (value,)
        return self.merged(Context.of(known, present, absent))

    def describe(self) -> str:
        parts = [f"{k}={','.join(v)}" for k, v in self.known]
        parts += [f"{k} present" for k in sorted(self.present)]
        parts += [f"{k} absent" for k in sorted(self.absent)]
        return "; ".join(parts) or "nothing known"


OPEN_CONTEXT: Final = Context()
"""A request nothing is known about: every conditional statement may hold."""

_NEGATED: Final = {
    "stringnotequals": "stringequals",
    "stringnotequalsignorecase": "stringequalsignorecase",
    "stringnotlike": "stringlike",
    "numericnotequals": "numericequals",
    "datenotequals": "dateequals",
    "arnnotequals": "arnequals",
    "arnnotlike": "arnlike",
    "notipaddress": "ipaddress",
}
_POSITIVE: Final = frozenset({
    "stringequals", "stringequalsignorecase", "stringlike", "numericequals", "numericlessthan",
    "numericlessthanequals", "numericgreaterthan", "numericgreaterthanequals", "dateequals",
    "datelessthan", "datelessthanequals", "dategreaterthan", "dategreaterthanequals", "bool",
    "binaryequals", "ipaddress", "arnequals", "arnlike",
})


@dataclass(frozen=True)
class _Operator:
    base: str  # a positive operator
    negated: bool
    quantifier: str  # "" (single-valued), "any" (ForAnyValue), "all" (ForAllValues)
    if_exists: bool


def _operator(op: str) -> _Operator | None:
    op = op.lower()
    quantifier = ""
    for prefix, q in (("foranyvalue:", "any"), ("forallvalues:", "all")):
        if op.startswith(prefix):
            op, quantifier = op[len(prefix):], q
    if_exists = op.endswith("ifexists") and op != "ifexists"
    if if_exists:
        op = op[: -len("ifexists")]
    if op == "null":
        return _Operator("null", False, quantifier, False)
    if op in _NEGATED:
        return _Operator(_NEGATED[op], True, quantifier, if_exists)
    if op in _POSITIVE:
        return _Operator(op, False, quantifier, if_exists)
    return None  # an operator IAM does not know: judged open


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _date(text: str) -> float | None:
    number = _number(text)
    if number is not None:
        return number  # epoch seconds
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


_COMPARE: Final = {
    "equals": lambda a, b: a == b, "lessthan": lambda a, b: a < b, "lessthanequals": lambda a, b: a <= b,
    "greaterthan": lambda a, b: a > b, "greaterthanequals": lambda a, b: a >= b,
}


def _arn_like(pattern: str, value: str) -> bool:
    """ARN operators compare the six colon-separated parts one by one (the last keeps its
    colons), each with ``*`` and ``?``."""
    if pattern == "*":
        return True
    ps, vs = pattern.split(":", 5), value.split(":", 5)
    return len(ps) == len(vs) == 6 and all(matches(a, b) for a, b in zip(ps, vs, strict=True))


def _unescaped(text: str) -> str:
    """``${*}``, ``${?}``, ``${$}`` as the characters they stand for."""
    return text.replace("${*}", "*").replace("${?}", "?").replace("${$}", "$") if "${" in text else text


def _value_matches(base: str, policy_value: str, value: str) -> bool:
    """Does one request value satisfy a positive operator against one policy value?"""
    if base not in ("stringlike", "arnlike", "arnequals"):
        policy_value = _unescaped(policy_value)
    if base == "stringequals" or base == "binaryequals":
        return policy_value == value
    if base == "stringequalsignorecase":
        return policy_value.lower() == value.lower()
    if base == "stringlike":
        return matches(policy_value, value)
    if base == "bool":
        return policy_value.lower() == value.lower()
    if base in ("arnequals", "arnlike"):
        return _arn_like(policy_value, value)
    if base == "ipaddress":
        try:
            return ipaddress.ip_address(value) in ipaddress.ip_network(policy_value, strict=False)
        except ValueError:
            return False
    for kind, parse in (("numeric", _number), ("date", _date)):
        if base.startswith(kind):
            a, b = parse(value), parse(policy_value)
            return a is not None and b is not None and _COMPARE[base[len(kind):]](a, b)
    return False


PATTERN_VALUE: Final = "\x03"
"""A context value starting with this is a glob: one string it matches, not known which
(a role's ARN from its ``namePrefix`` before the provider appends its suffix)."""


def _tri_arn(policy_value: str, glob: str, like: bool) -> bool | None:
    """An ARN operator on a value known only as ``glob``, part by part."""
    if policy_value == "*" and like:
        return True
    ps, gs = policy_value.split(":", 5), glob.split(":", 5)
    if len(ps) != 6 or len(gs) != 6:
        return False if len(gs) == 6 and not like else None
    out: bool | None = True
    for a, b in zip(ps, gs, strict=True):
        part = _tri_like(a if like else a.replace("*", "${*}").replace("?", "${?}"), b)
        if part is False:
            return False
        if part is None:
            out = None
    return out


def _tri_like(policy_value: str, glob: str) -> bool | None:
    """Does the glob ``policy_value`` match the one string ``glob`` stands for? True when it
    matches all of them, False when none, None when that depends on which."""
    try:
        if covers([policy_value], glob):
            return True
        if not overlaps([policy_value], glob):
            return False
    except TooComplex:
        return None
    return None


def _tri_match(base: str, policy_value: str, value: str) -> bool | None:
    """:func:`_value_matches`, where ``value`` may be a :data:`PATTERN_VALUE`: None when
    the answer depends on the part of it nobody knows yet."""
    if not value.startswith(PATTERN_VALUE):
        return _value_matches(base, policy_value, value)
    glob = value[len(PATTERN_VALUE):]
    if base in ("stringequals", "binaryequals"):
        return _tri_like(policy_value.replace("*", "${*}").replace("?", "${?}"), glob)
    if base == "stringequalsignorecase":
        return _tri_like(policy_value.lower().replace("*", "${*}").replace("?", "${?}"), glob.lower())
    if base == "stringlike":
        return _tri_like(policy_value, glob)
    if base in ("arnequals", "arnlike"):
        return _tri_arn(policy_value, glob, like=True)
    return None


def _tri_any(values: Iterable[bool | None]) -> bool | None:
    out: bool | None = False
    for v in values:
        if v is True:
            return True
        if v is None:
            out = None
    return out


def _tri_all(values: Iterable[bool | None]) -> bool | None:
    out: bool | None = True
    for v in values:
        if v is False:
            return False
        if v is None:
            out = None
    return out


def _tri_not(value: bool | None) -> bool | None:
    return None if value is None else not value


def _resolve(value: str, context: Context) -> str | None:
    """A policy value with its variables replaced from the context; None when one is not known."""
    out: list[str] = []
    pos = 0
    for match in _VARIABLE.finditer(value):
        out.append(value[pos : match.start()])
        name = match.group(1)
        if name in _LITERAL_VARIABLES:
            out.append("${" + name + "}")  # kept for the glob, which reads it as a character
        else:
            key, _, default = name.partition(",")
            kind, values = context.state(key.strip())
            default = default.strip()
            if kind == "absent" and len(default) >= 2 and default[0] == default[-1] == "'":
                out.append(default[1:-1])  # ${key, 'default'}: IAM's value for a missing key
            elif kind != "known" or len(values) != 1 or values[0].startswith(PATTERN_VALUE):
                return None
            else:
                out.append(values[0])
        pos = match.end()
    out.append(value[pos:])
    return "".join(out)


def _outcome(can_hold: bool, can_fail: bool) -> Outcome:
    if can_hold and can_fail:
        return Outcome.MAY_HOLD
    return Outcome.HOLDS if can_hold else Outcome.CANNOT_HOLD


def _clause(op_text: str, key: str, policy_values: frozenset[str], context: Context) -> Outcome:
    """One operator on one key, in ``context``, by IAM's rules: a missing key fails a
    positive operator and passes a negated one, ``...IfExists`` and ``ForAllValues``;
    ``ForAnyValue`` fails on it. A single-valued operator on several values is true when
    any value matches (negated: when none does)."""
    op = _operator(op_text)
    kind, values = context.state(key)
    if op is None:
        return Outcome.MAY_HOLD
    if op.base == "null":
        holds_absent, holds_present = "true" in policy_values, "false" in policy_values
        if kind == "absent":
            return _outcome(holds_absent, not holds_absent)
        if kind in ("known", "present"):
            return _outcome(holds_present, not holds_present)
        return _outcome(holds_absent or holds_present, not (holds_absent and holds_present))

    absent_result = op.if_exists or op.quantifier == "all" or (op.negated and op.quantifier != "any")
    if kind == "absent":
        return _outcome(absent_result, not absent_result)
    resolved = [_resolve(v, context) for v in policy_values]
    if any(r is None for r in resolved):
        return Outcome.MAY_HOLD  # a policy variable the context does not know
    pvs = [r for r in resolved if r is not None]

    def match(value: str) -> bool | None:
        found = _tri_any(_tri_match(op.base, pv, value) for pv in pvs)
        return _tri_not(found) if op.negated else found

    if kind == "known":
        if op.quantifier == "all" or (op.quantifier == "" and op.negated):
            holds = _tri_all(match(v) for v in values)
        else:
            holds = _tri_any(match(v) for v in values)
        if holds is None:
            return Outcome.MAY_HOLD  # it depends on the part of a value nobody knows yet
        return _outcome(holds, not holds)

    # One non-empty value nobody knows ("present"), or anything ("open").
    some, every = _some_and_every(op.base, tuple(sorted(pvs)))
    q_can_hold = (not every) if op.negated else some
    q_can_fail = some if op.negated else (not every)
    if kind == "present":
        return _outcome(q_can_hold, q_can_fail)
    return _outcome(q_can_hold or absent_result, q_can_fail or not absent_result)


def _some_and_every(base: str, pvs: tuple[str, ...]) -> tuple[bool, bool]:
    """(some non-empty value may match, every non-empty value surely matches). Exact for
    string operators; for the others, matching is taken as possible and never as certain."""
    if base == "stringlike":
        return any(pv != "" for pv in pvs), covers(pvs, "?*")
    if base in ("stringequals", "stringequalsignorecase", "binaryequals"):
        return any(pv != "" for pv in pvs), False
    if base in ("arnequals", "arnlike"):
        return bool(pvs), "*" in pvs
    return bool(pvs), False


@lru_cache(maxsize=65536)
def condition_outcome(conditions: Conditions, context: Context) -> Outcome:
    """Does a statement's condition block hold in ``context``? Every clause must (and
    within a clause, any of its values)."""
    result = Outcome.HOLDS
    for op, key, values in sorted(conditions):
        outcome = _clause(op, key, values, context)
        if outcome is Outcome.CANNOT_HOLD:
            return outcome
        if outcome is Outcome.MAY_HOLD:
            result = outcome
    return result


def open_keys(conditions: Conditions, context: Context) -> tuple[str, ...]:
    """The condition keys (and policy variables) whose value in ``context`` leaves a
    clause open: the facts that would decide it."""
    out: dict[str, None] = {}
    for op, key, values in sorted(conditions):
        if _clause(op, key, values, context) is not Outcome.MAY_HOLD:
            continue
        out.setdefault(key)
        for value in values:
            for name in _VARIABLE.findall(value):
                if name not in _LITERAL_VARIABLES and context.state(name.split(",")[0].strip())[0] != "known":
                    out.setdefault(name.split(",")[0].strip().lower())
    return tuple(out)


def implied(stronger: Conditions, weaker: Conditions) -> bool:
    """Whenever ``stronger`` holds, does ``weaker``? By clauses (:func:`implies`), or
    because ``weaker`` holds in every request where ``stronger`` is a fact (equivalent
    forms: ``StringLike k "*"`` and ``Null k false``)."""
    return implies(stronger, weaker) or condition_outcome(weaker, OPEN_CONTEXT.assuming(stronger)) is Outcome.HOLDS


def condition_keys(documents: Iterable[Document | None]) -> frozenset[str]:
    """Every condition key the documents' statements test (lower-cased): the only parts of
    a request context that can change their verdict."""
    out: set[str] = set()
    for doc in documents:
        if doc is not None:
            for st in doc.statements:
                for _, key, values in st.conditions:
                    out.add(key)
                    for value in values:
                        out.update(name.split(",")[0].strip().lower() for name in _VARIABLE.findall(value))
                for pattern in st.resources:  # a Resource's variables read the context too
                    out.update(name.split(",")[0].strip().lower() for name in _VARIABLE.findall(pattern)
                               if name not in _LITERAL_VARIABLES)
    return frozenset(out)


# --------------------------------------------------------------------------- documents


class PolicyDocumentError(ValueError):
    """A policy document IAM would reject, or that cannot be read."""


@dataclass(frozen=True)
class _ResourceIndex:
    """A statement's resource patterns sorted for lookups: literals (a set, and sorted for
    a prefix range), ``head*`` prefixes (their heads), and the rest. A guardrail of
    thousands of literal and prefix ARNs is then judged in time logarithmic or linear in
    the requirement's length, not in the list's."""

    literals: frozenset[str]
    sorted_literals: tuple[str, ...]
    heads: frozenset[str]
    others: tuple[str, ...]

    @classmethod
    def of(cls, patterns: Iterable[str]) -> _ResourceIndex:
        literals, heads, others = set(), set(), []
        for q in patterns:
            if "${" in q:
                others.append(q)
            elif "*" not in q and "?" not in q:
                literals.add(q)
            elif q.endswith("*") and "*" not in q[:-1] and "?" not in q:
                heads.add(q[:-1])
            else:
                others.append(q)
        return cls(frozenset(literals), tuple(sorted(literals)), frozenset(heads), tuple(others))

    def overlaps(self, required: str) -> bool:
        """Is some string ``required`` matches matched by one of the patterns?"""
        p = tokens(required)
        head = literal_prefix(required) if "${" not in required else ""
        if not _has_wildcard(p):
            text = _literal(p)
            if text in self.literals or any(text.startswith(h) for h in self._heads_of(text)):
                return True
        else:
            at = bisect.bisect_left(self.sorted_literals, head)
            while at < len(self.sorted_literals) and self.sorted_literals[at].startswith(head):
                if _glob_match(p, self.sorted_literals[at]):
                    return True
                at += 1
            # "h*" overlaps P iff P can read h (from there "*" finishes anything).
            if any(_after(p, tuple(h)) for h in self.heads if h.startswith(head) or head.startswith(h)):
                return True
        return _overlaps(self.others, required, False) if self.others else False

    def _heads_of(self, text: str) -> list[str]:
        return [text[:k] for k in range(len(text) + 1) if text[:k] in self.heads]

    def covers(self, required: str) -> bool:
        """Does the union of the patterns match every string ``required`` matches?
        Raises TooComplex (only when patterns other than literals and prefixes are there)."""
        if "${" in required:
            _fresh_budget()
            return _covers(self.literals | {h + "*" for h in self.heads} | set(self.others), required, False)
        head = literal_prefix(required)
        if required == head and required in self.literals:
            return True
        # A union of literals and prefixes covers P only if one prefix does (see _is_simple).
        if any(head[:k] in self.heads for k in range(len(head) + 1)):
            return True
        if not self.others:
            return False
        _fresh_budget()
        return _covers(self.literals | {h + "*" for h in self.heads} | set(self.others), required, False)


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
    _patterns: list[_ResourceIndex] = field(default_factory=list, compare=False, hash=False, repr=False)

    @property
    def patterns(self) -> _ResourceIndex:
        """The Resource (or NotResource) list indexed for lookups, built once."""
        if not self._patterns:
            self._patterns.append(_ResourceIndex.of(self.resources))
        return self._patterns[0]

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
    _by_action: dict[str, tuple[Statement, ...]] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    def for_action(self, action: str) -> tuple[Statement, ...]:
        """The statements whose Action (or NotAction) takes in ``action``: an index built
        once per action, so that a guardrail of hundreds of statements is scanned once."""
        key = action.lower()
        hit = self._by_action.get(key)
        if hit is None:
            hit = tuple(st for st in self.statements if st.matches_action(action))
            self._by_action[key] = hit
        return hit


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise PolicyDocumentError(f"{what} must be a string or a list of strings")


def _as_text(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("${", "${$}{")
    if isinstance(value, Mapping):
        return {k: _as_text(v) for k, v in value.items()}
    if isinstance(value, Sequence):
        return [_as_text(v) for v in value]
    return value


def _variables_as_text(st: Mapping[str, Any]) -> Mapping[str, Any]:
    """A statement of a document whose Version is not 2012-10-17: ``${...}`` is literal
    text there (IAM User Guide, "Policy variables": variables need Version 2012-10-17)."""
    out = dict(st)
    for key in ("Resource", "NotResource", "Condition"):
        if key in out:
            out[key] = _as_text(out[key])
    return out


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
    literal_variables = raw.get("Version") != "2012-10-17"  # IAM: variables need 2012-10-17
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
        if literal_variables:
            st = _variables_as_text(st)
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
    """The verdict on one requirement in one request context."""

    allowed: bool  # some Allow in the identity policies grants all of it
    within_boundary: bool  # the boundary (if any) allows all of it
    denied_by: list[tuple[Document, Statement]] = field(default_factory=list)
    risks: list[tuple[Document, Statement]] = field(default_factory=list)  # open conditions
    undecided: list[str] = field(default_factory=list)  # checks too complex to decide

    @property
    def granted(self) -> bool:
        return self.allowed and self.within_boundary and not self.denied_by


def _judge(st: Statement, req: Required, context: Context) -> Outcome:
    """A statement's condition for this request: in its context, and, as before contexts,
    a condition the requirement's own condition implies holds."""
    if not st.conditions:
        return Outcome.HOLDS
    outcome = condition_outcome(st.conditions, context)
    if outcome is not Outcome.HOLDS and req.condition and implies(req.condition, st.conditions):
        return Outcome.HOLDS
    return outcome


def _union_covers(union: list[str], complements: list[tuple[str, ...]], resource: str) -> bool:
    """Raises TooComplex. Only patterns that overlap the resource can help cover it."""
    p = tokens(resource)
    qs = tuple(sorted({t for t in (tokens(q) for q in union if may_help_cover(q, resource))
                       if pair_overlaps(p, t)}))
    if not qs and not complements:
        return False
    # One pattern covering it settles the question cheaply; the union is the hard case.
    for q in qs:
        _fresh_budget()
        try:
            if _covered(p, (q,), ()):
                return True
        except TooComplex:
            pass
    _fresh_budget()
    return _covered(p, qs, tuple(sorted(tuple(sorted({tokens(n, True) for n in g})) for g in complements)))


def _allows(
    documents: Sequence[Document], req: Required, context: Context, undecided: list[str],
    open_ones: list[tuple[Document, Statement]] | None = None,
) -> bool:
    """Do the Allow statements whose condition holds cover the resource? With
    ``open_ones`` (a boundary), statements whose condition the context leaves open count
    too, and those that make the difference are listed there as risks."""
    sure: list[str] = []
    sure_not: list[tuple[str, ...]] = []
    maybe: list[tuple[Document, Statement]] = []
    labels: list[str] = []
    for doc in documents:
        for st in doc.for_action(req.action):
            if st.effect != "Allow":
                continue
            outcome = _judge(st, req, context)
            if outcome is Outcome.MAY_HOLD:
                maybe.append((doc, st))
            if outcome is not Outcome.HOLDS:
                continue
            labels.append(f"{st.label} of {doc.name or 'a policy'}")
            strict, loose = _with_variables(st, context)
            if st.not_resource:
                sure_not.append(loose)  # every pattern excluded: it grants at least the rest
            else:
                sure.extend(strict)  # only patterns whose variables are known grant for sure
    try:
        if _union_covers(sure, sure_not, req.resource):
            return True
        if open_ones is None or not maybe:
            return False
        union = sure + [q for _, st in maybe if not st.not_resource for q in st.resources]
        complements = sure_not + [st.resources for _, st in maybe if st.not_resource]
        if _union_covers(union, complements, req.resource):
            open_ones.extend(maybe)
            return True
        return False
    except TooComplex as exc:
        named = ", ".join(labels[:5]) + (f" and {len(labels) - 5} more" if len(labels) > 5 else "")
        undecided.append(f"whether the Allow statements ({named}) together cover {req.resource} ({exc}); "
                         "simplify their Resource patterns")
        return False


def _glob_text(value: str) -> str:
    """A request value written into a pattern: its ``*``, ``?`` and ``$`` as literals."""
    return value.replace("$", "${$}").replace("*", "${*}").replace("?", "${?}")


@lru_cache(maxsize=4096)
def _index(patterns: tuple[str, ...]) -> _ResourceIndex:
    return _ResourceIndex.of(patterns)


def resolved_resources(resources: tuple[str, ...], context: Context) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A Resource list with its policy variables replaced from ``context``: (patterns
    whose every variable is known, with the others left out; every pattern, an unknown
    variable read as ``*``). The truth lies between the two."""
    strict: list[str] = []
    loose: list[str] = []
    for pattern in resources:
        if "${" not in pattern:
            strict.append(pattern)
            loose.append(pattern)
            continue
        out, pos, known = [], 0, True
        for match in _VARIABLE.finditer(pattern):
            out.append(pattern[pos : match.start()])
            name = match.group(1)
            if name in _LITERAL_VARIABLES:
                out.append(match.group(0))
            else:
                resolved = _resolve(match.group(0), context)
                if resolved is None:
                    known = False
                    out.append("*")
                else:
                    out.append(_glob_text(resolved))
            pos = match.end()
        out.append(pattern[pos:])
        text = "".join(out)
        loose.append(text)
        if known:
            strict.append(text)
    return tuple(strict), tuple(loose)


def _with_variables(st: Statement, context: Context) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if any("${" in r for r in st.resources):
        return resolved_resources(st.resources, context)
    return st.resources, st.resources


def _deny_hits(st: Statement, resource: str, context: Context) -> tuple[bool, bool]:
    """(the Deny surely applies to some of ``resource``, it may). Raises TooComplex."""
    if not any("${" in r and _VARIABLE.search(r.replace("${*}", "").replace("${?}", "").replace("${$}", ""))
               for r in st.resources):
        hit = not st.patterns.covers(resource) if st.not_resource else st.patterns.overlaps(resource)
        return hit, hit
    strict, loose = resolved_resources(st.resources, context)
    if st.not_resource:
        return not _index(loose).covers(resource), not _index(strict).covers(resource)
    return _index(strict).overlaps(resource), _index(loose).overlaps(resource)


def _denies(documents: Sequence[Document], req: Required, context: Context, decision: Decision) -> None:
    for doc in documents:
        for st in doc.for_action(req.action):
            if st.effect != "Deny":
                continue
            outcome = _judge(st, req, context)
            if outcome is Outcome.CANNOT_HOLD:
                continue  # decided before any pattern is read
            try:
                sure, maybe = _deny_hits(st, req.resource, context)
            except TooComplex as exc:
                decision.undecided.append(
                    f"whether {st.label} of {doc.name or 'a policy'} applies to {req.resource} ({exc}); "
                    "simplify its NotResource patterns")
                sure = maybe = True  # a Deny that cannot be ruled out is taken to apply
            if not maybe:
                continue
            if outcome is Outcome.HOLDS and sure:
                decision.denied_by.append((doc, st))
            else:
                decision.risks.append((doc, st))


@dataclass(frozen=True)
class _LiteralStar:
    action: str
    condition: Conditions
    resource: str = "${*}"


def evaluate(
    req: Required,
    identity: Sequence[Document],
    boundary: Document | None = None,
    context: Context | None = None,
) -> Decision:
    """Does the role whose identity policies are ``identity`` have ``req``, in the request
    ``context`` (default: nothing known but the requirement's own condition)?

    An Allow counts when its condition holds; a boundary Allow whose condition the context
    leaves open counts but is a risk; a Deny is a loss when its condition holds, harmless
    when it cannot, a risk when open. Checks too complex to decide within
    :data:`MAX_WORK` (each check its own budget) count against the grant and are listed
    in ``undecided``."""
    ctx = (context or OPEN_CONTEXT).assuming(req.condition)
    if getattr(req, "no_resource_type", False) and req.resource == "*":
        # IAM authorises such an action against the literal "*" (Service Authorization
        # Reference: no resource type): a statement naming other ARNs neither grants nor
        # denies it. "${*}" is that literal star.
        req = _LiteralStar(req.action, req.condition)
    undecided: list[str] = []
    boundary_risks: list[tuple[Document, Statement]] = []
    decision = Decision(
        allowed=_allows(identity, req, ctx, undecided),
        within_boundary=boundary is None or _allows([boundary], req, ctx, undecided, boundary_risks),
        undecided=undecided,
    )
    decision.risks.extend(boundary_risks)
    _denies(list(identity) + ([boundary] if boundary else []), req, ctx, decision)
    return decision
