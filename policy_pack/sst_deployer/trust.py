"""Who may assume a deployer: trust policies, rendered and judged, in plain Python."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from .context import PrincipalContext, Session
from .iam import PolicyDocumentError, literal_prefix, matches, normalize_conditions
from .settings import InvalidSetting

GITHUB_HOST: Final = "token.actions.githubusercontent.com"
MFA_PRESENT: Final = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}

_ACCOUNT = re.compile(r"^\d{12}$")
_PRINCIPAL_ARN = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):(iam|sts)::(\d{12}):(root|user/.+|role/.+|assumed-role/.+)$")
_REPOSITORY = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
_REF_NAME = re.compile(r"^[A-Za-z0-9._/*-]{1,255}$")
_EXTERNAL_ID = re.compile(r"^[\w+=,.@:/-]{2,1224}$")
_OIDC_ARN = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):iam::\d{12}:oidc-provider/" + re.escape(GITHUB_HOST) + "$")


@dataclass(frozen=True)
class GithubOidc:
    """GitHub Actions may assume the role from ``repository``, on these branches or
    environments (``*`` allowed in a branch or environment, never in the repository)."""

    repository: str
    branches: tuple[str, ...] = ()
    environments: tuple[str, ...] = ()
    provider_arn: str | None = None  # reuse this provider; None: the component creates one

    def subjects(self) -> list[str]:
        base = f"repo:{self.repository}"
        return [f"{base}:ref:refs/heads/{b}" for b in self.branches] + [
            f"{base}:environment:{e}" for e in self.environments
        ]


@dataclass(frozen=True)
class TrustSettings:
    principals: tuple[str, ...] | None = None  # None: the account's own principals
    require_mfa: bool = True
    external_id: str | None = None
    github: GithubOidc | None = None


def validate_trust(trust: TrustSettings, partition: str, account: str) -> None:
    """Raises InvalidSetting naming the ``trust.*`` key at fault."""
    if trust.principals is not None:
        if not trust.principals and trust.github is None:
            raise InvalidSetting(
                "trust.principals", "is empty, so no one could assume the role; list account "
                "ids or IAM ARNs, or leave it out to trust this account's principals"
            )
        for p in trust.principals:
            if not isinstance(p, str) or "*" in p or "?" in p:
                raise InvalidSetting(
                    "trust.principals", f"{p!r}: wildcard principals are not allowed; name an "
                    "account id (123456789012) or an IAM user or role ARN"
                )
            m = _PRINCIPAL_ARN.match(p)
            if not (_ACCOUNT.match(p) or m):
                raise InvalidSetting(
                    "trust.principals", f"{p!r} is neither a 12-digit account id nor an IAM "
                    "user, role or root ARN"
                )
            if m and m.group(1) != partition:
                raise InvalidSetting("trust.principals", f"{p!r} is not in partition {partition}")
    principals = trust.principals if trust.principals is not None else (account,)
    roots = [p for p in principals if _ACCOUNT.match(p) or p.endswith(":root")]
    # The external ID guards other accounts only; this account's root needs MFA.
    unguarded = [p for p in roots if account_of_principal(p) == account or trust.external_id is None]
    if unguarded and not trust.require_mfa:
        raise InvalidSetting(
            "trust.requireMfa", f"is false while trust names whole accounts ({', '.join(unguarded)}): any "
            "principal there could assume the deployer with no condition; keep MFA, set an "
            "externalId, or list users and roles"
        )
    if trust.external_id is not None and not _EXTERNAL_ID.match(trust.external_id):
        raise InvalidSetting(
            "trust.externalId", "2-1224 characters of letters, digits and + = , . @ : / - _"
        )
    gh = trust.github
    if gh is not None:
        if not _REPOSITORY.match(gh.repository or ""):
            raise InvalidSetting(
                "trust.githubOidc.repository",
                f"{gh.repository!r}; expected owner/name, without wildcards",
            )
        if not gh.branches and not gh.environments:
            raise InvalidSetting(
                "trust.githubOidc", "name at least one of branches or environments"
            )
        for ref in gh.branches + gh.environments:
            if not _REF_NAME.match(ref):
                raise InvalidSetting("trust.githubOidc", f"{ref!r} is not a branch or environment name")
        if gh.provider_arn is not None and not _OIDC_ARN.match(gh.provider_arn):
            raise InvalidSetting(
                "trust.githubOidc.providerArn",
                f"{gh.provider_arn!r}; expected arn:<partition>:iam::<account>:oidc-provider/{GITHUB_HOST}",
            )


def principal_arn(principal: str, partition: str) -> str:
    return f"arn:{partition}:iam::{principal}:root" if _ACCOUNT.match(principal) else principal


def account_of_principal(principal: str) -> str | None:
    if _ACCOUNT.match(principal):
        return principal
    m = _PRINCIPAL_ARN.match(principal)
    return m.group(3) if m else None


def trust_document(
    trust: TrustSettings, account: str, partition: str, github_provider_arn: str | None = None
) -> dict[str, Any]:
    """The role's trust policy. ``github_provider_arn`` is the OIDC provider to trust."""
    statements: list[dict[str, Any]] = []
    principals = trust.principals if trust.principals is not None else (account,)
    own = sorted({principal_arn(p, partition) for p in principals if account_of_principal(p) == account})
    other = sorted({principal_arn(p, partition) for p in principals if account_of_principal(p) != account})
    if own:
        st: dict[str, Any] = {
            "Sid": "TrustAccountPrincipals",
            "Effect": "Allow",
            "Principal": {"AWS": own},
            "Action": "sts:AssumeRole",
        }
        if trust.require_mfa:
            st["Condition"] = MFA_PRESENT
        statements.append(st)
    if other:
        condition: dict[str, Any] = {}
        if trust.external_id:
            condition["StringEquals"] = {"sts:ExternalId": trust.external_id}
        if trust.require_mfa and not trust.external_id:
            condition.update(MFA_PRESENT)
        st = {
            "Sid": "TrustOtherAccountPrincipals",
            "Effect": "Allow",
            "Principal": {"AWS": other},
            "Action": "sts:AssumeRole",
        }
        if condition:
            st["Condition"] = condition
        statements.append(st)
    if trust.github is not None:
        subjects = trust.github.subjects()
        subject_op = "StringLike" if any("*" in s for s in subjects) else "StringEquals"
        condition = {"StringEquals": {f"{GITHUB_HOST}:aud": "sts.amazonaws.com"}}
        condition.setdefault(subject_op, {})[f"{GITHUB_HOST}:sub"] = subjects
        statements.append(
            {
                "Sid": "TrustGitHubActions",
                "Effect": "Allow",
                "Principal": {"Federated": github_provider_arn or trust.github.provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": condition,
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


# --------------------------------------------------------------------------- judging


@dataclass(frozen=True)
class TrustRules:
    """What the policy pack asks of a deployer's trust policy."""

    require_mfa: bool = True
    trusted_accounts: frozenset[str] = frozenset()
    allow_repository_wildcards: bool = False


def _principal_values(principal: Any) -> list[tuple[str, str]]:
    if principal == "*":
        return [("AWS", "*")]
    if not isinstance(principal, Mapping):
        raise PolicyDocumentError("Principal must be \"*\" or an object")
    out: list[tuple[str, str]] = []
    for kind, values in principal.items():
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, Sequence):
            raise PolicyDocumentError(f"Principal {kind} must be a string or a list")
        out.extend((str(kind), str(v)) for v in values)
    return out


def check_trust(raw: Any, account: str, rules: TrustRules) -> list[str]:
    """Findings against a trust policy (JSON string or object); [] when it is sound."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            return [f"the trust policy is not valid JSON ({exc})"]
    if not isinstance(raw, Mapping):
        return [f"the trust policy is a {type(raw).__name__}, not a JSON object"]
    body = raw.get("Statement")
    if isinstance(body, Mapping):
        body = [body]
    if not isinstance(body, Sequence) or isinstance(body, str):
        return ["the trust policy has no Statement list"]
    findings: list[str] = []
    for index, st in enumerate(body):
        if not isinstance(st, Mapping) or st.get("Effect") != "Allow":
            continue
        label = f"statement {st['Sid']!r}" if st.get("Sid") else f"statement #{index + 1}"
        if "NotPrincipal" in st:
            findings.append(f"{label} allows NotPrincipal, which trusts every principal not listed; "
                            "name the principals instead")
            continue
        try:
            principals = _principal_values(st.get("Principal"))
            conditions = normalize_conditions(st.get("Condition"))
        except PolicyDocumentError as exc:
            findings.append(f"{label}: {exc}")
            continue
        actions = st.get("Action", [])
        actions = [actions] if isinstance(actions, str) else list(actions or [])
        keys = {key for _, key, _ in conditions}
        for kind, value in principals:
            if value == "*":
                findings.append(
                    f"{label} trusts Principal {kind} \"*\": anyone may assume the deployer; "
                    "name the accounts, users or roles"
                )
                continue
            if kind == "AWS":
                findings.extend(_check_aws_principal(label, value, conditions, keys, actions, account, rules))
            elif kind == "Federated" and is_web_identity(value):
                findings.extend(_check_web_identity(label, value, conditions, rules))
    return findings


# --------------------------------------------------------------------------- who can match a trust statement

USER: Final = "IAM users"
ROLE: Final = "IAM roles"
SSO_ROLE: Final = "IAM Identity Center roles"
SERVICE: Final = "AWS services"
WEB_IDENTITY: Final = "web identities"
SAML: Final = "SAML users"
ACCOUNT_PRINCIPALS: Final = frozenset({USER, ROLE, SSO_ROLE})
"""Who an account principal (its root, or its id) lets assume a role: the account's IAM
users and roles, Identity Center's roles among them. The root user itself cannot call
AssumeRole, and GetFederationToken sessions cannot call STS (IAM User Guide, "Comparing
the AWS STS API operations")."""

SSO_ROLE_PREFIX: Final = "role/aws-reserved/sso.amazonaws.com/"
"""Where IAM Identity Center puts a permission set's role in each account:
``/aws-reserved/sso.amazonaws.com/[<region>/]AWSReservedSSO_<permission set>_<hex>``
(IAM Identity Center User Guide, "Referencing permission sets in resource policies ..."
and "IAM roles created by IAM Identity Center": reserved roles, path per region)."""

MFA_PRESENTERS: Final = frozenset({USER})
"""Who can present MFA when assuming a role: an IAM user passes SerialNumber and
TokenCode to AssumeRole (or uses a GetSessionToken session made with MFA). Role sessions
cannot: Identity Center asks for MFA at sign-in and its role sessions carry no
aws:MultiFactorAuthPresent (IAM User Guide, "aws:MultiFactorAuthPresent"; IAM Identity
Center User Guide, "Multi-factor authentication"); web-identity, SAML and service
sessions carry none either."""

_ARN_OPERATORS: Final = frozenset({"arnequals", "arnlike"})
_STRING_OPERATORS: Final = frozenset({"stringequals", "stringlike"})
_ACCOUNT_ARN = re.compile(r"^arn:[^:*?]*:iam::[^:*?]*:")


def _base_operator(op: str) -> str:
    """``ForAnyValue:StringLikeIfExists`` -> ``stringlike`` (one-valued keys: the same test)."""
    return op.split(":")[-1].removesuffix("ifexists")


def _kinds_of_arn(pattern: str, arn_operator: bool) -> frozenset[str]:
    """Who an ``aws:PrincipalArn`` pattern can match. For a role session that key is the
    role's ARN (IAM User Guide, aws:PrincipalArn), for a user the user's. ARN operators
    match each of the six parts alone (IAM User Guide, "ARN condition operators"); the
    String operators' ``*`` spans colons, so there only a literal account part decides."""
    if arn_operator:
        parts = pattern.split(":", 5)
        if len(parts) < 6:
            return ACCOUNT_PRINCIPALS
        resource = parts[5]
    else:
        m = _ACCOUNT_ARN.match(pattern)
        if not m:
            return ACCOUNT_PRINCIPALS
        resource = pattern[m.end():]
    prefix = literal_prefix(resource)
    exact = prefix == resource  # no wildcard: one name
    if prefix.startswith(SSO_ROLE_PREFIX):
        return frozenset({SSO_ROLE})
    kinds: set[str] = set()
    if prefix.startswith("role/"):
        kinds.add(ROLE)
        if SSO_ROLE_PREFIX.startswith(prefix) and not exact:
            kinds.add(SSO_ROLE)
    elif "role/".startswith(prefix) and not exact:
        kinds |= {ROLE, SSO_ROLE}
    if prefix.startswith("user/") or ("user/".startswith(prefix) and not exact):
        kinds.add(USER)
    return frozenset(kinds)


def who_can_match(kind: str, value: str, conditions: frozenset[tuple[str, str, frozenset[str]]]) -> frozenset[str]:
    """The kinds of principal (:data:`USER`, :data:`ROLE`, ...) that can meet one trust
    statement's principal ``kind``/``value`` and its ``conditions`` on ``aws:PrincipalArn``
    and ``aws:PrincipalType`` (keys every request carries, so ``...IfExists`` is the same)."""
    if kind == "Service":
        return frozenset({SERVICE})
    if kind == "Federated":
        return frozenset({SAML}) if ":saml-provider/" in value else frozenset({WEB_IDENTITY})
    if kind == "CanonicalUser":
        return ACCOUNT_PRINCIPALS
    if value == "*" or value.endswith(":root") or _ACCOUNT.match(value):
        kinds = ACCOUNT_PRINCIPALS
    elif f":{SSO_ROLE_PREFIX}" in value:
        kinds = frozenset({SSO_ROLE})
    elif ":user/" in value:
        kinds = frozenset({USER})
    else:
        kinds = frozenset({ROLE})
    for op, key, values in conditions:
        base = _base_operator(op)
        if key == "aws:principalarn" and base in _ARN_OPERATORS | _STRING_OPERATORS:
            kinds &= frozenset().union(*(_kinds_of_arn(v, base in _ARN_OPERATORS) for v in values))
        elif key == "aws:principaltype" and base in _STRING_OPERATORS:
            types = {"user": {USER}, "assumedrole": {ROLE, SSO_ROLE}}
            kinds &= frozenset().union(*(types.get(v.lower(), ACCOUNT_PRINCIPALS if "*" in v or "?" in v else set())
                                         for v in values))
    return kinds


def session_mfa(kinds: frozenset[str], conditions: frozenset[tuple[str, str, frozenset[str]]]) -> bool | None:
    """``aws:MultiFactorAuthPresent`` of the deployer's sessions through one trust
    statement that ``kinds`` can match: True where the statement requires MFA (only
    sessions with MFA get through; web-identity and SAML sessions carry none); None (the
    key absent) where only IAM Identity Center roles can match and it asks no MFA of them:
    their sessions carry no MFA key, nor do the sessions they make; otherwise False."""
    if _requires_mfa(conditions) and not kinds & {WEB_IDENTITY, SAML}:
        return True
    if kinds and kinds <= {SSO_ROLE}:
        return None
    return False


# --------------------------------------------------------------------------- web-identity issuers


@dataclass(frozen=True)
class Issuer:
    """An OIDC issuer and the claim that pins who may use its tokens.

    ``pinned`` matches a value that names one owner and one project (groups ``owner`` and
    ``scope``); a wildcard in the owner never pins, one in the scope only where
    allowRepositoryWildcards says so. None: any value with a literal character pins."""

    name: str
    claim: str
    scope: str
    example: str
    source: str
    pinned: re.Pattern[str] | None = None

    def pins(self, value: str, allow_wildcards: bool) -> bool:
        if self.pinned is None:
            return bool(value.strip("*?:/ "))
        m = self.pinned.match(value)
        if not m:
            return False
        owner = m.groupdict().get("owner") or ""
        scope = m.group("scope")
        return not _wild(owner) and (allow_wildcards or not _wild(scope))


def _wild(text: str) -> bool:
    return "*" in text or "?" in text or "${" in text


GITHUB: Final = Issuer(
    "GitHub Actions", "sub", "repository", "repo:<owner>/<repo>:ref:refs/heads/<branch>",
    "GitHub docs, \"OpenID Connect reference\": sub repo:<owner>/<repo>:ref:<ref> | :environment:<name>; "
    "issuer token.actions.githubusercontent.com, .../<enterprise> with a custom issuer, <host>/_services/token on GHES",
    re.compile(r"^repo:(?P<owner>[^:/]+)/(?P<scope>[^:]+)(?::|$)"))
GITLAB: Final = Issuer(
    "GitLab CI/CD", "sub", "project", "project_path:<group>/<project>:ref_type:branch:ref:<branch>",
    "GitLab docs, \"OpenID Connect (OIDC) Authentication Using ID Tokens\": sub "
    "project_path:{group}/{project}:ref_type:{type}:ref:{branch_name}; issuer the GitLab instance",
    re.compile(r"^project_path:(?P<owner>[^:/]+)/(?P<scope>[^:]+)(?::|$)"))
BITBUCKET: Final = Issuer(
    "Bitbucket Pipelines", "sub", "repository", "{<repository uuid>}*",
    "Atlassian, \"Deploy on AWS using Bitbucket Pipelines OpenID Connect\": sub {repositoryUuid}:{stepUuid} "
    "({repositoryUuid}:{environmentUuid}:{stepUuid} in a deployment); the issuer is the workspace's",
    re.compile(r"^(?P<scope>\{[^}]+\})"))
CIRCLECI: Final = Issuer(
    "CircleCI", "sub", "project", "org/<organization id>/project/<project id>/user/*",
    "CircleCI docs, \"Using OpenID Connect tokens in jobs\": sub org/<organization_id>/project/<project_id>/"
    "user/<user_id>; issuer oidc.circleci.com/org/<organization_id>",
    re.compile(r"^org/(?P<owner>[^/]+)/project/(?P<scope>[^/]+)(?:/|$)"))
TERRAFORM: Final = Issuer(
    "HCP Terraform", "sub", "project", "organization:<org>:project:<project>:workspace:<workspace>:run_phase:*",
    "HashiCorp, \"Dynamic Credentials with the AWS Provider\": app.terraform.io:sub "
    "organization:<org>:project:<project>:workspace:<workspace>:run_phase:<plan|apply>",
    re.compile(r"^organization:(?P<owner>[^:]+):project:(?P<scope>[^:]+)(?::|$)"))
COGNITO: Final = Issuer(
    "Amazon Cognito identity pools", "aud", "identity pool", "<region>:<identity pool id>",
    "Amazon Cognito Developer Guide, \"IAM roles\": pin cognito-identity.amazonaws.com:aud to the identity pool",
    re.compile(r"^(?P<scope>[a-z]{2}(?:-[a-z]+)+-\d:[0-9a-f-]+)$"))
ANY_ISSUER: Final = Issuer(
    "a web-identity provider", "sub", "subject", "<the subject your pipeline's tokens carry>",
    "IAM User Guide, \"Creating a role for web identity or OIDC federation\": name the sub values you trust")

ISSUERS: Final[tuple[tuple[re.Pattern[str], Issuer], ...]] = (
    (re.compile(r"^token\.actions\.githubusercontent\.com(?:/[^/]+)?$|/_services/token$"), GITHUB),
    (re.compile(r"^gitlab\.com$"), GITLAB),
    (re.compile(r"^api\.bitbucket\.org/2\.0/workspaces/[^/]+/pipelines-config/identity/oidc$"), BITBUCKET),
    (re.compile(r"^oidc\.circleci\.com/org/[^/]+$"), CIRCLECI),
    (re.compile(r"^app\.terraform\.io$"), TERRAFORM),
    (re.compile(r"^cognito-identity\.amazonaws\.com$"), COGNITO),
)
"""Issuers by their provider path (the provider URL without https://, which is also the
condition keys' prefix: IAM User Guide, "Available keys for AWS OIDC federation")."""

SELF_HOSTED: Final = (("repo:", GITHUB), ("project_path:", GITLAB), ("organization:", TERRAFORM))
"""Self-managed GitLab, GitHub Enterprise Server and Terraform Enterprise run on the
organisation's own host: known by the subject their tokens carry."""

BUILT_IN_PROVIDERS: Final = frozenset({"accounts.google.com", "graph.facebook.com", "www.amazon.com",
                                       "cognito-identity.amazonaws.com"})
_PINNING_OPERATORS: Final = frozenset({"stringequals", "stringlike", "stringequalsignorecase"})


def is_web_identity(principal: str) -> bool:
    return ":oidc-provider/" in principal or principal in BUILT_IN_PROVIDERS


def oidc_path(principal: str) -> str:
    """The provider's path, ``arn:...:oidc-provider/gitlab.com`` -> ``gitlab.com``."""
    return principal.split(":oidc-provider/", 1)[1] if ":oidc-provider/" in principal else principal


def issuer_of(path: str, conditions: frozenset[tuple[str, str, frozenset[str]]]) -> Issuer:
    """The issuer of a provider path: by its host, else by the subjects the trust names."""
    for pattern, issuer in ISSUERS:
        if pattern.search(path):
            return issuer
    subjects = [v for _, key, values in conditions if key == f"{path}:sub".lower() for v in values]
    for prefix, issuer in SELF_HOSTED:
        if subjects and all(v.startswith(prefix) for v in subjects):
            return issuer
    return ANY_ISSUER


def _check_aws_principal(
    label: str, value: str, conditions: frozenset[tuple[str, str, frozenset[str]]],
    keys: set[str], actions: list[str], account: str, rules: TrustRules,
) -> list[str]:
    out = []
    principal_account = account_of_principal(value)
    is_root = value.endswith(":root") or bool(_ACCOUNT.match(value))
    if is_root and not conditions:
        out.append(
            f"{label} trusts the whole account {principal_account} ({value}) without a condition; "
            "require MFA (Bool aws:MultiFactorAuthPresent true) or name the users and roles"
        )
    elif (rules.require_mfa and USER in who_can_match("AWS", value, conditions)
          and any(matches(a, "sts:AssumeRole", ignore_case=True) for a in actions)):
        # Only IAM users can present MFA when they assume a role; role sessions (IAM
        # Identity Center's included) cannot, so MFA is asked only where users can match.
        if not _requires_mfa(conditions) and "sts:externalid" not in keys:
            out.append(
                f"{label} lets {value} assume the deployer without MFA (IAM users can match it); add Condition "
                "Bool aws:MultiFactorAuthPresent \"true\", or let only roles match (for IAM Identity Center: "
                f"ArnLike aws:PrincipalArn arn:<partition>:iam::{principal_account or '<account>'}:role/aws-reserved/"
                "sso.amazonaws.com/*AWSReservedSSO_*)"
            )
    if (
        principal_account is not None
        and principal_account != account
        and principal_account not in rules.trusted_accounts
        and "sts:externalid" not in keys
    ):
        out.append(
            f"{label} trusts {value} in account {principal_account}, another account, without "
            "an external ID; add Condition StringEquals sts:ExternalId, or list the account "
            "in the policy's trustedAccounts"
        )
    return out


def _check_web_identity(
    label: str, provider: str, conditions: frozenset[tuple[str, str, frozenset[str]]], rules: TrustRules
) -> list[str]:
    """A web-identity principal: the claim its issuer pins projects with (:data:`ISSUERS`)
    must be pinned to one project, repository or workspace; any other issuer's ``sub`` to
    something more than wildcards."""
    path = oidc_path(provider)
    issuer = issuer_of(path, conditions)
    claim = f"{path}:{issuer.claim}".lower()
    values = sorted(v for op, key, vs in conditions if key == claim
                    and op.removesuffix("ifexists") in _PINNING_OPERATORS for v in vs)
    if not values:
        return [
            f"{label} trusts {issuer.name} ({path}) without pinning {path}:{issuer.claim}: any "
            f"{issuer.scope} of that issuer could assume the deployer; add StringLike {path}:{issuer.claim} "
            f"\"{issuer.example}\" ({issuer.source})"
        ]
    hint = ", or allow wildcards with allowRepositoryWildcards" if issuer.pinned is not None else ""
    return [
        f"{label} lets {issuer.name} subject {v!r} ({path}:{issuer.claim}) assume the deployer; pin it to one "
        f"{issuer.scope} (\"{issuer.example}\"){hint}"
        for v in values if not issuer.pins(v, rules.allow_repository_wildcards)
    ]


# --------------------------------------------------------------------------- principal context

_ASSUME_ACTIONS: Final = ("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML")


def _requires_mfa(conditions: frozenset[tuple[str, str, frozenset[str]]]) -> bool:
    """Only sessions with MFA can meet ``conditions``: Bool MultiFactorAuthPresent "true",
    or a NumericLessThan[Equals] on MultiFactorAuthAge, which is false where the key is
    missing (no MFA). IfExists forms and Null tests do not require it."""
    for op, key, values in conditions:
        if key == "aws:multifactorauthpresent" and op == "bool" and values == {"true"}:
            return True
        if key == "aws:multifactorauthage" and op in ("numericlessthan", "numericlessthanequals"):
            return True
    return False


def principal_context(
    raw: Any, tags: Mapping[str, object] | None, account: str, partition: str = "aws",
    role_arn: str | None = None,
) -> PrincipalContext:
    """What the deployer's sessions carry, from its trust policy (JSON string or object)
    and its tags: one :class:`Session` per trust statement that lets someone assume it;
    MFA only where that statement requires it (a GitHub OIDC or external-id session has
    none). A trust policy that cannot be read leaves the sessions unknown (``()``);
    ``tags`` None (unknown) leaves every principal tag open."""
    tag_pairs = tuple(sorted((str(k), v) for k, v in (tags or {}).items() if isinstance(v, str)))
    base = PrincipalContext(account, partition, tag_pairs, (), role_arn, tags_known=tags is not None)
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return base
    body = raw.get("Statement") if isinstance(raw, Mapping) else None
    if isinstance(body, Mapping):
        body = [body]
    if not isinstance(body, Sequence) or isinstance(body, str):
        return base
    sessions: list[Session] = []
    tag_session = False
    for index, st in enumerate(body):
        if not isinstance(st, Mapping) or st.get("Effect") != "Allow":
            continue
        actions = st.get("Action", [])
        actions = [actions] if isinstance(actions, str) else [a for a in actions or [] if isinstance(a, str)]
        if any(matches(a, "sts:TagSession", ignore_case=True) for a in actions):
            tag_session = True
        assumes = [x for x in _ASSUME_ACTIONS if any(matches(a, x, ignore_case=True) for a in actions)]
        if not assumes:
            continue
        try:
            conditions = normalize_conditions(st.get("Condition"))
            principals = _principal_values(st.get("Principal"))
        except PolicyDocumentError:
            return base
        label = f"statement {st['Sid']!r}" if isinstance(st.get("Sid"), str) and st.get("Sid") else (
            f"statement #{index + 1}")
        kinds = sorted({kind for kind, _ in principals})
        who = frozenset().union(*(who_can_match(k, v, conditions) for k, v in principals))
        if "sts:AssumeRoleWithWebIdentity" in assumes and "Federated" not in kinds:
            who |= {WEB_IDENTITY}
        mfa = session_mfa(who, conditions)
        state = "MFA" if mfa else "no MFA" if mfa is False else "no MFA key: IAM Identity Center"
        how = f"{label} ({', '.join(kinds) or 'no principal'}, {state})"
        sessions.append(Session(how, mfa))
    if tag_session:
        sessions = [Session(s.how, s.mfa, session_tags=True) for s in sessions]
    return PrincipalContext(account, partition, tag_pairs, tuple(sessions), role_arn, tags_known=tags is not None)
