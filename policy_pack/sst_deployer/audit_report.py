"""``sst-deployer audit`` reports: readable text, and JSON for CI (schema below, stable).

JSON: ``{"schemaVersion": 1, "exitCode": n, "roles": [role...], "errors": [{"role", "error",
"exitCode"}], "skipped": n}``; each role ``{"arn", "name", "settingsFrom", "strategy",
"settings", "sufficient", "commands": [{"command", "ok", "failures": [index into failures]}],
"failures": [{"sid", "action", "resource", "condition", "reason", "commands", "fixable"}],
"risks": [{"sid", "action", "resource", "document", "statement", "what"}],
"excess": [{"document", "statement", "message"}], "administrator": [str],
"trust": [str], "invalid": [str], "documents": [str], "fix": document or null}``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import Any, Final

from .iam import conditions_text
from .verdict import Verdict, fix_document

SCHEMA_VERSION: Final = 1
_SHOWN: Final = 8  # failures listed per command in text; the rest are counted


def _settings(v: Verdict) -> dict[str, Any]:
    out = dataclasses.asdict(v.settings)
    out["regions"] = list(v.settings.regions)
    out["features"] = sorted(v.settings.features)
    return out


def role_json(v: Verdict) -> dict[str, Any]:
    failures = [{"sid": f.requirement.sid, "action": f.requirement.action, "resource": f.requirement.resource,
                 "condition": conditions_text(f.requirement.condition) if f.requirement.condition else None,
                 "reason": f.reason, "commands": list(f.commands), "fixable": f.fixable} for f in v.failures]
    return {
        "arn": v.role.arn, "name": v.role.name, "settingsFrom": v.settings_from, "strategy": v.strategy,
        "settings": _settings(v), "sufficient": v.sufficient,
        "commands": [{"command": c, "ok": not fs, "failures": [v.failures.index(f) for f in fs]}
                     for c, fs in v.commands()],
        "failures": failures,
        "risks": [{"sid": r.requirement.sid, "action": r.requirement.action, "resource": r.requirement.resource,
                   "document": r.document, "statement": r.statement, "what": r.what} for r in v.risks],
        "excess": [{"document": e.document, "statement": e.statement, "message": e.message} for e in v.excess],
        "administrator": list(v.administrator), "trust": list(v.trust), "invalid": list(v.invalid),
        "documents": list(v.documents), "fix": fix_document(v),
    }


def as_json(verdicts: Sequence[Verdict], errors: Sequence[tuple[str, str, int]], skipped: int,
            exit_code: int) -> str:
    return json.dumps({
        "schemaVersion": SCHEMA_VERSION, "exitCode": exit_code, "roles": [role_json(v) for v in verdicts],
        "errors": [{"role": r, "error": e, "exitCode": c} for r, e, c in errors], "skipped": skipped,
    }, indent=2)


def as_text(v: Verdict, fix_out: str | None = None) -> str:
    """One role's report: verdict per command, what is at fault, and what to run next."""
    s = v.settings
    lines = [f"role {v.role.arn}",
             f"  settings from {'its sst-deployer:* tags' if v.settings_from == 'tags' else 'the command line'}: "
             f"SST {s.sst_version}, account {s.account}, regions {' '.join(s.regions)}, qualifier {s.qualifier}, "
             f"features {' '.join(sorted(s.features)) or 'none'}",
             f"  documents: {'; '.join(v.documents) or 'none'}"]
    for problem in v.invalid:
        lines.append(f"  NOT JUDGED: {problem}")
    lines.append("")
    for command, failures in v.commands():
        if not failures:
            lines.append(f"  sst {command:<9} ok")
            continue
        actions = ", ".join(dict.fromkeys(f.requirement.action for f in failures))
        lines.append(f"  sst {command:<9} FAILS: {actions}")
    if v.failures:
        lines += ["", f"  denied ({len(v.failures)}), and the statement or Deny at fault:"]
        for f in v.failures[:_SHOWN * 4]:
            lines.append(f"    - {f.requirement.describe()} [{f.requirement.sid}]: {f.reason}")
        if len(v.failures) > _SHOWN * 4:
            lines.append(f"    ... and {len(v.failures) - _SHOWN * 4} more (--format json lists them all)")
    if v.risks:
        lines += ["", f"  may fail ({len(v.risks)}): a condition the request decides"]
        lines += [f"      {r.requirement.describe()}: {r.what}, {r.statement} of {r.document}"
                  for r in v.risks[:_SHOWN]]
    if v.administrator:
        lines += ["", "  administrator access (more than SST needs; sandbox accounts only):"]
        lines += [f"      {a}" for a in v.administrator]
    if v.excess:
        lines += ["", f"  beyond what SST needs ({len(v.excess)}):"]
        lines += [f"      {e.message}" for e in v.excess[:_SHOWN]]
        if len(v.excess) > _SHOWN:
            lines.append(f"      ... and {len(v.excess) - _SHOWN} more")
    if v.trust:
        lines += ["", "  trust:"] + [f"      {t}" for t in v.trust]
    lines += ["", *_next(v, fix_out)]
    return "\n".join(lines) + "\n"


def _next(v: Verdict, fix_out: str | None) -> list[str]:
    if v.sufficient:
        return ["  verdict: sufficient: every SST command above can run with this role."]
    out = [f"  verdict: {len(v.failures)} call{'s' if len(v.failures) != 1 else ''} SST makes would fail."]
    unfixable = [f for f in v.failures if not f.fixable]
    if unfixable:
        out.append(f"  {len(unfixable)} of them cannot be fixed by adding an Allow: change the Deny, boundary "
                   "or pattern named above.")
    fix = fix_document(v)
    if fix is None:
        return out
    if fix_out:
        out.append(f"  next: {fix_out} adds exactly what no Allow grants; attach it, e.g.")
        out.append(f"    aws iam put-role-policy --role-name {v.role.name} --policy-name sst-deployer-fix "
                   f"--policy-document file://{fix_out}")
    else:
        out.append("  next: add these statements (or write them to a file with --fix-out FILE):")
        out += ["    " + line for line in json.dumps(fix, indent=2).splitlines()]
    return out
