"""Synthetic stacks shaped as the engine sends them, with real deployers in them.

Deployers are captured from the real program under mocks, then copied under new names;
everything else is unrelated resources: buckets, functions, and IAM roles and policies
that are not deployers.
"""

from __future__ import annotations

import json
import random
from typing import Any

from harness import run_program

Resources = list[dict[str, Any]]
_REGION_SETS = (["us-east-1"], ["eu-west-1", "us-east-1"], ["ap-southeast-2", "eu-central-1", "eu-west-1",
                                                              "us-east-1", "us-west-2"])


def deployer_templates() -> list[str]:
    """One captured deployer stack per region set, as engine JSON text."""
    import dataclasses

    out = []
    for regions in _REGION_SETS:
        stack = run_program({"aws:region": regions[0], "sst-deployer:regions": regions}, stack="bench")
        out.append(json.dumps([dataclasses.asdict(r) for r in stack.resources]))
    return out


def _unrelated(i: int, rnd: random.Random) -> Resources:
    urn = "urn:pulumi:bench::app::{t}::{n}"
    kind = rnd.random()
    if kind < 0.03:  # an unrelated IAM role with a policy and attachment
        role, policy = f"svc-role-{i}", f"svc-policy-{i}"
        arn = f"arn:aws:iam::112233445566:policy/{policy}"
        doc = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"arn:aws:s3:::data-{i}/*"}]})
        trust = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
        role_urn = urn.format(t="aws:iam/role:Role", n=role)
        policy_urn = urn.format(t="aws:iam/policy:Policy", n=policy)
        return [
            {"type": "aws:iam/role:Role", "urn": role_urn, "name": role,
             "outputs": {"name": role, "arn": f"arn:aws:iam::112233445566:role/{role}", "assumeRolePolicy": trust,
                         "tags": {"team": "payments"}}},
            {"type": "aws:iam/policy:Policy", "urn": policy_urn, "name": policy,
             "outputs": {"name": policy, "arn": arn, "policy": doc}},
            {"type": "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "name": f"{role}-att",
             "urn": urn.format(t="aws:iam/rolePolicyAttachment:RolePolicyAttachment", n=f"{role}-att"),
             "outputs": {"role": role, "policyArn": arn},
             "property_dependencies": {"role": [role_urn], "policyArn": [policy_urn]}},
        ]
    if kind < 0.5:
        return [{"type": "aws:s3/bucket:Bucket", "urn": urn.format(t="aws:s3/bucket:Bucket", n=f"b{i}"),
                 "name": f"b{i}", "outputs": {"bucket": f"app-data-{i}", "arn": f"arn:aws:s3:::app-data-{i}",
                                              "tags": {"team": "payments", "env": "prod"},
                                              "forceDestroy": False}}]
    return [{"type": "aws:lambda/function:Function", "urn": urn.format(t="aws:lambda/function:Function", n=f"f{i}"),
             "name": f"f{i}", "outputs": {"name": f"fn-{i}", "runtime": "nodejs20.x", "handler": "index.handler",
                                          "memorySize": 1024, "timeout": 30,
                                          "environment": {"variables": {"STAGE": "prod", "TABLE": f"t{i}"}},
                                          "arn": f"arn:aws:lambda:us-east-1:112233445566:function:fn-{i}"}}]


def synthetic_stack(size: int, deployers: int, templates: list[str], seed: int = 7) -> Resources:
    """About ``size`` resources, ``deployers`` of them SST deployers (4 resources each)."""
    out: Resources = []
    for d in range(deployers):
        text = templates[d % len(templates)].replace("sst-deployer-bench", f"sst-deployer-bench{d:04d}")
        out.extend(json.loads(text))
    rnd = random.Random(seed)
    i = 0
    while len(out) < size:
        out.extend(_unrelated(i, rnd))
        i += 1
    return out[: max(size, 4 * deployers)]
