"""The request context of SST's real calls: what IAM's condition keys say when the SST
CLI, the CDK toolkit, or CloudFormation on their behalf, makes a call with the deployer's
credentials. Pure data and functions; :mod:`trust` derives the principal's part.

Sources (AWS IAM User Guide, "AWS global condition context keys",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html):

* ``aws:RequestedRegion`` is the region of the endpoint called: the resource's region;
  IAM's endpoint is in the partition's home region (us-east-1, cn-north-1,
  us-gov-west-1); SST's SDK clients call STS, S3 and IoT at the app's region.
* ``aws:CalledVia`` / ``aws:CalledViaFirst`` / ``aws:CalledViaLast`` name
  ``cloudformation.amazonaws.com`` and ``aws:ViaAWSService`` is true when CloudFormation
  makes a call with the caller's credentials (forward access sessions), as when `cdk
  bootstrap` creates the CDK roles and bucket through a change set; absent / false for
  the CLI's own calls.
* ``aws:MultiFactorAuthPresent`` is true in a session assumed with MFA, false otherwise
  (GitHub OIDC and external-id sessions).
* ``aws:SecureTransport`` is true: every SDK call is HTTPS.
* ``aws:CurrentTime`` / ``aws:EpochTime`` are present in every request (IAM User Guide,
  global condition keys) and are the time of the deployment: SST's calls come after the
  pack judges, so a Deny after a past date (an expiry) holds, one before a past date cannot;
  the pack takes the time it started as that time.
* ``aws:PrincipalTag/<key>`` are the role's tags (no session tags unless the trust policy
  allows ``sts:TagSession``); ``aws:ResourceTag/sst:app`` is on every resource of an SST
  app (SST tags its constructs), with a value the deployer does not know.
* ``aws:PrincipalOrgID`` / ``aws:PrincipalOrgPaths`` are the organisation of the deployer's
  account, present only when it is in one: known when the organisation states them
  (:class:`OrgFacts`). SST's resources are in the deployer's own account, so
  ``aws:ResourceOrgID`` / ``aws:ResourceOrgPaths`` are the same values, and
  ``aws:ResourceAccount`` is ``aws:PrincipalAccount``.
* A ``Describe*``, ``Get*`` or ``List*`` request carries no tags: ``aws:TagKeys`` and
  ``aws:RequestTag/*`` are condition keys only of the actions that take tags (Service
  Authorization Reference, each service's actions table), so they are absent there.
* The CDK bootstrap roles carry the tag ``aws-cdk:bootstrap-role`` (aws-cdk-cli
  ``bootstrap-template.yaml``: ``Tags: [{Key: aws-cdk:bootstrap-role, Value: deploy | lookup |
  file-publishing | image-publishing}]``; the cfn-exec role has none): a request on such a role
  carries ``aws:ResourceTag/aws-cdk:bootstrap-role``.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Final

from .iam import PATTERN_VALUE, Context

HOME_REGIONS: Final = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}
"""Where each partition's IAM endpoint is: the ``aws:RequestedRegion`` of every IAM call."""

GLOBAL_SERVICES: Final = frozenset({"iam"})
CLOUDFORMATION: Final = "cloudformation.amazonaws.com"

_ARN = re.compile(r"^arn:([^:]*):([^:]*):([^:]*):([^:]*):")
_BOOTSTRAP_TAGGED = re.compile(
    r"^arn:[^:]+:iam::\d{12}:role/cdk-[^-/]+-(deploy|lookup|file-publishing|image-publishing)-role-")
_READ_ONLY = re.compile(r"^(Describe|Get|List)", re.IGNORECASE)
PATTERN: Final = PATTERN_VALUE
"""A known value that starts with this is a glob: the value is one string it matches (a
role named by ``namePrefix`` before it exists); :mod:`iam` judges conditions on it."""

_NOW: Final = datetime.now(timezone.utc).replace(microsecond=0)
NOW_ISO: Final = _NOW.strftime("%Y-%m-%dT%H:%M:%SZ")
NOW_EPOCH: Final = str(int(_NOW.timestamp()))
"""When SST's calls are made, as far as the pack can tell: now (the pack process's start)."""


