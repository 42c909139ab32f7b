"""SST v2's permission catalogue: what a deployer needs, as a table.

Rows come from SST's IAM page (https://v2.sst.dev/advanced/iam-credentials, "IAM
permissions"): its copy-paste policy *and* its per-purpose breakdown, which are not
identical, so both are here. Rows not on the page cite their source in SST v2's code
(https://github.com/sst/v2, ``packages/sst/src/...`` at the release tag named). Resource
templates use ``{partition} {region} {account} {qualifier} {toolkit_stack}
{bootstrap_stack} {bootstrap_bucket_prefix} {ssm_prefix} {assets_buckets}
{own_assets_buckets}``; a row with ``{region}`` is expanded once per region, any other once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from .iam import Conditions, conditions_text, normalize_conditions
from .settings import DeployerSettings, Version

Condition = Mapping[str, Mapping[str, object]]

SST_APP_TAGGED: Final[Condition] = {"Null": {"aws:ResourceTag/sst:app": "false"}}
"""The page's condition: the resource carries SST's ``sst:app`` tag."""

PAGE: Final = "SST IAM page, copy-paste policy"
BREAKDOWN: Final = "SST IAM page, per-purpose breakdown"

_CDK_ROLES: Final = tuple(
    "arn:{partition}:iam::{account}:role/cdk-{qualifier}-" + kind + "-role-*"
    for kind in ("cfn-exec", "file-publishing", "image-publishing", "lookup", "deploy")
)


def _cdk_role(kind: str) -> str:
    # CDK bootstrap template (aws-cdk-cli packages/aws-cdk/lib/api/bootstrap/bootstrap-template.yaml,
    # template version 26): RoleName cdk-${Qualifier}-<kind>-role-${AWS::AccountId}-${AWS::Region}.
    return "arn:{partition}:iam::{account}:role/cdk-{qualifier}-" + kind + "-role-{account}-{region}"


CALLER: Final = ("caller",)
"""The SST CLI or the CDK toolkit, calling with the deployer's credentials."""
VIA_CLOUDFORMATION: Final = ("cloudformation",)
"""CloudFormation, calling with the deployer's credentials while it executes a stack the
deployer submitted without a service role (`cdk bootstrap`'s change set; a TemplateURL)."""
EITHER: Final = ("caller", "cloudformation")

SAR: Final = "https://docs.aws.amazon.com/service-authorization/latest/reference/"
"""The AWS Service Authorization Reference: the resource type each action is authorised
against (list_amazons3.html, list_awsiot.html, list_awscloudformation.html, ...)."""


@dataclass(frozen=True)
class Call:
    """Requests SST or CDK really make with the deployer's credentials: actions on the
    resource type each is authorised against (per the Service Authorization Reference),
    who sends them, and ``facts`` their requests always satisfy (a condition; the strict
    profile writes it into the policy)."""

    actions: tuple[str, ...]
    resources: tuple[str, ...]
    senders: tuple[str, ...] = CALLER
    facts: Condition | None = None
    source: str = ""


@dataclass(frozen=True)
class Grant:
    """One row: a statement of the catalogue and why SST needs it."""

    sid: str
    purpose: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    feature: str | None = None  # None: every deployer needs it
    condition: Condition | None = None
    since: Version | None = None  # the first SST release that calls it (cited in source)
    source: str = PAGE
    calls: tuple[Call, ...] | None = None  # None: the row's own actions and resources, as the CLI sends them


