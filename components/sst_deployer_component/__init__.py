"""``sst:aws:DeployerRole`` for Python programs: ``pip install sst-deployer-component``, then
``from sst_deployer_component import DeployerRole, DeployerRoleArgs``."""

from .about import __version__
from .args import DeployerRoleArgs, Features, GithubOidc, PolicyProfile, Strategy, Trust
from .deployer_role import STRATEGIES, TYPE_TOKEN, DeployerArgsError, DeployerRole

__all__ = [
    "STRATEGIES",
    "TYPE_TOKEN",
    "DeployerArgsError",
    "DeployerRole",
    "DeployerRoleArgs",
    "Features",
    "GithubOidc",
    "PolicyProfile",
    "Strategy",
    "Trust",
    "__version__",
]
