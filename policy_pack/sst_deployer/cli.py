"""``sst-deployer render``: the least-privilege deployer policy for your account, as JSON.

Needs neither the Pulumi CLI nor AWS credentials (``pip install ./policy_pack`` is
enough): SST's "Copy IAM Policy", right for your account, regions, qualifier and names.

Behaves like a Unix filter: stdout carries one JSON value (an array of policy
documents, one per managed policy), diagnostics go to stderr, and the exit status says
what happened: 0 done, 1 --out-dir not writable, 2 bad input (a usage error, or settings
IAM cannot hold), 141
when the reader of stdout went away (``| head -1``; the status a shell reports for a
process ended by SIGPIPE), 130 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from . import audit_cli
from .partitions import PARTITIONS, partition_of
from .render import MANAGED_POLICIES_PER_ROLE, MANAGED_POLICY_MAX_CHARS, QuotaExceeded, policy_size, render, to_json
from .settings import (
    DEFAULT_POLICY_PROFILE,
    DEFAULT_QUALIFIER,
    DEFAULT_SST_VERSION,
    FEATURES,
    POLICY_PROFILES,
    DeployerSettings,
    InvalidSetting,
    features_from,
    regions_in,
)
from .version import __version__

EXIT_FAILED: Final = 1  # the documents could not be written
EXIT_USAGE: Final = 2  # argparse's own status for a bad command line
EXIT_BROKEN_PIPE: Final = 128 + 13  # SIGPIPE
EXIT_INTERRUPTED: Final = 128 + 2  # SIGINT
MAX_POLICIES_RAISED: Final = 20  # what AWS raises the managed-policies-per-role quota to on request

_DEFAULTS: Final[dict[str, Any]] = {f.name: f.default for f in dataclasses.fields(DeployerSettings)}
# Settings that are names: they appear in ARNs, so their length is paid once per region.
NAME_FLAGS: Final = {
    "qualifier": "--qualifier",
    "toolkit_stack_name": "--toolkit-stack-name",
    "bootstrap_stack_name": "--bootstrap-stack-name",
    "bootstrap_bucket_prefix": "--bootstrap-bucket-prefix",
    "ssm_prefix": "--ssm-prefix",
    "file_assets_bucket_name": "--file-assets-bucket-name",
}
# InvalidSetting names the config key; the command line knows it as a flag.
_FLAGS: Final = {
    "accountId": "--account",
    "regions": "--region",
    "partition": "--partition",
    "qualifier": "--qualifier",
    "toolkitStackName": "--toolkit-stack-name",
    "bootstrapStackName": "--bootstrap-stack-name",
    "bootstrapBucketPrefix": "--bootstrap-bucket-prefix",
    "ssmPrefix": "--ssm-prefix",
    "sstVersion": "--sst-version",
    "fileAssetsBucketName": "--file-assets-bucket-name",
    "policyProfile": "--policy-profile",
    "features": "--enable/--disable",
}

_EPILOG = f"""\
features (default on: {", ".join(f for f, on in FEATURES.items() if on)};
          default off: {", ".join(f for f, on in FEATURES.items() if not on)})

output:
  stdout is one JSON value: an array of IAM policy documents, one per managed policy
  to attach (one unless many regions need more than {MANAGED_POLICY_MAX_CHARS} characters).
  `| jq '.[0]'` gives the first document alone; --out-dir writes one file per policy.

exit status:
  0 rendered; 1 --out-dir not writable; 2 bad input, or more policies than --max-policies; 141 stdout closed
  early (e.g. `| head -1`); 130 interrupted.

example:
  sst-deployer render --account 123456789012 --region us-east-1 --region eu-west-1 \\
      --disable liveLambda --enable bind --out-dir policies/
