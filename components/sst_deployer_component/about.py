"""The component package's names and version, each written here once (``components/pyproject.toml``
reads the version from this file; tests/test_package_metadata.py checks its name).

One repository, one tag: the component is released with the policy pack's core it depends
on, at the same version (``sst-deployer==<version>``).
"""

from typing import Final

DISTRIBUTION: Final = "sst-deployer-component"  # pip install sst-deployer-component
IMPORT_NAME: Final = "sst_deployer_component"  # import sst_deployer_component
PULUMI_PACKAGE: Final = "sst-deployer"  # pulumi package add ...; the schema's name; sst-deployer:index:DeployerRole
__version__ = "0.2.0"
