"""Two programs in one file, as Pulumi runs this directory.

* ``pulumi up -s dev|staging|production`` (``Pulumi.yaml``): the deployer role for one
  environment, from its stack config, made with the component like any consumer makes it.
* ``pulumi package add`` / a consumer's ``pulumi up`` (``PulumiPlugin.yaml``): the Python
  language host runs this file as the component provider (``python <dir> <engine>``),
  with no Pulumi program runtime configured.
"""

from pathlib import Path

import pulumi
from pulumi.runtime import settings

if settings.get_monitor() is None:  # run as a plugin: no resource monitor
    from sst_deployer_component.provider import serve

    serve()
else:
    from sst_deployer_component import DeployerArgsError, DeployerRole
    from sst_deployer_component.config import ConfigError, args_from_pulumi_config, config_error

    try:
        args = args_from_pulumi_config(Path(__file__).parent)
        deployer = DeployerRole(f"sst-deployer-{pulumi.get_stack()}", args)
    except DeployerArgsError as exc:
        raise pulumi.RunError(str(config_error(exc))) from None
    except ConfigError as exc:
        raise pulumi.RunError(str(exc)) from None

    pulumi.export("roleArn", deployer.role_arn)
    pulumi.export("roleName", deployer.role_name)
    pulumi.export("policyArns", deployer.policy_arns)
    pulumi.export("policyDocuments", deployer.policy_documents)
    pulumi.export("awsConfigProfile", deployer.aws_config_profile)
