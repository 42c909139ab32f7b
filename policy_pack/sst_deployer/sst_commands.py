"""Which SST command makes which of the catalogue's calls: a table.

Each row names an SST v2 command, a catalogue statement (Sid) and the actions of it the
command sends (None: all of them), with where that is known from. Sources: SST v2's CLI
(https://github.com/sst/v2, ``packages/sst/src/...`` at ``sst@2.49.8`` unless a row says
otherwise) and the calls SST itself made per phase when ``tests/e2e`` ran it against moto
(``tests/fixtures/sst_calls/*.json``: bootstrap, deploy-create, deploy-update, secrets-set,
secrets-list, diff, remove). ``tests/test_sst_commands.py`` checks every recorded call
against this table, so a row cannot silently miss a call SST was seen making.

Every command starts with SST's bootstrap check (``bootstrap.ts`` ``useBootstrap``:
DescribeStacks on the CDK toolkit stack and on SST's bootstrap stack); in an account or
region that is not bootstrapped yet, the first command also runs ``sst bootstrap``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from .permissions import Requirement, calls
from .settings import DeployerSettings


@dataclass(frozen=True)
class Need:
    """``command`` sends ``actions`` (None: every action) of catalogue statement ``sid``."""

    command: str
    sid: str
    actions: tuple[str, ...] | None
    source: str
    startup: bool = False  # the bootstrap check every command makes: not what the command is for


COMMANDS: Final = ("bootstrap", "deploy", "secrets", "diff", "remove", "dev", "bind", "console")
"""SST's commands in the order a team meets them; ``console`` is the SST Console, which
uses the deployer's credentials too."""

_RECORDED = "tests/fixtures/sst_calls (the e2e run's {phase} phase)"
_CHECK = ("cloudformation:DescribeStacks",)
_MONITOR = ("cloudformation:DescribeStacks", "cloudformation:DescribeStackEvents",
            "cloudformation:DescribeStackResources")


def _startup(command: str) -> tuple[Need, ...]:
    """The bootstrap check every command makes first."""
    src = "packages/sst/src/bootstrap.ts useBootstrap: DescribeStacks on the toolkit and bootstrap stacks"
    return (Need(command, "AllowCDKManageToolkitStack", _CHECK, src, startup=True),
            Need(command, "AllowSSTManageBootstrapStack", _CHECK, src, startup=True))


def _deploys(command: str) -> tuple[Need, ...]:
    """What deploying the app's stacks sends (``sst deploy``, and ``sst dev`` before it watches)."""
    rec = _RECORDED.format(phase="deploy-create, deploy-update")
    return (*_startup(command),
            Need(command, "AllowSSTCheckCDKBootstrapVersion", None,
                 "SST IAM page breakdown; @aws-cdk/toolkit-lib reads /cdk-bootstrap/<q>/version with the "
                 "caller's credentials when it cannot assume the deploy role"),
            Need(command, "AllowSSTAssumeCDKToolkitRoles", None, f"cdk/deployments.ts, @aws-cdk/toolkit-lib; {rec}"),
            Need(command, "AllowSSTMonitorStackDeployment", _MONITOR, f"packages/sst/src/stacks/monitor.ts; {rec}"),
            Need(command, "AllowSSTManageBootstrapBucket",
                 ("s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject"),
                 f"packages/sst/src/stacks/metadata.ts, stacks/app-metadata.ts; {rec}"),
            Need(command, "AllowSSTDeployStacks", None, f"packages/sst/src/stacks/deploy.ts (2.49+); {rec}"),
            Need(command, "AllowSSTReadStackTemplates", None, f"stacks/deploy.ts TemplateURL (2.49+); {rec}"),
            Need(command, "AllowSSTListStackImports", None,
                 "packages/sst/src/stacks/deploy.ts addInUseExports (when a deploy drops an export)"),
            Need(command, "AllowCDKManageToolkitRoles", ("iam:PassRole",),
                 f"stacks/deploy.ts RoleARN = the cfn-exec role (2.49.4+, sst/v2 PR #96); {rec}"),
            Need(command, "AllowCDKManageToolkitBucket", ("s3:GetBucketLocation", "s3:GetEncryptionConfiguration"),
                 "@aws-cdk/toolkit-lib asset publishing with the caller's credentials"))


