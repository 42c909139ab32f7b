"""Pinned by mutation testing (context.py): what the deployer's own calls always carry,
whoever assumed the role. Every SDK call is HTTPS (``aws:SecureTransport`` true) and made
by a role session, not an AWS service; an organisation's usual guardrail "deny anything
not over TLS" must therefore never cost SST a call."""

from __future__ import annotations

import pytest
from sst_deployer.audit import losses
from sst_deployer.context import PrincipalContext, Session
from sst_deployer.iam import parse_document
from sst_deployer.render import render, to_json
from sst_deployer.settings import DeployerSettings
from sst_deployer.trust import TrustSettings, principal_context, trust_document

ACCOUNT = "112233445566"
SETTINGS = DeployerSettings(account=ACCOUNT, regions=("eu-west-1",))

DENY_INSECURE_TRANSPORT = parse_document(
    {"Statement": [{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Action": "*", "Resource": "*",
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}, "guardrail")


def documents() -> tuple:
    return (*(parse_document(to_json(d), f"policy {n}") for n, d in enumerate(render(SETTINGS), 1)),
            DENY_INSECURE_TRANSPORT)


PRINCIPALS = {
    "sessions unknown": PrincipalContext(ACCOUNT),
    "people with MFA and CI": PrincipalContext(ACCOUNT, sessions=(Session("people", True), Session("ci", False))),
    "from the trust policy": principal_context(
        trust_document(TrustSettings(require_mfa=True), ACCOUNT, "aws", "arn:aws:iam::1:oidc-provider/x"), {}, ACCOUNT),
}


@pytest.mark.parametrize("name", sorted(PRINCIPALS))
def test_every_context_of_the_deployer_is_https_from_a_role_session(name: str) -> None:
    for ctx in PRINCIPALS[name].contexts():
        assert ctx.state("aws:SecureTransport") == ("known", ("true",))
        assert ctx.state("aws:PrincipalIsAWSService") == ("known", ("false",))
        assert ctx.state("aws:PrincipalType") == ("known", ("AssumedRole",))


@pytest.mark.parametrize("name", sorted(PRINCIPALS))
def test_a_guardrail_denying_insecure_transport_costs_sst_no_call(name: str) -> None:
    assert losses(SETTINGS, documents(), None, context=PRINCIPALS[name]) == ((), ())