"""


class _Conflict(ValueError):
    pass


def parser(prog: str = "sst-deployer") -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog=prog,
        description="SST v2 deployer IAM policies: least privilege for your account, without Pulumi.",
    )
    top.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    r = sub.add_parser(
        "render",
        help="print the deployer's managed policy documents as JSON",
        description="Print the managed policy documents an SST v2 deployer needs, as one JSON array.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_setting_flags(r, required=True)
    r.add_argument("--max-policies", type=_quota, default=MANAGED_POLICIES_PER_ROLE, metavar="N",
                   help="managed policies the role may have: IAM's quota (default: %(default)s; "
                        f"1-{MAX_POLICIES_RAISED}, AWS raises it to {MAX_POLICIES_RAISED} on request)")
    r.add_argument("--compact", action="store_true", help="no indentation: one line of JSON")
    r.add_argument("--out-dir", type=Path, metavar="DIR",
                   help="write DIR/policy-1.json ... one document per file (stale policy-N.json "
                        "beyond them are removed), and print their paths instead")
    audit_cli.add_parser(sub, add_setting_flags)
    return top


def add_setting_flags(r: argparse.ArgumentParser, *, required: bool) -> None:
    """The flags that say what a deployer must grant (render's; audit's for untagged roles)."""
    r.add_argument("--account", required=required, metavar="ID",
                   help="12-digit AWS account id" + ("" if required else " (default: the role's)"))
    r.add_argument("--region", action="append", required=required, dest="regions", metavar="REGION",
                   help="a region SST deploys to; repeat for several")
    r.add_argument("--partition", choices=PARTITIONS,
                   help="default: the partition of the first --region")
    r.add_argument("--qualifier", default=DEFAULT_QUALIFIER,
                   help="CDK bootstrap qualifier (sst.config.ts cdk.qualifier; default: %(default)s)")
    r.add_argument("--toolkit-stack-name", default=_DEFAULTS["toolkit_stack_name"], metavar="NAME",
                   help="cdk.toolkitStackName (default: %(default)s)")
    r.add_argument("--bootstrap-stack-name", default=_DEFAULTS["bootstrap_stack_name"], metavar="NAME",
                   help="bootstrap.stackName (default: %(default)s)")
    r.add_argument("--bootstrap-bucket-prefix", default=_DEFAULTS["bootstrap_bucket_prefix"], metavar="PREFIX",
                   help="prefix of bootstrap.bucketName (default: %(default)s)")
    r.add_argument("--ssm-prefix", default=_DEFAULTS["ssm_prefix"], metavar="PATH",
                   help="ssmPrefix, where `sst secrets` keeps parameters (default: %(default)s)")
    r.add_argument("--file-assets-bucket-name", metavar="BUCKET",
                   help="cdk.fileAssetsBucketName, if the app sets it (default: CDK's "
                        "cdk-<qualifier>-assets-<account>-<region>)")
    r.add_argument("--policy-profile", choices=POLICY_PROFILES, default=DEFAULT_POLICY_PROFILE,
                   help="page: SST's IAM page as written; strict: only SST's real calls, with account "
                        "and region in CDK names (default: %(default)s)")
    r.add_argument("--sst-version", default=DEFAULT_SST_VERSION, metavar="VERSION",
                   help="the app's SST 2.x version (default: %(default)s)")
    r.add_argument("--enable", action="append", default=[], choices=list(FEATURES), metavar="FEATURE",
                   help="turn a feature on (repeatable; one of: %(choices)s)")
    r.add_argument("--disable", action="append", default=[], choices=list(FEATURES), metavar="FEATURE",
                   help="turn a feature off (repeatable)")


def _quota(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_POLICIES_RAISED:
        raise argparse.ArgumentTypeError(f"{text!r}; allowed: 1 to {MAX_POLICIES_RAISED}")
    return int(text)


def _toggles(enable: list[str], disable: list[str]) -> dict[str, bool]:
    both = sorted(set(enable) & set(disable))
    if both:
        raise _Conflict(f"--enable {both[0]} and --disable {both[0]} contradict each other; give one")
    return {f: True for f in enable} | {f: False for f in disable}


def settings_from(args: argparse.Namespace) -> DeployerSettings:
    """The command line as settings; raises InvalidSetting."""
    partition = args.partition or partition_of(args.regions[0]) or "aws"
    return DeployerSettings(
        account=args.account,
        regions=regions_in(partition, args.regions),
        partition=partition,
        qualifier=args.qualifier,
        toolkit_stack_name=args.toolkit_stack_name,
        bootstrap_stack_name=args.bootstrap_stack_name,
        bootstrap_bucket_prefix=args.bootstrap_bucket_prefix,
        ssm_prefix=args.ssm_prefix,
        file_assets_bucket_name=args.file_assets_bucket_name,
        features=features_from(_toggles(args.enable, args.disable)),
        sst_version=args.sst_version,
        policy_profile=args.policy_profile,
    )


def quota_message(settings: DeployerSettings, exc: QuotaExceeded, max_policies: int) -> str:
    """What went over, which regions, and why: the names' length or the regions' number."""
    regions = ", ".join(exc.regions or settings.regions)
    if not exc.needed:
        head = f"--region: {exc}; regions: {regions}"
    else:
        head = (f"--region: {len(settings.regions)} regions ({regions}) need {exc.needed} managed policies; "
                f"the role may have {exc.allowed} (--max-policies; IAM's default quota is "
                f"{MANAGED_POLICIES_PER_ROLE}, raisable to {MAX_POLICIES_RAISED})")
    long_names = {f: getattr(settings, f) for f in NAME_FLAGS if getattr(settings, f) != _DEFAULTS[f]}
    if not long_names:
        return (f"{head}.\ncause: the number of regions: each region adds its own ARNs.\n"
                "fix: use fewer regions per deployer, or split them over several deployer stacks.")
    plain = dataclasses.replace(settings, **{f: _DEFAULTS[f] for f in long_names})
    try:
        fits = len(render(plain, max_policies=max_policies))
    except QuotaExceeded:
        fits = 0
    named = ", ".join(f"{NAME_FLAGS[f]} {_short(v)} ({len(v)} characters)" for f, v in long_names.items())
    if fits:
        return (f"{head}.\ncause: the names, not the number of regions: {named} appear in every region's "
                f"ARNs; with the default names the same regions fit in {fits} "
                f"polic{'y' if fits == 1 else 'ies'}.\nfix: shorten those names, or use fewer regions per deployer.")
    return (f"{head}.\ncause: the number of regions: even with the default names instead of {named} "
            "they do not fit.\nfix: use fewer regions per deployer, or split them over several deployer stacks.")


def _short(value: str, keep: int = 40) -> str:
    return repr(value) if len(value) <= keep else repr(value[:keep]) + "..."


def _write_files(out_dir: Path, texts: list[str]) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, text in enumerate(texts, start=1):
        path = out_dir / f"policy-{n}.json"
        path.write_text(text + "\n", encoding="utf-8")
        paths.append(path)
    stale = re.compile(r"^policy-(\d+)\.json$")
    for old in out_dir.iterdir():
        match = stale.match(old.name)
        if match and int(match.group(1)) > len(texts):
            old.unlink()
    return paths


def flag_of(exc: InvalidSetting) -> str:
    """The command-line flag of the setting ``exc`` names."""
    return _FLAGS.get(exc.setting, "--" + re.sub(r"(?<!^)([A-Z])", r"-\1", exc.setting).lower())


def _run(argv: Sequence[str] | None, prog: str) -> int:
    p = parser(prog)
    args = p.parse_args(argv)
    if args.command == "audit":
        return audit_cli.run(args, prog, flag_of, settings_from)
    try:
        settings = settings_from(args)
        documents = render(settings, max_policies=args.max_policies)
    except _Conflict as exc:
        print(f"{prog} render: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except InvalidSetting as exc:
        print(f"{prog} render: error: {flag_of(exc)}: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    except QuotaExceeded as exc:
        print(f"{prog} render: error: {quota_message(settings, exc, args.max_policies)}", file=sys.stderr)
        return EXIT_USAGE
    indent = None if args.compact else 2
    if args.out_dir is not None:
        try:
            paths = _write_files(args.out_dir, [to_json(d, indent=indent) for d in documents])
        except OSError as exc:
            print(f"{prog} render: error: --out-dir: cannot write {exc.filename or args.out_dir}: "
                  f"{exc.strerror or exc}", file=sys.stderr)
            return EXIT_FAILED
        _emit("\n".join(str(path) for path in paths) + "\n")
    else:
        _emit(_as_json(documents, indent) + "\n")
    if len(documents) > 1:
        sizes = ", ".join(str(policy_size(to_json(d))) for d in documents)
        print(f"# {len(documents)} managed policies ({sizes} of {MANAGED_POLICY_MAX_CHARS} characters): "
              "attach them all", file=sys.stderr)
    return 0


def _as_json(documents: list[dict[str, Any]], indent: int | None) -> str:
    if indent is None:
        return json.dumps(documents, separators=(",", ":"))
    return json.dumps(documents, indent=indent)


def _emit(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def main(argv: Sequence[str] | None = None, prog: str = "sst-deployer") -> int:
    """The ``sst-deployer`` console script: returns the exit status."""
    try:
        return _run(argv, prog)
    except BrokenPipeError:
        # The reader went away (`| head -1`): nothing more to say, and nothing left for
        # Python to flush into the closed pipe at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
