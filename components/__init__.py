"""Pulumi components for SST v2 deployers."""

from .deployer_role import STRATEGIES, TYPE_TOKEN, DeployerRole, DeployerRoleArgs

__all__ = ["STRATEGIES", "TYPE_TOKEN", "DeployerRole", "DeployerRoleArgs"]
