"""IAM semantics agree with a brute-force reference, and with IAM's documented rules."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sst_deployer import iam as iam_module
from sst_deployer.iam import (
    MAX_WORK,
    Context,
    Document,
    Outcome,
    PolicyDocumentError,
    Statement,
    TooComplex,
    condition_outcome,
    covers,
    evaluate,
    matches,
    normalize_conditions,
    overlaps,
    parse_document,
)

ALPHABET = "ab/"
FRESH = "c"  # a character no pattern names


@functools.cache
def glob_regex(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.DOTALL)


def strings(max_len: int) -> list[str]:
    chars = ALPHABET + FRESH
    return ["".join(t) for n in range(max_len + 1) for t in itertools.product(chars, repeat=n)]


STRINGS = strings(6)
patterns = st.text(alphabet="ab/*?", min_size=0, max_size=4)


@functools.cache
def brute_matches(pattern: str) -> frozenset[str]:
    rx = glob_regex(pattern)
    return frozenset(s for s in STRINGS if rx.fullmatch(s))


# Counterexamples to inclusion of patterns of at most 4 characters are at most 6 long
# (a pattern can only tell strings apart by its literal characters), so the bounded
# enumeration decides inclusion exactly for these sizes.


@settings(max_examples=1500, deadline=None)
@given(p=patterns, qs=st.lists(patterns, min_size=1, max_size=3))
def test_covers_agrees_with_brute_force(p: str, qs: list[str]) -> None:
    expected = brute_matches(p) <= set().union(*(brute_matches(q) for q in qs))
    assert covers(qs, p) == expected


@settings(max_examples=1500, deadline=None)
@given(p=patterns, qs=st.lists(patterns, min_size=1, max_size=3))
def test_overlaps_agrees_with_brute_force(p: str, qs: list[str]) -> None:
    expected = bool(brute_matches(p) & set().union(*(brute_matches(q) for q in qs)))
    assert overlaps(qs, p) == expected


def test_inclusion_is_not_decided_token_by_token() -> None:
    # From iam-facts.md: both hold although no token-by-token match shows them.
    assert covers(["?*?"], "ab*")
    assert covers(["*ab"], "aab")
    assert not covers(["a*"], "*")
    assert not covers(["arn:aws:s3:::bucket-*"], "arn:aws:s3:::*")
    # A union: "aa" covers only part of a*a, "???*" the rest (found by hypothesis).
    assert covers(["aa", "???*"], "a*a")


def test_star_spans_slashes_and_arns_are_case_sensitive() -> None:
    assert covers(["arn:aws:s3:::sstbootstrap-*"], "arn:aws:s3:::sstbootstrap-x/stackMetadata/a.json")
    assert not covers(["arn:aws:s3:::SSTBootstrap-*"], "arn:aws:s3:::sstbootstrap-x")


def test_literal_policy_variables_are_characters() -> None:
    assert matches("arn:x:${*}", "arn:x:*") and not matches("arn:x:${*}", "arn:x:y")
    assert not covers(["arn:x:${*}"], "arn:x:*")  # the requirement names every arn:x: string


# ------------------------------------------------------------------ conditions in a context
#
# The reference enumerates concrete requests: each condition key is absent or carries a
# set of values drawn from every non-empty string of up to 3 characters over "vwx" and
# the policy values as literal text (patterns are at most 2 characters and name only v
# and w: a string one longer, or with x, tells them apart).
# A key the context knows has its values; a "present" key any one of those strings; an
# open key may also be absent or carry two values.

KEYS = ("k1", "k2")
POLICY_VALUES = ("v", "w", "*", "?", "v*", "?*", "*v")
# Request values are any strings: those over "vwx", and the policy's own values as text.
NONEMPTY = tuple(sorted({"".join(t) for n in (1, 2, 3) for t in itertools.product("vwx", repeat=n)}
                        | set(POLICY_VALUES)))
PAIRS = tuple(frozenset(p) for p in itertools.combinations(("v", "w", "x", "vw"), 2))
OPERATORS = (
    "StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "StringEqualsIfExists",
    "StringNotEqualsIfExists", "StringLikeIfExists", "StringNotLikeIfExists", "ForAnyValue:StringEquals",
    "ForAnyValue:StringLike", "ForAnyValue:StringNotEquals", "ForAnyValue:StringNotLike",
    "ForAllValues:StringEquals", "ForAllValues:StringLike", "ForAllValues:StringNotEquals",
    "ForAllValues:StringNotLike", "Null",
)
KNOWN_VALUES = (("v",), ("w",), ("vw",), ("v", "x"), ("w", "vw"), ("x",))
key_state = st.sampled_from(["absent", "present", "open"]) | st.sampled_from(KNOWN_VALUES)


def clause_values(op: str) -> st.SearchStrategy[list[str]]:
    if op == "Null":
        return st.sampled_from([["true"], ["false"]])
    return st.lists(st.sampled_from(POLICY_VALUES), min_size=1, max_size=2)


@st.composite
def condition_blocks(draw: st.DrawFn, max_clauses: int = 2,
                     one_per_key: bool = True) -> dict[str, dict[str, list[str]]]:
    block: dict[str, dict[str, list[str]]] = {}
    keys = draw(st.lists(st.sampled_from(KEYS), max_size=max_clauses, unique=one_per_key))
    for key in keys:
        op = draw(st.sampled_from(OPERATORS))
        block.setdefault(op, {})[key] = draw(clause_values(op))
    return block


def worlds_of(state: object) -> list[frozenset[str] | None]:
    if state == "absent":
        return [None]
    if state == "present":
        return [frozenset({s}) for s in NONEMPTY]
    if state == "open":
        return [None, *(frozenset({s}) for s in NONEMPTY), *PAIRS]
    assert isinstance(state, tuple)
    return [frozenset(state)]


def reference_clause(op: str, values: list[str], world: frozenset[str] | None) -> bool:
    """IAM's rule for one operator on one key in one concrete request."""
    quantifier = ""
    for prefix in ("ForAnyValue:", "ForAllValues:"):
        if op.startswith(prefix):
            quantifier, op = prefix, op[len(prefix):]
    if_exists = op.endswith("IfExists")
    op = op.removesuffix("IfExists")
    if op == "Null":
        return ("true" in values) if world is None else ("false" in values)
    negated = "Not" in op
    like = op.replace("Not", "") == "StringLike"
    if world is None:
        return if_exists or quantifier == "ForAllValues:" or (negated and quantifier != "ForAnyValue:")

    def match(s: str) -> bool:
        return any(glob_regex(v).fullmatch(s) if like else v == s for v in values)

    per_value = [match(s) != negated for s in world]
    if quantifier == "ForAnyValue:":
        return any(per_value)
    if quantifier == "ForAllValues:" or negated:
        return all(per_value)
    return any(per_value)


