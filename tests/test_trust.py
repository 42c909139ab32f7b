"""Trust policies the component renders satisfy the pack's trust rules, for any valid
trust settings; and what the rules refuse."""

from __future__ import annotations

import json

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from sst_deployer.settings import InvalidSetting
from sst_deployer.trust import GithubOidc, TrustRules, TrustSettings, check_trust, trust_document, validate_trust

ACCOUNT = "112233445566"
accounts = st.sampled_from([ACCOUNT, "222233334444", "444455556666"])
principals = st.one_of(
    accounts,
    st.builds(lambda a, n: f"arn:aws:iam::{a}:user/{n}", accounts, st.from_regex(r"[a-z]{1,8}", fullmatch=True)),
    st.builds(lambda a, n: f"arn:aws:iam::{a}:role/{n}", accounts, st.from_regex(r"[a-z]{1,8}", fullmatch=True)),
)
github = st.none() | st.builds(
    GithubOidc, repository=st.sampled_from(["acme/app", "acme-co/web.site"]),
    branches=st.lists(st.sampled_from(["main", "release/*"]), min_size=1, max_size=2, unique=True).map(tuple),
    environments=st.lists(st.sampled_from(["production", "staging"]), max_size=2, unique=True).map(tuple))


@given(ps=st.none() | st.lists(principals, min_size=1, max_size=4, unique=True).map(tuple),
       gh=github, mfa=st.booleans(), external_id=st.none() | st.just("vendor-7f3a"))
def test_rendered_trust_passes_the_packs_rules(
    ps: tuple[str, ...] | None, gh: GithubOidc | None, mfa: bool, external_id: str | None
) -> None:
    trust = TrustSettings(principals=ps, require_mfa=mfa, external_id=external_id, github=gh)
    try:
        validate_trust(trust, "aws", ACCOUNT)
    except InvalidSetting:
        assume(False)  # the program refuses it before anything is created
    provider = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    doc = trust_document(trust, ACCOUNT, "aws", provider)
    others = {p.split(":")[4] if p.startswith("arn:") else p for p in (ps or ())} - {ACCOUNT}
    rules = TrustRules(require_mfa=mfa, trusted_accounts=frozenset() if external_id else frozenset(others))
    assert check_trust(json.dumps(doc), ACCOUNT, rules) == []
    assert len(json.dumps(doc, separators=(",", ":"))) <= 2048  # the trust policy quota


@pytest.mark.parametrize("statement, finding", [
    ({"Principal": "*"}, 'trusts Principal AWS "*"'),
    ({"Principal": {"AWS": "112233445566"}}, "trusts the whole account 112233445566"),
    ({"Principal": {"AWS": "arn:aws:iam::112233445566:user/bob"}}, "without MFA"),
    ({"Principal": {"AWS": "arn:aws:iam::999988887777:role/ci"}}, "without an external ID"),
    ({"NotPrincipal": {"AWS": "arn:aws:iam::112233445566:user/bob"}}, "NotPrincipal"),
    ({"Principal": {"Federated": "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"},
      "Action": "sts:AssumeRoleWithWebIdentity"}, "without pinning token.actions.githubusercontent.com:sub"),
    ({"Principal": {"Federated": "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"},
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*:ref:refs/heads/main"}}},
     "pin it to one repository"),
])
def test_the_trust_rules_refuse(statement: dict[str, object], finding: str) -> None:
    doc = {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", **statement}]}
    assert any(finding in f for f in check_trust(doc, ACCOUNT, TrustRules()))


def test_a_trust_policy_that_is_not_json_is_a_finding() -> None:
    assert check_trust("{nope", ACCOUNT, TrustRules())[0].startswith("the trust policy is not valid JSON")


@pytest.mark.parametrize("trust, key", [
    (TrustSettings(principals=()), "trust.principals"),
    (TrustSettings(principals=("arn:aws-cn:iam::112233445566:root",)), "trust.principals"),
    (TrustSettings(external_id="x"), "trust.externalId"),
    (TrustSettings(require_mfa=False), "trust.requireMfa"),
    (TrustSettings(github=GithubOidc("acme/app", ("main",), (), "arn:aws:iam::1:oidc-provider/x")),
     "trust.githubOidc.providerArn"),
])
def test_bad_trust_settings_name_the_key(trust: TrustSettings, key: str) -> None:
    with pytest.raises(InvalidSetting) as err:
        validate_trust(trust, "aws", ACCOUNT)
    assert err.value.setting == key
