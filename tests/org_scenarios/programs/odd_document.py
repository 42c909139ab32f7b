"""A hand-tagged deployer (its rendered policy attached) with one more inline policy
``odd`` whose text is ``scenario:document``, as is (it may be anything)."""

import pulumi
import pulumi_aws as aws
from kit import deployer_tags, option, rendered, role, settings

s = settings()
r = role("sst-deployer", tags=deployer_tags(s))
(document,) = rendered(s)
p = aws.iam.Policy("sst-deploy", name="sst-deploy", policy=document)
aws.iam.RolePolicyAttachment("sst-attachment", role=r.name, policy_arn=p.arn)
aws.iam.RolePolicy("odd", name="odd", role=r.name, policy=option("document"))
pulumi.export("roleArn", r.arn)
