"""The package's version: one place, read by ``pyproject.toml`` and ``sst-deployer --version``."""

__version__ = "0.3.0"
