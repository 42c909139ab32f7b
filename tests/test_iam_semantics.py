"""IAM semantics agree with a brute-force reference, and with IAM's documented rules."""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sst_deployer import iam as iam_module
from sst_deployer.iam import (
    MAX_WORK,
    Document,
    PolicyDocumentError,
    Statement,
    TooComplex,
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


# ------------------------------------------------------------------ statement evaluation

FACTS = ("k1", "k2")  # condition facts: StringEquals kN = "v"


def cond(facts: frozenset[str]) -> dict[str, dict[str, str]] | None:
    if not facts:
        return None
    return {"StringEquals": {f: "v" for f in sorted(facts)}}


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
    "facts": st.frozensets(st.sampled_from(FACTS), max_size=2),
})


def to_json_statement(s: dict) -> dict:
    out = {"Effect": s["Effect"], ("NotAction" if s["not_action"] else "Action"): s["actions"],
           ("NotResource" if s["not_resource"] else "Resource"): s["resources"]}
    if s["facts"]:
        out["Condition"] = cond(s["facts"])
    return out


def applies(s: dict, action: str, text: str, world: frozenset[str]) -> bool:
    act = any(glob_regex(a.lower()).fullmatch(action.lower()) for a in s["actions"]) != s["not_action"]
    res = any(glob_regex(r).fullmatch(text) for r in s["resources"]) != s["not_resource"]
    return act and res and s["facts"] <= world


def reference(stmts: list[dict], boundary: list[dict] | None, action: str, resource: str,
              req_facts: frozenset[str]) -> tuple[bool, bool]:
    """(granted, a conditional Deny may apply), by enumerating every request."""
    granted, risk = True, False
    everything = frozenset(FACTS)
    for text in brute_matches(resource):
        allowed = any(s["Effect"] == "Allow" and applies(s, action, text, req_facts) for s in stmts)
        in_boundary = boundary is None or any(
            s["Effect"] == "Allow" and applies(s, action, text, req_facts) for s in boundary)
        all_stmts = stmts + (boundary or [])
        denied = any(s["Effect"] == "Deny" and applies(s, action, text, req_facts) for s in all_stmts)
        if any(s["Effect"] == "Deny" and applies(s, action, text, everything) and not s["facts"] <= req_facts
               for s in all_stmts):
            risk = True
        if not (allowed and in_boundary and not denied):
            granted = False
    return granted, risk


@settings(max_examples=1500, deadline=None)
@given(
    stmts=st.lists(statement, min_size=1, max_size=4),
    boundary=st.none() | st.lists(statement, min_size=1, max_size=2),
    action=st.sampled_from(["s:A", "s:B", "s:AB", "t:A"]),
    resource=patterns,
    req_facts=st.frozensets(st.sampled_from(FACTS), max_size=2),
)
def test_evaluate_agrees_with_brute_force(stmts, boundary, action, resource, req_facts) -> None:
    identity = [parse_document({"Statement": [to_json_statement(s) for s in stmts]}, "identity")]
    bdoc = parse_document({"Statement": [to_json_statement(s) for s in boundary]}, "boundary") if boundary else None
    req = Req(action, resource, normalize_conditions(cond(req_facts)))
    decision = evaluate(req, identity, bdoc)
    granted, risk = reference(stmts, boundary, action, resource, req_facts)
    assert decision.granted == granted
    assert bool(decision.risks) == risk


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
    with pytest.raises(TooComplex):
        covers(patterns, "arn:aws:s3:::*1*2*3*4*5*6*7*8*9*")


def test_realistic_patterns_stay_far_inside_the_budget() -> None:
    assert covers(["arn:aws:iam::1:role/cdk-q-*-role-*"], "arn:aws:iam::1:role/cdk-q-cfn-exec-role-*")
    assert iam_module._budget[0] > MAX_WORK * 0.9


def test_hostile_patterns_are_matched_without_backtracking() -> None:
    # A regex of .*a.*a...b backtracks exponentially on this; the glob matcher does not.
    assert not matches("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", "a" * 80)
    assert matches("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", "a" * 80 + "b")
