"""AWS managed policies by content: a dated snapshot shipped with the pack.

A role may have ``arn:aws:iam::aws:policy/ReadOnlyAccess`` attached: its statements are
not in the stack, but AWS publishes them. ``data/aws_managed_policies.json.gz`` holds
every AWS managed policy's default version, taken from a maintained source (moto's
copy, which its maintainers regenerate from a real account; or an account directly)
by ``tools/refresh_managed_policies.py``; :data:`SNAPSHOT` says which and when.
Loaded once, on the first AWS managed ARN the pack meets.
"""

from __future__ import annotations

import gzip
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

DATA: Final = Path(__file__).resolve().parent / "data" / "aws_managed_policies.json.gz"
_ARN: Final = re.compile(r"^arn:[a-z-]+:iam::aws:policy(/(?:[^*?]*/)?)([^/*?]+)$")


@lru_cache(maxsize=1)
def _snapshot() -> dict[str, Any]:
    with gzip.open(DATA, "rb") as f:
        data: dict[str, Any] = json.loads(f.read())
    return data


def snapshot_info() -> str:
    """``"<source>, taken <date> (newest policy version <date>)"``."""
    data = _snapshot()
    return f"{data['source']}, taken {data['taken']} (newest policy version {data['latest_update'][:10]})"


def is_aws_managed(arn: str) -> bool:
    return bool(_ARN.match(arn))


def aws_managed_document(arn: str) -> dict[str, Any] | None:
    """The document of the AWS managed policy ``arn`` (any partition), or None when the
    snapshot does not have it (a newer policy, or not an AWS managed ARN)."""
    m = _ARN.match(arn)
    if not m:
        return None
    found = _snapshot()["policies"].get(m.group(2))
    if found is None or found.get("path", "/") != m.group(1):
        return None
    document: dict[str, Any] = found["document"]
    return document
