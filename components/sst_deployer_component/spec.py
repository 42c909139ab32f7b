"""The validated form of the component's arguments (:class:`DeployerSpec`), and the one
conversion from the public arguments to it (:func:`to_spec`).

Errors are :class:`~sst_deployer.settings.InvalidSetting` naming the setting in camelCase,
as the stack config and the schema spell it; the component respells them for Python.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Final

from pulumi import Output
from pulumi.output import Unknown
from pulumi.runtime import rpc
from sst_deployer.iam import PolicyDocumentError, parse_document
from sst_deployer.render import MANAGED_POLICY_MAX_CHARS, policy_size, render, to_json
from sst_deployer.settings import (
    DEFAULT_POLICY_PROFILE,
    DEFAULT_QUALIFIER,
    DEFAULT_SST_VERSION,
    FEATURES,
    DeployerSettings,
    InvalidSetting,
    check_least_privilege_version,
    features_from,
    regions_in,
)
from sst_deployer.tags import to_tags
from sst_deployer.trust import GithubOidc, TrustSettings, validate_trust

from .args import DeployerRoleArgs, Features, Trust
from .args import GithubOidc as GithubOidcArgs

STRATEGIES: Final[tuple[str, ...]] = ("least-privilege", "administrator", "custom")
TYPE_TOKEN: Final = "sst:aws:DeployerRole"

_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
_PATH = re.compile(r"^/(?:[\x21-\x7e]+/)?$")


@dataclass(frozen=True)
class DeployerSpec:
    """Everything that shapes one environment's deployer role, checked by :meth:`validate`."""

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
                raise InvalidSetting("policyDocument", "strategy custom needs a policy document file")
            try:
                parse_document(self.custom_policy)
            except PolicyDocumentError as exc:
                raise InvalidSetting("policyDocument", f"not a valid IAM policy: {exc}") from None
            if policy_size(self.custom_policy) > MANAGED_POLICY_MAX_CHARS:
                raise InvalidSetting(
                    "policyDocument", f"{policy_size(self.custom_policy)} characters; a managed policy "
                    f"holds {MANAGED_POLICY_MAX_CHARS} (whitespace not counted)"
                )
        elif self.custom_policy is not None:
            raise InvalidSetting("policyDocument", f"is only used with strategy custom, not {self.strategy}")
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



def camel_case(name: str) -> str:
    """``account_id`` -> ``accountId``: the schema's (and the stack config's) spelling."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def snake_case(name: str) -> str:
    """``trust.githubOidc.providerArn`` -> ``trust.github_oidc.provider_arn``: Python's spelling."""
    return re.sub(r"[A-Z]", lambda m: "_" + m.group(0).lower(), name)


ARG_KEYS: Final[tuple[str, ...]] = tuple(DeployerRoleArgs.__annotations__)
FEATURE_KEYS: Final[tuple[str, ...]] = tuple(Features.__annotations__)
TRUST_KEYS: Final[tuple[str, ...]] = tuple(Trust.__annotations__)
GITHUB_KEYS: Final[tuple[str, ...]] = tuple(GithubOidcArgs.__annotations__)


def _unknown_why(value: Any) -> str | None:
    """Why a value is not known now, or None when it is (deeply) plain."""
    if isinstance(value, Output):
        return "an Output (a value of another resource, unknown during preview, or a secret)"
    if isinstance(value, Unknown) or (isinstance(value, str) and value == rpc.UNKNOWN):
        return "unknown during preview (a value of another resource)"
    if isinstance(value, Mapping):
        return next((why for v in value.values() if (why := _unknown_why(v))), None)
    if isinstance(value, (list, tuple)):
        return next((why for v in value if (why := _unknown_why(v))), None)
    return None


def _known(args: Mapping[str, Any], path: str = "") -> None:
    for key, value in args.items():
        name = f"{path}{camel_case(str(key))}"
        if isinstance(value, Mapping) and not isinstance(value, Output):
            _known(value, name + ".")
            continue
        why = _unknown_why(value)
        if why:
            raise InvalidSetting(
                name, f"is {why}; it must be known when the deployer is declared, because it shapes the "
                "role's documents and resources, which the policy pack judges at preview. Pass a plain value "
                "(stack config, or the result of an invoke such as getCallerIdentity)")


def _typed(value: Any, kind: type | tuple[type, ...], key: str, what: str) -> Any:
    if value is not None and (not isinstance(value, kind) or (isinstance(value, bool) and kind is int)):
        raise InvalidSetting(key, f"must be {what}, not {json.dumps(value, default=repr)}")
    return value


def _string(args: Mapping[str, Any], key: str, what: str = "a string") -> str | None:
    """A string setting; "" means not set (the stack config's default for optional keys)."""
    return _typed(args.get(key), str, camel_case(key), what) or None


