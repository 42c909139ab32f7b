"""Write (or ``--check``) ``schema.json``: the package schema the SDK infers from
``sst_deployer_component``'s annotations, exactly what the provider's ``GetSchema`` returns.

    venv/bin/python -m tools.component_schema           # rewrite schema.json
    venv/bin/python -m tools.component_schema --check   # exit 1 if schema.json is stale
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pulumi.provider.experimental.component import ComponentProvider

from sst_deployer_component.about import PULUMI_PACKAGE, __version__
from sst_deployer_component.deployer_role import DeployerRole

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.json"


def inferred() -> dict[str, Any]:
    """The schema as ``component_provider_host([DeployerRole], name, version=...)`` serves it."""
    provider = ComponentProvider([DeployerRole], PULUMI_PACKAGE, None, __version__)
    assert provider.schema is not None
    schema: dict[str, Any] = json.loads(provider.schema)
    return schema


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    text = render(inferred())
    if argv == ["--check"]:
        if SCHEMA_FILE.read_text(encoding="utf-8") != text:
            print("schema.json is stale: run venv/bin/python -m tools.component_schema", file=sys.stderr)
            return 1
        return 0
    if argv:
        print(__doc__, file=sys.stderr)
        return 2
    SCHEMA_FILE.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
