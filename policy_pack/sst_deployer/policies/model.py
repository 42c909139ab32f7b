"""The SST deployers of a stack, read from the resources a stack policy is given.

pulumi-policy hands over proxies (Mappings that are not dicts, raising on unknown
values); :func:`plain` turns the few resources we read into plain data, with unknown
values (preview) as :data:`UNKNOWN`, so nothing here ever raises on them, and nothing
deeper than :data:`MAX_DEPTH` is read. Only IAM resources, AWS providers and
``sst:aws:DeployerRole`` components are read. What each role ends up with (the
provider's attach, detach and exclusive semantics) is :mod:`.provider`'s business.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Final

from ..iam import Document, PolicyDocumentError, parse_document
from ..managed_policies import aws_managed_document, is_aws_managed
from ..settings import DeployerSettings, InvalidSetting
from ..tags import MARKER, PREFIX, from_tags, is_deployer, strategy_of

COMPONENT: Final = "sst:aws:DeployerRole"
ROLE: Final = "aws:iam/role:Role"
POLICY: Final = "aws:iam/policy:Policy"
ROLE_POLICY: Final = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT: Final = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
POLICY_ATTACHMENT: Final = "aws:iam/policyAttachment:PolicyAttachment"
ATTACHMENTS_EXCLUSIVE: Final = "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive"
POLICIES_EXCLUSIVE: Final = "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive"
PROVIDER: Final = "pulumi:providers:aws"
READ_TYPES: Final = frozenset({COMPONENT, ROLE, POLICY, ROLE_POLICY, ATTACHMENT, POLICY_ATTACHMENT,
                          ATTACHMENTS_EXCLUSIVE, POLICIES_EXCLUSIVE, PROVIDER})
"""The only resource types whose properties the pack reads."""

# The engine's sentinels for values unknown during preview (pulumi_policy.proxy).
_UNKNOWN_SENTINELS: Final = frozenset({
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
    "030794c1-ac77-496b-92df-f27374a8bd58", "e48ece36-62e2-4504-bad9-02848725956a",
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
})
_IAM_ARN = re.compile(r"^arn:([^:]+):iam::(\d{12}):")
_ACCOUNT = re.compile(r"^\d{12}$")


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()

MAX_DEPTH: Final = 32
"""How deep a value is read. IAM documents nest four levels (Statement, Condition,
operator, values); anything deeper is bad data, reported as such, never recursed into."""
MAX_DOCUMENT_CHARS: Final = 1_048_576
"""A policy document longer than this is reported, not parsed (the pack's own bound on
work). IAM allows far less: 6,144 characters for a managed policy, 10,240 for all of a
role's inline policies (whitespace not counted); see :data:`INLINE_QUOTA`."""
INLINE_QUOTA: Final = 10_240
"""IAM's quota on the characters (whitespace not counted) of a role's inline policies."""


TOO_DEEP_MARKER: Final = "\x00sst-deployer:nested-too-deep"
"""What :mod:`.server` puts where the engine sent a value nested deeper than MAX_DEPTH."""


@dataclass(frozen=True)
class TooDeep:
    """Stands for a value nested deeper than :data:`MAX_DEPTH`."""

    depth: int = MAX_DEPTH


def plain(value: Any, depth: int = 0) -> Any:
    """Proxies and engine values as plain dicts, lists and scalars; unknowns as UNKNOWN;
    anything nested deeper than :data:`MAX_DEPTH` as :class:`TooDeep`."""
    if isinstance(value, str):
        if value == TOO_DEEP_MARKER:
            return TooDeep()
        return UNKNOWN if value in _UNKNOWN_SENTINELS else value
    if depth >= MAX_DEPTH and isinstance(value, (Mapping, Sequence)):
        return TooDeep()
    if isinstance(value, Mapping):
        target = _target(value)
        return {str(k): plain(v, depth + 1) for k, v in target.items()}
    if isinstance(value, Sequence):
        return [plain(v, depth + 1) for v in _target(value)]
    return value


