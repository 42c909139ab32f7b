"""The parameters that decide what an SST deployer must be granted, validated.

Every check raises :class:`InvalidSetting` naming the public config key
(``regions``, ``qualifier``...) and what it allows, so that the Pulumi program,
the ``render`` command and the policy pack report bad input the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from .partitions import PARTITIONS, REGIONS, partition_of

FEATURES: Final[dict[str, bool]] = {
    # On SST's IAM page, so on by default.
    "secrets": True,  # `sst secrets`: SSM parameters under the prefix, restart functions
    "liveLambda": True,  # `sst dev`: the IoT endpoint Live Lambda talks through
    "rdsMigrations": True,  # RDS Data API for migrations from the SST Console
    # Not on the page: opt-in; permissions.py cites the SST v2 source of each.
    "bind": False,  # `sst bind`: read the app's functions, assume its server function role
    "rdsSecret": False,  # the RDS construct's secret, read with rds-data:ExecuteStatement
    "console": False,  # the SST Console: invoke the migrator, read function logs
}
"""Every SST feature an environment can switch, with its default."""

DEFAULT_QUALIFIER: Final = "hnb659fds"

POLICY_PROFILES: Final = ("page", "strict")
"""What the renderer writes: ``page``, SST's IAM page statements (plus what SST's calls
need beyond them); ``strict``, only the requests SST and CDK really make, named with
account and region (see docs/strict-profile.md)."""
DEFAULT_POLICY_PROFILE: Final = "page"

Version = tuple[int, int, int]

NEWEST_SST_VERSION: Final[Version] = (2, 49, 8)
"""The last SST v2 release on npm (``npm view sst versions``); v3 is another product."""
DEFAULT_SST_VERSION: Final = "2.49.8"
NO_ROLE_ARN_VERSIONS: Final[tuple[Version, Version]] = ((2, 49, 0), (2, 49, 3))
"""SST 2.49.0-2.49.3 call CreateStack with the caller's credentials and no ``RoleARN``
(sst/v2 ``packages/sst/src/stacks/deploy.ts`` at ``sst@2.49.0``): CloudFormation then
creates every resource of the app with the caller's own permissions, so no
least-privilege role can serve them. ``sst@2.49.4`` (sst/v2 PR #96) passes the CDK
cfn-exec role as ``RoleARN``."""

_ACCOUNT = re.compile(r"^\d{12}$")
_QUALIFIER = re.compile(r"^[A-Za-z0-9_-]{1,10}$")  # CDK's own check on --qualifier
# CloudFormation stack names: a letter, then letters, digits and hyphens, 128 at most.
_STACK_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,127}$")
# S3 bucket names are lower case, digits, dots and hyphens; a prefix leaves room for a suffix.
_BUCKET_PREFIX = re.compile(r"^[a-z0-9][a-z0-9.-]{0,50}$")
_SSM_PREFIX = re.compile(r"^/(?:[A-Za-z0-9_.-]+/)*$")
_SST_VERSION = re.compile(r"^2\.(\d{1,4})\.(\d{1,4})(-[0-9A-Za-z.-]+)?$")
# S3 bucket names: 3-63 of a-z 0-9 . -, starting and ending with a letter or digit.
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


class InvalidSetting(ValueError):
    """A setting has a value that is not allowed; ``setting`` is its public config key."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(f"{setting}: {message}")
        self.setting = setting
        self.message = message


@dataclass(frozen=True)
class DeployerSettings:
    """What one environment's deployer must be able to do, and where."""

    account: str
    regions: tuple[str, ...]
    partition: str = "aws"
    qualifier: str = DEFAULT_QUALIFIER
    toolkit_stack_name: str = "CDKToolkit"
    bootstrap_stack_name: str = "SSTBootstrap"
    bootstrap_bucket_prefix: str = "sstbootstrap-"
    ssm_prefix: str = "/sst/"
    file_assets_bucket_name: str | None = None  # None: CDK's cdk-<qualifier>-assets-<account>-<region>
    features: frozenset[str] = field(
        default_factory=lambda: frozenset(k for k, on in FEATURES.items() if on)
    )
    sst_version: str = DEFAULT_SST_VERSION
    policy_profile: str = DEFAULT_POLICY_PROFILE

    def __post_init__(self) -> None:
        validate(self)
        # Regions in any order or repeated: one canonical tuple, so equal settings are equal.
        object.__setattr__(self, "regions", regions_in(self.partition, self.regions))

    @property
    def version(self) -> Version:
        return sst_version_tuple(self.sst_version)


def sst_version_tuple(version: str) -> Version:
    """A released SST 2.x version as (2, minor, patch). Pre-releases and versions newer
    than :data:`NEWEST_SST_VERSION` are refused: nothing is known of what they call."""
    newest = ".".join(map(str, NEWEST_SST_VERSION))
    match = _SST_VERSION.match(version) if isinstance(version, str) else None
    if not match:
        raise InvalidSetting(
            "sstVersion", f"{version!r} is not an SST 2.x release; give major.minor.patch, such as {newest}"
        )
    if match.group(3):
        raise InvalidSetting(
            "sstVersion", f"{version!r} is a pre-release; sst-deployer follows released SST 2.x versions "
            f"(2.0.0 to {newest})"
        )
    parsed = (2, int(match.group(1)), int(match.group(2)))
    if parsed > NEWEST_SST_VERSION:
        raise InvalidSetting(
            "sstVersion", f"{version!r} is newer than the last SST v2 release, {newest}; nothing is known "
            "of what it calls in AWS"
        )
    return parsed


def check_least_privilege_version(version: str) -> None:
    """Raises InvalidSetting for SST versions no least-privilege role can serve."""
    first, last = NO_ROLE_ARN_VERSIONS
    if first <= sst_version_tuple(version) <= last:
        raise InvalidSetting(
            "sstVersion", f"{version} cannot deploy with a least-privilege role: SST 2.49.0 to 2.49.3 call "
            "CreateStack without a RoleARN, so CloudFormation creates every resource of the app with the "
            "deployer's own permissions (fixed in 2.49.4, sst/v2 PR #96). Upgrade SST to 2.49.4 or later "
            f"(newest: {DEFAULT_SST_VERSION}), or use the administrator strategy in a sandbox account"
        )


def features_from(toggles: Mapping[str, object] | None) -> frozenset[str]:
    """The enabled features: defaults overridden by ``toggles`` (feature name to bool)."""
    toggles = toggles or {}
    unknown = sorted(set(toggles) - set(FEATURES))
    if unknown:
        raise InvalidSetting(
            "features", f"unknown feature(s) {', '.join(unknown)}; allowed: {', '.join(FEATURES)}"
        )
    for name, value in toggles.items():
        if not isinstance(value, bool):
            raise InvalidSetting(f"features.{name}", f"must be true or false, not {value!r}")
    return frozenset(n for n, default in FEATURES.items() if toggles.get(n, default))


def regions_in(partition: str, regions: Iterable[str]) -> tuple[str, ...]:
    """Regions de-duplicated and sorted, each checked against ``partition``."""
    regions = list(regions)
    if not regions:
        raise InvalidSetting("regions", "at least one region is required")
    for region in regions:
        if not isinstance(region, str):
            raise InvalidSetting("regions", f"{region!r} is not a region name")
        home = partition_of(region)
        if home is None:
            raise InvalidSetting(
                "regions",
                f"unknown region {region!r}; {partition} has {', '.join(REGIONS.get(partition, ()))}",
            )
        if home != partition:
            raise InvalidSetting(
                "regions", f"{region!r} is in partition {home}, not in {partition}"
            )
    return tuple(sorted(set(regions)))


def validate(s: DeployerSettings) -> None:
    if s.partition not in PARTITIONS:
        raise InvalidSetting("partition", f"{s.partition!r}; allowed: {', '.join(PARTITIONS)}")
    if not isinstance(s.account, str) or not _ACCOUNT.match(s.account):
        raise InvalidSetting("accountId", f"{s.account!r} is not a 12-digit AWS account id")
    regions_in(s.partition, s.regions)
    if not _QUALIFIER.match(s.qualifier):
        raise InvalidSetting(
            "qualifier", f"{s.qualifier!r}; CDK allows 1-10 characters of A-Z a-z 0-9 _ -"
        )
    for key, value in (
        ("toolkitStackName", s.toolkit_stack_name),
        ("bootstrapStackName", s.bootstrap_stack_name),
    ):
        if not _STACK_NAME.match(value):
            raise InvalidSetting(
                key, f"{value!r}; a CloudFormation stack name is a letter, then letters, "
                "digits and hyphens, 128 characters at most"
            )
    if not _BUCKET_PREFIX.match(s.bootstrap_bucket_prefix):
        raise InvalidSetting(
            "bootstrapBucketPrefix",
            f"{s.bootstrap_bucket_prefix!r}; allowed: 1-51 of a-z 0-9 . - starting with a letter "
            "or digit",
        )
    if not _SSM_PREFIX.match(s.ssm_prefix):
        raise InvalidSetting(
            "ssmPrefix", f"{s.ssm_prefix!r}; a parameter path such as /sst/ (starts and ends with /)"
        )
    if s.file_assets_bucket_name is not None and (
        not isinstance(s.file_assets_bucket_name, str) or not _BUCKET_NAME.match(s.file_assets_bucket_name)
        or ".." in s.file_assets_bucket_name
    ):
        raise InvalidSetting(
            "fileAssetsBucketName", f"{s.file_assets_bucket_name!r}; an S3 bucket name is 3-63 of a-z 0-9 . - "
            "starting and ending with a letter or digit (cdk.fileAssetsBucketName, as given to cdk bootstrap)"
        )
    unknown = sorted(set(s.features) - set(FEATURES))
    if unknown:
        raise InvalidSetting("features", f"unknown feature(s) {', '.join(unknown)}")
    if s.policy_profile not in POLICY_PROFILES:
        raise InvalidSetting(
            "policyProfile", f"{s.policy_profile!r}; allowed: {', '.join(POLICY_PROFILES)} (default "
            f"{DEFAULT_POLICY_PROFILE})"
        )
    sst_version_tuple(s.sst_version)