TABLE: Final[tuple[Need, ...]] = (
    # sst bootstrap (packages/sst/src/bootstrap.ts): `cdk bootstrap`, then SST's own stack.
    *(Need("bootstrap", sid, None, "packages/sst/src/bootstrap.ts (cdk bootstrap); "
           + _RECORDED.format(phase="bootstrap"))
      for sid in ("AllowCDKManageToolkitStack", "AllowCDKManageToolkitRoles", "AllowCDKManageToolkitBucket",
                  "AllowCDKManageToolkitRepository", "AllowCDKManageToolkitVersionParameter",
                  "AllowSSTCheckCDKBootstrapVersion", "AllowSSTManageBootstrapStack",
                  "AllowSSTAssumeCDKToolkitRoles", "AllowSSTDeployStacks", "AllowSSTReadStackTemplates")),
    Need("bootstrap", "AllowSSTMonitorStackDeployment", _MONITOR,
         "packages/sst/src/bootstrap.ts (SST bootstrap stack, monitored); " + _RECORDED.format(phase="bootstrap")),
    *_deploys("deploy"),
    # sst secrets set/list/remove (packages/sst/src/config.ts, cli/commands/secrets/*.ts).
    *_startup("secrets"),
    Need("secrets", "AllowSSTMonitorStackDeployment", _CHECK,
         "packages/sst/src/config.ts restarts the app's functions: "
         + _RECORDED.format(phase="secrets-set")),
    Need("secrets", "AllowSSTManageBootstrapBucket", ("s3:GetObject", "s3:ListBucket"),
         "packages/sst/src/stacks/metadata.ts (which functions to restart); "
         + _RECORDED.format(phase="secrets-set")),
    Need("secrets", "AllowSSTCLIManageAppSecrets", None, "packages/sst/src/config.ts; "
         + _RECORDED.format(phase="secrets-set, secrets-list")),
    Need("secrets", "AllowSSTCLIManageFallbackSecrets", None,
         "packages/sst/src/config.ts Config.PREFIX.FALLBACK (sst@2.49.6); " + _RECORDED.format(phase="secrets-list")),
    Need("secrets", "AllowSSTCLIRestartAppFunction", None, "packages/sst/src/config.ts; "
         + _RECORDED.format(phase="secrets-set")),
    Need("secrets", "AllowSSTLiveLambdaSocketConnection", None,
         "packages/sst/src/iot.ts (secrets set tells a running sst dev); " + _RECORDED.format(phase="secrets-set")),
    # sst diff (packages/sst/src/cli/commands/diff.ts).
    *_startup("diff"),
    Need("diff", "AllowSSTMonitorStackDeployment", ("cloudformation:DescribeStacks", "cloudformation:GetTemplate"),
         "packages/sst/src/cli/commands/diff.ts; " + _RECORDED.format(phase="diff")),
    # sst remove (packages/sst/src/stacks/remove.ts).
    *_startup("remove"),
    Need("remove", "AllowSSTMonitorStackDeployment", (*_MONITOR, "cloudformation:DeleteStack"),
         "packages/sst/src/stacks/remove.ts, stacks/monitor.ts; " + _RECORDED.format(phase="remove")),
    Need("remove", "AllowSSTManageBootstrapBucket", ("s3:DeleteObject", "s3:GetObject", "s3:ListBucket"),
         "packages/sst/src/stacks/metadata.ts; " + _RECORDED.format(phase="remove")),
    # sst dev (packages/sst/src/cli/commands/dev.ts): deploys, then Live Lambda over IoT.
    # Not run by the e2e suite: from the source only.
    *_deploys("dev"),
    Need("dev", "AllowSSTLiveLambdaSocketConnection", None, "packages/sst/src/iot.ts, cli/commands/dev.ts"),
    Need("dev", "AllowSSTCLIManageAppSecrets", ("ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"),
         "packages/sst/src/config.ts (dev reads the app's secrets for its functions)"),
    Need("dev", "AllowSSTCLIManageFallbackSecrets", ("ssm:GetParameter", "ssm:GetParameters",
                                                      "ssm:GetParametersByPath"), "packages/sst/src/config.ts"),
    Need("dev", "AllowSSTReadRDSSecret", None, "packages/sst/src/plugins/kysely.ts, plugins/warmer.ts"),
    Need("dev", "AllowSSTCLIManageRDSMigrations", None, "packages/sst/src/plugins/kysely.ts, plugins/warmer.ts"),
    # sst bind (packages/sst/src/cli/commands/bind.ts).
    *_startup("bind"),
    *(Need("bind", sid, None, "packages/sst/src/cli/commands/bind.ts")
      for sid in ("AllowSSTBindReadFunctions", "AllowSSTBindDescribeServices",
                  "AllowSSTBindAssumeServerFunctionRoles")),
    # The SST Console (optional; the page's RDS migrations row and the console feature).
    *(Need("console", sid, None, "SST IAM page (RDS migrations from the SST Console); SST Console")
      for sid in ("AllowSSTCLIManageRDSMigrations", "AllowSSTConsoleInvokeFunctions", "AllowSSTConsoleReadLogs")),
)


def _sends(need: Need, req: Requirement) -> bool:
    return need.sid == req.sid and (need.actions is None or req.action.lower() in (a.lower() for a in need.actions))


def commands_of(req: Requirement) -> tuple[str, ...]:
    """The SST commands that send ``req`` (in :data:`COMMANDS` order)."""
    found = {n.command for n in TABLE if _sends(n, req)}
    return tuple(c for c in COMMANDS if c in found)


FEATURE_OF: Final = {"secrets": "secrets", "bind": "bind"}
"""Commands that exist only with a feature (settings.FEATURES) on."""


def commands_used(settings: DeployerSettings) -> tuple[str, ...]:
    """The commands a deployer with ``settings`` serves: ``secrets`` and ``bind`` with their
    features, ``console`` with a Console feature (rdsMigrations, console), in COMMANDS order."""
    reqs = calls(settings)
    found = {n.command for n in TABLE if not n.startup and any(_sends(n, r) for r in reqs)}
    return tuple(c for c in COMMANDS if c in found and (c not in FEATURE_OF or FEATURE_OF[c] in settings.features))
