"""A DeployerRole inside a permissions boundary ``org-deployer-boundary``: created in this
stack (``inside-generous``: Allow * but deny removing boundaries and making users;
``inside-tight``: only CloudFormation, S3 and SSM) or managed elsewhere (``outside``)."""

import pulumi
import pulumi_aws as aws
from kit import ACCOUNT, deployer, doc, variant

v = variant("outside")
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/org-deployer-boundary"
if v == "inside-generous":
    aws.iam.Policy("org-deployer-boundary", name="org-deployer-boundary", policy=doc(
        {"Sid": "Everything", "Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Sid": "KeepTheBoundary", "Effect": "Deny",
         "Action": ["iam:DeleteRolePermissionsBoundary", "iam:CreateUser", "iam:CreateAccessKey"], "Resource": "*"}))
elif v == "inside-tight":
    aws.iam.Policy("org-deployer-boundary", name="org-deployer-boundary", policy=doc(
        {"Sid": "DeployOnly", "Effect": "Allow", "Action": ["cloudformation:*", "s3:*", "ssm:*"], "Resource": "*"}))
d = deployer("deployer", permissions_boundary=BOUNDARY)
pulumi.export("roleArn", d.role_arn)
