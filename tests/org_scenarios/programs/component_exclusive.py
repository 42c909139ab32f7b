"""A DeployerRole, and the organisation's RolePolicyAttachmentsExclusive on its role
(the security team pins every role's managed policies): ``without`` lists only the
organisation's baseline policy; ``with`` lists it and the deployer's own policies."""

import pulumi
import pulumi_aws as aws
from kit import baseline, deployer, variant

d = deployer("deployer")
base = baseline().arn
arns = pulumi.Output.all(base, d.policy_arns).apply(lambda v: [v[0], *v[1]]) if variant("without") == "with" else [base]
aws.iam.RolePolicyAttachment("baseline", role=d.role_name, policy_arn=base)
aws.iam.RolePolicyAttachmentsExclusive("pinned", role_name=d.role_name, policy_arns=arns)
pulumi.export("roleArn", d.role_arn)
