"""``python -m sst_deployer render``: the least-privilege policy for your account.

Needs neither the Pulumi CLI nor AWS credentials: the page's "Copy IAM Policy", right
for your account, regions and qualifier.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .partitions import PARTITIONS, partition_of
from .render import QuotaExceeded, policy_size, render, to_json
from .settings import (
    DEFAULT_QUALIFIER,
    DEFAULT_SST_VERSION,
    FEATURES,
    DeployerSettings,
    InvalidSetting,
    features_from,
    regions_in,
)

_FLAGS = {
    "accountId": "--account",
    "regions": "--region",
    "toolkitStackName": "--toolkit-stack-name",
    "bootstrapStackName": "--bootstrap-stack-name",
    "bootstrapBucketPrefix": "--bootstrap-bucket-prefix",
    "ssmPrefix": "--ssm-prefix",
    "sstVersion": "--sst-version",
    "fileAssetsBucketName": "--file-assets-bucket-name",
    "features": "--enable/--disable",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sst_deployer")
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("render", help="print the deployer policy document(s) as JSON")
    r.add_argument("--account", required=True, help="12-digit AWS account id")
    r.add_argument("--region", action="append", required=True, dest="regions",
                   help="a region to deploy to; repeat for several")
    r.add_argument("--partition", choices=PARTITIONS,
                   help="default: the partition of the first region")
    r.add_argument("--qualifier", default=DEFAULT_QUALIFIER)
    r.add_argument("--toolkit-stack-name", default="CDKToolkit")
    r.add_argument("--bootstrap-stack-name", default="SSTBootstrap")
    r.add_argument("--bootstrap-bucket-prefix", default="sstbootstrap-")
    r.add_argument("--ssm-prefix", default="/sst/")
    r.add_argument("--file-assets-bucket-name", help="cdk.fileAssetsBucketName, if the app sets it")
    r.add_argument("--sst-version", default=DEFAULT_SST_VERSION)
    r.add_argument("--enable", action="append", default=[], choices=sorted(FEATURES),
                   help="turn a feature on")
    r.add_argument("--disable", action="append", default=[], choices=sorted(FEATURES),
                   help="turn a feature off")
    r.add_argument("--compact", action="store_true", help="one line per document")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        partition = args.partition or partition_of(args.regions[0]) or "aws"
        toggles = {f: True for f in args.enable} | {f: False for f in args.disable}
        settings = DeployerSettings(
            account=args.account,
            regions=regions_in(partition, args.regions),
            partition=partition,
            qualifier=args.qualifier,
            toolkit_stack_name=args.toolkit_stack_name,
            bootstrap_stack_name=args.bootstrap_stack_name,
            bootstrap_bucket_prefix=args.bootstrap_bucket_prefix,
            ssm_prefix=args.ssm_prefix,
            file_assets_bucket_name=args.file_assets_bucket_name,
            features=features_from(toggles),
            sst_version=args.sst_version,
        )
        documents = render(settings)
    except InvalidSetting as exc:
        flag = _FLAGS.get(exc.setting, "--" + exc.setting)
        print(f"error: {flag}: {exc.message}", file=sys.stderr)
        return 2
    except QuotaExceeded as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for n, doc in enumerate(documents, start=1):
        text = to_json(doc) if args.compact else to_json(doc, indent=2)
        if len(documents) > 1:
            print(f"# policy {n} of {len(documents)}: {policy_size(text)} characters",
                  file=sys.stderr)
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
