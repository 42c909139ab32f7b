"""Issue 15's "block only on proof" arrangements (``scenario:variant``):

* ``guard`` (default): a DeployerRole with the organisation's guardrail (``scenario:document``,
  JSON) attached; ``scenario:toolkit`` its CDK toolkit stack name (default CDKToolkit),
  ``scenario:tags`` its own tags (JSON object);
* ``prefix``: a role made by hand, tagged for the pack, named by the provider from
  ``scenario:prefix`` (``namePrefix``: unknown until created), with the rendered documents and
  the guardrail as inline policies (known in a preview, as a preview of such a role sees them).
"""

import json

import pulumi
import pulumi_aws as aws
from kit import deployer, deployer_tags, option, people_trust, rendered, settings, variant

v = variant("guard")
guardrail = option("document")
if v == "prefix":
    s = settings()
    inline = [aws.iam.RoleInlinePolicyArgs(name=f"sst-{i}", policy=d) for i, d in enumerate(rendered(s))]
    inline.append(aws.iam.RoleInlinePolicyArgs(name="org-guardrail", policy=guardrail))
    r = aws.iam.Role("sst-deployer", name_prefix=option("prefix", "sst-deployer-"), assume_role_policy=people_trust(),
                     tags=deployer_tags(s), inline_policies=inline)
    pulumi.export("roleArn", r.arn)
else:
    d = deployer("deployer", settings(toolkit_stack_name=option("toolkit", "CDKToolkit")),
                 tags=json.loads(option("tags", "{}")))
    guard = aws.iam.Policy("guardrail", name="org-guardrail", policy=json.loads(guardrail))
    aws.iam.RolePolicyAttachment("guardrail-attachment", role=d.role_name, policy_arn=guard.arn)
    pulumi.export("roleArn", d.role_arn)
