"""Details of the IAM semantics that mutation testing found unpinned: documents given as
bytes, and what an undecidable Deny says about where it is."""

from __future__ import annotations

import json

import pytest
from sst_deployer.iam import PolicyDocumentError, evaluate, parse_document
from sst_deployer.permissions import Requirement

DOC = {"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject",
                                                "Resource": "arn:aws:s3:::sstbootstrap-*"}]}


@pytest.mark.parametrize("raw", [json.dumps(DOC).encode(), bytearray(json.dumps(DOC).encode()), json.dumps(DOC), DOC])
def test_a_document_may_be_bytes_text_or_an_object(raw: object) -> None:
    (statement,) = parse_document(raw, "p").statements
    assert (statement.sid, statement.actions, statement.resources) == ("A", ("s3:GetObject",),
                                                                        ("arn:aws:s3:::sstbootstrap-*",))


def test_bytes_that_are_not_utf8_are_an_unreadable_document_not_a_crash() -> None:
    with pytest.raises(PolicyDocumentError, match="not valid JSON"):
        parse_document(b'{"Statement": [\xff\xfe]}')


# The patterns of test_iam_semantics' work-budget test: deciding them takes too long.
HOSTILE = [f"arn:aws:s3:::*{i}*{i}*" for i in range(30)] + ["arn:aws:s3:::1*", "arn:aws:s3:::?1*"]
REQ = Requirement("probe", "s3:GetObject", "arn:aws:s3:::*1*2*3*4*5*6*7*8*9*")


@pytest.mark.parametrize("name, where", [("", "statement 'Fence' of a policy"),
                                         ("managed policy 'p'", "statement 'Fence' of managed policy 'p'")])
def test_a_deny_too_complex_to_rule_out_is_taken_to_apply_and_says_where_it_is(name: str, where: str) -> None:
    doc = parse_document({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
                                        {"Sid": "Fence", "Effect": "Deny", "Action": "s3:*", "NotResource": HOSTILE}]},
                         name)
    decision = evaluate(REQ, [doc])
    assert not decision.granted and [st.sid for _, st in decision.denied_by] == ["Fence"]
    (undecided,) = decision.undecided
    assert undecided.startswith(f"whether {where} applies to {REQ.resource} (")


def test_a_statement_without_a_usable_sid_is_labelled_by_position() -> None:
    doc = parse_document({"Statement": [{"Sid": "A", "Effect": "Allow", "Action": "*", "Resource": "*"},
                                        {"Sid": 7, "Effect": "Allow", "Action": "*", "Resource": "*"},
                                        {"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    assert [s.label for s in doc.statements] == ["statement 'A'", "statement #2", "statement #3"]
    assert [s.sid for s in doc.statements] == ["A", "", ""]
