"""A deployer's parameters as IAM tags, and back.

The component tags the role it creates; a role made by hand becomes a deployer the
policy pack checks by carrying the same tags (at least ``sst-deployer:role`` and
``sst-deployer:regions``). IAM tag values are at most 256 characters, so a long
region list continues in ``sst-deployer:regions-2``, ``-3``...
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from .settings import (
    DEFAULT_POLICY_PROFILE,
    DEFAULT_SST_VERSION,
    DeployerSettings,
    InvalidSetting,
    check_least_privilege_version,
    features_from,
)

PREFIX: Final = "sst-deployer:"
MARKER: Final = PREFIX + "role"  # value: the strategy
_MAX_VALUE: Final = 256


def to_tags(settings: DeployerSettings, strategy: str) -> dict[str, str]:
    """The tags that mark a role as an SST deployer and record what it must grant."""
    tags = {
        MARKER: strategy,
        PREFIX + "partition": settings.partition,
        PREFIX + "account": settings.account,
        PREFIX + "qualifier": settings.qualifier,
        PREFIX + "toolkit-stack": settings.toolkit_stack_name,
        PREFIX + "bootstrap-stack": settings.bootstrap_stack_name,
        PREFIX + "bootstrap-bucket-prefix": settings.bootstrap_bucket_prefix,
        PREFIX + "ssm-prefix": settings.ssm_prefix,
        PREFIX + "features": " ".join(sorted(settings.features)) or "none",
        PREFIX + "sst-version": settings.sst_version,
    }
    if settings.file_assets_bucket_name is not None:
        tags[PREFIX + "file-assets-bucket"] = settings.file_assets_bucket_name
    if settings.policy_profile != DEFAULT_POLICY_PROFILE:
        tags[PREFIX + "policy-profile"] = settings.policy_profile
    chunks: list[list[str]] = [[]]
    for region in settings.regions:
        if len(" ".join(chunks[-1] + [region])) > _MAX_VALUE:
            chunks.append([])
        chunks[-1].append(region)
    for n, chunk in enumerate(chunks, start=1):
        tags[PREFIX + "regions" + ("" if n == 1 else f"-{n}")] = " ".join(chunk)
    return tags


def is_deployer(tags: Mapping[str, object] | None) -> bool:
    return bool(tags) and MARKER in tags  # type: ignore[operator]


def strategy_of(tags: Mapping[str, object]) -> str:
    value = tags.get(MARKER)
    return value if isinstance(value, str) and value else "least-privilege"


def from_tags(
    tags: Mapping[str, object], account: str | None = None, partition: str | None = None
) -> DeployerSettings:
    """The settings a deployer's tags record. ``account`` and ``partition`` (read from
    the role's ARN) fill in tags a hand-made role leaves out. Raises InvalidSetting
    naming the tag at fault."""

    def get(key: str, default: str | None = None) -> str:
        value = tags.get(PREFIX + key, default)
        if not isinstance(value, str):
            raise InvalidSetting(PREFIX + key, "tag is missing; it is required on a deployer")
        return value

    regions: list[str] = []
    n = 1
    while (PREFIX + "regions" + ("" if n == 1 else f"-{n}")) in tags:
        regions.extend(get("regions" + ("" if n == 1 else f"-{n}")).split())
        n += 1
    features_tag = tags.get(PREFIX + "features")
    if isinstance(features_tag, str):
        features = frozenset() if features_tag == "none" else frozenset(features_tag.split())
    else:
        features = features_from(None)
    bucket = tags.get(PREFIX + "file-assets-bucket")
    try:
        settings = DeployerSettings(
            account=get("account", account),
            regions=tuple(regions),
            partition=get("partition", partition or "aws"),
            qualifier=get("qualifier", "hnb659fds"),
            toolkit_stack_name=get("toolkit-stack", "CDKToolkit"),
            bootstrap_stack_name=get("bootstrap-stack", "SSTBootstrap"),
            bootstrap_bucket_prefix=get("bootstrap-bucket-prefix", "sstbootstrap-"),
            ssm_prefix=get("ssm-prefix", "/sst/"),
            features=features,
            file_assets_bucket_name=bucket if isinstance(bucket, str) else None,
            sst_version=get("sst-version", DEFAULT_SST_VERSION),
            policy_profile=get("policy-profile", DEFAULT_POLICY_PROFILE),
        )
        if strategy_of(tags) == "least-privilege":
            check_least_privilege_version(settings.sst_version)
        return settings
    except InvalidSetting as exc:
        if exc.setting.startswith(PREFIX):
            raise
        raise InvalidSetting(PREFIX + _TAG_OF.get(exc.setting, exc.setting), exc.message) from None


_TAG_OF: Final = {
    "accountId": "account",
    "toolkitStackName": "toolkit-stack",
    "bootstrapStackName": "bootstrap-stack",
    "bootstrapBucketPrefix": "bootstrap-bucket-prefix",
    "ssmPrefix": "ssm-prefix",
    "sstVersion": "sst-version",
    "fileAssetsBucketName": "file-assets-bucket",
    "policyProfile": "policy-profile",
}
