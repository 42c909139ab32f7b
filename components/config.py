"""Stack config (namespace ``sst-deployer``) to :class:`DeployerRoleArgs`, validated.

These key names are the project's public interface; README.md documents each one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final

import pulumi
from sst_deployer.settings import (
    DEFAULT_QUALIFIER,
    DEFAULT_SST_VERSION,
    DeployerSettings,
    InvalidSetting,
    features_from,
    regions_in,
)
from sst_deployer.trust import GithubOidc, TrustSettings

from .deployer_role import DeployerRoleArgs

NAMESPACE: Final = "sst-deployer"
KEYS: Final = (
    "regions", "qualifier", "strategy", "features", "accountId", "trust",
    "permissionsBoundary", "maxSessionDuration", "policyFile", "sstVersion",
    "roleName", "path", "tags", "toolkitStackName", "bootstrapStackName",
    "bootstrapBucketPrefix", "ssmPrefix", "fileAssetsBucketName", "policyProfile", "profileName", "sourceProfile",
)
_JSON_KEYS: Final = frozenset({"regions", "features", "trust", "tags", "maxSessionDuration"})
_TRUST_KEYS: Final = ("principals", "requireMfa", "externalId", "githubOidc")
_GITHUB_KEYS: Final = ("repository", "branches", "environments", "providerArn")


class ConfigError(Exception):
    """Bad stack config: names the key (``sst-deployer:regions``) and what is allowed."""


def _typed(value: Any, kind: type | tuple[type, ...], key: str, what: str) -> Any:
    if value is not None and (not isinstance(value, kind) or (isinstance(value, bool) and kind is int)):
        raise InvalidSetting(key, f"must be {what}, not {json.dumps(value)}")
    return value


def _strings(value: Any, key: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidSetting(key, f"must be a list of strings, not {json.dumps(value)}")
    return tuple(value)


def _no_unknown(obj: Mapping[str, Any], allowed: tuple[str, ...], key: str) -> None:
    unknown = sorted(set(obj) - set(allowed))
    if unknown:
        raise InvalidSetting(key, f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}")


def _trust(raw: Any) -> TrustSettings:
    if raw is None:
        return TrustSettings()
    _typed(raw, dict, "trust", "an object")
    _no_unknown(raw, _TRUST_KEYS, "trust")
    gh_raw = raw.get("githubOidc")
    github = None
    if gh_raw is not None:
        _typed(gh_raw, dict, "trust.githubOidc", "an object")
        _no_unknown(gh_raw, _GITHUB_KEYS, "trust.githubOidc")
        github = GithubOidc(
            repository=_typed(gh_raw.get("repository"), str, "trust.githubOidc.repository", "owner/name") or "",
            branches=_strings(gh_raw.get("branches"), "trust.githubOidc.branches") or (),
            environments=_strings(gh_raw.get("environments"), "trust.githubOidc.environments") or (),
            provider_arn=_typed(gh_raw.get("providerArn"), str, "trust.githubOidc.providerArn", "an ARN"),
        )
    require_mfa = raw.get("requireMfa", True)
    _typed(require_mfa, bool, "trust.requireMfa", "true or false")
    return TrustSettings(
        principals=_strings(raw.get("principals"), "trust.principals"),
        require_mfa=require_mfa,
        external_id=_typed(raw.get("externalId"), str, "trust.externalId", "a string"),
        github=github,
    )


def args_from_config(
    get: Callable[[str], Any],
    *,
    account: Callable[[], str],
    partition: Callable[[], str],
    default_region: str | None,
    stack: str,
    base_dir: Path,
    present_keys: frozenset[str] | None = None,
) -> DeployerRoleArgs:
    """Build and validate the component's args. ``get(key)`` returns the config value
    (parsed JSON for objects), or None; ``account``/``partition`` are asked only when
    the config does not say. Raises ConfigError."""
    try:
        if present_keys is not None:
            _no_unknown({k: None for k in present_keys}, KEYS, NAMESPACE)
        part = partition()
        regions = _strings(get("regions"), "regions")
        if regions is None:
            if not default_region:
                raise InvalidSetting("regions", "not set, and aws:region is not set either")
            regions = (default_region,)
        features = get("features")
        _typed(features, dict, "features", "an object of booleans")
        settings = DeployerSettings(
            account=_typed(get("accountId"), str, "accountId", "a 12-digit string") or account(),
            regions=regions_in(part, regions),
            partition=part,
            qualifier=_typed(get("qualifier"), str, "qualifier", "a string") or DEFAULT_QUALIFIER,
            toolkit_stack_name=_typed(get("toolkitStackName"), str, "toolkitStackName", "a string") or "CDKToolkit",
            bootstrap_stack_name=_typed(get("bootstrapStackName"), str, "bootstrapStackName", "a string")
            or "SSTBootstrap",
            bootstrap_bucket_prefix=_typed(get("bootstrapBucketPrefix"), str, "bootstrapBucketPrefix", "a string")
            or "sstbootstrap-",
            ssm_prefix=_typed(get("ssmPrefix"), str, "ssmPrefix", "a string") or "/sst/",
            file_assets_bucket_name=_typed(get("fileAssetsBucketName"), str, "fileAssetsBucketName", "a string"),
            features=features_from(features),
            sst_version=_typed(get("sstVersion"), str, "sstVersion", "a string such as 2.49.8")
            or DEFAULT_SST_VERSION,
            policy_profile=_typed(get("policyProfile"), str, "policyProfile", "page or strict") or "page",
        )
        strategy = _typed(get("strategy"), str, "strategy", "a string") or "least-privilege"
        policy_file = _typed(get("policyFile"), str, "policyFile", "a path")
        custom_policy = None
        if policy_file is not None:
            path = (base_dir / policy_file).resolve()
            try:
                custom_policy = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise InvalidSetting("policyFile", f"cannot read {path}: {exc.strerror}") from None
            try:
                json.loads(custom_policy)
            except ValueError as exc:
                raise InvalidSetting("policyFile", f"{path} is not valid JSON: {exc}") from None
        tags = get("tags") or {}
        _typed(tags, dict, "tags", "an object of strings")
        max_session = get("maxSessionDuration")
        args = DeployerRoleArgs(
            settings=settings,
            strategy=strategy,
            custom_policy=custom_policy,
            trust=_trust(get("trust")),
            permissions_boundary=_typed(get("permissionsBoundary"), str, "permissionsBoundary", "an ARN"),
            role_name=_typed(get("roleName"), str, "roleName", "a string"),
            path=_typed(get("path"), str, "path", "a string") or "/",
            max_session_duration=3600 if max_session is None else max_session,
            tags=dict(tags),
            profile_name=_typed(get("profileName"), str, "profileName", "a string") or stack,
            source_profile=_typed(get("sourceProfile"), str, "sourceProfile", "a string") or "default",
        )
        args.validate()
        return args
    except InvalidSetting as exc:
        key = exc.setting if exc.setting == NAMESPACE else f"{NAMESPACE}:{exc.setting}"
        raise ConfigError(f"{key}: {exc.message}") from None


def from_pulumi_config(base_dir: Path) -> DeployerRoleArgs:
    """Read the current stack's config; ask AWS (invokes) only for what it leaves out."""
    import pulumi_aws as aws

    config = pulumi.Config(NAMESPACE)

    def get(key: str) -> Any:
        raw = config.get(key)
        if raw == "":
            return None  # Pulumi.yaml's default for a key that is not set
        if raw is None or key not in _JSON_KEYS:
            return raw
        try:
            value = json.loads(raw)
        except ValueError:
            return raw  # reported as the wrong type by the checks
        return None if key == "regions" and value == [] else value  # Pulumi.yaml's default: aws:region

    return args_from_config(
        get,
        account=lambda: aws.get_caller_identity().account_id,
        partition=lambda: aws.get_partition().partition,
        default_region=pulumi.Config("aws").get("region"),
        stack=pulumi.get_stack(),
        base_dir=base_dir,
        present_keys=_present_keys(),
    )


def _present_keys() -> frozenset[str] | None:
    """The sst-deployer:* keys the stack sets, to catch typos; None if unknowable."""
    try:
        from pulumi.runtime import config as runtime_config

        all_config = runtime_config.CONFIG.get()  # filled from PULUMI_CONFIG or set_config
    except (ImportError, AttributeError, LookupError):
        return None
    prefix = NAMESPACE + ":"
    return frozenset(k[len(prefix):] for k in all_config if k.startswith(prefix))
