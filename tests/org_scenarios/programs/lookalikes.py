"""Roles that are not SST deployers, and one hand-made deployer that is
(``scenario:variant``), each untagged, with its policy as a RolePolicy:

* ``lambda``: an SST app function's execution role: reads its secrets under
  ``/sst/<app>/<stage>/`` and one bucket, writes logs;
* ``codepipeline``: a CodePipeline CloudFormation action role: manages stacks, passes its
  CloudFormation execution role, reads the pipeline's artifacts;
* ``cdk``: a plain CDK CI deployer: assumes the CDK bootstrap roles, reads stacks and the
  bootstrap version parameter;
* ``cdk-sst``: the same CDK deployer with SST's bootstrap bucket and /sst/ secrets writes."""

import json
from typing import Any

import pulumi
import pulumi_aws as aws
from kit import ACCOUNT, role, variant

A = ACCOUNT
CDK_ROLES = [f"arn:aws:iam::{A}:role/cdk-hnb659fds-{k}-role-{A}-us-east-1"
             for k in ("deploy", "file-publishing", "image-publishing", "lookup")]
STACKS = f"arn:aws:cloudformation:us-east-1:{A}:stack/*"
POLICIES: dict[str, list[dict[str, Any]]] = {
    "lambda": [
        {"Effect": "Allow", "Action": ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
         "Resource": f"arn:aws:ssm:us-east-1:{A}:parameter/sst/shop/prod/*"},
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject"],
         "Resource": ["arn:aws:s3:::shop-uploads", "arn:aws:s3:::shop-uploads/*"]},
        {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}],
    "codepipeline": [
        {"Effect": "Allow", "Action": ["cloudformation:CreateStack", "cloudformation:UpdateStack",
                                       "cloudformation:DeleteStack", "cloudformation:DescribeStacks",
                                       "cloudformation:DescribeStackEvents", "cloudformation:CreateChangeSet",
                                       "cloudformation:ExecuteChangeSet", "cloudformation:DescribeChangeSet"],
         "Resource": STACKS},
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": f"arn:aws:iam::{A}:role/pipeline-cfn-exec"},
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion"], "Resource": "arn:aws:s3:::artifacts/*"}],
    "cdk": [
        {"Sid": "AssumeCDKRoles", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": CDK_ROLES},
        {"Effect": "Allow", "Action": ["cloudformation:DescribeStacks", "cloudformation:DescribeStackEvents",
                                       "cloudformation:GetTemplate"], "Resource": STACKS},
        {"Effect": "Allow", "Action": "ssm:GetParameter",
         "Resource": f"arn:aws:ssm:us-east-1:{A}:parameter/cdk-bootstrap/hnb659fds/version"}],
}
POLICIES["cdk-sst"] = POLICIES["cdk"] + [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject"],
     "Resource": "arn:aws:s3:::sstbootstrap-*"},
    {"Effect": "Allow", "Action": ["ssm:GetParameter", "ssm:PutParameter", "ssm:DeleteParameter"],
     "Resource": f"arn:aws:ssm:us-east-1:{A}:parameter/sst/*"}]

v = variant("lambda")
trust = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRole",
    "Principal": {"Service": "lambda.amazonaws.com" if v == "lambda" else "cloudformation.amazonaws.com"}}]})
r = role(f"{v}-role", trust=trust if v in ("lambda", "codepipeline") else None)
aws.iam.RolePolicy(f"{v}-policy", name=f"{v}-policy", role=r.name,
                   policy=json.dumps({"Version": "2012-10-17", "Statement": POLICIES[v]}))
pulumi.export("roleArn", r.arn)
