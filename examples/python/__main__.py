"""A Python program that makes one SST deployer with the package installed from pip
(requirements.txt here): no `pulumi package add` needed, the component runs in-process.
tests/test_examples.py runs it under Pulumi's mock engine and compares what it registers
with what the YAML example's properties construct over gRPC."""

import pulumi

from sst_deployer_component import DeployerRole, Strategy

deployer = DeployerRole("deployer", {
    "regions": ["eu-west-1", "us-east-1"],
    "account_id": "112233445566",
    "strategy": Strategy.LEAST_PRIVILEGE,
    "features": {
        "live_lambda": False,
        "bind": True,
    },
    "trust": {
        "principals": [],
        "github_oidc": {
            "repository": "acme/web",
            "branches": ["main"],
        },
    },
    "max_session_duration": 7200,
    "profile_name": "acme-staging",
    "tags": {
        "team": "platform",
    },
})

pulumi.export("roleArn", deployer.role_arn)
pulumi.export("roleName", deployer.role_name)
pulumi.export("policyArns", deployer.policy_arns)
pulumi.export("awsConfigProfile", deployer.aws_config_profile)