def _target(proxy: Any) -> Any:
    """The object behind a pulumi-policy proxy, read without its unknown checks."""
    if isinstance(proxy, (dict, list, tuple)):
        return proxy
    try:
        return proxy["__target"]
    except (KeyError, IndexError, TypeError):
        return dict(proxy) if isinstance(proxy, Mapping) else list(proxy)


def is_unknown(value: Any) -> bool:
    """Is ``value`` (plain data, so at most MAX_DEPTH deep) unknown anywhere?"""
    if value is UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(is_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(is_unknown(v) for v in value)
    return False


def too_deep(value: Any) -> bool:
    if isinstance(value, TooDeep):
        return True
    if isinstance(value, dict):
        return any(too_deep(v) for v in value.values())
    if isinstance(value, list):
        return any(too_deep(v) for v in value)
    return False


_JSON_STRING: Final = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKET: Final = re.compile(r"[\[\]{}]")


def json_depth(text: str) -> int:
    """How deep brackets nest in ``text`` (JSON), without recursion: strings removed,
    then one pass over the brackets alone."""
    depth = deepest = 0
    for c in _BRACKET.findall(_JSON_STRING.sub("", text)):
        if c in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
        else:
            depth -= 1
    return deepest


@dataclass
class Resource:
    type: str
    urn: str
    name: str
    props: dict[str, Any]  # outputs, as AnalyzeStack sees them
    parent: str
    deps: dict[str, list[str]]  # property name -> URNs it depends on
    provider: str = ""  # the URN of its provider resource
    inputs: dict[str, Any] | None = None  # what the program declared, when Analyze saw it

    def get(self, key: str) -> Any:
        return self.props.get(key)

    def declared(self, key: str) -> Any:
        """``key`` as the program declared it: the inputs when Analyze saw them, else the
        outputs (for resources whose outputs echo their inputs)."""
        return (self.inputs if self.inputs is not None else self.props).get(key)

    @property
    def label(self) -> str:
        kind = self.type.rsplit(":", 1)[-1]
        return f"{kind} '{self.name}'"


@dataclass
class Source:
    """A policy document that reaches the role, and how."""

    what: str  # "managed policy 'x' (urn)", "inline policy 'y'"
    urn: str
    document: Document | None = None
    pending: bool = False  # unknown until the update (preview)
    external: bool = False  # a managed policy outside this stack: its statements are not visible
    error: str | None = None
    arn: str = ""
    via: str = ""  # the resource that attaches it, or "" for what AWS reported
    oversize: int = 0  # an inline document's characters over IAM's quota (the update would fail)


@dataclass
class Removal:
    """A document that would reach the role but that another resource takes away."""

    source: Source
    by: str  # "PolicyAttachment 'x' attaches that policy exclusively (roles: a, b), which detaches it..."
    by_urn: str = ""  # the resource that removes it


@dataclass
class Deployer:
    role: Resource
    component: Resource | None
    strategy: str
    settings: DeployerSettings | None
    settings_error: str | None
    sources: list[Source] = field(default_factory=list)
    boundary: Source | None = None
    attachments: list[Resource] = field(default_factory=list)
    policies_of_component: list[Resource] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    account: str | None = None
    notes: list[str] = field(default_factory=list)  # what could not be known, said once
    unknown_account: Mapping[str, Any] | None = None  # its tags, while its account is not known (preview)
    partition: str | None = None

    @property
    def label(self) -> str:
        name = self.role.get("name")
        physical = f" ({name})" if isinstance(name, str) and name != self.role.name else ""
        where = f" in account {self.account}" if self.account else ""
        return f"role '{self.role.name}'{physical}{where}"

    @property
    def complete(self) -> bool:
        """Every document is known: a verdict on everything the role is granted is possible."""
        return not any(s.pending for s in self.sources) and not (self.boundary and self.boundary.pending)


def stack_name(resources: Iterable[Any]) -> str:
    for r in resources:
        parts = r.urn.split("::")
        if len(parts) > 1 and parts[0].startswith("urn:pulumi:"):
            return parts[0][len("urn:pulumi:"):]
    return ""


def _urns(deps: Any) -> list[str]:
    out = []
    for d in deps or []:
        urn = getattr(d, "urn", d)
        if isinstance(urn, str):
            out.append(urn)
    return out


def read(resources: Iterable[Any], declared: Mapping[str, dict[str, Any]] | None = None) -> list[Resource]:
    """The IAM resources, AWS providers and deployer components, as plain data
    (``resources`` are pulumi-policy PolicyResources, or anything shaped like them);
    ``declared``: the inputs Analyze saw, by URN."""
    out = []
    referenced: dict[str, Any] = {}  # provider URN -> the engine's provider reference
    declared = declared or {}
    for r in resources:
        if r.resource_type not in READ_TYPES:
            continue
        provider = getattr(r, "provider", None)
        provider_urn = getattr(provider, "urn", "") or ""
        if provider_urn and provider_urn not in referenced:
            referenced[provider_urn] = provider
        parent = getattr(r, "parent", None)
        props = plain(r.props) if r.props is not None else {}
        out.append(Resource(
            type=r.resource_type,
            urn=r.urn,
            name=r.name,
            props=props if isinstance(props, dict) else {},
            parent=parent.urn if parent is not None and hasattr(parent, "urn") else (parent or ""),
            deps={k: _urns(v) for k, v in (getattr(r, "property_dependencies", None) or {}).items()},
            provider=provider_urn,
            inputs=declared.get(r.urn),
        ))
    # A provider the stack does not list is still known by the reference the engine sends.
    present = {res.urn for res in out if res.type == PROVIDER}
    for urn, provider in referenced.items():
        if urn not in present:
            props = plain(getattr(provider, "props", None) or {})
            out.append(Resource(PROVIDER, urn, urn.rsplit("::", 1)[-1], props if isinstance(props, dict) else {},
                                "", {}))
    return out


def _parse(text: str, name: str) -> Document:
    """Parsed once per text: a hundred deployers' copies of one document differ only in name."""
    return replace(_parse_text(text), name=name)


@lru_cache(maxsize=4096)
def _parse_text(text: str) -> Document:
    return parse_document(text)


def source(what: str, urn: str, raw: Any, **extra: Any) -> Source:
    """A document read from ``raw`` (a JSON string or an object); bad data becomes an error
    that says what is wrong."""
    if raw is UNKNOWN or is_unknown(raw):
        return Source(what, urn, pending=True, **extra)
    if too_deep(raw):
        return Source(what, urn, error=f"it is nested more than {MAX_DEPTH} levels deep (an IAM policy "
                      "document nests at most 4: Statement, Condition, operator, values)", **extra)
    try:
        if isinstance(raw, str):
            if len(raw) > MAX_DOCUMENT_CHARS:
                return Source(what, urn, error=f"it is {len(raw):,} characters long, too large to judge; IAM "
                              "allows 6,144 for a managed policy and 10,240 for a role's inline policies", **extra)
            depth = json_depth(raw)
            if depth > MAX_DEPTH:
                return Source(what, urn, error=f"its JSON nests {depth:,} levels deep (an IAM policy document "
                              "nests at most 5)", **extra)
            return Source(what, urn, _parse(raw, what), **extra)
        return Source(what, urn, parse_document(raw, what), **extra)
    except PolicyDocumentError as exc:
        return Source(what, urn, error=str(exc), **extra)
    except (RecursionError, MemoryError) as exc:  # never raised for bounded data; kept as a guard
        return Source(what, urn, error=f"it could not be read ({type(exc).__name__})", **extra)


def inline_source(what: str, urn: str, raw: Any, **extra: Any) -> Source:
    """An inline policy: :func:`source`, and its size against IAM's inline quota."""
    found = source(what, urn, raw, **extra)
    if isinstance(raw, str) and len(raw) > INLINE_QUOTA:
        size = len(raw) - sum(raw.count(c) for c in " \t\r\n")
        if size > INLINE_QUOTA:
            found.oversize = size
    return found


def tags_of(role: Resource) -> dict[str, Any]:
    for key in ("tags", "tagsAll"):
        value = role.get(key)
        if isinstance(value, dict) and MARKER in value:
            return value
    return {}


def iam_account(arn: Any) -> str | None:
    m = _IAM_ARN.match(arn) if isinstance(arn, str) else None
    return m.group(2) if m else None


def iam_partition(arn: Any) -> str | None:
    m = _IAM_ARN.match(arn) if isinstance(arn, str) else None
    return m.group(1) if m else None


def provider_account(props: Mapping[str, Any]) -> str | None:
    """The account an AWS provider works in, from its config: one ``allowedAccountIds``,
    or the role its ``assumeRole``/``assumeRoles`` assumes. None when it does not say."""
    ids = _json(props.get("allowedAccountIds"))
    if isinstance(ids, list) and len(ids) == 1 and isinstance(ids[0], str) and _ACCOUNT.match(ids[0]):
        return ids[0]
    for key in ("assumeRoles", "assumeRole"):
        value = _json(props.get(key))
        items = value if isinstance(value, list) else [value]
        for item in items[:1]:
            if isinstance(item, dict):
                account = iam_account(item.get("roleArn"))
                if account:
                    return account
    return None


def _json(value: Any) -> Any:
    """Provider config values arrive JSON-encoded when they are not strings."""
    import json

    if isinstance(value, str) and value[:1] in "[{" and len(value) < 65_536 and json_depth(value) <= MAX_DEPTH:
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def settings_for_any_account(tags: Mapping[str, Any], accounts: Iterable[str], partition: str | None
                             ) -> list[DeployerSettings]:
    """The settings ``tags`` record, once per candidate account (its own is not known yet)."""
    out = []
    for account in accounts:
        try:
            out.append(from_tags(tags, account=account, partition=partition))
        except InvalidSetting:
            return []
    return out


def settings_of(tags: Mapping[str, Any], account: str | None, partition: str | None
                ) -> tuple[DeployerSettings | None, str | None, str | None]:
    """(settings, error, note) from a deployer's tags; ``account``/``partition`` fill in
    what the tags leave out. When the account is unknown (a preview of a new role under
    a provider that does not say), no verdict: a note says why."""
    if is_unknown(tags):
        return None, None, "its tags are unknown until the update"
    if account is None and not isinstance(tags.get(PREFIX + "account"), str):
        return None, None, ("its account is not known yet (its ARN is unknown and its provider sets neither "
                            "allowedAccountIds nor assumeRole); tag it sst-deployer:account to judge it now")
    try:
        return from_tags(tags, account=account, partition=partition), None, None
    except InvalidSetting as exc:
        return None, f"{exc.setting}: {exc.message}", None


def aws_managed_source(arn: str, what: str, **extra: Any) -> Source | None:
    """An AWS managed policy by content, from the shipped snapshot."""
    if not is_aws_managed(arn):
        return None
    document = aws_managed_document(arn)
    if document is None:
        return None
    return source(what, "", document, arn=arn, **extra)


def deployers(resources: Sequence[Resource], known: Mapping[str, Any] | None = None) -> list[Deployer]:
    """Every SST deployer role in the stack with what it ends up with (see
    :mod:`.provider`): roles tagged as deployers, and roles of a DeployerRole component
    even if their tags were removed (the component's registered ``parameters`` then say
    what they must grant). ``known``: documents of managed policies outside the stack,
    by ARN (the pack's ``knownPolicies``)."""
    from .provider import Stack

    components = {r.urn: r for r in resources if r.type == COMPONENT}
    roles = [r for r in resources if r.type == ROLE and (r.parent in components or is_deployer(tags_of(r)))]
    if not roles:
        return []
    stack = Stack.of(resources, known or {})
    out = []
    for role in roles:
        component = components.get(role.parent)
        tags = tags_of(role)
        if not tags and component is not None:
            params = component.get("parameters")
            tags = params if isinstance(params, dict) and MARKER in params else {}
        if not tags:
            continue
        account = stack.account_of(role)
        partition = iam_partition(role.get("arn")) or stack.partition_of(role)
        settings, error, note = settings_of(tags, account, partition)
        d = Deployer(role, component, strategy_of(tags), settings, error, account=account, partition=partition)
        if note:
            d.notes.append(note)
            if account is None and not is_unknown(tags):
                d.unknown_account = tags
        stack.end_state(role, d)
        if component is not None:
            d.policies_of_component = list(stack.children.get(component.urn, []))
        out.append(d)
    return out
