"""A deployer made by hand and tagged for the pack (``sst-deployer:*`` tags), its
permissions arranged in one of several ways (``scenario:variant``):

* ``rpa``: one managed policy (the rendered document), a RolePolicyAttachment;
* ``policy-attachment``: the same policy attached through a PolicyAttachment listing it;
* ``managed-empty``: ``managedPolicyArns=[]`` on the role *and* the RolePolicyAttachment;
* ``managed-declared``: ``managedPolicyArns=[policy.arn]``, no attachment resource;
* ``managed-partial``: the document split in two policies; ``managedPolicyArns`` lists
  the first, a RolePolicyAttachment attaches the second;
* ``inline-rolepolicy``: the document as a RolePolicy;
* ``inline-empty-list``: ``inlinePolicies=[]`` and the RolePolicy;
* ``inline-empty-block``: ``inlinePolicies=[{}]`` (remove all) and the RolePolicy;
* ``inline-declared``: the document as an ``inlinePolicies`` block;
* ``inline-exclusive-without`` / ``inline-exclusive-with``: the RolePolicy, and a
  RolePoliciesExclusive listing another name / its name;
* ``auto-named``: the rendered policy attached to a role Pulumi names (unknown in a preview),
  tagged without ``sst-deployer:account`` (read from its ARN once it exists);
* ``partial``: only the document without AllowSSTManageBootstrapBucket, attached;
* ``swap``: two policies, the full document and one without AllowSSTManageBootstrapBucket;
  only the second is attached (the first was attached until this update);
* ``exclusive-without`` / ``exclusive-with``: the RolePolicyAttachment, and a
  RolePolicyAttachmentsExclusive listing only the organisation's baseline policy / it and the deployer's policy.
"""

import json

import pulumi
import pulumi_aws as aws
from kit import baseline, deployer_tags, people_trust, rendered, role, settings, variant

v = variant("rpa")
s = settings()
(document,) = rendered(s)
tags = deployer_tags(s)

if v == "auto-named":
    policy = aws.iam.Policy("sst-deploy", name="sst-deploy", policy=document)
    r = aws.iam.Role("sst-deployer", assume_role_policy=people_trust(),
                     tags={k: x for k, x in tags.items() if k != "sst-deployer:account"})
    aws.iam.RolePolicyAttachment("sst-attachment", role=r.name, policy_arn=policy.arn)
elif v == "partial":
    full = json.loads(document)
    partial = dict(full, Statement=[st for st in full["Statement"] if st["Sid"] != "AllowSSTManageBootstrapBucket"])
    cut = aws.iam.Policy("sst-partial", name="sst-partial", policy=json.dumps(partial))
    r = role("sst-deployer", tags=tags)
    aws.iam.RolePolicyAttachment("sst-attachment", role=r.name, policy_arn=cut.arn)
elif v == "swap":
    full = json.loads(document)
    partial = dict(full, Statement=[st for st in full["Statement"] if st["Sid"] != "AllowSSTManageBootstrapBucket"])
    aws.iam.Policy("sst-full", name="sst-full", policy=document)
    cut = aws.iam.Policy("sst-partial", name="sst-partial", policy=json.dumps(partial))
    r = role("sst-deployer", tags=tags)
    aws.iam.RolePolicyAttachment("sst-attachment", role=r.name, policy_arn=cut.arn)
elif v.startswith("managed-"):
    if v == "managed-partial":
        full = json.loads(document)
        half = len(full["Statement"]) // 2
        first = aws.iam.Policy("sst-first", name="sst-first", policy=json.dumps(
            dict(full, Statement=full["Statement"][:half])))
        second = aws.iam.Policy("sst-second", name="sst-second", policy=json.dumps(
            dict(full, Statement=full["Statement"][half:])))
        r = role("sst-deployer", tags=tags, managed_policy_arns=[first.arn])
        aws.iam.RolePolicyAttachment("sst-second-attachment", role=r.name, policy_arn=second.arn)
    else:
        policy = aws.iam.Policy("sst-deploy", name="sst-deploy", policy=document)
        if v == "managed-empty":
            r = role("sst-deployer", tags=tags, managed_policy_arns=[])
            aws.iam.RolePolicyAttachment("sst-attachment", role=r.name, policy_arn=policy.arn)
        else:
            r = role("sst-deployer", tags=tags, managed_policy_arns=[policy.arn])
elif v.startswith("inline-"):
    block = aws.iam.RoleInlinePolicyArgs(name="sst", policy=document)
    inline = {"inline-empty-list": [], "inline-empty-block": [aws.iam.RoleInlinePolicyArgs()],
              "inline-declared": [block]}.get(v)
    r = role("sst-deployer", tags=tags, inline_policies=inline)
    if v != "inline-declared":
        aws.iam.RolePolicy("sst", name="sst", role=r.name, policy=document)
    if v.startswith("inline-exclusive"):
        names = ["sst", "other"] if v.endswith("-with") else ["other"]
        aws.iam.RolePoliciesExclusive("only-these-inline", role_name=r.name, policy_names=names)
else:
    policy = aws.iam.Policy("sst-deploy", name="sst-deploy", policy=document)
    r = role("sst-deployer", tags=tags)
    if v == "policy-attachment":
        aws.iam.PolicyAttachment("sst-deploy-users", policy_arn=policy.arn, roles=[r.name])
    else:
        aws.iam.RolePolicyAttachment("sst-attachment", role=r.name, policy_arn=policy.arn)
    if v.startswith("exclusive-"):
        base = baseline().arn
        arns = [base, policy.arn] if v == "exclusive-with" else [base]
        aws.iam.RolePolicyAttachmentsExclusive("only-these", role_name=r.name, policy_arns=arns)
pulumi.export("roleArn", r.arn)
