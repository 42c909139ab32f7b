"""``sst:aws:DeployerRole``: the IAM role an environment deploys SST v2 apps with."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

import pulumi
import pulumi_aws as aws
from sst_deployer.iam import PolicyDocumentError, parse_document
from sst_deployer.render import MANAGED_POLICY_MAX_CHARS, policy_size, render, to_json
from sst_deployer.settings import DeployerSettings, InvalidSetting, check_least_privilege_version
from sst_deployer.tags import to_tags
from sst_deployer.trust import GITHUB_HOST, TrustSettings, account_of_principal, trust_document, validate_trust

STRATEGIES: Final[tuple[str, ...]] = ("least-privilege", "administrator", "custom")
TYPE_TOKEN: Final = "sst:aws:DeployerRole"

_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
_PATH = re.compile(r"^/(?:[\x21-\x7e]+/)?$")


@dataclass(frozen=True)
class DeployerRoleArgs:
    """Everything that shapes one environment's deployer role."""

    settings: DeployerSettings
    strategy: str = "least-privilege"
    custom_policy: str | None = None  # the JSON document, for strategy "custom"
    trust: TrustSettings = field(default_factory=TrustSettings)
    permissions_boundary: str | None = None
    role_name: str | None = None  # None: Pulumi auto-names it
    path: str = "/"
    max_session_duration: int = 3600
    tags: dict[str, str] = field(default_factory=dict)
    profile_name: str = "sst-deployer"
    source_profile: str = "default"

    def validate(self) -> None:
        """Raises InvalidSetting, naming the config key, before anything is created."""
        if self.strategy not in STRATEGIES:
            raise InvalidSetting("strategy", f"{self.strategy!r}; allowed: {', '.join(STRATEGIES)}")
        if self.strategy == "least-privilege":
            check_least_privilege_version(self.settings.sst_version)
        if self.strategy == "custom":
            if self.custom_policy is None:
                raise InvalidSetting("policyFile", "strategy custom needs a policy document file")
            try:
                parse_document(self.custom_policy)
            except PolicyDocumentError as exc:
                raise InvalidSetting("policyFile", f"not a valid IAM policy: {exc}") from None
            if policy_size(self.custom_policy) > MANAGED_POLICY_MAX_CHARS:
                raise InvalidSetting(
                    "policyFile", f"{policy_size(self.custom_policy)} characters; a managed policy "
                    f"holds {MANAGED_POLICY_MAX_CHARS} (whitespace not counted)"
                )
        elif self.custom_policy is not None:
            raise InvalidSetting("policyFile", f"is only used with strategy custom, not {self.strategy}")
        validate_trust(self.trust, self.settings.partition, self.settings.account)
        if self.permissions_boundary is not None and not re.match(
            rf"^arn:{self.settings.partition}:iam::(\d{{12}}|aws):policy/[\w+=,.@/-]+$",
            self.permissions_boundary,
        ):
            raise InvalidSetting(
                "permissionsBoundary",
                f"{self.permissions_boundary!r}; expected a managed policy ARN "
                f"arn:{self.settings.partition}:iam::<account>:policy/<name>",
            )
        if self.role_name is not None and not _ROLE_NAME.match(self.role_name):
            raise InvalidSetting(
                "roleName", f"{self.role_name!r}; IAM allows 1-64 of letters, digits and + = , . @ _ -"
            )
        if len(self.path) > 512 or not _PATH.match(self.path):
            raise InvalidSetting("path", f"{self.path!r}; IAM allows / or /segments/ (printable ASCII, 512 at most)")
        if isinstance(self.max_session_duration, bool) or not isinstance(self.max_session_duration, int) \
                or not 3600 <= self.max_session_duration <= 43200:
            raise InvalidSetting("maxSessionDuration", f"{self.max_session_duration!r}; allowed: 3600 to 43200 seconds")
        for key, value in self.tags.items():
            if key.startswith("sst-deployer:") or key.lower().startswith("aws:"):
                raise InvalidSetting("tags", f"{key!r}: the sst-deployer: and aws: prefixes are reserved")
            if not isinstance(value, str) or len(key) > 128 or len(value) > 256:
                raise InvalidSetting("tags", f"{key!r}: keys are 1-128 and values 0-256 characters")
        if len(self.tags) + len(to_tags(self.settings, self.strategy)) > 50:
            raise InvalidSetting("tags", "a role has at most 50 tags, sst-deployer's own included")

    def documents(self) -> list[str]:
        """The managed policy documents the role gets, as JSON."""
        if self.strategy == "least-privilege":
            return [to_json(d) for d in render(self.settings)]
        if self.strategy == "custom":
            assert self.custom_policy is not None
            return [self.custom_policy]
        return []


