"""The deployer role for one environment: ``pulumi up -s dev|staging|production``."""

from pathlib import Path

import pulumi

from components import DeployerRole
from components.config import ConfigError, from_pulumi_config

try:
    args = from_pulumi_config(Path(__file__).parent)
except ConfigError as exc:
    raise pulumi.RunError(str(exc)) from None

deployer = DeployerRole(f"sst-deployer-{pulumi.get_stack()}", args)

pulumi.export("roleArn", deployer.role_arn)
pulumi.export("roleName", deployer.role_name)
pulumi.export("policyArns", deployer.policy_arns)
pulumi.export("policyDocuments", deployer.policy_documents)
pulumi.export("awsConfigProfile", deployer.aws_config_profile)
