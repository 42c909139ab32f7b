"""Every stack config key reaches the component's arguments, and a value of the wrong type
names its key and the type it must be (sst_deployer_component.config.args_from_config, directly)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sst_deployer.settings import DeployerSettings
from sst_deployer.trust import GithubOidc, TrustSettings

from sst_deployer_component.config import ConfigError, args_from_config
from sst_deployer_component.spec import DeployerSpec

A = "112233445566"


def args(config: dict[str, Any], base_dir: Path = Path(".")) -> DeployerSpec:
    def never() -> str:
        raise AssertionError("asked AWS although the config says it")

    return args_from_config(config.get, account=lambda: A if "accountId" not in config else never(),
                            partition=lambda: "aws", default_region="us-east-1", stack="staging",
                            base_dir=base_dir, present_keys=frozenset(config))


def test_every_key_reaches_the_arguments(tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text(json.dumps({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                                "Resource": "*"}]}))
    config = {
        "regions": ["eu-west-1", "us-east-1"], "accountId": "998877665544", "qualifier": "acme01",
        "strategy": "custom", "policyFile": "p.json", "features": {"bind": True, "liveLambda": False},
        "sstVersion": "2.47.0", "toolkitStackName": "AcmeToolkit", "bootstrapStackName": "AcmeBootstrap",
        "bootstrapBucketPrefix": "acme-sst-", "ssmPrefix": "/acme/", "fileAssetsBucketName": "acme-assets",
        "trust": {"principals": ["arn:aws:iam::998877665544:role/ops"], "requireMfa": False,
                  "githubOidc": {"repository": "acme/app", "branches": ["main"]}},
        "permissionsBoundary": "arn:aws:iam::998877665544:policy/boundary", "maxSessionDuration": 7200,
        "roleName": "acme-deployer", "path": "/deployers/", "tags": {"team": "platform"},
        "profileName": "acme-staging", "sourceProfile": "acme",
    }
    got = args(config, tmp_path)
    assert got.settings == DeployerSettings(
        account="998877665544", regions=("eu-west-1", "us-east-1"), qualifier="acme01",
        toolkit_stack_name="AcmeToolkit", bootstrap_stack_name="AcmeBootstrap", bootstrap_bucket_prefix="acme-sst-",
        ssm_prefix="/acme/", file_assets_bucket_name="acme-assets",
        features=frozenset({"secrets", "rdsMigrations", "bind"}), sst_version="2.47.0")
    assert got.trust == TrustSettings(principals=("arn:aws:iam::998877665544:role/ops",), require_mfa=False,
                                      github=GithubOidc("acme/app", ("main",)))
    assert (got.strategy, got.permissions_boundary, got.max_session_duration, got.role_name, got.path, got.tags,
            got.profile_name, got.source_profile) == (
        "custom", "arn:aws:iam::998877665544:policy/boundary", 7200, "acme-deployer", "/deployers/",
        {"team": "platform"}, "acme-staging", "acme")
    assert got.custom_policy == (tmp_path / "p.json").read_text()


def test_an_empty_config_is_every_default() -> None:
    got = args({})
    assert got.settings == DeployerSettings(account=A, regions=("us-east-1",))
    assert (got.strategy, got.custom_policy, got.trust, got.permissions_boundary, got.role_name, got.path,
            got.max_session_duration, got.tags, got.profile_name, got.source_profile) == (
        "least-privilege", None, TrustSettings(), None, None, "/", 3600, {}, "staging", "default")


@pytest.mark.parametrize("key, value, what", [
    ("accountId", 112233445566, "a 12-digit string"),
    ("qualifier", 5, "a string"),
    ("toolkitStackName", 5, "a string"),
    ("bootstrapStackName", 5, "a string"),
    ("bootstrapBucketPrefix", 5, "a string"),
    ("ssmPrefix", 5, "a string"),
    ("fileAssetsBucketName", 5, "a string"),
    ("sstVersion", 2.49, "a string such as 2.49.8"),
    ("strategy", 5, "a string"),
    ("policyFile", 5, "a path"),
    ("permissionsBoundary", 5, "an ARN"),
    ("roleName", 5, "a string"),
    ("path", 5, "a string"),
    ("profileName", 5, "a string"),
    ("sourceProfile", 5, "a string"),
    ("features", ["bind"], "an object of booleans"),
    ("tags", ["a"], "an object of strings"),
    ("trust", "anyone", "an object"),
    ("regions", "us-east-1", "a list of strings"),
])
def test_a_value_of_the_wrong_type_names_its_key_and_type(key: str, value: Any, what: str) -> None:
    with pytest.raises(ConfigError) as err:
        args({key: value})
    assert str(err.value) == f"sst-deployer:{key}: must be {what}, not {json.dumps(value)}"


def test_a_policy_file_that_is_not_json_names_the_key(tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text("{not json")
    with pytest.raises(ConfigError) as err:
        args({"strategy": "custom", "policyFile": "p.json"}, tmp_path)
    assert str(err.value).startswith(f"sst-deployer:policyFile: {(tmp_path / 'p.json').resolve()} is not valid JSON: ")


@pytest.mark.parametrize("trust, key, what, value", [
    ({"githubOidc": "acme/app"}, "trust.githubOidc", "an object", "acme/app"),
    ({"githubOidc": {"repository": "acme/app", "branches": ["main"], "providerArn": 5}},
     "trust.githubOidc.providerArn", "an ARN", 5),
    ({"githubOidc": {"repository": "acme/app", "branches": "main"}}, "trust.githubOidc.branches",
     "a list of strings", "main"),
    ({"principals": "112233445566"}, "trust.principals", "a list of strings", "112233445566"),
    ({"requireMfa": "yes"}, "trust.requireMfa", "true or false", "yes"),
])
def test_a_trust_value_of_the_wrong_type_names_its_key(trust: dict[str, Any], key: str, what: str, value: Any) -> None:
    with pytest.raises(ConfigError) as err:
        args({"trust": trust})
    assert str(err.value) == f"sst-deployer:{key}: must be {what}, not {json.dumps(value)}"