class DeployerRole(pulumi.ComponentResource):
    """An SST v2 deployer role, its policies and their attachments.

    Outputs: ``role_arn``, ``role_name``, ``policy_arns``, ``policy_documents`` and
    ``aws_config_profile``, a ``~/.aws/config`` section for ``AWS_PROFILE=<env> npx sst deploy``.
    """

    role_arn: pulumi.Output[str]
    role_name: pulumi.Output[str]
    policy_arns: pulumi.Output[list[str]]
    policy_documents: list[str]
    aws_config_profile: pulumi.Output[str]

    def __init__(self, name: str, args: DeployerRoleArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        args.validate()  # before anything is registered: nothing half-created
        documents = args.documents()
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        s = args.settings
        deployer_tags = to_tags(s, args.strategy)
        tags = {**args.tags, **deployer_tags}

        provider_arn: str | None = None
        role_opts = child
        if args.trust.github is not None:
            provider_arn = args.trust.github.provider_arn
            if provider_arn is None:
                provider = aws.iam.OpenIdConnectProvider(
                    f"{name}-github",
                    url=f"https://{GITHUB_HOST}",
                    client_id_lists=["sts.amazonaws.com"],
                    tags=args.tags,
                    opts=child,
                )
                # An OIDC provider's ARN is fixed by account and host: writing it out keeps
                # the trust policy known during preview, where the policy pack checks it.
                provider_arn = f"arn:{s.partition}:iam::{s.account}:oidc-provider/{GITHUB_HOST}"
                role_opts = pulumi.ResourceOptions(parent=self, depends_on=[provider])
        assume_role_policy = to_json(trust_document(args.trust, s.account, s.partition, provider_arn))

        role = aws.iam.Role(
            name,
            name=args.role_name,
            path=args.path,
            description=f"Deploys SST v2 apps to {', '.join(s.regions)} ({args.strategy})",
            assume_role_policy=assume_role_policy,
            max_session_duration=args.max_session_duration,
            permissions_boundary=args.permissions_boundary,
            tags=tags,
            opts=role_opts,
        )

        policy_arns: list[pulumi.Output[str]] = []
        if args.strategy == "administrator":
            policy_arns.append(pulumi.Output.from_input(f"arn:{s.partition}:iam::aws:policy/AdministratorAccess"))
        for n, document in enumerate(documents, start=1):
            suffix = "" if len(documents) == 1 else f"-{n}"
            policy = aws.iam.Policy(
                f"{name}-policy{suffix}",
                path=args.path,
                description=f"SST v2 deployer permissions{f' ({n} of {len(documents)})' if len(documents) > 1 else ''}",
                policy=document,
                tags={**args.tags, "sst-deployer:policy-of": name},
                opts=child,
            )
            policy_arns.append(policy.arn)
        for n, arn in enumerate(policy_arns, start=1):
            suffix = "" if len(policy_arns) == 1 else f"-{n}"
            aws.iam.RolePolicyAttachment(f"{name}-attachment{suffix}", role=role.name, policy_arn=arn, opts=child)

        self.role_arn = role.arn
        self.role_name = role.name
        self.policy_arns = pulumi.Output.all(*policy_arns)
        self.policy_documents = documents
        self.aws_config_profile = role.arn.apply(lambda arn: self._profile(args, arn))
        self.register_outputs(
            {
                "roleArn": self.role_arn,
                "roleName": self.role_name,
                "policyArns": self.policy_arns,
                "policyDocuments": documents,
                "awsConfigProfile": self.aws_config_profile,
                # Read by the policy pack: a stack policy sees a component only through
                # what it registered (the engine's ExecuteRegisterResourceOutputs replaces the
                # component's props with them).
                "strategy": args.strategy,
                "parameters": deployer_tags,
                "attachmentCount": len(policy_arns),
            }
        )

    @staticmethod
    def _profile(args: DeployerRoleArgs, role_arn: str) -> str:
        lines = [f"[profile {args.profile_name}]", f"role_arn = {role_arn}", f"source_profile = {args.source_profile}"]
        principals = args.trust.principals if args.trust.principals is not None else (args.settings.account,)
        if args.trust.require_mfa and principals:
            # The MFA device lives in the account of the people who assume the role.
            account = account_of_principal(principals[0]) or args.settings.account
            lines.append(f"mfa_serial = arn:{args.settings.partition}:iam::{account}:mfa/<your-iam-user>")
        lines.append(f"region = {args.settings.regions[0]}")
        return "\n".join(lines) + "\n"
