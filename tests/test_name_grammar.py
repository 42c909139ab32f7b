"""SST's name grammar (sst_deployer.grammar): every name SST and CDK create is in its
requirement's grammar, and a Deny overlaps a requirement only through such a name."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from sst_deployer import iam
from sst_deployer.grammar import GRAMMAR, free, readable, refine

ACCOUNT = "112233445566"
REGION = "eu-west-1"

stage = st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,15}", fullmatch=True)  # project.ts isValidStageName
app = st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,15}", fullmatch=True)
construct_id = st.from_regex(r"[a-zA-Z][a-zA-Z0-9_-]{0,15}", fullmatch=True)  # App.ts construct ids
uuid = st.uuids().map(str)
param_tail = st.from_regex(r"[A-Za-z0-9_./-]{1,30}", fullmatch=True)  # SSM parameter names
bucket_tail = st.from_regex(r"[a-z0-9.-]{1,20}", fullmatch=True)
key = st.text(min_size=1, max_size=30)  # S3 keys: anything


def _arn(service: str, rest: str, region: str = REGION, account: str = ACCOUNT) -> str:
    return f"arn:aws:{service}:{region}:{account}:{rest}"


@given(stage, app, construct_id, uuid)
def test_every_app_stack_sst_names_is_in_the_stack_grammar(s: str, a: str, i: str, u: str) -> None:
    arn = _arn("cloudformation", f"stack/{s}-{a}-{i}/{u}")
    assert iam.matches(refine(_arn("cloudformation", "stack/*")), arn)


@given(app, param_tail)
def test_every_fallback_secret_is_in_the_fallback_grammar(a: str, tail: str) -> None:
    arn = _arn("ssm", f"parameter/sst/{a}/.fallback/{tail}")
    assert iam.matches(refine(_arn("ssm", "parameter/sst/*/.fallback/*")), arn)


@given(bucket_tail, key)
def test_every_bootstrap_object_is_in_the_bucket_grammar(tail: str, k: str) -> None:
    arn = f"arn:aws:s3:::sstbootstrap-{tail}/appMetadata/{k}"
    assert iam.matches(refine("arn:aws:s3:::sstbootstrap-*/appMetadata/*"), arn)


def test_a_parameter_name_never_contains_a_colon() -> None:
    required = refine(_arn("ssm", "parameter/sst/*"))
    deny = "arn:aws:ssm:*:*:parameter/payments/*"
    assert iam.overlaps([deny], _arn("ssm", "parameter/sst/*"))  # as any string: it would
    assert not iam.overlaps([deny], required)  # as a parameter name: it cannot
    assert iam.overlaps(["arn:aws:ssm:*:*:parameter/sst/prod/*"], required)


def test_another_toolkit_stack_never_is_an_app_stack() -> None:
    required = refine(_arn("cloudformation", "stack/*"))
    assert not iam.overlaps(["arn:aws:cloudformation:*:*:stack/CDKToolkit/*"], required)
    assert not iam.overlaps(["arn:aws:cloudformation:*:*:stack/SSTBootstrap/*"], required)
    assert iam.overlaps(["arn:aws:cloudformation:*:*:stack/prod-*"], required)
    assert iam.overlaps(["arn:aws:cloudformation:*:*:stack/*"], required)


def test_an_app_name_has_no_slash_in_the_fallback_path() -> None:
    required = refine(_arn("ssm", "parameter/sst/*/.fallback/*"))
    assert not iam.overlaps(["arn:aws:ssm:*:*:parameter/sst/payments/x/.fallback/*"], required)
    assert iam.overlaps(["arn:aws:ssm:*:*:parameter/sst/payments/.fallback/*"], required)


def test_object_keys_stay_free() -> None:
    required = refine("arn:aws:s3:::sstbootstrap-*/appMetadata/*")
    assert iam.overlaps(["arn:aws:s3:::*:secret"], required)  # a key may hold ":"
    assert not iam.overlaps(["arn:aws:s3:::other-*"], required)


def test_a_literal_or_unexplained_requirement_is_unchanged() -> None:
    literal = _arn("ssm", "parameter/cdk-bootstrap/hnb659fds/version")
    assert refine(literal) == literal
    assert refine("arn:aws:iam::112233445566:role/*ServerFunctionRole*").endswith("role/*ServerFunctionRole*")
    assert refine("*") == "*"


def test_every_row_names_its_source_and_keeps_its_shape() -> None:
    for row in GRAMMAR:
        assert row.source
        assert re.compile(row.resource).groups == len(row.parts)
    assert readable(refine(_arn("ssm", "parameter/sst/*"))).endswith("parameter/sst/<name without :>")


_CHARS = "ab:/-"
_pattern = st.text(alphabet=_CHARS + "*?", max_size=6)
_typed = st.lists(st.one_of(st.text(alphabet=_CHARS, min_size=1, max_size=2),
                            st.sampled_from([free(":"), free(":/"), free("-"), "*"])), max_size=4).map("".join)
_strings = [""] + [a + b + c + d for a in _CHARS for b in ["", *_CHARS] for c in ["", *_CHARS] for d in ["", "a"]]


def _brute(pattern: str, text: str) -> bool:
    """A name wildcard as a regex: any run of characters other than its own."""
    out = []
    for part in re.split("(\x01[^\x02]*\x02|\\*|\\?)", pattern):
        if part == "*":
            out.append(".*")
        elif part == "?":
            out.append(".")
        elif part.startswith("\x01"):
            out.append(f"[^{re.escape(part[1:-1])}]*" if part[1:-1] else ".*")
        else:
            out.append(re.escape(part))
    return re.fullmatch("".join(out), text, re.S) is not None


@settings(max_examples=300, deadline=None)  # enumerating witnesses is slow, not wrong, on a busy machine
@given(_typed, _pattern)
def test_overlap_with_a_name_wildcard_agrees_with_enumeration(required: str, deny: str) -> None:
    """Short strings over the patterns' characters witness every overlap of these sizes."""
    witnessed = any(_brute(required, s) and _brute(deny, s) for s in _strings)
    if witnessed:
        assert iam.overlaps([deny], required)
    if iam.overlaps([deny], required):  # and a string both match, built from the required pattern
        assert any(_brute(required, s) and _brute(deny, s) for s in _instances(required, deny))


