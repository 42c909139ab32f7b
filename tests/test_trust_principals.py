"""Who can really match a trust statement (issue 15 class 3), and every OIDC issuer's
subject claim (class 5): MFA is asked only where IAM users can match, Identity Center's
sessions carry no MFA key, and a web-identity trust must pin the claim its issuer names
projects with."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sst_deployer.iam import normalize_conditions
from sst_deployer.trust import (
    ROLE,
    SSO_ROLE,
    USER,
    WEB_IDENTITY,
    TrustRules,
    check_trust,
    principal_context,
    session_mfa,
    who_can_match,
)

ACCOUNT = "112233445566"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
SSO = f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_*"
SSO_REGION = f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Deploy_*"


def trust(principal: dict[str, Any], condition: dict[str, Any] | None = None,
          action: str = "sts:AssumeRole") -> dict[str, Any]:
    st_: dict[str, Any] = {"Sid": "People", "Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        st_["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [st_]}


def kinds(principal: str, condition: dict[str, Any] | None = None, kind: str = "AWS") -> frozenset[str]:
    return who_can_match(kind, principal, normalize_conditions(condition))


# ----------------------------------------------------------------- who can match


@pytest.mark.parametrize("condition, expected", [
    (None, {USER, ROLE, SSO_ROLE}),
    ({"ArnLike": {"aws:PrincipalArn": SSO}}, {SSO_ROLE}),
    ({"StringLike": {"aws:PrincipalArn": SSO}}, {SSO_ROLE}),
    ({"ArnLike": {"aws:PrincipalArn": SSO_REGION}}, {SSO_ROLE}),
    ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*"}}, {SSO_ROLE}),
    # StringLike's * spans colons: an account part that is a wildcard decides nothing.
    ({"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*"}},
     {USER, ROLE, SSO_ROLE}),
    ({"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/*"}}, {ROLE, SSO_ROLE}),
    ({"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/ci"}}, {ROLE}),
    ({"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:user/*"}}, {USER}),
    ({"ArnLike": {"aws:PrincipalArn": [SSO, f"arn:aws:iam::{ACCOUNT}:user/alice"]}}, {SSO_ROLE, USER}),
    ({"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:*"}}, {USER, ROLE, SSO_ROLE}),
    ({"StringEquals": {"aws:PrincipalType": "AssumedRole"}}, {ROLE, SSO_ROLE}),
    ({"StringEquals": {"aws:PrincipalType": "User"}}, {USER}),
    ({"ArnNotLike": {"aws:PrincipalArn": SSO}}, {USER, ROLE, SSO_ROLE}),  # a negation narrows nothing we can prove
])
def test_an_account_principal_is_matched_by_whom_its_conditions_admit(condition: Any, expected: set[str]) -> None:
    assert kinds(ROOT, condition) == expected


def test_principals_named_directly_are_what_they_name() -> None:
    assert kinds(f"arn:aws:iam::{ACCOUNT}:user/bob") == {USER}
    assert kinds(f"arn:aws:iam::{ACCOUNT}:role/ci") == {ROLE}
    assert kinds(f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0a1b") == {SSO_ROLE}
    assert kinds(f"arn:aws:iam::{ACCOUNT}:oidc-provider/gitlab.com", kind="Federated") == {WEB_IDENTITY}


# ----------------------------------------------------------------- MFA only where users can match


@pytest.mark.parametrize("arn", [SSO, SSO_REGION, f"arn:aws:iam::{ACCOUNT}:role/*"])
@pytest.mark.parametrize("op", ["ArnLike", "StringLike", "ArnLikeIfExists"])
def test_identity_center_trust_without_mfa_passes(arn: str, op: str) -> None:
    assert check_trust(trust({"AWS": ROOT}, {op: {"aws:PrincipalArn": arn}}), ACCOUNT, TrustRules()) == []


def test_a_trust_users_can_match_still_needs_mfa_and_says_how_to_let_only_roles_in() -> None:
    doc = trust({"AWS": ROOT}, {"ArnLike": {"aws:PrincipalArn": [SSO, f"arn:aws:iam::{ACCOUNT}:user/*"]}})
    (finding,) = check_trust(doc, ACCOUNT, TrustRules())
    assert "without MFA (IAM users can match it)" in finding and "AWSReservedSSO_*" in finding


def test_the_whole_account_without_any_condition_is_still_refused() -> None:
    assert any("without a condition" in f for f in check_trust(trust({"AWS": ROOT}), ACCOUNT, TrustRules()))


@given(suffix=st.from_regex(r"[A-Za-z0-9_+=,.@-]{0,20}\*?", fullmatch=True),
       region=st.sampled_from(["", "eu-west-1/", "us-east-1/"]))
def test_every_identity_center_pattern_is_judged_role_only(suffix: str, region: str) -> None:
    arn = f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/{region}{suffix}"
    assert kinds(ROOT, {"ArnLike": {"aws:PrincipalArn": arn}}) == {SSO_ROLE}
    assert check_trust(trust({"AWS": ROOT}, {"ArnLike": {"aws:PrincipalArn": arn}}), ACCOUNT, TrustRules()) == []


# ----------------------------------------------------------------- the sessions' MFA key


def test_identity_center_sessions_carry_no_mfa_key() -> None:
    ctx = principal_context(trust({"AWS": ROOT}, {"ArnLike": {"aws:PrincipalArn": SSO}}), {}, ACCOUNT)
    (session,) = ctx.sessions
    assert session.mfa is None
    (context,) = ctx.contexts()
    assert context.state("aws:MultiFactorAuthPresent") == ("absent", ())


@pytest.mark.parametrize("who, condition, expected", [
    ({USER, ROLE, SSO_ROLE}, {"Bool": {"aws:MultiFactorAuthPresent": "true"}}, True),
    ({USER, ROLE, SSO_ROLE}, None, False),
    ({SSO_ROLE}, None, None),
    ({ROLE, SSO_ROLE}, None, False),
    ({WEB_IDENTITY}, {"Bool": {"aws:MultiFactorAuthPresent": "true"}}, False),
])
def test_session_mfa_follows_who_can_match(who: set[str], condition: Any, expected: bool | None) -> None:
    assert session_mfa(frozenset(who), normalize_conditions(condition)) is expected


# ----------------------------------------------------------------- OIDC issuers

GITLAB = f"arn:aws:iam::{ACCOUNT}:oidc-provider/gitlab.com"
SELF_GITLAB = f"arn:aws:iam::{ACCOUNT}:oidc-provider/gitlab.acme.internal"
GHE = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com/acme-corp"
BITBUCKET_PATH = "api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc"
BITBUCKET = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{BITBUCKET_PATH}"
CIRCLE_PATH = "oidc.circleci.com/org/4f1b5e0c-2a7d-4c1e-9d3a-8b6f0e2c1a90"
CIRCLE = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{CIRCLE_PATH}"
TFC = f"arn:aws:iam::{ACCOUNT}:oidc-provider/app.terraform.io"
OTHER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/ci.example.org"
REPO_UUID = "{3f2a9c1e-7b4d-4e2a-9f6c-1d8e5b7a2c40}"
CIRCLE_SUB = "org/4f1b5e0c-2a7d-4c1e-9d3a-8b6f0e2c1a90/project/7c9e6679-7425-40de-944b-e07fc1f90ae7/user/*"

PINNED = [
    (GITLAB, "gitlab.com:sub", "project_path:acme/storefront:ref_type:branch:ref:main"),
    (GITLAB, "gitlab.com:sub", "project_path:acme/platform/storefront:*"),
    (SELF_GITLAB, "gitlab.acme.internal:sub", "project_path:acme/storefront:ref_type:branch:ref:main"),
    (GHE, "token.actions.githubusercontent.com/acme-corp:sub", "repo:acme/storefront:environment:production"),
    (BITBUCKET, f"{BITBUCKET_PATH}:sub", f"{REPO_UUID}*"),
    (CIRCLE, f"{CIRCLE_PATH}:sub", CIRCLE_SUB),
    (TFC, "app.terraform.io:sub", "organization:acme:project:sst:workspace:production:run_phase:*"),
    (OTHER, "ci.example.org:sub", "pipeline:acme/storefront:main"),
]
UNPINNED = [
    (GITLAB, "gitlab.com:sub", "project_path:*", "project"),
    (GITLAB, "gitlab.com:sub", "project_path:acme/*", "project"),
    (SELF_GITLAB, "gitlab.acme.internal:sub", "project_path:*:ref_type:branch:ref:main", "project"),
    (GHE, "token.actions.githubusercontent.com/acme-corp:sub", "repo:*", "repository"),
    (BITBUCKET, f"{BITBUCKET_PATH}:sub", "*", "repository"),
    (BITBUCKET, f"{BITBUCKET_PATH}:sub", "{*}:*", "repository"),
    (CIRCLE, f"{CIRCLE_PATH}:sub", "org/4f1b5e0c-2a7d-4c1e-9d3a-8b6f0e2c1a90/*", "project"),
    (TFC, "app.terraform.io:sub", "organization:acme:*", "project"),
    (TFC, "app.terraform.io:sub", "organization:*:project:sst:*", "project"),
    (OTHER, "ci.example.org:sub", "*", "subject"),
]


def web(provider: str, condition: dict[str, Any] | None) -> dict[str, Any]:
    return trust({"Federated": provider}, condition, "sts:AssumeRoleWithWebIdentity")


@pytest.mark.parametrize("provider, key, subject", PINNED)
def test_a_subject_pinned_to_one_project_passes(provider: str, key: str, subject: str) -> None:
    aud = {key.rsplit(":", 1)[0] + ":aud": "sts.amazonaws.com"}
    assert check_trust(web(provider, {"StringEquals": aud, "StringLike": {key: subject}}), ACCOUNT,
                       TrustRules()) == []


@pytest.mark.parametrize("provider, key, subject, scope", UNPINNED)
def test_a_subject_with_a_wildcard_owner_or_project_is_refused(provider: str, key: str, subject: str,
                                                                scope: str) -> None:
    (finding,) = check_trust(web(provider, {"StringLike": {key: subject}}), ACCOUNT, TrustRules())
    assert f"subject {subject!r} ({key})" in finding and f"pin it to one {scope}" in finding


@pytest.mark.parametrize("provider, key", sorted({(p, k) for p, k, _ in PINNED}))
def test_trusting_the_audience_alone_names_the_missing_claim(provider: str, key: str) -> None:
    aud = key.rsplit(":", 1)[0] + ":aud"
    (finding,) = check_trust(web(provider, {"StringEquals": {aud: "sts.amazonaws.com"}}), ACCOUNT, TrustRules())
    assert f"without pinning {key}" in finding and "could assume the deployer" in finding


@pytest.mark.parametrize("provider, key, subject", [
    (GITLAB, "gitlab.com:sub", "project_path:acme/*"),
    (TFC, "app.terraform.io:sub", "organization:acme:project:*"),
    (GHE, "token.actions.githubusercontent.com/acme-corp:sub", "repo:acme/*"),
])
def test_allow_repository_wildcards_allows_a_wildcard_project_never_a_wildcard_owner(
        provider: str, key: str, subject: str) -> None:
    rules = TrustRules(allow_repository_wildcards=True)
    assert check_trust(web(provider, {"StringLike": {key: subject}}), ACCOUNT, rules) == []
    owner_wild = subject.replace("acme", "*")
    assert check_trust(web(provider, {"StringLike": {key: owner_wild}}), ACCOUNT, rules)


def test_a_negated_subject_pins_nothing() -> None:
    doc = web(GITLAB, {"StringNotLike": {"gitlab.com:sub": "project_path:evil/*"}})
    (finding,) = check_trust(doc, ACCOUNT, TrustRules())
    assert "without pinning gitlab.com:sub" in finding


def test_cognito_is_pinned_by_its_identity_pool() -> None:
    pool = "us-east-1:0e1f2a3b-4c5d-6e7f-8a9b-0c1d2e3f4a5b"
    good = web("cognito-identity.amazonaws.com", {"StringEquals": {"cognito-identity.amazonaws.com:aud": pool}})
    assert check_trust(good, ACCOUNT, TrustRules()) == []
    (finding,) = check_trust(web("cognito-identity.amazonaws.com", None), ACCOUNT, TrustRules())
    assert "cognito-identity.amazonaws.com:aud" in finding


@given(subject=st.from_regex(r"project_path:[a-z]{1,8}/[a-z]{1,8}(:ref_type:branch:ref:[a-z*]{1,8})?",
                             fullmatch=True))
def test_every_gitlab_subject_with_a_literal_project_passes(subject: str) -> None:
    assert check_trust(web(GITLAB, {"StringLike": {"gitlab.com:sub": subject}}), ACCOUNT, TrustRules()) == []


@given(owner=st.sampled_from(["*", "a*", "?cme"]), project=st.sampled_from(["*", "app", "a?p"]))
def test_a_wildcard_in_the_owner_is_never_pinned(owner: str, project: str) -> None:
    for provider, key, subject in ((GITLAB, "gitlab.com:sub", f"project_path:{owner}/{project}:*"),
                                   (TFC, "app.terraform.io:sub", f"organization:{owner}:project:{project}:*")):
        rules = TrustRules(allow_repository_wildcards=True)
        assert check_trust(web(provider, {"StringLike": {key: subject}}), ACCOUNT, rules)


ARNS = st.sampled_from([SSO, SSO_REGION, f"arn:aws:iam::{ACCOUNT}:role/*", f"arn:aws:iam::{ACCOUNT}:role/ci",
                        f"arn:aws:iam::{ACCOUNT}:user/*", f"arn:aws:iam::{ACCOUNT}:*", "*"])


@given(arns=st.lists(ARNS, min_size=1, max_size=3, unique=True), op=st.sampled_from(["ArnLike", "StringLike"]),
       mfa=st.booleans())
def test_the_trust_rule_and_the_sessions_agree_on_mfa(arns: list[str], op: str, mfa: bool) -> None:
    """What check_trust asks and what the deployer's sessions carry (context.py) come from
    one judgement: MFA is demanded exactly where users can match and the statement lacks
    it; those sessions then carry MFA false; Identity Center-only ones carry no key."""
    condition: dict[str, Any] = {op: {"aws:PrincipalArn": arns}}
    if mfa:
        condition["Bool"] = {"aws:MultiFactorAuthPresent": "true"}
    doc = trust({"AWS": ROOT}, condition)
    who = kinds(ROOT, condition)
    demanded = any("without MFA" in f for f in check_trust(doc, ACCOUNT, TrustRules()))
    (session,) = principal_context(doc, {}, ACCOUNT).sessions
    assert demanded is (USER in who and not mfa)
    assert session.mfa is (True if mfa else None if who <= {SSO_ROLE} and who else False)
