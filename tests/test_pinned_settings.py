"""Settings: every bad value names its key and says exactly what is allowed, and feature
toggles override the defaults one by one."""

from __future__ import annotations

from typing import Any

import pytest
from sst_deployer.settings import FEATURES, DeployerSettings, InvalidSetting, features_from

A = "112233445566"
DEFAULTS = frozenset({"secrets", "liveLambda", "rdsMigrations"})


def test_no_toggles_are_the_defaults() -> None:
    assert features_from(None) == features_from({}) == DEFAULTS == DeployerSettings(account=A,
                                                                                      regions=("us-east-1",)).features


@pytest.mark.parametrize("feature", sorted(FEATURES))
def test_each_toggle_overrides_its_default_only(feature: str) -> None:
    assert features_from({feature: True}) == DEFAULTS | {feature}
    assert features_from({feature: False}) == DEFAULTS - {feature}


def test_toggles_combine() -> None:
    assert features_from({"liveLambda": False, "bind": True, "console": True}) == {
        "secrets", "rdsMigrations", "bind", "console"}
    assert features_from(dict.fromkeys(FEATURES, False)) == frozenset()


@pytest.mark.parametrize("toggles, key, message", [
    ({"telepathy": True}, "features",
     "unknown feature(s) telepathy; allowed: secrets, liveLambda, rdsMigrations, bind, rdsSecret, console"),
    ({"bind": "yes"}, "features.bind", "must be true or false, not 'yes'"),
])
def test_bad_toggles_say_what_is_allowed(toggles: dict[str, Any], key: str, message: str) -> None:
    with pytest.raises(InvalidSetting) as err:
        features_from(toggles)
    assert (err.value.setting, err.value.message) == (key, message)


@pytest.mark.parametrize("kwargs, key, message", [
    ({"partition": "aws-iso"}, "partition", "'aws-iso'; allowed: aws, aws-cn, aws-us-gov"),
    ({"account": "1234"}, "accountId", "'1234' is not a 12-digit AWS account id"),
    ({"regions": ()}, "regions", "at least one region is required"),
    ({"regions": ("cn-north-1",)}, "regions", "'cn-north-1' is in partition aws-cn, not in aws"),
    ({"regions": ("cn-mars-1",), "partition": "aws-cn"}, "regions",
     "unknown region 'cn-mars-1'; aws-cn has cn-north-1, cn-northwest-1"),
    ({"sst_version": 2.49}, "sstVersion", "2.49 is not an SST 2.x release; give major.minor.patch, such as 2.49.8"),
    ({"sst_version": None}, "sstVersion", "None is not an SST 2.x release; give major.minor.patch, such as 2.49.8"),
    ({"qualifier": "bad!"}, "qualifier", "'bad!'; CDK allows 1-10 characters of A-Z a-z 0-9 _ -"),
    ({"toolkit_stack_name": "1bad"}, "toolkitStackName",
     "'1bad'; a CloudFormation stack name is a letter, then letters, digits and hyphens, 128 characters at most"),
    ({"bootstrap_stack_name": "bad_name"}, "bootstrapStackName",
     "'bad_name'; a CloudFormation stack name is a letter, then letters, digits and hyphens, 128 characters at most"),
    ({"bootstrap_bucket_prefix": "Upper-"}, "bootstrapBucketPrefix",
     "'Upper-'; allowed: 1-51 of a-z 0-9 . - starting with a letter or digit"),
    ({"ssm_prefix": "sst"}, "ssmPrefix", "'sst'; a parameter path such as /sst/ (starts and ends with /)"),
    ({"file_assets_bucket_name": "a..b"}, "fileAssetsBucketName",
     "'a..b'; an S3 bucket name is 3-63 of a-z 0-9 . - starting and ending with a letter or digit "
     "(cdk.fileAssetsBucketName, as given to cdk bootstrap)"),
    ({"features": frozenset({"telepathy"})}, "features", "unknown feature(s) telepathy"),
])
def test_a_bad_setting_names_its_key_and_what_is_allowed(kwargs: dict[str, Any], key: str, message: str) -> None:
    with pytest.raises(InvalidSetting) as err:
        DeployerSettings(**({"account": A, "regions": ("us-east-1",)} | kwargs))
    assert (err.value.setting, err.value.message) == (key, message)
    assert str(err.value) == f"{key}: {message}"
