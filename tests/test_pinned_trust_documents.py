"""The trust policies the component renders, exactly, and what bad trust settings say.
(An ``"Effect": "allow"`` statement is ignored by IAM's grammar check and by the pack's
trust rules alike, so a property test that the rendered policy passes the rules cannot
see it: the documents are pinned whole.)"""

from __future__ import annotations

from typing import Any

import pytest
from sst_deployer.settings import InvalidSetting
from sst_deployer.trust import GithubOidc, TrustSettings, trust_document, validate_trust

ACCOUNT, OTHER = "112233445566", "999988887777"
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
AUD, SUB = "token.actions.githubusercontent.com:aud", "token.actions.githubusercontent.com:sub"


def statement(sid: str, principal: dict[str, Any], action: str = "sts:AssumeRole",
              condition: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": action}
    if condition is not None:
        out["Condition"] = condition
    return out


CASES: list[tuple[TrustSettings, list[dict[str, Any]]]] = [
    (TrustSettings(), [statement("TrustAccountPrincipals", {"AWS": [f"arn:aws:iam::{ACCOUNT}:root"]}, condition=MFA)]),
    (TrustSettings(principals=(f"arn:aws:iam::{ACCOUNT}:user/bob", f"arn:aws:iam::{ACCOUNT}:role/ops"),
                   require_mfa=False),
     [statement("TrustAccountPrincipals", {"AWS": [f"arn:aws:iam::{ACCOUNT}:role/ops",
                                                   f"arn:aws:iam::{ACCOUNT}:user/bob"]})]),
    (TrustSettings(principals=(OTHER,), external_id="vendor-7f3a"),
     [statement("TrustOtherAccountPrincipals", {"AWS": [f"arn:aws:iam::{OTHER}:root"]},
                condition={"StringEquals": {"sts:ExternalId": "vendor-7f3a"}})]),
    (TrustSettings(principals=(ACCOUNT, f"arn:aws:iam::{OTHER}:role/ci")),
     [statement("TrustAccountPrincipals", {"AWS": [f"arn:aws:iam::{ACCOUNT}:root"]}, condition=MFA),
      statement("TrustOtherAccountPrincipals", {"AWS": [f"arn:aws:iam::{OTHER}:role/ci"]}, condition=MFA)]),
    (TrustSettings(principals=(), github=GithubOidc("acme/app", ("main",), ("production",))),
     [statement("TrustGitHubActions", {"Federated": PROVIDER}, "sts:AssumeRoleWithWebIdentity",
                {"StringEquals": {AUD: "sts.amazonaws.com", SUB: [
                    "repo:acme/app:ref:refs/heads/main", "repo:acme/app:environment:production"]}})]),
    (TrustSettings(principals=(), github=GithubOidc("acme/app", ("release/*",))),
     [statement("TrustGitHubActions", {"Federated": PROVIDER}, "sts:AssumeRoleWithWebIdentity",
                {"StringEquals": {AUD: "sts.amazonaws.com"},
                 "StringLike": {SUB: ["repo:acme/app:ref:refs/heads/release/*"]}})]),
]


@pytest.mark.parametrize("trust, statements", CASES)
def test_the_rendered_trust_policy_is_exactly(trust: TrustSettings, statements: list[dict[str, Any]]) -> None:
    validate_trust(trust, "aws", ACCOUNT)
    assert trust_document(trust, ACCOUNT, "aws", PROVIDER) == {"Version": "2012-10-17", "Statement": statements}


def test_the_partition_reaches_every_principal() -> None:
    doc = trust_document(TrustSettings(principals=(ACCOUNT, OTHER), external_id="x-1"), ACCOUNT, "aws-cn")
    assert [s["Principal"]["AWS"] for s in doc["Statement"]] == [[f"arn:aws-cn:iam::{ACCOUNT}:root"],
                                                                 [f"arn:aws-cn:iam::{OTHER}:root"]]


@pytest.mark.parametrize("trust, key, message", [
    (TrustSettings(principals=()), "trust.principals", "is empty, so no one could assume the role"),
    (TrustSettings(principals=("*",)), "trust.principals",
     "'*': wildcard principals are not allowed; name an account id (123456789012) or an IAM user or role ARN"),
    (TrustSettings(principals=("bob",)), "trust.principals",
     "'bob' is neither a 12-digit account id nor an IAM user, role or root ARN"),
    (TrustSettings(principals=("arn:aws-cn:iam::112233445566:root",)), "trust.principals",
     "'arn:aws-cn:iam::112233445566:root' is not in partition aws"),
    (TrustSettings(require_mfa=False), "trust.requireMfa",
     "is false while trust names whole accounts (112233445566): any principal there could assume the deployer "
     "with no condition; keep MFA, set an externalId, or list users and roles"),
    (TrustSettings(external_id="x"), "trust.externalId", "2-1224 characters of letters, digits and + = , . @ : / - _"),
    (TrustSettings(principals=(), github=GithubOidc("acme/*", ("main",))), "trust.githubOidc.repository",
     "'acme/*'; expected owner/name, without wildcards"),
    (TrustSettings(principals=(), github=GithubOidc("acme/app")), "trust.githubOidc",
     "name at least one of branches or environments"),
    (TrustSettings(principals=(), github=GithubOidc("acme/app", ("main branch",))), "trust.githubOidc",
     "'main branch' is not a branch or environment name"),
])
def test_bad_trust_settings_say_which_key_and_why(trust: TrustSettings, key: str, message: str) -> None:
    with pytest.raises(InvalidSetting) as err:
        validate_trust(trust, "aws", ACCOUNT)
    assert err.value.setting == key and err.value.message.startswith(message), err.value
