"""The component package's name, import path and version are written once
(``components/pyproject.toml`` and ``sst_deployer_component/about.py``), agree with what pip
installed and the provider serves, and follow the pack's core: one repository, one tag."""

from __future__ import annotations

import importlib.metadata
import re

from harness import ROOT
from sst_deployer.version import __version__ as pack_version

import sst_deployer_component
from sst_deployer_component.about import DISTRIBUTION, IMPORT_NAME, PULUMI_PACKAGE, __version__

PYPROJECT = (ROOT / "components" / "pyproject.toml").read_text()


def test_pyproject_names_the_distribution_about_names() -> None:
    assert re.search(r'^name = "([^"]+)"$', PYPROJECT, re.M).group(1) == DISTRIBUTION  # type: ignore[union-attr]
    assert f'packages = ["{IMPORT_NAME}"]' in PYPROJECT
    assert 'version = {attr = "sst_deployer_component.about.__version__"}' in PYPROJECT


def test_the_import_path_is_the_package_directory() -> None:
    assert sst_deployer_component.__name__ == IMPORT_NAME
    assert sst_deployer_component.__file__ == str(ROOT / "components" / IMPORT_NAME / "__init__.py")


def test_the_component_is_released_with_the_pack_core_at_one_version() -> None:
    assert __version__ == pack_version
    assert f'"sst-deployer=={pack_version}"' in PYPROJECT


def test_the_installed_metadata_is_the_source_s() -> None:
    dist = importlib.metadata.distribution(DISTRIBUTION)
    assert dist.version == __version__
    assert f"sst-deployer=={pack_version}" in (dist.requires or [])


def test_the_pulumi_package_name_is_the_one_consumers_write() -> None:
    """Consumers write ``sst-deployer:index:DeployerRole`` (YAML) and import
    ``@pulumi/sst-deployer``; renaming the package breaks every one of them."""
    assert PULUMI_PACKAGE == "sst-deployer"
    assert f"{PULUMI_PACKAGE}:index:DeployerRole" in (ROOT / "schema.json").read_text()
