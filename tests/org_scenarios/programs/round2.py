"""Round-two arrangements (``scenario:variant``):

* ``component``: a DeployerRole made with an explicit provider ``org`` (account
  112233445566, ``scenario:defaultTags``: the provider's default tags, JSON);
  ``scenario:profile``: its policy profile (``page``/``strict``);
* ``tagged``: a hand-made role tagged as a deployer, its rendered policy attached, with
  the trust document ``scenario:trust`` (JSON; default: the account's people with MFA) and
  more tags ``scenario:tags`` (JSON).

``scenario:share``: ``groups``, the component's policy shared with the group ``ci-deployers``
by a PolicyAttachment listing only that group; ``split``: two PolicyAttachments of the
component's policy, one listing the CI reader role, one the deployer's role.

Both get the guardrail ``scenario:document`` (JSON, when given) attached as a managed
policy, and ``scenario:inline`` (JSON, when given) as a RolePolicy whose ``policy`` is an
object, not a string (pulumi-aws accepts either: the SDK serialises a dict input)."""

import json

import pulumi
import pulumi_aws as aws
from kit import ACCOUNT, deployer, deployer_tags, option, rendered, role, settings, variant

v = variant("component")
default_tags = json.loads(option("defaultTags", "{}"))
provider = aws.Provider("org", region="us-east-1", allowed_account_ids=[ACCOUNT],
                        default_tags=aws.ProviderDefaultTagsArgs(tags=default_tags) if default_tags else None)
opts = pulumi.ResourceOptions(provider=provider)
role_name: pulumi.Input[str]
if v == "component":
    d = deployer("deployer", settings(policy_profile=option("profile", "page")), opts=opts)
    role_name = d.role_name
    if option("share") == "groups":
        aws.iam.PolicyAttachment("share-deployer-policy", policy_arn=d.policy_arns[0], groups=["ci-deployers"],
                                 opts=opts)
    elif option("share") == "split":
        ci = role("ci-reader", opts=opts)
        aws.iam.PolicyAttachment("share-with-ci", policy_arn=d.policy_arns[0], roles=[ci.name], opts=opts)
        aws.iam.PolicyAttachment("share-with-deployer", policy_arn=d.policy_arns[0], roles=[role_name], opts=opts)
else:
    s = settings()
    tags = {**deployer_tags(s), **json.loads(option("tags", "{}"))}
    r = role("sst-deployer", trust=option("trust") or None, tags=tags, opts=opts)
    (document,) = rendered(s)
    p = aws.iam.Policy("sst-deploy", name="sst-deploy", policy=document, opts=opts)
    aws.iam.RolePolicyAttachment("sst-attachment", role=r.name, policy_arn=p.arn, opts=opts)
    role_name = r.name
if option("document"):
    guard = aws.iam.Policy("guardrail", name="org-guardrail", policy=json.loads(option("document")), opts=opts)
    aws.iam.RolePolicyAttachment("guardrail-attachment", role=role_name, policy_arn=guard.arn, opts=opts)
if option("inline"):
    aws.iam.RolePolicy("guardrail-inline", name="org-guardrail-inline", role=role_name,
                       policy=json.loads(option("inline")), opts=opts)
