"""A DeployerRole under the organisation's resource transformation that pins every role's
managed policies (``managed_policy_arns``) to the baseline policy (``baseline``) or to
none (``none``); ``tags-only``: the transformation only adds a cost-centre tag."""

from typing import Any

import pulumi
from kit import baseline, deployer, variant

v = variant("none")
base = baseline().arn if v == "baseline" else None


def org_rules(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
    if args.type_ != "aws:iam/role:Role":
        return None
    props = dict(args.props)
    tags: Any = props.get("tags") or {}
    props["tags"] = {**tags, "cost-centre": "platform"}
    if v != "tags-only":
        props["managed_policy_arns"] = [base] if base is not None else []
    return pulumi.ResourceTransformationResult(props, args.opts)


d = deployer("deployer", opts=pulumi.ResourceOptions(transformations=[org_rules]))
pulumi.export("roleArn", d.role_arn)
