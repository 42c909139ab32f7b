"""The component's public arguments, in types Pulumi's schema analyzer reads
(``pulumi.provider.experimental.analyzer``): TypedDicts, str Enums, plain builtins.

One vocabulary: each key is the stack config key of ``Pulumi.yaml`` in snake_case (the
schema spells it in camelCase, as the config does), with the same description. The one
exception is ``policy_document``: the stack config's ``policyFile`` is a path in the
project, which a component served to other languages cannot read, so the component takes
the document itself (the program reads the file into it).

Every setting is *plain* (``plain: true`` in the schema): each one shapes the policy
documents, the trust policy or the set of resources, or is checked against IAM's rules
before anything is registered, so it must be known when the deployer is declared. An
``Output`` (a value of another resource, unknown during preview, or a secret) is refused
naming the property, rather than registering a policy nobody could check.

No ``from __future__ import annotations`` here: the analyzer reads the annotations as
objects, not strings.
"""

from enum import Enum
from typing import TypedDict


class Strategy(str, Enum):
    """How the role is granted what SST needs."""

    LEAST_PRIVILEGE = "least-privilege"
    """SST's catalogue, rendered for this account, regions and settings."""
    ADMINISTRATOR = "administrator"
    """AdministratorAccess: sandbox stacks only."""
    CUSTOM = "custom"
    """The document in policyDocument (the stack config's policyFile)."""


class PolicyProfile(str, Enum):
    """Which reading of SST's permissions the least-privilege documents follow."""

    PAGE = "page"
    """SST's IAM page as written."""
    STRICT = "strict"
    """Only the calls SST really makes, with account and region in CDK names."""


class Features(TypedDict, total=False):
    """SST features to grant, each true or false; a feature left out keeps its default."""

    secrets: bool
    """SSM under ssmPrefix and restarting sst:app-tagged functions (sst secrets). Default true."""
    live_lambda: bool
    """IoT endpoint and MQTT for sst dev; switch off in production. Default true."""
    rds_migrations: bool
    """rds-data:ExecuteStatement on sst:app-tagged clusters. Default true."""
    bind: bool
    """What sst bind reads (SST v2 cli/commands/bind.ts). Default false."""
    rds_secret: bool
    """secretsmanager:GetSecretValue on sst:app-tagged secrets (the RDS construct's Data API). Default false."""
    console: bool
    """lambda:InvokeFunction and logs:FilterLogEvents for the SST Console. Default false."""


class GithubOidc(TypedDict, total=False):
    """GitHub Actions may assume the role from this repository, on these branches or environments."""

    repository: str
    """owner/name (required); no * allowed."""
    branches: list[str]
    """Branches whose workflows may assume the role (* allowed)."""
    environments: list[str]
    """GitHub environments whose jobs may assume the role (* allowed)."""
    provider_arn: str
    """An existing token.actions.githubusercontent.com OIDC provider; left out, the component creates one."""


class Trust(TypedDict, total=False):
    """Who may assume the role."""

    principals: list[str]
    """Account ids and IAM user/role ARNs; default this account; [] with githubOidc for CI only; never *."""
    require_mfa: bool
    """MFA condition for people (default true); false only for named users and roles or with an externalId."""
    external_id: str
    """sts:ExternalId the principals must pass; required by the pack for principals in other accounts."""
    github_oidc: GithubOidc
    """GitHub Actions OIDC trust."""


class DeployerRoleArgs(TypedDict, total=False):
    """The settings of one environment's SST v2 deployer role: the stack config's keys."""

    regions: list[str]
    """Regions SST deploys to, all in the account's partition. Left out (or empty) means [aws:region]."""
    account_id: str
    """12-digit account the deployer deploys into. Left out (or empty) means the caller's account."""
    qualifier: str
    """CDK bootstrap qualifier (sst.config.ts cdk.qualifier); 1-10 of A-Z a-z 0-9 _ -."""
    strategy: Strategy
    """least-privilege (SST's catalogue), administrator (sandbox stacks only) or custom (your own document: policyFile in stack config, policyDocument as a component input)."""  # noqa: E501
    policy_document: str
    """The JSON policy document for strategy custom only (the stack config reads it from policyFile)."""
    features: Features
    """SST features to grant, each true or false; a feature left out keeps its default shown here."""
    sst_version: str
    """The apps' SST version, a released 2.minor.patch up to 2.49.8; least-privilege refuses 2.49.0-2.49.3, which deploy the whole app with the deployer's own permissions."""  # noqa: E501
    policy_profile: PolicyProfile
    """page (SST's IAM page as written) or strict (only the calls SST really makes, with account and region in CDK names); see docs/strict-profile.md."""  # noqa: E501
    trust: Trust
    """Who may assume the role: principals (account ids, IAM user/role ARNs; default this account), requireMfa (default true), externalId, githubOidc {repository, branches, environments, providerArn}."""  # noqa: E501
    permissions_boundary: str
    """Managed policy ARN to use as the role's permissions boundary. Left out (or empty) means none."""
    max_session_duration: int
    """Longest session when assuming the role, 3600-43200 seconds."""
    role_name: str
    """IAM role name (1-64 of letters, digits and +=,.@_-). Left out (or empty) means auto-named by Pulumi."""
    path: str
    """IAM path of the role and its policies, / or /segments/."""
    tags: dict[str, str]
    """Tags for everything created: string values; the sst-deployer: and aws: prefixes are reserved."""
    toolkit_stack_name: str
    """CDK toolkit stack name (sst.config.ts cdk.toolkitStackName)."""
    bootstrap_stack_name: str
    """SST bootstrap stack name (sst.config.ts bootstrap.stackName)."""
    bootstrap_bucket_prefix: str
    """Prefix of SST's bootstrap bucket name (sst.config.ts bootstrap.bucketName)."""
    ssm_prefix: str
    """Parameter path where `sst secrets` keeps values (sst.config.ts ssmPrefix), / at both ends."""
    file_assets_bucket_name: str
    """The app's cdk.fileAssetsBucketName (cdk bootstrap --toolkit-bucket-name). Left out (or empty) means CDK's cdk-<qualifier>-assets-<account>-<region>."""  # noqa: E501
    profile_name: str
    """Name of the ~/.aws/config profile in the awsConfigProfile output. Left out (or empty) means the stack's name."""
    source_profile: str
    """Profile whose credentials assume the role, in the awsConfigProfile output."""