def _strings(value: Any, key: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise InvalidSetting(key, f"must be a list of strings, not {json.dumps(value, default=repr)}")
    return tuple(value)


def _no_unknown(obj: Mapping[str, Any], allowed: tuple[str, ...], key: str) -> None:
    unknown = sorted(camel_case(str(k)) for k in set(obj) - set(allowed))
    if unknown:
        raise InvalidSetting(key, f"unknown key(s) {', '.join(unknown)}; allowed: "
                             f"{', '.join(camel_case(a) for a in allowed)}")


def _enum_value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _features(raw: Any) -> frozenset[str]:
    if raw is None:
        return features_from(None)
    _typed(raw, dict, "features", "an object of booleans")
    return features_from({camel_case(k): v for k, v in raw.items()})


def _trust(raw: Any) -> TrustSettings:
    if raw is None:
        return TrustSettings()
    _typed(raw, dict, "trust", "an object")
    _no_unknown(raw, TRUST_KEYS, "trust")
    gh_raw = raw.get("github_oidc")
    github = None
    if gh_raw is not None:
        _typed(gh_raw, dict, "trust.githubOidc", "an object")
        _no_unknown(gh_raw, GITHUB_KEYS, "trust.githubOidc")
        github = GithubOidc(
            repository=_typed(gh_raw.get("repository"), str, "trust.githubOidc.repository", "owner/name") or "",
            branches=_strings(gh_raw.get("branches"), "trust.githubOidc.branches") or (),
            environments=_strings(gh_raw.get("environments"), "trust.githubOidc.environments") or (),
            provider_arn=_typed(gh_raw.get("provider_arn"), str, "trust.githubOidc.providerArn", "an ARN") or None,
        )
    require_mfa = raw.get("require_mfa", True)
    _typed(require_mfa, bool, "trust.requireMfa", "true or false")
    return TrustSettings(
        principals=_strings(raw.get("principals"), "trust.principals"),
        require_mfa=require_mfa,
        external_id=_typed(raw.get("external_id"), str, "trust.externalId", "a string") or None,
        github=github,
    )


def to_spec(
    args: Mapping[str, Any],
    *,
    account: Callable[[], str],
    partition: Callable[[], str],
    default_region: str | None,
    stack: str,
) -> DeployerSpec:
    """Check the public arguments (snake_case keys, as :class:`DeployerRoleArgs`) and build
    the spec. ``account``/``partition`` are asked (AWS invokes) only after every argument is
    known, ``account`` only when ``account_id`` is left out. Raises InvalidSetting."""
    _typed(args, dict, "args", "an object of settings")
    _no_unknown(args, ARG_KEYS, "args")
    _known(args)
    regions = _strings(args.get("regions"), "regions") or None  # [] is "not set", as in the stack config
    if regions is None:
        if not default_region:
            raise InvalidSetting("regions", "not set, and aws:region is not set either")
        regions = (default_region,)
    features = _features(args.get("features"))
    trust = _trust(args.get("trust"))
    strategy = _typed(_enum_value(args.get("strategy")), str, "strategy", "a string") or "least-privilege"
    policy_profile = _typed(_enum_value(args.get("policy_profile")), str, "policyProfile", "page or strict")
    tags = args.get("tags") or {}
    _typed(tags, dict, "tags", "an object of strings")
    max_session = args.get("max_session_duration")
    if isinstance(max_session, float) and max_session.is_integer():
        # Numbers cross gRPC as doubles, and pulumi 3.272's ComponentProvider.map_input_properties
        # computes int() for an integer property but then passes the double on.
        max_session = int(max_session)
    part = partition()
    settings = DeployerSettings(
        account=_string(args, "account_id", "a 12-digit string") or account(),
        regions=regions_in(part, regions),
        partition=part,
        qualifier=_string(args, "qualifier") or DEFAULT_QUALIFIER,
        toolkit_stack_name=_string(args, "toolkit_stack_name") or "CDKToolkit",
        bootstrap_stack_name=_string(args, "bootstrap_stack_name") or "SSTBootstrap",
        bootstrap_bucket_prefix=_string(args, "bootstrap_bucket_prefix") or "sstbootstrap-",
        ssm_prefix=_string(args, "ssm_prefix") or "/sst/",
        file_assets_bucket_name=_string(args, "file_assets_bucket_name"),
        features=features,
        sst_version=_string(args, "sst_version", "a string such as 2.49.8") or DEFAULT_SST_VERSION,
        policy_profile=policy_profile or DEFAULT_POLICY_PROFILE,
    )
    spec = DeployerSpec(
        settings=settings,
        strategy=strategy,
        custom_policy=_string(args, "policy_document", "a JSON policy document"),
        trust=trust,
        permissions_boundary=_string(args, "permissions_boundary", "an ARN"),
        role_name=_string(args, "role_name"),
        path=_string(args, "path") or "/",
        max_session_duration=3600 if max_session is None else max_session,
        tags=dict(tags),
        profile_name=_string(args, "profile_name") or stack,
        source_profile=_string(args, "source_profile") or "default",
    )
    spec.validate()
    return spec


# The defaults :func:`to_spec` applies to a setting left out, as the stack config's
# Pulumi.yaml declares them (tests/test_vocabulary.py holds the two together).
DEFAULTS: Final[dict[str, Any]] = {
    "qualifier": DEFAULT_QUALIFIER,
    "strategy": "least-privilege",
    "features": dict(FEATURES),
    "sstVersion": DEFAULT_SST_VERSION,
    "policyProfile": DEFAULT_POLICY_PROFILE,
    "maxSessionDuration": 3600,
    "path": "/",
    "toolkitStackName": "CDKToolkit",
    "bootstrapStackName": "SSTBootstrap",
    "bootstrapBucketPrefix": "sstbootstrap-",
    "ssmPrefix": "/sst/",
    "sourceProfile": "default",
}
