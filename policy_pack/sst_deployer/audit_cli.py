"""``sst-deployer audit``: judge a deployer role that already exists in AWS. Read-only.

Reads the role with boto3 (:mod:`aws_read`), judges it with the policy pack's engine
(:mod:`verdict`) and reports (:mod:`audit_report`). Settings come from the role's
``sst-deployer:*`` tags where present, else from render's flags. Exit status: 0 every
SST command can run, 1 gaps found (with ``--strict`` also excess, administrator access or
trust findings), 2 bad input (flags, or a role's tags), 3 the role could not be read.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from .audit_report import as_json, as_text
from .aws_read import NoCredentials, NoSuchProfile, ReadDenied, Reader, Role
from .iam import PolicyDocumentError, parse_document
from .policies.lookalike import DEFAULT_MINIMUM, markers_of  # pure: what only SST deployers carry
from .settings import DeployerSettings, InvalidSetting
from .tags import PREFIX, from_tags, strategy_of
from .verdict import Verdict, fix_document, judge

EXIT_OK: Final = 0
EXIT_GAPS: Final = 1
EXIT_USAGE: Final = 2
EXIT_UNREADABLE: Final = 3
LOOKALIKE_MINIMUM: Final = DEFAULT_MINIMUM  # SST markers that make an untagged role a deployer (the pack's)

_ROLE_ARN = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role/(?:[\x21-\x7e]+/)?([\w+=,.@-]{1,64})$")

EPILOG = """\
settings:
  a role tagged sst-deployer:* is judged with the settings its tags record; any other
  role with the flags above (--region at least; --account defaults to the role's).

exit status:
  0 every SST command can run; 1 gaps found (--strict: also excess, administrator access,
  trust findings); 2 bad input (a flag, or a role's sst-deployer:* tags); 3 the role could not
  be read (the message names the IAM permission it needs).

examples:
  sst-deployer audit --role-name sst-deployer --profile prod
  sst-deployer audit --role-arn arn:aws:iam::123456789012:role/deploy --region eu-west-1 --fix-out fix.json
  sst-deployer audit --all --format json
"""


def add_parser(sub: Any, add_setting_flags: Callable[..., None]) -> None:
    a = sub.add_parser("audit", help="judge an existing deployer role in AWS (read-only)",
                       description="Read an IAM role with boto3 and say which SST commands it cannot run, "
                       "what it grants beyond SST's needs, and its trust findings.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    which = a.add_mutually_exclusive_group(required=True)
    which.add_argument("--role-name", metavar="NAME", help="the role's name")
    which.add_argument("--role-arn", metavar="ARN", help="the role's ARN")
    which.add_argument("--all", action="store_true",
                       help="every role of the account tagged sst-deployer:role, or carrying SST's page statements")
    a.add_argument("--profile", help="AWS profile to read with (default: boto3's usual chain)")
    add_setting_flags(a, required=False)
    a.add_argument("--format", choices=("text", "json"), default="text", help="report format (default: %(default)s)")
    a.add_argument("--fix-out", type=Path, metavar="FILE",
                   help="write a policy document adding exactly what no Allow grants (one role only)")
    a.add_argument("--strict", action="store_true",
                   help="exit 1 also on excess, administrator access or trust findings")


@dataclass
class _Outcome:
    verdicts: list[Verdict]
    errors: list[tuple[str, str, int]]
    skipped: int = 0


def _error(prog: str, text: str) -> None:
    print(f"{prog} audit: error: {text}", file=sys.stderr)


def _flags_settings(args: argparse.Namespace, account: str,
                    settings_from: Callable[[argparse.Namespace], DeployerSettings]) -> DeployerSettings:
    if not args.regions:
        raise InvalidSetting("regions", "the role has no sst-deployer:* tags, so give the regions SST deploys to "
                             "(--region, and any other render flag the app changes)")
    ns = argparse.Namespace(**vars(args))
    ns.account = args.account or account
    return settings_from(ns)


def _settings_of(role: Role, args: argparse.Namespace,
                 settings_from: Callable[[argparse.Namespace], DeployerSettings]) -> tuple[DeployerSettings, str, str]:
    if any(k.startswith(PREFIX) for k in role.tags):
        return from_tags(role.tags, role.account, role.partition), "tags", strategy_of(role.tags)
    return _flags_settings(args, role.account, settings_from), "flags", "least-privilege"


def _looks_like_deployer(role: Role) -> bool:
    if any(k.startswith(PREFIX) for k in role.tags):
        return True
    documents = []
    for policy in (*role.attached, *role.inline):
        try:
            documents.append(parse_document(policy.document, policy.label))
        except PolicyDocumentError:
            continue
    return len(markers_of(documents)) >= LOOKALIKE_MINIMUM


def _exit(v: Verdict, strict: bool) -> int:
    if not v.sufficient:
        return EXIT_GAPS
    if strict and (v.excess or v.administrator or v.trust or v.risks):
        return EXIT_GAPS
    return EXIT_OK


def run(args: argparse.Namespace, prog: str, flag_of: Callable[[InvalidSetting], str],
        settings_from: Callable[[argparse.Namespace], DeployerSettings]) -> int:
    """The audit command: returns the exit status."""
    target: str | None = args.role_name
    if args.role_arn is not None:
        m = _ROLE_ARN.match(args.role_arn)
        if not m:
            _error(prog, f"--role-arn: {args.role_arn!r} is not an IAM role ARN "
                   "(arn:<partition>:iam::<12-digit account>:role/[path/]name)")
            return EXIT_USAGE
        target = m.group(3)
    if args.fix_out is not None and args.all:
        _error(prog, "--fix-out: writes one role's fix; give --role-name or --role-arn, not --all")
        return EXIT_USAGE
    try:  # bad flags are bad input before anything is read
        if args.regions:
            _flags_settings(args, args.account or "000000000000", settings_from)
        elif args.account is not None:
            DeployerSettings(account=args.account, regions=("us-east-1",))
    except InvalidSetting as exc:
        _error(prog, f"{flag_of(exc)}: {exc.message}")
        return EXIT_USAGE
    except ValueError as exc:  # render's flag conflicts (--enable X --disable X)
        _error(prog, str(exc))
        return EXIT_USAGE
    try:
        from . import aws_read

        reader = Reader(aws_read.client(args.profile, args.regions[0] if args.regions else None))
    except ImportError:
        _error(prog, "boto3 is not installed: pip install 'sst-deployer[audit]' (or ./policy_pack[audit])")
        return EXIT_UNREADABLE
    except NoSuchProfile as exc:
        _error(prog, f"--profile: {exc}")
        return EXIT_USAGE
    outcome = _Outcome([], [])
    try:
        names = _deployer_names(reader, prog, outcome) if args.all else [target or ""]
    except (ReadDenied, NoCredentials) as exc:
        _error(prog, f"cannot list the account's roles: {exc}")
        return EXIT_UNREADABLE
    for name in names:
        try:
            role = reader.role(name)
        except ReadDenied as exc:
            outcome.errors.append((name, f"could not read role {name}: {exc}", EXIT_UNREADABLE))
            continue
        except NoCredentials as exc:
            outcome.errors.append((name, f"no AWS credentials: {exc}", EXIT_UNREADABLE))
            break
        if args.all and not _looks_like_deployer(role):
            outcome.skipped += 1
            continue
        try:
            settings, source, strategy = _settings_of(role, args, settings_from)
        except InvalidSetting as exc:
            where = f"tag {exc.setting}" if exc.setting.startswith(PREFIX) else flag_of(exc)
            outcome.errors.append((role.arn, f"{role.arn}: {where}: {exc.message}", EXIT_USAGE))
            continue
        outcome.verdicts.append(judge(role, settings, source, strategy))
    return _report(args, prog, outcome)


def _deployer_names(reader: Reader, prog: str, outcome: _Outcome) -> list[str]:
    """The account's deployers, told apart from one GetAccountAuthorizationDetails scan;
    without that permission, every role (ListRoles), each read and told apart one by one."""
    try:
        roles = reader.account_roles()
    except ReadDenied as exc:
        print(f"# {exc}; reading every role one by one instead (slower)", file=sys.stderr)
        return list(reader.role_names())
    found = [r.name for r in roles if _looks_like_deployer(r)]
    outcome.skipped = len(roles) - len(found)
    return found


def _report(args: argparse.Namespace, prog: str, outcome: _Outcome) -> int:
    codes = [c for _, _, c in outcome.errors] + [_exit(v, args.strict) for v in outcome.verdicts]
    code = next((c for c in (EXIT_USAGE, EXIT_UNREADABLE, EXIT_GAPS) if c in codes), EXIT_OK)
    fix_out = str(args.fix_out) if args.fix_out is not None else None
    if fix_out is not None and len(outcome.verdicts) == 1:
        fix = fix_document(outcome.verdicts[0])
        if fix is None:
            print(f"# nothing to add: {fix_out} not written", file=sys.stderr)
            fix_out = None
        else:
            import json

            try:
                Path(fix_out).write_text(json.dumps(fix, indent=2) + "\n", encoding="utf-8")
            except OSError as exc:
                _error(prog, f"--fix-out: cannot write {fix_out}: {exc.strerror or exc}")
                return EXIT_USAGE
    for _, error, _ in outcome.errors:
        _error(prog, error)
    if args.format == "json":
        sys.stdout.write(as_json(outcome.verdicts, outcome.errors, outcome.skipped, code) + "\n")
    else:
        sys.stdout.write("\n".join(as_text(v, fix_out) for v in outcome.verdicts))
        if args.all:
            ok = sum(1 for v in outcome.verdicts if v.sufficient)
            sys.stdout.write(f"{len(outcome.verdicts)} deployer(s) audited, {ok} sufficient; "
                             f"{outcome.skipped} other role(s) skipped; {len(outcome.errors)} error(s)\n")
    sys.stdout.flush()
    return code
