"""Roles that look like SST deployers but that nothing marks as such.

A platform team may have pasted SST's IAM page into a role by hand. Neither made by the
DeployerRole component nor tagged, it escapes every other policy of the pack; this one
recognises SST's page statements (by Sid, or by content: most of a page statement's
actions in one Allow) and says exactly which tags make the pack enforce it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from ..iam import Document
from ..partitions import REGIONS
from ..permissions import CATALOGUE, Grant
from ..settings import DEFAULT_QUALIFIER
from ..tags import MARKER, is_deployer
from .model import COMPONENT, ROLE, Deployer, Resource, read, tags_of
from .provider import Stack

_ARN_REGION = re.compile(r"^arn:[^:]+:[^:]+:([a-z]{2}(?:-[a-z]+)+-\d):")
_QUALIFIER = re.compile(r"cdk-([A-Za-z0-9_]{1,10})-(?:assets|container-assets|cfn-exec|deploy|lookup|"
                        r"file-publishing|image-publishing)")
_KNOWN_REGIONS: Final = frozenset(r for regions in REGIONS.values() for r in regions)
_SIDS: Final = {g.sid: g for g in CATALOGUE}


def candidates(resources: Sequence[Any] | Sequence[Resource], declared: Mapping[str, dict[str, Any]] | None = None,
               known: Mapping[str, Any] | None = None) -> list[Deployer]:
    """Roles neither made by a DeployerRole nor tagged, with what they end up with."""
    plain = resources if resources and isinstance(resources[0], Resource) else read(resources, declared)
    plain = [r for r in plain if isinstance(r, Resource)]
    components = {r.urn for r in plain if r.type == COMPONENT}
    roles = [r for r in plain if r.type == ROLE and r.parent not in components and not is_deployer(tags_of(r))]
    if not roles:
        return []
    stack = Stack.of(plain, known or {})
    out = []
    for role in roles:
        d = Deployer(role, None, "least-privilege", None, None, account=stack.account_of(role))
        stack.end_state(role, d)
        if any(s.document is not None for s in d.sources):
            out.append(d)
    return out


def _matched(doc: Document) -> set[str]:
    """SST page statements ``doc`` carries: by Sid, or an Allow holding most of a page
    statement's actions."""
    found: set[str] = set()
    for st in doc.statements:
        if st.effect != "Allow":
            continue
        if st.sid in _SIDS:
            found.add(st.sid)
            continue
        if st.not_action:
            continue
        actions = {a.lower() for a in st.actions}
        for grant in CATALOGUE:
            needed = {a.lower() for a in grant.actions}
            if len(needed) >= 2 and len(needed & actions) * 2 > len(needed):
                found.add(grant.sid)
    return found


def suggested_tags(d: Deployer) -> dict[str, str]:
    """The tags that make ``d`` a deployer the pack checks, read from its documents."""
    regions: set[str] = set()
    qualifiers: set[str] = set()
    for s in d.sources:
        if s.document is None:
            continue
        for st in s.document.statements:
            for resource in st.resources:
                m = _ARN_REGION.match(resource)
                if m and m.group(1) in _KNOWN_REGIONS:
                    regions.add(m.group(1))
                q = _QUALIFIER.search(resource)
                if q:
                    qualifiers.add(q.group(1))
    tags = {MARKER: "least-privilege", "sst-deployer:regions": " ".join(sorted(regions)) or "<your regions>"}
    if len(qualifiers) == 1 and DEFAULT_QUALIFIER not in qualifiers:
        tags["sst-deployer:qualifier"] = next(iter(qualifiers))
    if d.account is None:
        tags["sst-deployer:account"] = "<account id>"
    return tags


def unmarked_deployers(found: list[Deployer], config: Mapping[str, Any]) -> list[tuple[str, str]]:
    minimum = config.get("minimumStatements", 2)
    minimum = minimum if isinstance(minimum, int) and not isinstance(minimum, bool) and minimum > 0 else 2
    out = []
    for d in found:
        sids: set[str] = set()
        for s in d.sources:
            if s.document is not None:
                sids |= _matched(s.document)
        if len(sids) < minimum:
            continue
        tags = ", ".join(f"{k}={v}" for k, v in suggested_tags(d).items())
        out.append((f"{d.label} looks like an SST deployer (it carries {len(sids)} of SST's IAM page statements: "
                    f"{', '.join(sorted(sids))}) but is neither made by the DeployerRole component nor tagged, so "
                    f"the sst-deployer policies do not check it. Tag it like this so the pack enforces it: {tags}.",
                    d.role.urn))
    return out


__all__ = ["Grant", "candidates", "suggested_tags", "unmarked_deployers"]
