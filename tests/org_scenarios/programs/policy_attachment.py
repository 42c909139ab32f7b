"""A DeployerRole, and a PolicyAttachment of the deployer's own policy: the platform
team also wants the CI reader role to have it. ``others``: lists only the CI reader
role; ``with-deployer``: lists the deployer's role too; ``users``: lists only the CI user
``ci-deployer`` (a user made elsewhere)."""

import pulumi
import pulumi_aws as aws
from kit import deployer, role, variant

d = deployer("deployer")
reader = role("ci-reader")
v = variant("others")
if v == "users":
    aws.iam.PolicyAttachment("share-deployer-policy", policy_arn=d.policy_arns[0], users=["ci-deployer"])
else:
    roles = [reader.name] if v == "others" else [reader.name, d.role_name]
    aws.iam.PolicyAttachment("share-deployer-policy", policy_arn=d.policy_arns[0], roles=roles)
pulumi.export("roleArn", d.role_arn)
