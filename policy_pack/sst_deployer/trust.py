"""Who may assume a deployer: trust policies, rendered and judged, in plain Python."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from .context import PrincipalContext, Session
from .iam import PolicyDocumentError, matches, normalize_conditions
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
            elif kind == "Federated" and value.endswith(f"oidc-provider/{GITHUB_HOST}"):
                findings.extend(_check_github(label, conditions, rules))
    return findings


def _check_aws_principal(
    label: str, value: str, conditions: frozenset[tuple[str, str, frozenset[str]]],
    keys: set[str], actions: list[str], account: str, rules: TrustRules,
) -> list[str]:
    out = []
    principal_account = account_of_principal(value)
    is_root = value.endswith(":root") or bool(_ACCOUNT.match(value))
    human = is_root or ":user/" in value
    if is_root and not conditions:
        out.append(
            f"{label} trusts the whole account {principal_account} ({value}) without a condition; "
            "require MFA (Bool aws:MultiFactorAuthPresent true) or name the users and roles"
        )
    elif human and rules.require_mfa and any(matches(a, "sts:AssumeRole", ignore_case=True) for a in actions):
        if not _requires_mfa(conditions) and "sts:externalid" not in keys:
            out.append(
                f"{label} lets {value} assume the deployer without MFA; add Condition "
                "Bool aws:MultiFactorAuthPresent \"true\""
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


def _check_github(
    label: str, conditions: frozenset[tuple[str, str, frozenset[str]]], rules: TrustRules
) -> list[str]:
    subjects = [
        v for op, key, values in conditions if key == f"{GITHUB_HOST}:sub" and "not" not in op
        for v in values
    ]
    if not subjects:
        return [
            f"{label} trusts GitHub Actions without pinning {GITHUB_HOST}:sub: any repository "
            "on GitHub could assume the deployer; add StringEquals "
            f"{GITHUB_HOST}:sub \"repo:<owner>/<repo>:ref:refs/heads/<branch>\""
        ]
    out = []
    for subject in sorted(subjects):
        parts = subject.split(":")
        repo = parts[1] if len(parts) > 1 and parts[0] == "repo" else None
        if repo is None or (
            not rules.allow_repository_wildcards and ("*" in repo or "?" in repo or "/" not in repo)
        ):
            out.append(
                f"{label} lets GitHub subject {subject!r} assume the deployer; pin it to one "
                "repository (repo:<owner>/<repo>:...), or allow wildcards with allowRepositoryWildcards"
            )
    return out


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
        web = "sts:AssumeRoleWithWebIdentity" in assumes or "Federated" in kinds
        mfa = _requires_mfa(conditions) and not web
        how = f"{label} ({', '.join(kinds) or 'no principal'}, {'MFA' if mfa else 'no MFA'})"
        sessions.append(Session(how, mfa))
    if tag_session:
        sessions = [Session(s.how, s.mfa, session_tags=True) for s in sessions]
    return PrincipalContext(account, partition, tag_pairs, tuple(sessions), role_arn, tags_known=tags is not None)
