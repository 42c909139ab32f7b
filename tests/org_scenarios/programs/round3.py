"""Round-three arrangements (``scenario:variant``):

* ``component``: a DeployerRole (default trust: the account's people with MFA), made with
  the provider of ``scenario:account`` when given (``allowedAccountIds``);
  ``scenario:boundary`` (JSON): a boundary policy ``org-deployer-boundary`` made in the stack
  and set as the role's permissions boundary;
* ``tagged``: a hand-made role tagged as a deployer (``sst-deployer:*`` tags for its
  account), its rendered policy attached; ``scenario:trust`` (JSON) its trust document
  (default: the account's people with MFA), ``scenario:tags`` (JSON) more tags,
  ``scenario:roleName`` its name (default ``sst-deployer``) or ``scenario:namePrefix`` a
  prefix Pulumi completes (the name is then unknown in a preview);
* ``plain``: a role neither made by the component nor tagged, named ``scenario:roleName``
  (default ``app-role``), trusting ``scenario:trust``, holding each document of
  ``scenario:policies`` (JSON list) as a RolePolicy ``policy-<n>``, and SST's copy-paste
  page policy too when ``scenario:page`` is ``yes``.

``scenario:account``: the account of an explicit provider ``org`` (``allowedAccountIds``);
``scenario:assumeRole``: instead, a provider ``member`` that only assumes that role ARN
(no ``allowedAccountIds``: the account is the role's). Every variant gets the guardrail
``scenario:document`` (JSON) as a managed policy ``guardrail`` attached to the role, and
``scenario:inline`` (JSON) as a RolePolicy ``guardrail-inline``; ``scenario:inlineExclusive``
(JSON list) makes a RolePoliciesExclusive ``only-these-inline`` on the role listing those names.
``scenario:tags`` (JSON) also tags the component's role."""

import json

import pulumi
import pulumi_aws as aws
from kit import ACCOUNT, deployer, deployer_tags, option, page_policy, people_trust, rendered, settings, variant

v = variant("component")
account = option("account", ACCOUNT)
opts: pulumi.ResourceOptions | None = None
if option("assumeRole"):
    account = option("assumeRole").split(":")[4]
    member = aws.Provider("member", region="us-east-1",
                          assume_roles=[aws.ProviderAssumeRoleArgs(role_arn=option("assumeRole"))])
    opts = pulumi.ResourceOptions(provider=member)
elif option("account"):
    org = aws.Provider("org", region="us-east-1", allowed_account_ids=[account])
    opts = pulumi.ResourceOptions(provider=org)

role_name: pulumi.Input[str]
if v == "component":
    boundary = None
    if option("boundary"):
        boundary = f"arn:aws:iam::{account}:policy/org-deployer-boundary"
        aws.iam.Policy("org-deployer-boundary", name="org-deployer-boundary", policy=option("boundary"), opts=opts)
    d = deployer("deployer", settings(account=account), opts=opts, permissions_boundary=boundary,
                 tags=json.loads(option("tags", "{}")))
    role_name = d.role_name
elif v == "tagged":
    s = settings(account=account)
    tags = {**deployer_tags(s), **json.loads(option("tags", "{}"))}
    trust = option("trust") or people_trust(account)
    if option("namePrefix"):
        r = aws.iam.Role("sst-deployer", name_prefix=option("namePrefix"), assume_role_policy=trust, tags=tags,
                         opts=opts)
    else:
        r = aws.iam.Role("sst-deployer", name=option("roleName", "sst-deployer"), assume_role_policy=trust,
                         tags=tags, opts=opts)
    (document,) = rendered(s)
    p = aws.iam.Policy("sst-deploy", name="sst-deploy", policy=document, opts=opts)
    aws.iam.RolePolicyAttachment("sst-attachment", role=r.name, policy_arn=p.arn, opts=opts)
    role_name = r.name
else:
    r = aws.iam.Role(option("roleName", "app-role"), name=option("roleName", "app-role"),
                     assume_role_policy=option("trust") or people_trust(account), opts=opts)
    for n, document in enumerate(json.loads(option("policies", "[]"))):
        aws.iam.RolePolicy(f"policy-{n}", name=f"policy-{n}", role=r.name, policy=json.dumps(document), opts=opts)
    if option("page") == "yes":
        page = aws.iam.Policy("sst-page", name="sst-page", policy=page_policy(account), opts=opts)
        aws.iam.RolePolicyAttachment("sst-page-attachment", role=r.name, policy_arn=page.arn, opts=opts)
    role_name = r.name
if option("document"):
    guard = aws.iam.Policy("guardrail", name="org-guardrail", policy=option("document"), opts=opts)
    aws.iam.RolePolicyAttachment("guardrail-attachment", role=role_name, policy_arn=guard.arn, opts=opts)
if option("inline"):
    aws.iam.RolePolicy("guardrail-inline", name="org-guardrail-inline", role=role_name, policy=option("inline"),
                       opts=opts)
if option("inlineExclusive"):
    aws.iam.RolePoliciesExclusive("only-these-inline", role_name=role_name,
                                  policy_names=json.loads(option("inlineExclusive")), opts=opts)
