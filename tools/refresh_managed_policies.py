"""Refresh the pack's snapshot of AWS managed policy documents.

The pack judges roles that have AWS managed policies attached (AdministratorAccess,
PowerUserAccess, ReadOnlyAccess...) by their content, which is not in the stack. It
ships a dated snapshot, ``policy_pack/sst_deployer/data/aws_managed_policies.json.gz``,
taken from one of two sources:

* ``--from moto`` (default): moto's copy of every AWS managed policy
  (``moto/iam/aws_managed_policies.py``), which moto's maintainers regenerate from a
  real account with ``make aws_managed_policies`` (``scripts/update_managed_policies.py``
  in getmoto/moto). Needs only ``pip install moto``.
* ``--from account``: a real AWS account, with boto3 and credentials allowed
  ``iam:ListPolicies`` and ``iam:GetPolicyVersion``: ``list_policies(Scope="AWS")`` and
  each policy's default version.

    venv/bin/python tools/refresh_managed_policies.py [--from moto|account]
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import sys
import urllib.parse
from pathlib import Path
from typing import Any

TARGET = Path(__file__).resolve().parent.parent / "policy_pack/sst_deployer/data/aws_managed_policies.json.gz"


def from_moto() -> tuple[dict[str, Any], str]:
    from importlib.metadata import version

    from moto.iam.aws_managed_policies import aws_managed_policies_data

    raw = json.loads(aws_managed_policies_data)
    policies = {name: {"path": p.get("Path", "/"), "version": p.get("DefaultVersionId", ""),
                       "updated": p.get("UpdateDate", ""), "document": p["Document"]}
                for name, p in raw.items()}
    return policies, f"moto {version('moto')} (moto/iam/aws_managed_policies.py)"


def from_account() -> tuple[dict[str, Any], str]:
    import boto3

    iam = boto3.client("iam")
    policies: dict[str, Any] = {}
    for page in iam.get_paginator("list_policies").paginate(Scope="AWS"):
        for p in page["Policies"]:
            version = iam.get_policy_version(PolicyArn=p["Arn"], VersionId=p["DefaultVersionId"])["PolicyVersion"]
            document = version["Document"]
            if isinstance(document, str):  # URL-encoded JSON in the raw API
                document = json.loads(urllib.parse.unquote(document))
            policies[p["PolicyName"]] = {"path": p["Path"], "version": p["DefaultVersionId"],
                                         "updated": str(p.get("UpdateDate", "")), "document": document}
    account = boto3.client("sts").get_caller_identity()["Account"]
    return policies, f"AWS IAM ListPolicies(Scope=AWS) in account {account}"


def write(policies: dict[str, Any], source: str, target: Path = TARGET) -> None:
    latest = max((str(p.get("updated", "")) for p in policies.values()), default="")
    data = {"source": source, "taken": datetime.date.today().isoformat(), "latest_update": latest,
            "policies": dict(sorted(policies.items()))}
    target.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(target, "wb", mtime=0) as out:
        out.write(json.dumps(data, separators=(",", ":"), sort_keys=True).encode())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="source", choices=["moto", "account"], default="moto")
    args = parser.parse_args(argv)
    policies, source = from_moto() if args.source == "moto" else from_account()
    write(policies, source)
    print(f"{len(policies)} AWS managed policies from {source} -> {TARGET}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