def _instances(pattern: str, other: str) -> list[str]:
    """``pattern`` with each wildcard filled by short runs of characters and the pieces of
    ``other`` (where the two can meet)."""
    pieces = re.split("(\x01[^\x02]*\x02|\\*|\\?)", pattern)
    runs = [r[i:j] for r in re.split("[*?]", other) for i in range(len(r)) for j in range(i + 1, len(r) + 1)]
    # ... and every piece of ``other`` written out (each wildcard as "" or one character), since
    # the strings both match may take any part of it: ':' + '[^-]*' meets '::?:' only at '::a:'.
    written = {other.replace("*", s).replace("?", c) for s in ("", "a") for c in _CHARS}
    pieces_of_other = [w[i:j] for w in written for i in range(len(w)) for j in range(i + 1, len(w) + 1)]
    fills = list(dict.fromkeys(["", *_CHARS, "ab", "a:", "-/", "/a", ":a", "a-b", *runs, *sorted(written),
                                *sorted(pieces_of_other)]))
    # Without "*" in ``other`` every string it matches has its length: longer partial strings
    # can never be witnesses, and dropping them keeps the product small enough to be whole.
    longest = len(other) if "*" not in other else None
    out = [""]
    for piece in pieces:
        if piece in ("*", "?") or piece.startswith("\x01"):
            out = list(dict.fromkeys(o + f for o in out for f in fills))
        else:
            out = [o + piece for o in out]
        if longest is not None:
            out = [o for o in out if len(o) <= longest]
        out = out[:20000]
    return out


@settings(max_examples=200)
@given(_typed, st.lists(_pattern, min_size=1, max_size=2))
def test_coverage_of_a_name_wildcard_agrees_with_enumeration(required: str, allows: list[str]) -> None:
    if iam.covers(allows, required):
        assert all(any(_brute(a, s) for a in allows) for s in _strings if _brute(required, s))
