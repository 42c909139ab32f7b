"""Deployers written by hand, not tagged: a role ``page-deployer`` with SST's copy-paste
policy from the IAM page (``page-managed``: a managed policy and a RolePolicyAttachment;
``page-inline``: a RolePolicy; ``page-no-sids``: the managed policy with every Sid
removed), or an unrelated role (``unrelated``: S3 read access for a reporting job).
``page-tagged``: the page's policy on a role tagged by hand with only ``sst-deployer:role``
and ``sst-deployer:regions``, as the README tells teams to do."""

import json

import pulumi
import pulumi_aws as aws
from kit import doc, page_policy, role, variant

v = variant("page-managed")
if v == "unrelated":
    r = role("reporting")
    aws.iam.RolePolicy("reports", name="reports", role=r.name, policy=doc(
        {"Sid": "ReadReports", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
         "Resource": ["arn:aws:s3:::acme-reports", "arn:aws:s3:::acme-reports/*"]}))
else:
    tags = {"team": "platform"}
    if v == "page-tagged":
        tags.update({"sst-deployer:role": "least-privilege", "sst-deployer:regions": "us-east-1"})
    r = role("page-deployer", tags=tags)
    document = page_policy()
    if v == "page-no-sids":
        parsed = json.loads(document)
        document = json.dumps(dict(parsed, Statement=[{k: x for k, x in s.items() if k != "Sid"}
                                                      for s in parsed["Statement"]]))
    if v == "page-inline":
        aws.iam.RolePolicy("sst-page", name="sst-page", role=r.name, policy=document)
    else:
        p = aws.iam.Policy("sst-page", name="sst-page", policy=document)
        aws.iam.RolePolicyAttachment("sst-page-attachment", role=r.name, policy_arn=p.arn)
pulumi.export("roleArn", r.arn)
