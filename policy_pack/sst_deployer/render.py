"""Render the catalogue as IAM policy documents: valid, deterministic, compact, in quota.

* Pairs (action, ARN) another row already grants more broadly are dropped
  (``DescribeStacks`` on ``stack/CDKToolkit/*`` is inside ``stack/*``).
* Actions sharing the same resources and condition become one statement.
* When the whole does not fit one managed policy (6,144 characters, whitespace not
  counted), statements are split by region and packed, region by region, over as
  few policies as needed; past the role's managed-policy quota, :class:`QuotaExceeded`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Final

from .iam import Conditions, covers, implies
from .permissions import calls, grants_for, requirements, spelled_conditions
from .settings import DeployerSettings, check_least_privilege_version

MANAGED_POLICY_MAX_CHARS: Final = 6144
MANAGED_POLICIES_PER_ROLE: Final = 10  # IAM's default quota; raisable to 20
POLICY_VERSION: Final = "2012-10-17"

_REGION_IN_ARN = re.compile(r"^arn:[^:]*:[^:]*:([^:]*):")


class QuotaExceeded(ValueError):
    """The documents cannot fit IAM's quotas: ``needed`` managed policies for ``regions``
    where a role may have ``allowed`` (``needed`` is 0 when one statement alone is too big)."""

    def __init__(self, message: str, *, regions: tuple[str, ...] = (), needed: int = 0, allowed: int = 0) -> None:
        super().__init__(message)
        self.regions = regions
        self.needed = needed
        self.allowed = allowed


@dataclass(frozen=True)
class _Statement:
    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    condition: Conditions  # canonical, to group by
    condition_element: Mapping[str, Any] | None  # as the catalogue spells it, to render


def policy_size(text: str) -> int:
    """Characters IAM counts against the managed-policy quota (whitespace excluded)."""
    return len(re.sub(r"\s", "", text))


def to_json(document: Mapping[str, Any], indent: int | None = None) -> str:
    """The document as JSON: compact by default, byte-identical for equal inputs."""
    if indent is None:
        return json.dumps(document, separators=(",", ":"))
    return json.dumps(document, indent=indent)


def statements(settings: DeployerSettings) -> list[_Statement]:
    """The catalogue for ``settings`` as compact statements, in catalogue order: the
    page's statements, or with the ``strict`` policy profile only SST's real calls.

    Each ARN appears once: ARNs needing the same actions under the same condition
    share a statement, so that a region adds only its own ARNs."""
    reqs = calls(settings) if settings.policy_profile == "strict" else requirements(settings)
    grants = grants_for(settings)
    order = {g.sid: i for i, g in enumerate(grants)}
    spelled = spelled_conditions(settings)
    by_action: dict[tuple[str, Conditions], set[str]] = {}
    for r in reqs:
        by_action.setdefault((r.action, r.condition), set()).add(r.resource)

    def redundant(action: str, resource: str, condition: Conditions) -> bool:
        # Granted by a strictly broader pattern for the same action under a condition
        # no stricter than this one.
        for (a, c), resources in by_action.items():
            if a == action and implies(condition, c):
                if any(o != resource and covers([o], resource) for o in resources):
                    return True
        return False

    # (ARN, condition) -> the actions it needs, and the sids that need them.
    needs: dict[tuple[str, Conditions], set[str]] = {}
    owners: dict[tuple[str, Conditions], list[str]] = {}
    for r in reqs:
        if redundant(r.action, r.resource, r.condition):
            continue
        needs.setdefault((r.resource, r.condition), set()).add(r.action)
        owners.setdefault((r.resource, r.condition), []).append(r.sid)

    groups: dict[tuple[tuple[str, ...], Conditions], list[str]] = {}
    votes: dict[tuple[tuple[str, ...], Conditions], list[str]] = {}
    for (resource, condition), actions in needs.items():
        gkey = (tuple(sorted(actions)), condition)
        groups.setdefault(gkey, []).append(resource)
        votes.setdefault(gkey, []).extend(owners[(resource, condition)])
    out = []
    for gkey, resources in groups.items():
        # Named for the catalogue row that contributes most of it (first on a tie).
        sid = min(votes[gkey], key=lambda sid: (-votes[gkey].count(sid), order[sid]))
        out.append(_Statement(sid, gkey[0], tuple(sorted(resources)), gkey[1], spelled.get(gkey[1])))
    out.sort(key=lambda s: (order[s.sid], s.resources))
    return _unique_sids(out)


def _unique_sids(stmts: list[_Statement]) -> list[_Statement]:
    seen: dict[str, int] = {}
    out = []
    for s in stmts:
        n = seen.get(s.sid, 0)
        seen[s.sid] = n + 1
        out.append(s if n == 0 else replace(s, sid=f"{s.sid}{n + 1}"))
    return out


def _document(stmts: list[_Statement]) -> dict[str, Any]:
    body = []
    for s in stmts:
        st: dict[str, Any] = {
            "Sid": s.sid,
            "Effect": "Allow",
            "Action": list(s.actions),
            "Resource": list(s.resources),
        }
        if s.condition_element:
            st["Condition"] = {op: dict(clause) for op, clause in s.condition_element.items()}
        body.append(st)
    return {"Version": POLICY_VERSION, "Statement": body}


def _region_of(arn: str) -> str:
    match = _REGION_IN_ARN.match(arn)
    return match.group(1) if match else ""


def render(
    settings: DeployerSettings,
    *,
    max_chars: int = MANAGED_POLICY_MAX_CHARS,
    max_policies: int = MANAGED_POLICIES_PER_ROLE,
) -> list[dict[str, Any]]:
    """The deployer's permissions as one or more managed-policy documents. Raises
    InvalidSetting for SST versions no least-privilege role can serve."""
    check_least_privilege_version(settings.sst_version)
    stmts = statements(settings)
    whole = _document(stmts)
    if policy_size(to_json(whole)) <= max_chars:
        return [whole]

    # Pieces in statement order, each statement's ARNs global first, then by region:
    # a statement is split only where a policy fills up.
    rank = {region: n for n, region in enumerate(settings.regions, start=1)}
    pieces = [
        (i, (arn,))
        for i, s in enumerate(stmts)
        for arn in sorted(s.resources, key=lambda a: (rank.get(_region_of(a), 0), a))
    ]

    docs: list[dict[int, list[str]]] = [{}]
    for i, resources in pieces:
        trial = {k: list(v) for k, v in docs[-1].items()}
        trial.setdefault(i, []).extend(resources)
        if policy_size(to_json(_pack(stmts, trial))) <= max_chars:
            docs[-1] = trial
            continue
        if not docs[-1]:
            raise QuotaExceeded(
                f"statement {stmts[i].sid} alone exceeds {max_chars} characters",
                regions=settings.regions,
            )
        docs.append({i: list(resources)})
    if len(docs) > max_policies:
        raise QuotaExceeded(
            f"regions: {len(settings.regions)} regions need {len(docs)} managed policies; "
            f"a role may have {max_policies} (IAM's default quota). Use fewer regions per "
            "environment, or split them over several deployer stacks.",
            regions=settings.regions, needed=len(docs), allowed=max_policies,
        )
    return [_pack(stmts, d) for d in docs]


def _pack(stmts: list[_Statement], content: dict[int, list[str]]) -> dict[str, Any]:
    return _document(
        [
            replace(stmts[i], resources=tuple(sorted(rs)))
            for i, rs in sorted(content.items())
        ]
    )
