"""SST's real calls per version: every boundary of the catalogue pinned before, at and after.

Sources (sst/v2 on GitHub, ``packages/sst/src/stacks/deploy.ts`` at each tag):
``sst@2.44.1`` (the repository's first tag) already calls ListImports; ``sst@2.49.0``
calls CreateStack/UpdateStack with the caller's credentials and no RoleARN;
``sst@2.49.4`` adds ``RoleARN: executionRoleArn``.
"""

from __future__ import annotations

import pytest
from sst_deployer.iam import evaluate, parse_document
from sst_deployer.permissions import CATALOGUE, Requirement, requirements
from sst_deployer.render import render, to_json
from sst_deployer.settings import (
    DEFAULT_SST_VERSION,
    NEWEST_SST_VERSION,
    DeployerSettings,
    InvalidSetting,
    check_least_privilege_version,
    sst_version_tuple,
)
from sst_deployer.tags import from_tags, to_tags

ACCOUNT, REGION = "112233445566", "eu-west-1"


def settings(version: str) -> DeployerSettings:
    return DeployerSettings(account=ACCOUNT, regions=(REGION,), sst_version=version)


def grants(version: str, action: str, resource: str) -> bool:
    docs = [parse_document(to_json(d)) for d in render(settings(version))]
    return evaluate(Requirement("probe", action, resource), docs).granted


def actions_of(version: str) -> set[str]:
    return {r.action for r in requirements(settings(version))}


def test_the_default_is_the_newest_sst_v2_release() -> None:
    assert DEFAULT_SST_VERSION == "2.49.8"
    assert sst_version_tuple(DEFAULT_SST_VERSION) == NEWEST_SST_VERSION
    assert DeployerSettings(account=ACCOUNT, regions=(REGION,)).sst_version == "2.49.8"


@pytest.mark.parametrize("version", ["2.0.0", "2.44.0", "2.44.1", "2.48.5", "2.49.4", "2.49.8"])
def test_every_2x_release_may_list_imports(version: str) -> None:
    # addInUseExports asks ListImports whenever a deployed stack drops an export.
    assert "cloudformation:ListImports" in actions_of(version)
    assert grants(version, "cloudformation:ListImports", "*")


@pytest.mark.parametrize("version, deploys_itself", [
    ("2.48.5", False),  # before: CDK's deploy role creates the stacks
    ("2.49.4", True),  # at the first version a least-privilege role can serve
    ("2.49.8", True),  # after
])
def test_create_and_update_stack_from_249(version: str, deploys_itself: bool) -> None:
    stack = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/my-app-stage-Api/1a2b"
    template = f"arn:aws:s3:::cdk-hnb659fds-assets-{ACCOUNT}-{REGION}/0f1e2d.json"
    assert grants(version, "cloudformation:CreateStack", stack) is deploys_itself
    assert grants(version, "cloudformation:UpdateStack", stack) is deploys_itself
    assert grants(version, "s3:GetObject", template) is deploys_itself


def test_the_boundaries_of_the_catalogue_are_cited() -> None:
    for grant in CATALOGUE:
        if grant.since is not None:
            tag = "sst@" + ".".join(map(str, grant.since))
            assert tag in grant.source, f"{grant.sid} starts at {tag} but cites {grant.source!r}"


@pytest.mark.parametrize("version", ["2.49.0", "2.49.1", "2.49.2", "2.49.3"])
def test_least_privilege_is_refused_for_sst_2490_to_2493(version: str) -> None:
    with pytest.raises(InvalidSetting) as err:
        render(settings(version))
    assert err.value.setting == "sstVersion"
    for needed in ("RoleARN", "2.49.4", "administrator"):
        assert needed in err.value.message


@pytest.mark.parametrize("version", ["2.48.5", "2.49.4", "2.49.8"])
def test_least_privilege_is_served_either_side_of_the_broken_range(version: str) -> None:
    check_least_privilege_version(version)
    assert render(settings(version))


@pytest.mark.parametrize("version, why", [
    ("2.99.0", "newer than the last SST v2 release"),
    ("2.50.0", "newer than the last SST v2 release"),
    ("2.49.9", "newer than the last SST v2 release"),
    ("2.49.8-next.1", "pre-release"),
    ("2.0.0-rc.71", "pre-release"),
    ("2.49", "major.minor.patch"),
    ("3.0.0", "not an SST 2.x release"),
    ("latest", "not an SST 2.x release"),
])
def test_versions_that_are_not_released_2x_are_refused(version: str, why: str) -> None:
    with pytest.raises(InvalidSetting) as err:
        settings(version)
    assert err.value.setting == "sstVersion"
    assert why in err.value.message


def test_a_tagged_least_privilege_role_on_a_broken_version_is_reported_by_its_tag() -> None:
    tags = to_tags(settings("2.49.8"), "least-privilege") | {"sst-deployer:sst-version": "2.49.2"}
    with pytest.raises(InvalidSetting) as err:
        from_tags(tags)
    assert err.value.setting == "sst-deployer:sst-version"
    assert "2.49.4" in err.value.message


@pytest.mark.parametrize("strategy", ["administrator", "custom"])
def test_other_strategies_still_work_on_the_broken_versions(strategy: str) -> None:
    tags = to_tags(settings("2.49.8"), strategy) | {"sst-deployer:sst-version": "2.49.2"}
    assert from_tags(tags).sst_version == "2.49.2"


def test_a_hand_tagged_role_without_a_version_tag_is_judged_as_the_newest_release() -> None:
    tags = {"sst-deployer:role": "least-privilege", "sst-deployer:regions": REGION}
    assert from_tags(tags, account=ACCOUNT).sst_version == DEFAULT_SST_VERSION


def test_the_pack_reports_a_tagged_least_privilege_role_on_a_broken_version() -> None:
    from test_policies_direct import run_all

    tags = to_tags(settings("2.49.8"), "least-privilege") | {"sst-deployer:sst-version": "2.49.3"}
    role = {"type": "aws:iam/role:Role", "urn": "urn:pulumi:prod::p::aws:iam/role:Role::deployer",
            "name": "deployer", "outputs": {"name": "deployer", "tags": tags,
                                            "arn": f"arn:aws:iam::{ACCOUNT}:role/deployer"}}
    reported = run_all([role])
    intact = [m for name, m in reported if name == "sst-deployer-statements-intact"]
    assert len(intact) == 1
    assert "sst-deployer:sst-version" in intact[0] and "2.49.4" in intact[0]
