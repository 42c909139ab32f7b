"""A DeployerRole with one more in-stack policy ``extra`` attached; its document in
``scenario:document`` (JSON)."""

import pulumi
import pulumi_aws as aws
from kit import deployer, option

d = deployer("deployer")
extra = aws.iam.Policy("extra", name="deployer-extra", policy=option("document"))
aws.iam.RolePolicyAttachment("extra-attachment", role=d.role_name, policy_arn=extra.arn)
pulumi.export("roleArn", d.role_arn)
