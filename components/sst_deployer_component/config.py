"""Stack config (namespace ``sst-deployer``) to the component's :class:`DeployerRoleArgs`.

The key names are the project's public interface (README.md documents each one) and the
component's argument names in camelCase: the config reader only renames them to Python's
snake_case and reads ``policyFile`` into ``policyDocument``; every check is the
component's own (:func:`.spec.to_spec`), reported here as ``sst-deployer:<key>``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, cast

import pulumi
from sst_deployer.settings import InvalidSetting

from .args import DeployerRoleArgs
from .deployer_role import DeployerArgsError
from .spec import ARG_KEYS, DeployerSpec, camel_case, snake_case, to_spec

NAMESPACE: Final = "sst-deployer"
# The config's own key for the component's policyDocument: a file in the project.
POLICY_FILE: Final = "policyFile"
KEYS: Final[tuple[str, ...]] = tuple(
    POLICY_FILE if k == "policy_document" else camel_case(k) for k in ARG_KEYS
)
_JSON_KEYS: Final = frozenset({"regions", "features", "trust", "tags", "maxSessionDuration"})
_NESTED: Final = frozenset({"features", "trust", "trust.githubOidc"})  # objects whose keys are settings


class ConfigError(Exception):
    """Bad stack config: names the key (``sst-deployer:regions``) and what is allowed."""


def _config_key(setting: str) -> str:
    return POLICY_FILE if setting == "policyDocument" else setting


def config_error(exc: InvalidSetting | DeployerArgsError) -> ConfigError:
    """The component's complaint about an argument, as a complaint about the stack config."""
    setting = _config_key(exc.setting)
    message = exc.message if isinstance(exc, InvalidSetting) else exc.reason
    key = setting if setting == NAMESPACE else f"{NAMESPACE}:{setting}"
    return ConfigError(f"{key}: {message}")


def _snake_keys(value: Any, path: str) -> Any:
    """Config objects whose keys are settings, renamed to the args' snake_case keys."""
    if not isinstance(value, dict) or path not in _NESTED:
        return value
    return {snake_case(k) if isinstance(k, str) else k: _snake_keys(v, f"{path}.{k}") for k, v in value.items()}


def inputs_from_config(
    get: Callable[[str], Any],
    *,
    base_dir: Path,
    present_keys: frozenset[str] | None = None,
) -> DeployerRoleArgs:
    """The component's arguments from ``get(key)`` (the config value, parsed JSON for objects,
    or None). Raises ConfigError for a key the program does not know or an unreadable policyFile."""
    try:
        if present_keys is not None:
            unknown = sorted(present_keys - set(KEYS))
            if unknown:
                raise InvalidSetting(NAMESPACE, f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(KEYS)}")
        args: dict[str, Any] = {}
        for key in KEYS:
            value = get(key)
            if value is None:
                continue
            if key == POLICY_FILE:
                args["policy_document"] = _read_policy(base_dir, value)
            else:
                args[snake_case(key)] = _snake_keys(value, key)
        return cast(DeployerRoleArgs, args)
    except InvalidSetting as exc:
        raise config_error(exc) from None


def _read_policy(base_dir: Path, policy_file: Any) -> str:
    if not isinstance(policy_file, str):
        raise InvalidSetting(POLICY_FILE, f"must be a path, not {json.dumps(policy_file)}")
    path = (base_dir / policy_file).resolve()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidSetting(POLICY_FILE, f"cannot read {path}: {exc.strerror}") from None
    try:
        json.loads(text)
    except ValueError as exc:
        raise InvalidSetting(POLICY_FILE, f"{path} is not valid JSON: {exc}") from None
    return text


def args_from_config(
    get: Callable[[str], Any],
    *,
    account: Callable[[], str],
    partition: Callable[[], str],
    default_region: str | None,
    stack: str,
    base_dir: Path,
    present_keys: frozenset[str] | None = None,
) -> DeployerSpec:
    """The checked spec the component builds from this config (what ``DeployerRole`` would
    make of :func:`inputs_from_config`). Raises ConfigError."""
    inputs = inputs_from_config(get, base_dir=base_dir, present_keys=present_keys)
    try:
        return to_spec(inputs, account=account, partition=partition, default_region=default_region, stack=stack)
    except InvalidSetting as exc:
        raise config_error(exc) from None


def _pulumi_get(config: pulumi.Config) -> Callable[[str], Any]:
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

    return get


def args_from_pulumi_config(base_dir: Path) -> DeployerRoleArgs:
    """The current stack's config as the component's arguments (``DeployerRole`` checks them)."""
    return inputs_from_config(
        _pulumi_get(pulumi.Config(NAMESPACE)), base_dir=base_dir, present_keys=_present_keys()
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