CATALOGUE: Final[tuple[Grant, ...]] = (
    # 1. Bootstrapping AWS CDK (the page, section 1).
    Grant(
        "AllowCDKManageToolkitStack", "deploy the CDK bootstrap stack",
        ("cloudformation:CreateChangeSet", "cloudformation:DeleteChangeSet",
         "cloudformation:DeleteStack", "cloudformation:DescribeChangeSet",
         "cloudformation:DescribeStacks", "cloudformation:DescribeStackEvents",
         "cloudformation:ExecuteChangeSet", "cloudformation:GetTemplate"),
        ("arn:{partition}:cloudformation:{region}:{account}:stack/{toolkit_stack}/*",),
    ),
    Grant(
        "AllowCDKManageToolkitRoles", "create the CDK bootstrap roles",
        ("iam:AttachRolePolicy", "iam:CreateRole", "iam:DeleteRole", "iam:DeleteRolePolicy",
         "iam:DetachRolePolicy", "iam:GetRole", "iam:GetRolePolicy", "iam:PutRolePolicy",
         "iam:TagRole", "iam:PassRole"),
        _CDK_ROLES,
        calls=(
            Call(("iam:AttachRolePolicy", "iam:CreateRole", "iam:DeleteRole", "iam:DeleteRolePolicy",
                  "iam:DetachRolePolicy", "iam:GetRole", "iam:GetRolePolicy", "iam:PutRolePolicy",
                  "iam:TagRole"),
                 tuple(_cdk_role(k) for k in ("cfn-exec", "file-publishing", "image-publishing", "lookup",
                                              "deploy")),
                 VIA_CLOUDFORMATION, source="cdk bootstrap executes a change set without a service role: "
                 "CloudFormation creates the roles with the caller's credentials"),
            # CreateStack/UpdateStack/CreateChangeSet with RoleARN = the cfn-exec role (sst/v2
            # sst@2.49.4 packages/sst/src/stacks/deploy.ts; CloudFormation "service role" docs).
            Call(("iam:PassRole",), (_cdk_role("cfn-exec"),),
                 facts={"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}},
                 source="CloudFormation service role: the caller passes the role named in RoleARN to "
                 "cloudformation.amazonaws.com (IAM User Guide, iam:PassedToService)"),
        ),
    ),
    Grant(
        "AllowCDKManageToolkitBucket", "create the CDK assets bucket",
        ("s3:CreateBucket", "s3:DeleteBucketPolicy", "s3:GetEncryptionConfiguration",
         "s3:GetBucketLocation", "s3:GetBucketPolicy", "s3:PutBucketPolicy",
         "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration",
         "s3:PutLifecycleConfiguration", "s3:PutBucketPublicAccessBlock"),
        ("arn:{partition}:s3:::{assets_buckets}",),
        calls=(
            Call(("s3:CreateBucket", "s3:DeleteBucketPolicy", "s3:GetBucketPolicy", "s3:PutBucketPolicy",
                  "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration",
                  "s3:PutBucketPublicAccessBlock"),
                 ("arn:{partition}:s3:::{assets_bucket}",), VIA_CLOUDFORMATION,
                 source="bootstrap template StagingBucket; bucket actions on the bucket resource type "
                 f"({SAR}list_amazons3.html)"),
            # The toolkit's asset publishing (file-publishing role, or the caller's own
            # credentials when it cannot assume it) asks for the bucket's location and encryption.
            Call(("s3:GetBucketLocation", "s3:GetEncryptionConfiguration"),
                 ("arn:{partition}:s3:::{assets_bucket}",), EITHER,
                 source="@aws-cdk/toolkit-lib asset publishing; bootstrap template StagingBucket"),
        ),
    ),
    Grant(
        "AllowCDKManageToolkitRepository", "create the CDK container assets repository",
        ("ecr:CreateRepository", "ecr:DeleteRepository", "ecr:DescribeRepositories",
         "ecr:PutLifecyclePolicy", "ecr:SetRepositoryPolicy"),
        ("arn:{partition}:ecr:{region}:{account}:repository/cdk-{qualifier}-container-assets-*",),
        calls=(
            Call(("ecr:CreateRepository", "ecr:DeleteRepository", "ecr:DescribeRepositories",
                  "ecr:PutLifecyclePolicy", "ecr:SetRepositoryPolicy"),
                 ("arn:{partition}:ecr:{region}:{account}:repository/cdk-{qualifier}-container-assets-{account}-{region}",),
                 VIA_CLOUDFORMATION, source="bootstrap template ContainerAssetsRepository: "
                 "cdk-${Qualifier}-container-assets-${AWS::AccountId}-${AWS::Region}"),
        ),
    ),
    Grant(
        "AllowCDKManageToolkitVersionParameter", "create the CDK bootstrap version parameter",
        ("ssm:DeleteParameter", "ssm:GetParameters", "ssm:PutParameter"),
        ("arn:{partition}:ssm:{region}:{account}:parameter/cdk-bootstrap/{qualifier}/version",),
        calls=(
            Call(("ssm:DeleteParameter", "ssm:GetParameters", "ssm:PutParameter"),
                 ("arn:{partition}:ssm:{region}:{account}:parameter/cdk-bootstrap/{qualifier}/version",),
                 VIA_CLOUDFORMATION, source="bootstrap template CdkBootstrapVersion (AWS::SSM::Parameter)"),
        ),
    ),
    # 3. The SST CLI (the page, section 3).
    Grant(
        "AllowSSTCheckCDKBootstrapVersion", "check that the account is bootstrapped",
        ("ssm:GetParameter",),
        ("arn:{partition}:ssm:{region}:{account}:parameter/cdk-bootstrap/{qualifier}/version",),
        source=BREAKDOWN,  # only in the breakdown; the copy-paste policy lacks it
    ),
    Grant(
        "AllowSSTManageBootstrapStack", "monitor the bootstrap progress",
        ("cloudformation:DescribeStacks", "cloudformation:DescribeStackEvents"),
        ("arn:{partition}:cloudformation:{region}:{account}:stack/{toolkit_stack}/*",
         "arn:{partition}:cloudformation:{region}:{account}:stack/{bootstrap_stack}/*"),
    ),
    Grant(
        "AllowSSTAssumeCDKToolkitRoles", "assume the CDK roles to deploy the app",
        ("sts:AssumeRole",),
        _CDK_ROLES,
        calls=(
            # The toolkit assumes the deploy, file-publishing, image-publishing and lookup
            # roles; only CloudFormation may assume cfn-exec (its trust policy).
            Call(("sts:AssumeRole",),
                 tuple(_cdk_role(k) for k in ("deploy", "file-publishing", "image-publishing", "lookup")),
                 source="@aws-cdk/toolkit-lib (sst@2.49) and cdk/deployments.ts (earlier): "
                 "AssumeRole on the bootstrap roles; bootstrap template CloudFormationExecutionRole trusts "
                 "cloudformation.amazonaws.com only"),
        ),
    ),
    Grant(
        "AllowSSTMonitorStackDeployment", "monitor the app's deployment",
        ("cloudformation:DeleteStack", "cloudformation:DescribeStacks",
         "cloudformation:DescribeStackEvents", "cloudformation:DescribeStackResources",
         "cloudformation:GetTemplate"),
        ("arn:{partition}:cloudformation:{region}:{account}:stack/*",),
    ),
    Grant(
        "AllowSSTManageBootstrapBucket", "store the app's metadata",
        ("s3:DeleteObject", "s3:GetObject", "s3:ListBucket", "s3:PutObject"),
        ("arn:{partition}:s3:::{bootstrap_bucket_prefix}*",),
        calls=(
            # SST's bootstrap stack names its bucket sstbootstrap-<region><hash> (CDK's
            # generated name, packages/sst/src/bootstrap.ts): no account in it.
            Call(("s3:ListBucket",), ("arn:{partition}:s3:::{bootstrap_bucket_prefix}*",),
                 facts={"StringEquals": {"aws:ResourceAccount": "{account}"}},
                 source="sst@2.49.8 packages/sst/src/stacks/metadata.ts: ListObjectsV2 on stackMetadata/"),
            Call(("s3:DeleteObject", "s3:GetObject", "s3:PutObject"),
                 tuple("arn:{partition}:s3:::{bootstrap_bucket_prefix}*/" + key
                       for key in ("stackMetadata/*", "appMetadata/*", "pointers/*")),
                 facts={"StringEquals": {"aws:ResourceAccount": "{account}"}},
                 source="sst@2.49.8 packages/sst/src/stacks/metadata.ts (stackMetadata/app.<app>/...), "
                 "stacks/app-metadata.ts (appMetadata/app.<app>/stage.<stage>.json), iot.ts (pointers/<id>); "
                 f"object actions on the object resource type ({SAR}list_amazons3.html)"),
        ),
    ),
    Grant(
        "AllowSSTCLIManageAppSecrets", "manage the app's secrets",
        ("ssm:DeleteParameter", "ssm:GetParameter", "ssm:GetParameters",
         "ssm:GetParametersByPath", "ssm:PutParameter"),
        ("arn:{partition}:ssm:{region}:{account}:parameter{ssm_prefix}*",),
        feature="secrets",
    ),
    Grant(
        "AllowSSTCLIManageFallbackSecrets", "manage the app's fallback secrets (sst secrets --fallback)",
        ("ssm:DeleteParameter", "ssm:GetParameter", "ssm:GetParameters",
         "ssm:GetParametersByPath", "ssm:PutParameter"),
        # Config.PREFIX.FALLBACK is /sst/<app>/.fallback/ whatever ssmPrefix says, and
        # `sst secrets list` reads it on every call. Inside /sst/* with the default prefix.
        ("arn:{partition}:ssm:{region}:{account}:parameter/sst/*/.fallback/*",),
        feature="secrets",
        source="sst/v2 sst@2.49.6 packages/sst/src/config.ts: Config.PREFIX.FALLBACK",
    ),
    Grant(
        "AllowSSTCLIRestartAppFunction", "restart the app's functions after a secret changes",
        ("lambda:GetFunctionConfiguration", "lambda:UpdateFunctionConfiguration"),
        ("arn:{partition}:lambda:{region}:{account}:function:*",),
        feature="secrets", condition=SST_APP_TAGGED,
    ),
    Grant(
        "AllowSSTLiveLambdaSocketConnection", "connect to the IoT endpoint for Live Lambda",
        ("iot:DescribeEndpoint", "iot:Connect", "iot:Subscribe", "iot:Publish", "iot:Receive"),
        ("*",),
        feature="liveLambda",
        calls=(
            Call(("iot:DescribeEndpoint",), ("*",), source="sst@2.49.8 packages/sst/src/iot.ts: "
                 f"DescribeEndpoint iot:Data-ATS; it supports no resource type ({SAR}list_awsiot.html)"),
            # aws-iot-device-sdk passes SST no clientId, so mqtt.js names the client
            # mqttjs_<8 hex digits> (mqtt/lib/client.js defaultId).
            Call(("iot:Connect",), ("arn:{partition}:iot:{region}:{account}:client/mqttjs_*",),
                 source="sst@2.49.8 packages/sst/src/iot.ts: new iot.device({protocol: 'wss'}) without clientId"),
            Call(("iot:Publish", "iot:Receive"), ("arn:{partition}:iot:{region}:{account}:topic//sst/*",),
                 source="sst@2.49.8 packages/sst/src/iot.ts, config.ts, cli/commands/dev.ts: topic "
                 "/sst/<app>/<stage>/events (a topic ARN is topic/ + the topic name)"),
            Call(("iot:Subscribe",), ("arn:{partition}:iot:{region}:{account}:topicfilter//sst/*",),
                 source="sst@2.49.8 packages/sst/src/iot.ts: subscribe /sst/<app>/<stage>/events"),
        ),
    ),
    Grant(
        "AllowSSTCLIManageRDSMigrations", "run migrations from the SST Console",
        ("rds-data:ExecuteStatement",),
        ("arn:{partition}:rds:{region}:{account}:cluster:*",),
        feature="rdsMigrations", condition=SST_APP_TAGGED,
    ),
    # Calls the page does not list, each from the first SST release that makes it.
    Grant(
        "AllowSSTDeployStacks", "create and update the app's stacks (SST 2.49+)",
        ("cloudformation:CreateStack", "cloudformation:UpdateStack"),
        ("arn:{partition}:cloudformation:{region}:{account}:stack/*",),
        since=(2, 49, 0),
        source="sst/v2 sst@2.49.0 packages/sst/src/stacks/deploy.ts: CreateStackCommand, UpdateStackCommand "
        "with the caller's credentials (sst/v2 issue #82); RoleARN from sst@2.49.4 (PR #96)",
    ),
    Grant(
        "AllowSSTListStackImports", "find stacks still importing an export a deploy removes",
        ("cloudformation:ListImports",),
        ("*",),  # ListImports supports no resource type
        source="sst/v2 sst@2.44.1 (its first tag) packages/sst/src/stacks/deploy.ts: addInUseExports "
        "calls ListImportsCommand; every 2.x release makes the call",
    ),
    Grant(
        "AllowSSTReadStackTemplates", "let CloudFormation read the template (SST 2.49+)",
        ("s3:GetObject",),
        # This account's assets buckets, every region: one ARN, where the page already
        # lets the deployer manage every cdk-<q>-assets-* bucket.
        ("arn:{partition}:s3:::{own_assets_buckets}/*",),
        since=(2, 49, 0),
        source="sst/v2 sst@2.49.0 packages/sst/src/stacks/deploy.ts: CreateStack/UpdateStack pass a "
        "TemplateURL in the CDK assets bucket, which CloudFormation reads with the caller's credentials",
        calls=(
            Call(("s3:GetObject",), ("arn:{partition}:s3:::{assets_bucket}/*",), VIA_CLOUDFORMATION,
                 source="CloudFormation reads a TemplateURL with the caller's credentials (API reference, "
                 "CreateStack TemplateURL)"),
        ),
    ),
    # Opt-in features the page does not list, each from SST v2's source.
    Grant(
        "AllowSSTBindReadFunctions", "read the app's server function for `sst bind`",
        ("lambda:GetFunction",),
        ("arn:{partition}:lambda:{region}:{account}:function:*",),
        feature="bind", condition=SST_APP_TAGGED, source="sst/v2 cli/commands/bind.ts",
    ),
    Grant(
        "AllowSSTBindDescribeServices", "describe the app's task definitions for `sst bind`",
        ("ecs:DescribeTaskDefinition", "iot:DescribeEndpoint"),
        ("*",),  # neither supports a resource type
        feature="bind", source="sst/v2 cli/commands/bind.ts; sst #3278 (iot:DescribeEndpoint)",
    ),
    Grant(
        "AllowSSTBindAssumeServerFunctionRoles", "run `sst bind` as the app's server function",
        ("sts:AssumeRole",),
        ("arn:{partition}:iam::{account}:role/*ServerFunctionRole*",),
        feature="bind", source="sst/v2 cli/commands/bind.ts",
        calls=(
            # SST tags every construct of the app, the server function's role included.
            Call(("sts:AssumeRole",), ("arn:{partition}:iam::{account}:role/*ServerFunctionRole*",),
                 facts=SST_APP_TAGGED, source="sst/v2 cli/commands/bind.ts; SST tags its constructs sst:app"),
        ),
    ),
    Grant(
        "AllowSSTReadRDSSecret", "read the RDS construct's secret for the Data API",
        ("secretsmanager:GetSecretValue",),
        ("arn:{partition}:secretsmanager:{region}:{account}:secret:*",),
        feature="rdsSecret", condition=SST_APP_TAGGED,
        source="sst/v2 plugins/kysely.ts, plugins/warmer.ts: ExecuteStatement with a secretArn",
    ),
    Grant(
        "AllowSSTConsoleInvokeFunctions", "invoke the app's migrator from the SST Console",
        ("lambda:InvokeFunction",),
        ("arn:{partition}:lambda:{region}:{account}:function:*",),
        feature="console", condition=SST_APP_TAGGED, source="SST Console (optional)",
    ),
    Grant(
        "AllowSSTConsoleReadLogs", "read the app's function logs in the SST Console",
        ("logs:FilterLogEvents",),
        ("arn:{partition}:logs:{region}:{account}:log-group:/aws/lambda/*",),
        feature="console", source="SST Console (optional)",
    ),
)


@dataclass(frozen=True)
class Requirement:
    """One permission a deployer must have: an action on every ARN a pattern names."""

    sid: str
    action: str
    resource: str
    condition: Conditions = frozenset()
    senders: tuple[str, ...] = CALLER  # who sends the request (see Call)
    # The action supports no resource type: the request's resource is the literal "*",
    # which only a statement whose Resource matches "*" grants or denies.
    no_resource_type: bool = False

    def describe(self) -> str:
        text = f"{self.action} on {self.resource}"
        return text + (f" (when {conditions_text(self.condition)})" if self.condition else "")


def applies(grant: Grant, settings: DeployerSettings) -> bool:
    if grant.feature is not None and grant.feature not in settings.features:
        return False
    if grant.since is not None and settings.version < grant.since:
        return False
    return True


def expand(template: str, settings: DeployerSettings) -> list[str]:
    """A resource template as the ARNs it names: once per region, or once."""
    values = {
        "partition": settings.partition,
        "account": settings.account,
        "qualifier": settings.qualifier,
        "toolkit_stack": settings.toolkit_stack_name,
        "bootstrap_stack": settings.bootstrap_stack_name,
        "bootstrap_bucket_prefix": settings.bootstrap_bucket_prefix,
        "ssm_prefix": settings.ssm_prefix,
        # cdk bootstrap --toolkit-bucket-name (cdk.fileAssetsBucketName), or CDK's default
        # name cdk-<qualifier>-assets-<account>-<region>: the page names every such bucket.
        "assets_buckets": settings.file_assets_bucket_name
        or f"cdk-{settings.qualifier}-assets-*",
        "own_assets_buckets": settings.file_assets_bucket_name
        or f"cdk-{settings.qualifier}-assets-{settings.account}-*",
    }
    if "{region}" not in template and "{assets_bucket}" not in template:
        return [template.format(**values)]
    return [template.format(region=region, assets_bucket=settings.file_assets_bucket_name
                            or f"cdk-{settings.qualifier}-assets-{settings.account}-{region}", **values)
            for region in settings.regions]


def grants_for(settings: DeployerSettings) -> list[Grant]:
    """The catalogue rows this deployer needs."""
    return [g for g in CATALOGUE if applies(g, settings)]


def requirements(settings: DeployerSettings) -> list[Requirement]:
    """Every (action, resource, condition) the deployer needs, in catalogue order."""
    out: dict[Requirement, None] = {}
    for grant in grants_for(settings):
        condition = normalize_conditions(grant.condition)
        for template in grant.resources:
            for resource in expand(template, settings):
                for action in grant.actions:
                    out.setdefault(Requirement(grant.sid, action, resource, condition))
    return list(out)


def _facts(grant: Grant, call: Call, settings: DeployerSettings) -> tuple[Conditions, Condition | None]:
    """The call's condition (the row's, and the call's facts with ``{account}`` filled
    in): canonical, and as written."""
    spelled: dict[str, dict[str, object]] = {}
    for block in (grant.condition, call.facts):
        for op, clause in (block or {}).items():
            for key, value in clause.items():
                spelled.setdefault(op, {})[key] = value.format(account=settings.account) if isinstance(
                    value, str) else value
    return normalize_conditions(spelled), (spelled or None)


def calls_of(grant: Grant) -> tuple[Call, ...]:
    """The row's real calls: its own, or its actions on its resources sent by the CLI."""
    if grant.calls is not None:
        return grant.calls
    return (Call(grant.actions, grant.resources),)


def calls(settings: DeployerSettings) -> list[Requirement]:
    """Every request SST and CDK really make with the deployer's credentials, as
    requirements on the resource type each action is authorised against: what the policy
    pack checks a role against. Tighter than :func:`requirements` (the page's
    statements), which every call is inside."""
    out: dict[Requirement, None] = {}
    for grant in grants_for(settings):
        for call in calls_of(grant):
            condition, _ = _facts(grant, call, settings)
            for template in call.resources:
                for resource in expand(template, settings):
                    for action in call.actions:
                        out.setdefault(Requirement(grant.sid, action, resource, condition, call.senders,
                                                   no_resource_type=template == "*"))
    return list(out)


def spelled_conditions(settings: DeployerSettings) -> dict[Conditions, Condition]:
    """Each canonical condition of the catalogue's rows and calls, as the catalogue writes it."""
    out: dict[Conditions, Condition] = {}
    for grant in grants_for(settings):
        if grant.condition:
            out[normalize_conditions(grant.condition)] = grant.condition
        for call in calls_of(grant):
            canonical, spelled = _facts(grant, call, settings)
            if spelled:
                out.setdefault(canonical, spelled)
    return out
