"""``sst:aws:DeployerRole``: the IAM role an environment deploys SST v2 apps with.

The same class is the Python API (``DeployerRole(name, DeployerRoleArgs(...))``) and, served
by :mod:`.provider`, the ``sst-deployer:index:DeployerRole`` component other languages use
after ``pulumi package add``. It registers itself as ``sst:aws:DeployerRole`` either way:
that is the type the policy pack reads and existing stacks' URNs hold (the SDK's component
provider serves module ``index`` only, so the schema token cannot be ``sst:aws:...``).

No ``from __future__ import annotations``: the schema analyzer reads ``__init__``'s
``args`` annotation and the output annotations as objects.
"""

from collections.abc import Mapping
from typing import Any, Final

import pulumi
import pulumi_aws as aws
from sst_deployer.render import to_json
from sst_deployer.settings import InvalidSetting
from sst_deployer.tags import to_tags
from sst_deployer.trust import GITHUB_HOST, account_of_principal, trust_document

from .args import DeployerRoleArgs
from .spec import STRATEGIES, DeployerSpec, snake_case, to_spec

TYPE_TOKEN: Final = "sst:aws:DeployerRole"

__all__ = ["STRATEGIES", "TYPE_TOKEN", "DeployerArgsError", "DeployerRole"]


class DeployerArgsError(ValueError):
    """A bad argument, raised before anything is registered. ``property`` is its name as the
    caller spells it (snake_case from Python, camelCase over the provider's Construct);
    ``setting`` is the camelCase stack config key."""

    def __init__(self, exc: InvalidSetting, hosted: bool) -> None:
        self.setting = exc.setting
        self.property = exc.setting if hosted else snake_case(exc.setting)
        self.reason = exc.message
        super().__init__(f"DeployerRole {self.property}: {exc.message}")


def _hosted() -> bool:
    """True inside the provider process (``component_provider_host``), where the caller is
    another language and spells properties in camelCase."""
    from pulumi.provider.experimental import host

    return bool(host.is_hosting)


def _aws_provider(opts: pulumi.ResourceOptions | None) -> pulumi.ProviderResource | None:
    """The aws provider the children will use, so that the caller's account and partition are
    asked of the account they are created in (``provider=`` or ``providers=`` of the component)."""
    if opts is None:
        return None
    if opts.provider is not None:
        return opts.provider
    providers = opts.providers
    if isinstance(providers, Mapping):
        return providers.get("aws")
    return next((p for p in providers or [] if getattr(p, "package", None) == "aws"), None)


def _resolve(args: Any, opts: pulumi.ResourceOptions | None) -> DeployerSpec:
    if isinstance(args, DeployerSpec):
        args.validate()
        return args
    provider = _aws_provider(opts)
    invoke = pulumi.InvokeOptions(provider=provider) if provider is not None else None
    try:
        return to_spec(
            args if args is not None else {},
            account=lambda: aws.get_caller_identity(opts=invoke).account_id,
            partition=lambda: aws.get_partition(opts=invoke).partition,
            default_region=pulumi.Config("aws").get("region"),
            stack=pulumi.get_stack(),
        )
    except InvalidSetting as exc:
        raise DeployerArgsError(exc, _hosted()) from None


class DeployerRole(pulumi.ComponentResource):
    """An IAM role that deploys SST v2 apps (npx sst deploy), with least-privilege managed policies
    rendered from SST's own IAM catalogue for this account, regions and settings, their attachments, and a
    ~/.aws/config profile that assumes it. The sst-deployer policy pack checks what it makes."""

    role_arn: pulumi.Output[str]
    """ARN of the deployer role."""
    role_name: pulumi.Output[str]
    """Name of the deployer role."""
    policy_arns: pulumi.Output[list[str]]
    """ARNs of the managed policies attached to the role."""
    policy_documents: list[str]
    """The managed policy documents the component made, as JSON (none for administrator)."""
    aws_config_profile: pulumi.Output[str]
    """A ~/.aws/config profile section that assumes the role, for AWS_PROFILE=<profile> npx sst deploy."""

    @classmethod
    def from_spec(cls, name: str, spec: DeployerSpec, opts: pulumi.ResourceOptions | None = None) -> "DeployerRole":
        """A deployer from an already built :class:`DeployerSpec` (tests and tools)."""
        return cls(name, spec, opts)  # type: ignore[arg-type]  # __init__ accepts both

    def __init__(self, name: str, args: DeployerRoleArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        spec = _resolve(args, opts)  # before anything is registered: nothing half-created
        documents = spec.documents()
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        s = spec.settings
        deployer_tags = to_tags(s, spec.strategy)
        tags = {**spec.tags, **deployer_tags}

        provider_arn: str | None = None
        role_opts = child
        if spec.trust.github is not None:
            provider_arn = spec.trust.github.provider_arn
            if provider_arn is None:
                provider = aws.iam.OpenIdConnectProvider(
                    f"{name}-github",
                    url=f"https://{GITHUB_HOST}",
                    client_id_lists=["sts.amazonaws.com"],
                    tags=spec.tags,
                    opts=child,
                )
                # An OIDC provider's ARN is fixed by account and host: writing it out keeps
                # the trust policy known during preview, where the policy pack checks it.
                provider_arn = f"arn:{s.partition}:iam::{s.account}:oidc-provider/{GITHUB_HOST}"
                role_opts = pulumi.ResourceOptions(parent=self, depends_on=[provider])
        assume_role_policy = to_json(trust_document(spec.trust, s.account, s.partition, provider_arn))

        role = aws.iam.Role(
            name,
            name=spec.role_name,
            path=spec.path,
            description=f"Deploys SST v2 apps to {', '.join(s.regions)} ({spec.strategy})",
            assume_role_policy=assume_role_policy,
            max_session_duration=spec.max_session_duration,
            permissions_boundary=spec.permissions_boundary,
            tags=tags,
            opts=role_opts,
        )

        policy_arns: list[pulumi.Output[str]] = []
        if spec.strategy == "administrator":
            policy_arns.append(pulumi.Output.from_input(f"arn:{s.partition}:iam::aws:policy/AdministratorAccess"))
        for n, document in enumerate(documents, start=1):
            suffix = "" if len(documents) == 1 else f"-{n}"
            policy = aws.iam.Policy(
                f"{name}-policy{suffix}",
                path=spec.path,
                description=f"SST v2 deployer permissions{f' ({n} of {len(documents)})' if len(documents) > 1 else ''}",
                policy=document,
                tags={**spec.tags, "sst-deployer:policy-of": name},
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
        self.aws_config_profile = role.arn.apply(lambda arn: self._profile(spec, arn))
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
                "strategy": spec.strategy,
                "parameters": deployer_tags,
                "attachmentCount": len(policy_arns),
            }
        )

    @staticmethod
    def _profile(spec: DeployerSpec, role_arn: str) -> str:
        lines = [f"[profile {spec.profile_name}]", f"role_arn = {role_arn}", f"source_profile = {spec.source_profile}"]
        principals = spec.trust.principals if spec.trust.principals is not None else (spec.settings.account,)
        if spec.trust.require_mfa and principals:
            # The MFA device lives in the account of the people who assume the role.
            account = account_of_principal(principals[0]) or spec.settings.account
            lines.append(f"mfa_serial = arn:{spec.settings.partition}:iam::{account}:mfa/<your-iam-user>")
        lines.append(f"region = {spec.settings.regions[0]}")
        return "\n".join(lines) + "\n"