def reference_outcome(block: dict[str, dict[str, list[str]]], states: dict[str, object]) -> Outcome:
    """Does the block hold in every request the context allows, in none, or in some?"""
    seen = set()
    for world in itertools.product(*(worlds_of(states[k]) for k in KEYS)):
        w = dict(zip(KEYS, world, strict=True))
        seen.add(all(reference_clause(op, vals, w[key]) for op, body in block.items() for key, vals in body.items()))
        if len(seen) == 2:
            return Outcome.MAY_HOLD
    return Outcome.HOLDS if seen == {True} else Outcome.CANNOT_HOLD


def context_of(states: dict[str, object]) -> Context:
    known = {k: v for k, v in states.items() if isinstance(v, tuple)}
    return Context.of(known, present=[k for k, v in states.items() if v == "present"],
                      absent=[k for k, v in states.items() if v == "absent"])


@settings(max_examples=800, deadline=None)
@given(block=condition_blocks(), states=st.fixed_dictionaries({k: key_state for k in KEYS}))
def test_condition_outcome_agrees_with_brute_force(block, states) -> None:
    assert condition_outcome(normalize_conditions(block), context_of(states)) == reference_outcome(block, states)


@settings(max_examples=300, deadline=None)
@given(block=condition_blocks(max_clauses=3, one_per_key=False),
       states=st.fixed_dictionaries({k: key_state for k in KEYS}))
