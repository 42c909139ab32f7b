"""Two accounts' deployers with the same role name ``sst-deployer``, one stack, one
provider per account (``allowedAccountIds``). The organisation attaches a Deny
guardrail by role *name* (``role="sst-deployer"``) with one provider:
``guard-b`` (account B's provider: B's role), ``guard-a`` (account A's provider), ``none``."""

import pulumi
import pulumi_aws as aws
from kit import ACCOUNT, OTHER_ACCOUNT, deployer, doc, settings, variant

providers = {acct: aws.Provider(f"acct-{acct}", region="us-east-1", allowed_account_ids=[acct])
             for acct in (ACCOUNT, OTHER_ACCOUNT)}
for acct, provider in providers.items():
    deployer(f"deployer-{acct}", settings(account=acct), role_name="sst-deployer",
             opts=pulumi.ResourceOptions(providers=[provider]))
v = variant("none")
if v != "none":
    acct = OTHER_ACCOUNT if v == "guard-b" else ACCOUNT
    opts = pulumi.ResourceOptions(provider=providers[acct])
    guard = aws.iam.Policy("no-bootstrap-writes", name="no-bootstrap-writes", opts=opts, policy=doc(
        {"Sid": "NoBootstrapWrites", "Effect": "Deny", "Action": "s3:PutObject",
         "Resource": "arn:aws:s3:::sstbootstrap-*"}))
    aws.iam.RolePolicyAttachment("guard", role="sst-deployer", policy_arn=guard.arn, opts=opts)
