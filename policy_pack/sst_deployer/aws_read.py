"""Read IAM roles from AWS into plain data, for ``sst-deployer audit``. Read-only.

The one module that talks to AWS, and the only one that imports boto3 (lazily, inside
functions: ``pip install './policy_pack[audit]'``); the policy pack never imports it.
Every list is paginated, the client retries with botocore's ``standard`` mode, and an
``AccessDenied`` is raised as :class:`ReadDenied` naming the IAM permission it needs
(:data:`READ_PERMISSIONS` lists them all).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import unquote

READ_PERMISSIONS: Final = {
    "GetAccountAuthorizationDetails": "iam:GetAccountAuthorizationDetails",
    "GetRole": "iam:GetRole",
    "ListRoles": "iam:ListRoles",
    "ListAttachedRolePolicies": "iam:ListAttachedRolePolicies",
    "ListRolePolicies": "iam:ListRolePolicies",
    "GetRolePolicy": "iam:GetRolePolicy",
    "GetPolicy": "iam:GetPolicy",
    "GetPolicyVersion": "iam:GetPolicyVersion",
}
"""Each IAM API call the audit makes, and the permission it needs (Service Authorization
Reference, list_awsidentityandaccessmanagementiam.html)."""

RETRIES: Final = {"mode": "standard", "max_attempts": 5}
"""botocore's standard retry mode: throttling and transient errors, with backoff."""


@dataclass(frozen=True)
class Policy:
    """A policy document as AWS holds it; ``arn`` None for an inline policy."""

    name: str
    document: Any
    arn: str | None = None

    @property
    def aws_managed(self) -> bool:
        return self.arn is not None and ":iam::aws:policy/" in self.arn

    @property
    def label(self) -> str:
        if self.arn is None:
            return f"inline policy {self.name!r}"
        return f"AWS managed policy {self.name}" if self.aws_managed else f"managed policy {self.name!r} ({self.arn})"


@dataclass(frozen=True)
class Role:
    """What decides what a role may do: trust, tags, boundary, managed and inline policies."""

    arn: str
    name: str
    trust: Any
    tags: dict[str, str]
    attached: tuple[Policy, ...] = ()
    inline: tuple[Policy, ...] = ()
    boundary: Policy | None = None

    @property
    def account(self) -> str:
        return self.arn.split(":")[4]

    @property
    def partition(self) -> str:
        return self.arn.split(":")[1]


class ReadDenied(Exception):
    """AWS refused a read: which call, on what, and the permission that allows it."""

    def __init__(self, operation: str, target: str, code: str, message: str) -> None:
        self.operation, self.target, self.code = operation, target, code
        self.permission = READ_PERMISSIONS.get(operation, f"iam:{operation}")
        super().__init__(message)

    def __str__(self) -> str:
        if self.code in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation"):
            return (f"{self.operation} on {self.target} was denied ({self.code}): the credentials need "
                    f"{self.permission} on it (every permission the audit needs is in the README, "
                    "\"Already have a deployer?\")")
        if self.code == "NoSuchEntity":
            return f"{self.operation}: {self.target} does not exist in this account ({super().__str__()})"
        return f"{self.operation} on {self.target} failed ({self.code}): {super().__str__()}"


class NoCredentials(Exception):
    """boto3 found no credentials."""


class NoSuchProfile(NoCredentials):
    """``--profile`` names a profile the AWS config does not have."""


def client(profile: str | None = None, region: str | None = None) -> Any:
    """An IAM client with standard retries. ``region`` (default: the profile's, else us-east-1)
    picks the partition; AWS_ENDPOINT_URL_IAM (botocore) points it elsewhere."""
    import boto3
    import botocore.config
    import botocore.exceptions

    try:
        session = boto3.Session(profile_name=profile, region_name=region)
    except botocore.exceptions.ProfileNotFound as exc:
        raise NoSuchProfile(str(exc)) from None
    # IAM is global; its endpoint is the partition's, so any region of it will do.
    return session.client("iam", region_name=session.region_name or "us-east-1",
                          config=botocore.config.Config(retries=RETRIES))


def _call(operation: str, target: str, fn: Any, **kwargs: Any) -> Any:
    import botocore.exceptions

    try:
        return fn(**kwargs)
    except botocore.exceptions.ClientError as exc:
        err = exc.response.get("Error", {})
        raise ReadDenied(operation, target, str(err.get("Code", "")), str(err.get("Message", exc))) from None
    except botocore.exceptions.NoCredentialsError as exc:
        raise NoCredentials(str(exc)) from None
    except botocore.exceptions.BotoCoreError as exc:
        raise ReadDenied(operation, target, type(exc).__name__, str(exc)) from None


