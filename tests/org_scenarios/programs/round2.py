"""Round-two arrangements (``scenario:variant``):

* ``component``: a DeployerRole made with an explicit provider ``org`` (account
  112233445566, ``scenario:defaultTags``: the provider's default tags, JSON);
  ``scenario:profile``: its policy profile (``page``/``strict``);
* ``tagged``: a hand-made role tagged as a deployer, its rendered policy attached, with
  the trust document ``scenario:trust`` (JSON, or ``oidc-in-stack``: GitHub Actions through an
  OpenIdConnectProvider made in the stack, ``user-in-stack-mfa``: a user made in the
  stack, with MFA; default: the account's people with MFA) and
  more tags ``scenario:tags`` (JSON); ``scenario:teamTag``: ``from-output``, the tag team=platform
  computed from another resource's output (unknown in a preview).

``scenario:share``: ``groups``, the component's policy shared with the group ``ci-deployers``
by a PolicyAttachment listing only that group; ``split``: two PolicyAttachments of the
component's policy, one listing the CI reader role, one the deployer's role.

Both get the guardrail ``scenario:document`` (JSON, when given) attached as a managed
policy, and ``scenario:inline`` (JSON, when given) as a RolePolicy whose ``policy`` is an
object, not a string (pulumi-aws accepts either: the SDK serialises a dict input)."""

import json

import pulumi
import pulumi_aws as aws
from kit import ACCOUNT, deployer, deployer_tags, option, people_trust, rendered, role, settings, variant

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
    tags: dict[str, pulumi.Input[str]] = {**deployer_tags(s), **json.loads(option("tags", "{}"))}
    if option("teamTag") == "from-output":  # team=platform, computed from another resource's output
        tags["team"] = aws.iam.User("tagger", name="tagger", opts=opts).id.apply(lambda _: "platform")
    trust: pulumi.Input[str] | None = option("trust") or None
    if trust == "oidc-in-stack":  # GitHub's OIDC provider made in this stack: unknown in a preview
        oidc = aws.iam.OpenIdConnectProvider("github", url="https://token.actions.githubusercontent.com",
                                             client_id_lists=["sts.amazonaws.com"], opts=opts)
        trust = oidc.arn.apply(lambda arn: json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {"Federated": arn},
            "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                                           "token.actions.githubusercontent.com:sub":
                                               "repo:acme/storefront:ref:refs/heads/main"}}}]}))
    elif trust == "user-in-stack-mfa":  # a user made in this stack, with MFA: its id is unknown in a preview
        alice = aws.iam.User("alice", name="alice", opts=opts)
        trust = alice.id.apply(lambda uid: json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/{uid}"},
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}))
    r = aws.iam.Role("sst-deployer", name="sst-deployer", assume_role_policy=trust or people_trust(), tags=tags,
                     opts=opts)
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
