"""The e2e suite needs node, npm and the SST app installed with ``npm ci``.

Without them the suite fails loudly when ``CI`` is true (CI must prove the role against
SST itself) and is skipped otherwise, with the reason printed at the end of the run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .harness import APP, node_tools

_SKIPPED: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: runs the real SST CLI against moto (deselect with -m 'not e2e')")


def require_sst(app_dir: Path = APP) -> None:
    """Fail (in CI) or skip (elsewhere) when the SST CLI installed in ``app_dir`` cannot run."""
    reason = node_tools(app_dir)
    if reason is None:
        return
    message = f"SST CLI end-to-end suite cannot run: {reason}"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message + " (CI is set: .ci/run installs the app with npm ci)", pytrace=False)
    if message not in _SKIPPED:
        _SKIPPED.append(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def sst_cli() -> None:
    require_sst()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for message in _SKIPPED:
        terminalreporter.write_line(f"SKIPPED e2e: {message}", yellow=True)
