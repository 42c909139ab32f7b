"""A DeployerRole, and one more managed policy attached to its role with a
RolePolicyAttachment: an AWS managed policy (``aws:<Name>``), a shared customer-managed
policy outside the stack (``shared``) or an in-stack policy (``inline-doc``: the
document in ``scenario:document``)."""

import json

import pulumi
import pulumi_aws as aws
from kit import ACCOUNT, deployer, option, variant

d = deployer("deployer")
what = variant("aws:ReadOnlyAccess")
arn: pulumi.Input[str]
if what.startswith("aws:"):
    arn = f"arn:aws:iam::aws:policy/{what[4:]}"
elif what == "shared":
    arn = f"arn:aws:iam::{ACCOUNT}:policy/org/shared-deploy-extras"
else:
    arn = aws.iam.Policy("extra", name="deployer-extra", policy=json.loads(option("document"))).arn
aws.iam.RolePolicyAttachment("extra-attachment", role=d.role_name, policy_arn=arn)
pulumi.export("roleArn", d.role_arn)
