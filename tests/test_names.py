"""Every name a user can change in ``sst.config.ts`` reaches the rendered role, and the
default-named role does not serve the changed name (where the page lets it differ).

Names (SST v2 ``packages/sst/src/project.ts``, ``bootstrap.ts``, ``config.ts``):
``cdk.qualifier``, ``cdk.toolkitStackName``, ``cdk.fileAssetsBucketName`` (given to
``cdk bootstrap --toolkit-bucket-name`` and to the synthesizer), ``bootstrap.stackName``,
``bootstrap.bucketName``, ``ssmPrefix``; the fallback secrets path
``/sst/<app>/.fallback/`` never follows ``ssmPrefix`` (``Config.PREFIX.FALLBACK``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sst_deployer.iam import evaluate, parse_document
from sst_deployer.permissions import Requirement
from sst_deployer.render import render, to_json
from sst_deployer.settings import DeployerSettings, InvalidSetting
from sst_deployer.tags import from_tags, to_tags

A, R = "112233445566", "eu-west-1"
DEFAULT = DeployerSettings(account=A, regions=(R,))


def grants(settings: DeployerSettings, action: str, resource: str) -> bool:
    docs = [parse_document(to_json(d)) for d in render(settings)]
    return evaluate(Requirement("probe", action, resource), docs).granted


# (setting changed, a call SST makes under the changed name)
CHANGED: list[tuple[dict[str, Any], str, str]] = [
    ({"qualifier": "acme01"}, "sts:AssumeRole", f"arn:aws:iam::{A}:role/cdk-acme01-deploy-role-{A}-{R}"),
    ({"qualifier": "acme01"}, "ssm:GetParameter", f"arn:aws:ssm:{R}:{A}:parameter/cdk-bootstrap/acme01/version"),
    ({"toolkit_stack_name": "AcmeToolkit"}, "cloudformation:CreateChangeSet",
     f"arn:aws:cloudformation:{R}:{A}:stack/AcmeToolkit/0a1b"),
    ({"bootstrap_bucket_prefix": "acme-sst-"}, "s3:PutObject",
     "arn:aws:s3:::acme-sst-bootstrap-eu/appMetadata/app.shop/stage.prod.json"),
    ({"ssm_prefix": "/acme/"}, "ssm:PutParameter", f"arn:aws:ssm:{R}:{A}:parameter/acme/shop/prod/Secret/KEY/value"),
    ({"file_assets_bucket_name": "acme-cdk-assets"}, "s3:GetObject", "arn:aws:s3:::acme-cdk-assets/0f1e2d.json"),
    ({"file_assets_bucket_name": "acme-cdk-assets"}, "s3:PutBucketPolicy", "arn:aws:s3:::acme-cdk-assets"),
]


@pytest.mark.parametrize("change, action, resource", CHANGED)
def test_a_changed_name_is_served_by_the_role_rendered_for_it(change: dict, action: str, resource: str) -> None:
    assert grants(replace(DEFAULT, **change), action, resource)


@pytest.mark.parametrize("change, action, resource", CHANGED)
def test_the_default_named_role_does_not_serve_a_changed_name(change: dict, action: str, resource: str) -> None:
    assert not grants(DEFAULT, action, resource)


def test_the_bootstrap_stack_name_follows_but_the_pages_stack_wildcard_already_covers_it() -> None:
    # AllowSSTMonitorStackDeployment grants DescribeStacks on stack/*, so a renamed SST
    # bootstrap stack is served by the default role too: the name narrows nothing.
    changed = replace(DEFAULT, bootstrap_stack_name="AcmeBootstrap")
    arn = f"arn:aws:cloudformation:{R}:{A}:stack/AcmeBootstrap/0a1b"
    assert grants(changed, "cloudformation:DescribeStacks", arn)
    assert grants(DEFAULT, "cloudformation:DescribeStacks", arn)
    from sst_deployer.permissions import requirements
    assert f"arn:aws:cloudformation:{R}:{A}:stack/AcmeBootstrap/*" in {r.resource for r in requirements(changed)}


@pytest.mark.parametrize("prefix", ["/sst/", "/acme/", "/acme/sst/"])
@pytest.mark.parametrize("action", ["ssm:GetParametersByPath", "ssm:PutParameter", "ssm:DeleteParameter"])
def test_fallback_secrets_are_served_whatever_the_ssm_prefix(prefix: str, action: str) -> None:
    settings = replace(DEFAULT, ssm_prefix=prefix)
    for resource in (f"arn:aws:ssm:{R}:{A}:parameter/sst/shop/.fallback/Secret",
                     f"arn:aws:ssm:{R}:{A}:parameter/sst/shop/.fallback/Secret/KEY/value"):
        assert grants(settings, action, resource), (prefix, action, resource)


def test_the_fallback_grant_adds_nothing_with_the_default_prefix() -> None:
    text = "".join(to_json(d) for d in render(DEFAULT))
    assert ".fallback" not in text  # parameter/sst/* already covers it
    assert ".fallback" in "".join(to_json(d) for d in render(replace(DEFAULT, ssm_prefix="/acme/")))


def test_a_custom_prefix_does_not_open_other_fallback_paths() -> None:
    settings = replace(DEFAULT, ssm_prefix="/acme/")
    assert not grants(settings, "ssm:GetParameter", f"arn:aws:ssm:{R}:{A}:parameter/other/shop/.fallback/Secret")


def test_the_assets_bucket_name_round_trips_through_tags() -> None:
    changed = replace(DEFAULT, file_assets_bucket_name="acme-cdk-assets")
    tags = to_tags(changed, "least-privilege")
    assert tags["sst-deployer:file-assets-bucket"] == "acme-cdk-assets"
    assert from_tags(tags) == changed
    assert "sst-deployer:file-assets-bucket" not in to_tags(DEFAULT, "least-privilege")


@pytest.mark.parametrize("bad", ["Acme", "ab", "acme_assets", "-acme", "acme..assets", "a" * 64])
def test_a_bad_assets_bucket_name_names_the_setting(bad: str) -> None:
    with pytest.raises(InvalidSetting) as err:
        replace(DEFAULT, file_assets_bucket_name=bad)
    assert err.value.setting == "fileAssetsBucketName"
