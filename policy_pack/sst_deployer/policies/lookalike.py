"""Roles that look like SST deployers but that nothing marks as such.

A platform team may have pasted SST's IAM page into a role by hand. Neither made by the
DeployerRole component nor tagged, it escapes every other policy of the pack; this one
recognises what only an SST deployer carries (:data:`MARKERS`) and says exactly which tags
make the pack enforce it.

Only what is specific to SST counts: a Lambda function's role reads parameters and a
bucket, a CodePipeline CloudFormation action role manages stacks, a plain CDK deployer
assumes the CDK roles; none of them is an SST deployer, and tagging one as such would
block it for SST permissions it never uses (issue 15 class 7). SST's own names (SST v2
``packages/sst/src/bootstrap.ts``: stack ``SSTBootstrap``, bucket ``sstbootstrap-*``;
``config.ts``: parameters under ``/sst/``; ``iot.ts``: the Live Lambda socket) are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from ..iam import Document, Statement, matches
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


def _acts(st: Statement, actions: tuple[str, ...]) -> bool:
    """Does the Allow grant one of ``actions`` (patterns or NotAction included)?"""
    hit = any(matches(a, x, ignore_case=True) for a in st.actions for x in actions)
    return hit is not st.not_action


def _names(st: Statement, pattern: re.Pattern[str]) -> bool:
    return not st.not_resource and any(pattern.search(r) for r in st.resources)


@dataclass(frozen=True)
class Marker:
    """Something only an SST deployer's policy carries, and how to see it in one Allow."""

    name: str
    test: Callable[[Statement], bool]
    sst: bool = True  # False: CDK's, which counts only next to one of SST's own


_SST_SIDS: Final = frozenset(g.sid for g in CATALOGUE if g.sid.startswith("AllowSST"))
_BOOTSTRAP_STACK = re.compile(r"^arn:[^:]+:cloudformation:[^:]*:[^:]*:stack/SSTBootstrap/")
_BOOTSTRAP_BUCKET = re.compile(r"^arn:[^:]+:s3:::sstbootstrap-")
_SST_PARAMETERS = re.compile(r"^arn:[^:]+:ssm:[^:]*:[^:]*:parameter/sst/")
_CDK_ROLES = re.compile(r"^arn:[^:]+:iam::[^:]*:role/cdk-[^/]*-(?:deploy|file-publishing|image-publishing|lookup|"
                        r"cfn-exec)-role-")
_IOT_DATA = ("iot:Connect", "iot:Subscribe", "iot:Publish", "iot:Receive")

MARKERS: Final[tuple[Marker, ...]] = (
    Marker("SST's own statement ids (AllowSST...)", lambda st: st.sid in _SST_SIDS),
    Marker("SST's bootstrap stack (stack/SSTBootstrap)", lambda st: _names(st, _BOOTSTRAP_STACK)
           and _acts(st, ("cloudformation:DescribeStacks", "cloudformation:DescribeStackEvents"))),
    Marker("SST's bootstrap bucket (sstbootstrap-*)", lambda st: _names(st, _BOOTSTRAP_BUCKET)
           and _acts(st, ("s3:PutObject", "s3:GetObject", "s3:ListBucket", "s3:DeleteObject"))),
    Marker("writes to SST's parameters (/sst/)", lambda st: _names(st, _SST_PARAMETERS)
           and _acts(st, ("ssm:PutParameter", "ssm:DeleteParameter"))),
    Marker("the Live Lambda socket (iot:DescribeEndpoint with iot:Connect/Subscribe/Publish/Receive)",
           lambda st: _acts(st, ("iot:DescribeEndpoint",)) and all(_acts(st, (a,)) for a in _IOT_DATA)),
    Marker("the CDK bootstrap roles (sts:AssumeRole on cdk-*-role-*)", lambda st: _names(st, _CDK_ROLES)
           and _acts(st, ("sts:AssumeRole",)), sst=False),
)
"""What only an SST deployer carries. A Lambda function bound to SST secrets reads
``/sst/`` parameters but never writes them; a CDK deployer assumes the CDK roles but has
none of SST's names; so CDK's marker counts only beside one of SST's."""


def markers_of(documents: Sequence[Document]) -> list[str]:
    """The :data:`MARKERS` the Allows of ``documents`` carry (CDK's only beside SST's)."""
    found: dict[str, bool] = {}
    for doc in documents:
        for st in doc.statements:
            if st.effect != "Allow":
                continue
            for m in MARKERS:
                if m.name not in found and m.test(st):
                    found[m.name] = m.sst
    if not any(found.values()):
        return []
    return [m.name for m in MARKERS if m.name in found]


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


DEFAULT_MINIMUM: Final = 2


def minimum_markers(config: Mapping[str, Any]) -> int:
    """``minimumMarkers``: how many different :data:`MARKERS` make a lookalike (it replaces
    ``minimumStatements``, which counted page statements by content and so counted what
    Lambda, CodePipeline and CDK roles carry too)."""
    value = config.get("minimumMarkers")
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return DEFAULT_MINIMUM


def unmarked_deployers(found: list[Deployer], config: Mapping[str, Any]) -> list[tuple[str, str]]:
    minimum = minimum_markers(config)
    out = []
    for d in found:
        markers = markers_of([s.document for s in d.sources if s.document is not None])
        if len(markers) < minimum:
            continue
        tags = ", ".join(f"{k}={v}" for k, v in suggested_tags(d).items())
        out.append((f"{d.label} looks like an SST deployer (it carries {len(markers)} things only SST deployers "
                    f"carry: {'; '.join(markers)}) but is neither made by the DeployerRole component nor tagged, so "
                    f"the sst-deployer policies do not check it. Tag it like this so the pack enforces it: {tags}.",
                    d.role.urn))
    return out


__all__ = ["MARKERS", "Grant", "candidates", "markers_of", "suggested_tags", "unmarked_deployers"]