DECIDED_BY: Final[tuple[tuple[str, str], ...]] = (
    ("aws:principalorgid", "organizationId"),
    ("aws:resourceorgid", "organizationId"),
    ("aws:principalorgpaths", "organizationPaths"),
    ("aws:resourceorgpaths", "organizationPaths"),
    ("aws:principaltag/", "principalTags (or the role's tags, known after the update)"),
    ("aws:principalarn", "the role's name (known after the update)"),
    ("aws:multifactorauthpresent", "the role's trust policy (known after the update)"),
    ("aws:resourcetag/", "the tags of the resources SST calls (not known to the pack)"),
    ("aws:sourceip", "the addresses deployments run from (not known to the pack)"),
    ("aws:sourcevpc", "the network deployments run from (not known to the pack)"),
    ("aws:sourcevpce", "the network deployments run from (not known to the pack)"),
)
"""Which fact decides a condition key the pack leaves open: a setting of
``sst-deployer-undecided-conditions`` the organisation can state, or what it depends on."""


def decided_by(key: str) -> str:
    """The fact that would decide ``key`` (lower-case), for a message."""
    for prefix, fact in DECIDED_BY:
        if key == prefix or (prefix.endswith("/") and key.startswith(prefix)):
            return fact
    return "what the request carries for this key (not known to the pack)"


@dataclass(frozen=True)
class OrgFacts:
    """What an organisation states of every deployer's account and sessions
    (``sst-deployer-undecided-conditions`` config): its organisation id, the paths of the
    OUs its deployer accounts are under, and principal tags every deployer session carries
    (session tags from its identity provider override a role's tag of the same key: IAM
    User Guide, "Passing session tags in AWS STS")."""

    organization_id: str | None = None
    paths: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()


NO_FACTS: Final = OrgFacts()


@dataclass(frozen=True)
class Session:
    """One way the role is assumed (a trust statement), and what its sessions carry."""

    how: str  # "AWS principals (MFA)", "GitHub Actions (OIDC)", ...
    mfa: bool | None  # None: no aws:MultiFactorAuthPresent at all (IAM Identity Center, trust.session_mfa)
    session_tags: bool = False  # the trust allows sts:TagSession: principal tags are open


@dataclass(frozen=True)
class PrincipalContext:
    """Who calls: the deployer role's account, tags and the ways it is assumed."""

    account: str
    partition: str = "aws"
    tags: tuple[tuple[str, str], ...] = ()
    sessions: tuple[Session, ...] = ()  # () : nothing known of how it is assumed
    role_arn: str | None = None
    tags_known: bool = True  # False: the role's tags are unknown, so every principal tag is open
    org: OrgFacts = NO_FACTS

    def projected(self, relevant: frozenset[str]) -> PrincipalContext:
        """Only what the ``relevant`` condition keys can see: deployers that differ in
        nothing else then share one cached verdict."""
        tags = tuple((k, v) for k, v in self.tags if f"aws:principaltag/{k.lower()}" in relevant)
        sessions = self.sessions
        if "aws:multifactorauthpresent" not in relevant:
            sessions = tuple(dict.fromkeys(Session("any", False, s.session_tags) for s in sessions))
        else:
            sessions = tuple(dict.fromkeys(Session("any", s.mfa, s.session_tags) for s in sessions))
        arn = self.role_arn if "aws:principalarn" in relevant else None
        org = OrgFacts(self.org.organization_id, self.org.paths,
                       tuple((k, v) for k, v in self.org.tags if f"aws:principaltag/{k.lower()}" in relevant))
        if not any(k.endswith("orgid") or k.endswith("orgpaths") for k in relevant):
            org = OrgFacts(None, (), org.tags)
        return PrincipalContext(self.account, self.partition, tags, sessions, arn, self.tags_known, org)

    def contexts(self) -> tuple[Context, ...]:
        """One context per way the role is assumed (each is a real caller)."""
        base: dict[str, str | tuple[str, ...]] = {
            "aws:PrincipalAccount": self.account,
            "aws:PrincipalType": "AssumedRole",
            "aws:PrincipalIsAWSService": "false",
            "aws:SecureTransport": "true",
        }
        if self.role_arn:
            base["aws:PrincipalArn"] = self.role_arn
        if self.org.organization_id:
            base["aws:PrincipalOrgID"] = self.org.organization_id
        if self.org.paths:
            base["aws:PrincipalOrgPaths"] = self.org.paths
        # Session tags the organisation states override the role's tags of the same key.
        tags = {f"aws:PrincipalTag/{k}": v for k, v in self.tags if k.lower() not in
                {t.lower() for t, _ in self.org.tags}}
        tags.update({f"aws:PrincipalTag/{k}": v for k, v in self.org.tags})
        absent = ["aws:username"]  # role sessions have no user name
        if not self.sessions:
            closed: tuple[str, ...] = ("aws:PrincipalTag/",) if self.tags_known else ()
            return (Context.of({**base, **tags}, absent=absent, closed=closed),)
        out = []
        for s in self.sessions:
            known = dict(base, **tags)
            if s.mfa is not None:
                known["aws:MultiFactorAuthPresent"] = "true" if s.mfa else "false"
            closed = ("aws:PrincipalTag/",) if self.tags_known and not s.session_tags else ()
            out.append(Context.of(known, absent=absent + ["aws:MultiFactorAuthPresent"] * (s.mfa is None),
                                  closed=closed))
        return tuple(dict.fromkeys(out))


