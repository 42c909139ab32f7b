"""What the scenario programs share: the organisation's accounts, a deployer's
settings, tags, trust documents and the SST page's copy-paste policy.

Programs are run by ``harness.run_program(program=...)``; the variant of a program
comes from the config key ``scenario:variant``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
from sst_deployer.render import render, to_json
from sst_deployer.settings import DeployerSettings
from sst_deployer.tags import to_tags

from sst_deployer_component import DeployerRole
from sst_deployer_component.spec import DeployerSpec

ACCOUNT = "112233445566"
OTHER_ACCOUNT = "444455556666"
SST_VERSION = "2.49.8"  # the newest 2.x: deploys stacks with the caller's credentials
PAGE = json.loads((Path(__file__).resolve().parents[2] / "fixtures" / "sst_iam_page.json").read_text())


def variant(default: str = "") -> str:
    return pulumi.Config("scenario").get("variant") or default


def option(key: str, default: str = "") -> str:
    return pulumi.Config("scenario").get(key) or default


def settings(account: str = ACCOUNT, regions: tuple[str, ...] = ("us-east-1",), **kw: Any) -> DeployerSettings:
    return DeployerSettings(account=account, regions=regions, sst_version=SST_VERSION, **kw)


def deployer(name: str = "deployer", s: DeployerSettings | None = None,
             opts: pulumi.ResourceOptions | None = None, **kw: Any) -> DeployerRole:
    return DeployerRole.from_spec(name, DeployerSpec(settings=s or settings(), **kw), opts)


def people_trust(account: str = ACCOUNT) -> str:
    """The account's IAM principals, with MFA: how people assume a deployer."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]})


def github_trust(account: str = ACCOUNT, repository: str = "acme/storefront") -> str:
    """GitHub Actions through the account's OIDC provider: sessions without MFA."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": f"arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com"},
        "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                                       "token.actions.githubusercontent.com:sub":
                                           f"repo:{repository}:ref:refs/heads/main"}}}]})


def deployer_tags(s: DeployerSettings, strategy: str = "least-privilege") -> dict[str, str]:
    return to_tags(s, strategy)


def rendered(s: DeployerSettings) -> list[str]:
    """The least-privilege documents for ``s``, as the component would make them."""
    return [to_json(d) for d in render(s)]


def page_policy(account: str = ACCOUNT) -> str:
    """SST's copy-paste policy as the page prints it (us-east-1, account 112233445566)."""
    return json.dumps(PAGE["copyPastePolicy"]).replace("112233445566", account)


def role(name: str, trust: str | None = None, tags: dict[str, str] | None = None,
         opts: pulumi.ResourceOptions | None = None, **kw: Any) -> aws.iam.Role:
    """A role with an explicit physical name (known in a preview, as most org roles are)."""
    return aws.iam.Role(name, name=name, assume_role_policy=trust or people_trust(), tags=tags, opts=opts, **kw)


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def baseline() -> aws.iam.Policy:
    """The organisation's baseline policy every role gets: read its own logs and alarms."""
    return aws.iam.Policy("org-baseline", name="org-baseline", policy=doc(
        {"Sid": "Observe", "Effect": "Allow", "Action": ["logs:Describe*", "cloudwatch:Describe*"], "Resource": "*"}))