def test_condition_outcome_is_sound_when_clauses_share_a_key(block, states) -> None:
    # Clauses on one key are correlated; "holds" and "cannot hold" must still be true.
    got = condition_outcome(normalize_conditions(block), context_of(states))
    if got is not Outcome.MAY_HOLD:
        assert got == reference_outcome(block, states)


def test_equivalent_forms_agree_on_a_tagged_resource() -> None:
    tagged = Context.of(present=["aws:ResourceTag/sst:app"])
    forms = [{"Null": {"aws:ResourceTag/sst:app": "false"}},
             {"StringLike": {"aws:ResourceTag/sst:app": "*"}},
             {"StringLike": {"aws:ResourceTag/sst:app": "?*"}},
             {"ForAnyValue:StringLike": {"aws:ResourceTag/sst:app": ["*"]}}]
    assert {condition_outcome(normalize_conditions(f), tagged) for f in forms} == {Outcome.HOLDS}
    untagged = Context.of(absent=["aws:ResourceTag/sst:app"])
    assert {condition_outcome(normalize_conditions(f), untagged) for f in forms} == {Outcome.CANNOT_HOLD}


def test_typed_operators() -> None:
    ctx = Context.of({"aws:RequestedRegion": "eu-west-1", "aws:SecureTransport": "true",
                      "aws:CurrentTime": "2026-11-29T12:00:00Z", "aws:SourceIp": "10.1.2.3",
                      "aws:EpochTime": "1700000000", "aws:PrincipalArn": "arn:aws:iam::1:role/deployer"})

    def outcome(block: dict) -> Outcome:
        return condition_outcome(normalize_conditions(block), ctx)

    assert outcome({"Bool": {"aws:SecureTransport": False}}) is Outcome.CANNOT_HOLD
    assert outcome({"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}) is Outcome.MAY_HOLD  # open key
    assert outcome({"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}) is Outcome.HOLDS
    assert outcome({"NumericLessThan": {"aws:EpochTime": 1600000000}}) is Outcome.CANNOT_HOLD
    assert outcome({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8"]}}) is Outcome.HOLDS
    assert outcome({"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}}) is Outcome.CANNOT_HOLD
    assert outcome({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/deploy*"}}) is Outcome.HOLDS
    assert outcome({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}}) is Outcome.CANNOT_HOLD
    # ARN parts are compared one by one: a star does not reach into the next part.
    assert outcome({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::1*deployer"}}) is Outcome.CANNOT_HOLD
    assert outcome({"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}}) is Outcome.CANNOT_HOLD
    assert outcome({"SomethingUnheardOf": {"aws:RequestedRegion": "x"}}) is Outcome.MAY_HOLD


def test_policy_variables_resolve_from_the_context() -> None:
    ctx = Context.of({"aws:PrincipalTag/team": "web", "aws:ResourceTag/team": "web"})
    same_team = {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}
    assert condition_outcome(normalize_conditions(same_team), ctx) is Outcome.HOLDS
    unknown = {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/owner}"}}
    assert condition_outcome(normalize_conditions(unknown), ctx) is Outcome.MAY_HOLD


def test_closed_key_families_are_absent_unless_described() -> None:
    ctx = Context.of({"aws:PrincipalTag/team": "web"}, closed=["aws:PrincipalTag/"])
    assert ctx.state("aws:principaltag/other") == ("absent", ())
    assert ctx.state("AWS:PrincipalTag/Team") == ("known", ("web",))
    assert ctx.state("aws:ResourceTag/x") == ("open", ())


# ------------------------------------------------------------------ statement evaluation


@dataclass(frozen=True)
class Req:
    action: str
    resource: str
    condition: frozenset[tuple[str, str, frozenset[str]]]


statement = st.fixed_dictionaries({
    "Effect": st.sampled_from(["Allow", "Allow", "Deny"]),
    "actions": st.lists(st.sampled_from(["s:A", "s:B", "s:*", "S:a", "s:?", "*"]), min_size=1, max_size=2),
    "not_action": st.booleans(),
    "resources": st.lists(patterns, min_size=1, max_size=2),
    "not_resource": st.booleans(),
    "condition": st.just({}) | condition_blocks(max_clauses=2),
})


def to_json_statement(s: dict) -> dict:
    out = {"Effect": s["Effect"], ("NotAction" if s["not_action"] else "Action"): s["actions"],
           ("NotResource" if s["not_resource"] else "Resource"): s["resources"]}
    if s["condition"]:
        out["Condition"] = s["condition"]
    return out


def reaches(s: dict, action: str, text: str) -> bool:
    act = any(glob_regex(a.lower()).fullmatch(action.lower()) for a in s["actions"]) != s["not_action"]
    res = any(glob_regex(r).fullmatch(text) for r in s["resources"]) != s["not_resource"]
    return act and res


def reference(stmts: list[dict], boundary: list[dict] | None, action: str, resource: str,
              states: dict[str, object]) -> tuple[bool, bool]:
    """(granted, some statement is a risk), by enumerating every resource string and
    judging each statement's condition over every request the context allows: an Allow
    counts when it holds in all of them, a Deny takes away when it holds in all, a
    boundary Allow or a Deny that holds in some only is a risk."""
    outcome = [reference_outcome(s["condition"], states) for s in stmts]
    b_outcome = [reference_outcome(s["condition"], states) for s in boundary or []]
    texts = brute_matches(resource)

    def covered(ss: list[dict], ok: Callable[[int], bool]) -> bool:
        return all(any(s["Effect"] == "Allow" and ok(i) and reaches(s, action, t) for i, s in enumerate(ss))
                   for t in texts)

    def hit(ss: list[dict], outs: list[Outcome], want: Outcome) -> bool:
        return any(s["Effect"] == "Deny" and outs[i] is want and any(reaches(s, action, t) for t in texts)
                   for i, s in enumerate(ss))

    allowed = covered(stmts, lambda i: outcome[i] is Outcome.HOLDS)
    within, boundary_risk = True, False
    if boundary is not None:
        within = covered(boundary, lambda i: b_outcome[i] is Outcome.HOLDS)
        if not within and covered(boundary, lambda i: b_outcome[i] is not Outcome.CANNOT_HOLD):
            within, boundary_risk = True, True
    denied = hit(stmts, outcome, Outcome.HOLDS) or hit(boundary or [], b_outcome, Outcome.HOLDS)
    risk = boundary_risk or hit(stmts, outcome, Outcome.MAY_HOLD) or hit(boundary or [], b_outcome, Outcome.MAY_HOLD)
    return allowed and within and not denied, risk


@settings(max_examples=700, deadline=None)
@given(
    stmts=st.lists(statement, min_size=1, max_size=4),
    boundary=st.none() | st.lists(statement, min_size=1, max_size=2),
    action=st.sampled_from(["s:A", "s:B", "s:AB", "t:A"]),
    resource=patterns,
    states=st.fixed_dictionaries({k: key_state for k in KEYS}),
)
def test_evaluate_agrees_with_brute_force(stmts, boundary, action, resource, states) -> None:
    identity = [parse_document({"Statement": [to_json_statement(s) for s in stmts]}, "identity")]
    bdoc = parse_document({"Statement": [to_json_statement(s) for s in boundary]}, "boundary") if boundary else None
    decision = evaluate(Req(action, resource, frozenset()), identity, bdoc, context_of(states))
    granted, risk = reference(stmts, boundary, action, resource, states)
    assert decision.granted == granted
    assert bool(decision.risks) == risk


@settings(max_examples=300, deadline=None)
@given(stmts=st.lists(statement, min_size=1, max_size=3), action=st.sampled_from(["s:A", "t:A"]),
       resource=patterns, states=st.fixed_dictionaries({k: key_state for k in KEYS}))
def test_a_grant_holds_in_every_request_and_a_loss_in_some(stmts, action, resource, states) -> None:
    """Soundness against plain enumeration of requests: "granted" without a risk means
    every request the context allows succeeds; "denied by" means some request is refused."""
    identity = [parse_document({"Statement": [to_json_statement(s) for s in stmts]}, "identity")]
    decision = evaluate(Req(action, resource, frozenset()), identity, None, context_of(states))
    worlds = [dict(zip(KEYS, w, strict=True)) for w in itertools.product(*(worlds_of(states[k]) for k in KEYS))]

    def applies(s: dict, w: dict, text: str) -> bool:
        return reaches(s, action, text) and all(
            reference_clause(op, vals, w[key]) for op, body in s["condition"].items() for key, vals in body.items())

    def succeeds(w: dict, text: str) -> bool:
        return (any(s["Effect"] == "Allow" and applies(s, w, text) for s in stmts)
                and not any(s["Effect"] == "Deny" and applies(s, w, text) for s in stmts))

    texts = brute_matches(resource)
    if decision.granted and not decision.risks:
        short = [t for t in texts if len(t) <= 3]  # a subset, to bound the work: still sound
        assert all(succeeds(w, t) for w in worlds for t in short)
    if decision.risks:  # a risky Deny is met by some request the context allows
        assert not all(succeeds(w, t) for w in worlds for t in texts)
    if decision.denied_by:
        assert any(not succeeds(w, t) for w in worlds for t in texts)


def doc(*statements: dict) -> Document:
    return parse_document({"Version": "2012-10-17", "Statement": list(statements)}, "test")


REQ = Req("cloudformation:DescribeStacks", "arn:aws:cloudformation:us-east-1:1:stack/*", frozenset())


def test_explicit_deny_wins_over_any_allow() -> None:
    d = doc({"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "cloudformation:Describe*",
             "Resource": "arn:aws:cloudformation:*:1:stack/prod*"})
    decision = evaluate(REQ, [d])
    assert not decision.granted and decision.allowed and decision.denied_by


def test_actions_compare_case_insensitively() -> None:
    assert evaluate(REQ, [doc({"Effect": "Allow", "Action": "CloudFormation:describestacks", "Resource": "*"})]).granted


def test_allow_with_not_action_grants_everything_else() -> None:
    assert evaluate(REQ, [doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})]).granted
    assert not evaluate(REQ, [doc({"Effect": "Allow", "NotAction": "cloudformation:*", "Resource": "*"})]).granted


def test_a_conditional_allow_counts_only_when_the_requirement_implies_it() -> None:
    tagged = {"Null": {"aws:ResourceTag/sst:app": "false"}}
    st_ = {"Effect": "Allow", "Action": "lambda:*", "Resource": "*", "Condition": tagged}
    plain = Req("lambda:UpdateFunctionConfiguration", "arn:aws:lambda:us-east-1:1:function:*", frozenset())
    conditional = Req(plain.action, plain.resource, normalize_conditions(tagged))
    assert not evaluate(plain, [doc(st_)]).granted
    assert evaluate(conditional, [doc(st_)]).granted


def test_a_deny_that_may_apply_is_a_risk_not_a_loss() -> None:
    d = doc({"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "*", "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}})
    decision = evaluate(REQ, [d])
    assert decision.granted and decision.risks


def test_a_boundary_intersects() -> None:
    identity = [doc({"Effect": "Allow", "Action": "*", "Resource": "*"})]
    boundary = doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    assert not evaluate(REQ, identity, boundary).granted
    assert not evaluate(REQ, identity, boundary).within_boundary


@pytest.mark.parametrize("raw, message", [
    ("{not json", "not valid JSON"),
    ("[]", "is an object"),
    ({"Statement": "x"}, "Statement must be"),
    ({"Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]}, "Effect must be"),
    ({"Statement": [{"Effect": "Allow", "Resource": "*"}]}, "needs Action"),
    ({"Statement": [{"Effect": "Allow", "Action": 3, "Resource": "*"}]}, "Action must be"),
    ({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": []}]}, "Condition"),
    (42, "is an object"),
])
def test_unreadable_documents_raise_a_clear_error(raw: object, message: str) -> None:
    with pytest.raises(PolicyDocumentError, match=message):
        parse_document(raw)


def test_statements_are_frozen_values() -> None:
    s = doc({"Sid": "A", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}).statements[0]
    assert isinstance(s, Statement) and s.label == "statement 'A'"


def test_a_union_too_complex_to_decide_counts_against_the_grant_and_says_so() -> None:
    # Inclusion in a union of wildcard patterns can need exponentially many states: past
    # the work budget the verdict is conservative (not granted) and explains why.
    # The last two defeat the cheap refutation by sample strings, so the automata must decide.
    patterns = [f"arn:aws:s3:::*{i}*{i}*" for i in range(30)] + ["arn:aws:s3:::1*", "arn:aws:s3:::?1*"]
    d = doc({"Effect": "Allow", "Action": "s3:*", "Resource": patterns})
    decision = evaluate(Req("s3:GetObject", "arn:aws:s3:::*1*2*3*4*5*6*7*8*9*", frozenset()), [d])
    assert not decision.granted and decision.undecided
    assert "Allow statements (statement #1 of test) together cover" in decision.undecided[0]
    with pytest.raises(TooComplex):
        covers(patterns, "arn:aws:s3:::*1*2*3*4*5*6*7*8*9*")


def test_realistic_patterns_stay_far_inside_the_budget() -> None:
    assert covers(["arn:aws:iam::1:role/cdk-q-*-role-*"], "arn:aws:iam::1:role/cdk-q-cfn-exec-role-*")
    assert iam_module._budget[0] > MAX_WORK * 0.9


def test_hostile_patterns_are_matched_without_backtracking() -> None:
    # A regex of .*a.*a...b backtracks exponentially on this; the glob matcher does not.
    assert not matches("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", "a" * 80)
    assert matches("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", "a" * 80 + "b")


# ------------------------------------------------------------------ large guardrails, exactly

ASSETS = "arn:aws:s3:::cdk-hnb659fds-assets-112233445566-*/*"


def literal_arns(n: int) -> list[str]:
    return [f"arn:aws:s3:::protected-bucket-{i:04d}/*" for i in range(n)] + [
        f"arn:aws:iam::112233445566:role/protected-{i}" for i in range(n)]


def test_a_deny_listing_hundreds_of_literal_arns_is_judged_exactly() -> None:
    allow = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    listed = literal_arns(400)
    far = doc(allow, {"Sid": "ProtectData", "Effect": "Deny", "Action": "s3:*", "Resource": listed})
    decision = evaluate(Req("s3:GetObject", ASSETS, frozenset()), [far])
    assert decision.granted and not decision.undecided
    # One listed ARN inside the required pattern: the Deny takes part of it away.
    near = doc(allow, {"Sid": "ProtectData", "Effect": "Deny", "Action": "s3:*",
                       "Resource": [*listed, "arn:aws:s3:::cdk-hnb659fds-assets-112233445566-eu-west-1/secret"]})
    decision = evaluate(Req("s3:GetObject", ASSETS, frozenset()), [near])
    assert not decision.granted and not decision.undecided and decision.denied_by[0][1].sid == "ProtectData"


def test_a_not_resource_deny_of_literal_and_prefix_patterns_is_judged_exactly() -> None:
    allow = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    spared = literal_arns(300) + [f"arn:aws:s3:::team-{i}-*" for i in range(100)]
    only_listed = {"Sid": "OnlyListed", "Effect": "Deny", "Action": "s3:*", "NotResource": spared}
    decision = evaluate(Req("s3:GetObject", ASSETS, frozenset()), [doc(allow, only_listed)])
    assert decision.denied_by and not decision.undecided
    spared.append("arn:aws:s3:::cdk-hnb659fds-assets-*")
    decision = evaluate(Req("s3:GetObject", ASSETS, frozenset()), [doc(allow, only_listed)])
    assert decision.granted and not decision.undecided


def test_an_allow_union_of_literal_and_prefix_patterns_is_never_too_complex() -> None:
    arns = literal_arns(300) + [f"arn:aws:s3:::team-{i}-*" for i in range(100)]
    decision = evaluate(Req("s3:GetObject", ASSETS, frozenset()), [doc({"Effect": "Allow", "Action": "s3:*",
                                                                       "Resource": arns})])
    assert not decision.granted and not decision.undecided
    assert evaluate(Req("s3:GetObject", "arn:aws:s3:::team-7-x/*", frozenset()),
                    [doc({"Effect": "Allow", "Action": "s3:*", "Resource": arns})]).granted


def test_unrelated_statements_spend_no_budget_of_the_ones_that_matter() -> None:
    # 300 hostile statements for other actions, then the one that matters.
    hostile = [{"Effect": "Deny", "Action": f"ec2:Op{i}", "NotResource": [f"arn:aws:s3:::*{j}*{j}*" for j in range(20)]}
               for i in range(300)]
    d = doc(*hostile, {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::cdk-*"})
    decision = evaluate(Req("s3:GetObject", ASSETS, frozenset()), [d])
    assert decision.granted and not decision.undecided


def test_a_wildcard_deny_that_is_too_complex_names_its_statement() -> None:
    # Only a NotResource Deny of many interleaved wildcards can still exceed the budget.
    spared = [f"arn:aws:s3:::*{i}*{i}*" for i in range(30)] + ["arn:aws:s3:::1*", "arn:aws:s3:::?1*"]
    d = doc({"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Sid": "Tangled", "Effect": "Deny", "Action": "s3:*", "NotResource": spared})
    decision = evaluate(Req("s3:GetObject", "arn:aws:s3:::*1*2*3*4*5*6*7*8*9*", frozenset()), [d])
    assert not decision.granted
    assert decision.undecided and "statement 'Tangled' of test" in decision.undecided[0]


@settings(max_examples=300, deadline=None)
@given(p=patterns, qs=st.lists(st.text(alphabet="ab/", max_size=3) |
                              st.text(alphabet="ab/", max_size=3).map(lambda t: t + "*"), min_size=1, max_size=5))
def test_literal_and_prefix_unions_agree_with_brute_force(p: str, qs: list[str]) -> None:
    expected = brute_matches(p) <= set().union(*(brute_matches(q) for q in qs))
    assert covers(qs, p) == expected


def test_a_region_lock_is_a_loss_only_outside_its_regions() -> None:
    lock = {"Sid": "RegionLock", "Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}}}
    d = doc({"Effect": "Allow", "Action": "*", "Resource": "*"}, lock)
    inside = evaluate(REQ, [d], context=Context.of({"aws:RequestedRegion": "eu-west-1"}))
    outside = evaluate(REQ, [d], context=Context.of({"aws:RequestedRegion": "ap-south-1"}))
    unknown = evaluate(REQ, [d])
    assert inside.granted and not inside.risks
    assert not outside.granted and outside.denied_by
    assert unknown.granted and unknown.risks