def regions_of_call(service: str, resource: str, partition: str, regions: tuple[str, ...]) -> tuple[str, ...]:
    """The ``aws:RequestedRegion`` values a call may carry: the ARN's region; IAM's home
    region; otherwise each region the deployer serves (S3 buckets, STS, ``*`` resources)."""
    if service in GLOBAL_SERVICES:
        return (HOME_REGIONS.get(partition, "us-east-1"),)
    m = _ARN.match(resource)
    if m and m.group(3) and "*" not in m.group(3) and "?" not in m.group(3):
        return (m.group(3),)
    return regions


def resource_account(resource: str, account: str) -> str:
    """``aws:ResourceAccount``: the ARN's account, or the deployer's for ARNs that carry
    none (S3 buckets SST and CDK create in this account, ``*`` resources)."""
    m = _ARN.match(resource)
    if m and re.fullmatch(r"\d{12}", m.group(4)):
        return m.group(4)
    return account


def request_contexts(
    action: str,
    resource: str,
    senders: tuple[str, ...],
    partition: str,
    account: str,
    regions: tuple[str, ...],
    principal: PrincipalContext | None,
    relevant: frozenset[str] | None = None,
) -> tuple[Context, ...]:
    """Every context one required call really has (each region, sender and way of
    assuming the role), reduced to the ``relevant`` keys (lower-case) when given, so
    that documents without conditions cost one context."""
    service = action.split(":", 1)[0].lower()
    callers = principal.contexts() if principal is not None else (
        Context.of({"aws:SecureTransport": "true", "aws:PrincipalIsAWSService": "false"}),)
    out: dict[Context, None] = {}
    for region, sender, caller in itertools.product(
        regions_of_call(service, resource, partition, regions), senders, callers
    ):
        known: dict[str, str | tuple[str, ...]] = {
            "aws:RequestedRegion": region,
            "aws:CurrentTime": NOW_ISO, "aws:EpochTime": NOW_EPOCH,
            "aws:ResourceAccount": resource_account(resource, account),
        }
        absent: list[str] = []
        if principal is not None and known["aws:ResourceAccount"] == account:
            # The resource is in the deployer's own account: in its organisation.
            if principal.org.organization_id:
                known["aws:ResourceOrgID"] = principal.org.organization_id
            if principal.org.paths:
                known["aws:ResourceOrgPaths"] = principal.org.paths
        closed: list[str] = []
        if _READ_ONLY.match(action.split(":", 1)[-1]):
            absent.append("aws:TagKeys")
            closed.append("aws:RequestTag/")
        tagged = _BOOTSTRAP_TAGGED.match(resource) if action.lower() == "sts:assumerole" else None
        if tagged:  # the role exists and carries its tag when the toolkit assumes it
            known["aws:ResourceTag/aws-cdk:bootstrap-role"] = tagged.group(1)
        if sender == "cloudformation":
            known.update({"aws:CalledVia": (CLOUDFORMATION,), "aws:CalledViaFirst": CLOUDFORMATION,
                          "aws:CalledViaLast": CLOUDFORMATION, "aws:ViaAWSService": "true"})
        else:
            known["aws:ViaAWSService"] = "false"
            absent += ["aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast"]
        ctx = caller.merged(Context.of(known, absent=absent, closed=closed))
        if relevant is not None:
            ctx = _project(ctx, relevant)
        out.setdefault(ctx)
    return tuple(out)


def _project(ctx: Context, keys: frozenset[str]) -> Context:
    """The context with only the facts about ``keys`` (other keys become open)."""

    def wanted(k: str) -> bool:
        return k in keys

    closed = tuple(c for c in ctx.closed if any(k.startswith(c) for k in keys))
    return Context(
        known=tuple((k, v) for k, v in ctx.known if wanted(k)),
        present=frozenset(k for k in ctx.present if wanted(k)),
        absent=frozenset(k for k in ctx.absent if wanted(k)),
        closed=closed,
    )