def _pages(iam: Any, operation: str, target: str, method: str, key: str, **kwargs: Any) -> Iterator[Any]:
    paginator = iam.get_paginator(method)
    pages = _call(operation, target, lambda: iter(paginator.paginate(**kwargs)))
    while True:
        page = _call(operation, target, lambda: next(pages, None))
        if page is None:
            return
        yield from page.get(key, [])


def _document(raw: Any) -> Any:
    """boto3 decodes policy documents to objects; a string is URL-encoded JSON text."""
    return unquote(raw) if isinstance(raw, str) else raw


@dataclass
class Reader:
    """Reads roles with one client; managed policies read once per ARN."""

    iam: Any
    _policies: dict[str, Policy] = field(default_factory=dict)

    def role_names(self) -> Iterator[str]:
        """Every role in the account (ListRoles, paginated)."""
        for role in _pages(self.iam, "ListRoles", "the account's roles", "list_roles", "Roles"):
            yield str(role["RoleName"])

    def account_roles(self) -> list[Role]:
        """Every role with its tags, inline and customer managed policies, in a few calls
        (GetAccountAuthorizationDetails, paginated): enough to tell deployers apart. AWS
        managed policies are left out (their documents are not in the answer), and so is
        the boundary: read a deployer again with :meth:`role` to judge it."""
        roles: list[dict[str, Any]] = []
        documents: dict[str, Any] = {}
        for page in _call("GetAccountAuthorizationDetails", "the account", lambda: list(
                self.iam.get_paginator("get_account_authorization_details").paginate(
                    Filter=["Role", "LocalManagedPolicy"]))):
            roles.extend(page.get("RoleDetailList", []))
            for policy in page.get("Policies", []):
                default = next((v for v in policy.get("PolicyVersionList", []) if v.get("IsDefaultVersion")), None)
                if default is not None:
                    documents[str(policy["Arn"])] = _document(default.get("Document"))
        out = []
        for raw in roles:
            attached = tuple(Policy(str(p["PolicyName"]), documents[str(p["PolicyArn"])], str(p["PolicyArn"]))
                             for p in raw.get("AttachedManagedPolicies", []) if str(p["PolicyArn"]) in documents)
            inline = tuple(Policy(str(p["PolicyName"]), _document(p.get("PolicyDocument")))
                           for p in raw.get("RolePolicyList", []))
            tags = {str(t["Key"]): str(t["Value"]) for t in raw.get("Tags") or []}
            out.append(Role(str(raw["Arn"]), str(raw["RoleName"]), _document(raw.get("AssumeRolePolicyDocument")),
                            tags, attached, inline))
        return out

    def managed(self, arn: str, name: str) -> Policy:
        """A managed policy's default version (customer or AWS managed alike: by content)."""
        if arn not in self._policies:
            meta = _call("GetPolicy", arn, self.iam.get_policy, PolicyArn=arn)["Policy"]
            version = _call("GetPolicyVersion", arn, self.iam.get_policy_version, PolicyArn=arn,
                            VersionId=meta["DefaultVersionId"])["PolicyVersion"]
            self._policies[arn] = Policy(name or str(meta.get("PolicyName", arn)), _document(version["Document"]), arn)
        return self._policies[arn]

    def role(self, name: str) -> Role:
        raw = _call("GetRole", f"role {name}", self.iam.get_role, RoleName=name)["Role"]
        target = f"role {name}"
        attached = tuple(
            self.managed(str(p["PolicyArn"]), str(p["PolicyName"]))
            for p in _pages(self.iam, "ListAttachedRolePolicies", target, "list_attached_role_policies",
                            "AttachedPolicies", RoleName=name))
        inline = tuple(
            Policy(policy, _document(_call("GetRolePolicy", f"inline policy {policy} of {target}",
                                           self.iam.get_role_policy, RoleName=name,
                                           PolicyName=policy)["PolicyDocument"]))
            for policy in list(_pages(self.iam, "ListRolePolicies", target, "list_role_policies", "PolicyNames",
                                      RoleName=name)))
        boundary_arn = (raw.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
        boundary = self.managed(str(boundary_arn), "") if boundary_arn else None
        tags = {str(t["Key"]): str(t["Value"]) for t in raw.get("Tags") or []}
        return Role(str(raw["Arn"]), str(raw["RoleName"]), _document(raw.get("AssumeRolePolicyDocument")), tags,
                    attached, inline, boundary)
