"""A DeployerRole with the organisation's guardrail policy (``scenario:document``, JSON)
attached to its role. ``scenario:trust``: ``people`` (the account's principals, MFA
required: the component's default) or ``github`` (GitHub Actions through OIDC only);
``scenario:regions``: the deployer's regions (space-separated, default us-east-1);
``scenario:tags``: the deployer's own tags (JSON object)."""

import json

import pulumi
import pulumi_aws as aws
from kit import deployer, option, settings
from sst_deployer.trust import GithubOidc, TrustSettings

trust = TrustSettings()
if option("trust", "people") == "github":
    trust = TrustSettings(principals=(), github=GithubOidc("acme/storefront", branches=("main",)))
d = deployer("deployer", settings(regions=tuple(option("regions", "us-east-1").split())), trust=trust,
             tags=json.loads(option("tags", "{}")))
guard = aws.iam.Policy("guardrail", name="org-guardrail", policy=json.loads(option("document")))
aws.iam.RolePolicyAttachment("guardrail-attachment", role=d.role_name, policy_arn=guard.arn)
pulumi.export("roleArn", d.role_arn)
