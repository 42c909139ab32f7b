"""The SST deployers of a stack, read from the resources a stack policy is given.

pulumi-policy hands over proxies (Mappings that are not dicts, raising on unknown
values); :func:`plain` turns the few resources we read into plain data, with unknown
values (preview) as :data:`UNKNOWN`, so nothing here ever raises on them. Only IAM
resources and ``sst:aws:DeployerRole`` components are read: a stack without
deployers costs one pass over the resource types.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

from ..iam import Document, PolicyDocumentError, parse_document
from ..settings import DeployerSettings, InvalidSetting
from ..tags import MARKER, from_tags, is_deployer, strategy_of

COMPONENT: Final = "sst:aws:DeployerRole"
ROLE: Final = "aws:iam/role:Role"
POLICY: Final = "aws:iam/policy:Policy"
ROLE_POLICY: Final = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT: Final = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
POLICY_ATTACHMENT: Final = "aws:iam/policyAttachment:PolicyAttachment"
_READ: Final = frozenset({COMPONENT, ROLE, POLICY, ROLE_POLICY, ATTACHMENT, POLICY_ATTACHMENT})

# The engine's sentinels for values unknown during preview (pulumi_policy.proxy).
_UNKNOWN_SENTINELS: Final = frozenset({
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
    "030794c1-ac77-496b-92df-f27374a8bd58", "e48ece36-62e2-4504-bad9-02848725956a",
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
})
_AWS_MANAGED = re.compile(r"^arn:[^:]+:iam::aws:policy/(?:.*/)?([^/]+)$")
_ROLE_ARN = re.compile(r"^arn:([^:]+):iam::(\d{12}):role/")
ADMINISTRATOR_ACCESS: Final = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
"""The document of the AWS managed policy AdministratorAccess."""


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()


def plain(value: Any) -> Any:
    """Proxies and engine values as plain dicts, lists and scalars; unknowns as UNKNOWN."""
    if isinstance(value, str):
        return UNKNOWN if value in _UNKNOWN_SENTINELS else value
    if isinstance(value, Mapping):
        target = _target(value)
        return {str(k): plain(v) for k, v in target.items()}
    if isinstance(value, Sequence):
        return [plain(v) for v in _target(value)]
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
    if value is UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(is_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(is_unknown(v) for v in value)
    return False


@dataclass
class Resource:
    type: str
    urn: str
    name: str
    props: dict[str, Any]
    parent: str
    deps: dict[str, list[str]]  # property name -> URNs it depends on

    def get(self, key: str) -> Any:
        return self.props.get(key)


@dataclass
class Source:
    """A policy document that reaches the role, and how."""

    what: str  # "managed policy 'x' (urn)", "inline policy 'y'"
    urn: str
    document: Document | None = None
    pending: bool = False  # unknown until the update (preview)
    external: bool = False  # a managed policy outside this stack: its statements are not visible
    error: str | None = None


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

    @property
    def label(self) -> str:
        name = self.role.get("name")
        physical = f" ({name})" if isinstance(name, str) and name != self.role.name else ""
        return f"role '{self.role.name}'{physical}"

    @property
    def complete(self) -> bool:
        """Every document is known: a verdict on the role's permissions is possible."""
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


def read(resources: Iterable[Any]) -> list[Resource]:
    """The IAM resources and deployer components, as plain data (``resources`` are
    pulumi-policy PolicyResources, or anything shaped like them)."""
    out = []
    for r in resources:
        if r.resource_type not in _READ:
            continue
        parent = getattr(r, "parent", None)
        out.append(
            Resource(
                type=r.resource_type,
                urn=r.urn,
                name=r.name,
                props=plain(r.props) if r.props is not None else {},
                parent=parent.urn if parent is not None and hasattr(parent, "urn") else (parent or ""),
                deps={k: _urns(v) for k, v in (getattr(r, "property_dependencies", None) or {}).items()},
            )
        )
    return out


@lru_cache(maxsize=4096)
def _parse(text: str, name: str) -> Document:
    return parse_document(text, name)


def _source(what: str, urn: str, raw: Any) -> Source:
    if raw is UNKNOWN or is_unknown(raw):
        return Source(what, urn, pending=True)
    try:
        if isinstance(raw, str):
            return Source(what, urn, _parse(raw, what))
        return Source(what, urn, parse_document(raw, what))
    except PolicyDocumentError as exc:
        return Source(what, urn, error=str(exc))


def _tags(role: Resource) -> dict[str, Any]:
    for key in ("tags", "tagsAll"):
        value = role.get(key)
        if isinstance(value, dict) and MARKER in value:
            return value
    return {}


_ROLE_PROP: Final = {ATTACHMENT: "role", ROLE_POLICY: "role", POLICY_ATTACHMENT: "roles"}


@dataclass
class _Index:
    """The stack's IAM resources, looked up by what refers to a role: built once, so
    that finding what reaches each of many deployers costs no pass over the stack."""

    by_urn: dict[str, Resource]
    policies_by_arn: dict[Any, Resource]
    by_role_ref: dict[str, list[Resource]]  # role name, id or URN -> what refers to it
    children: dict[str, list[Resource]]  # parent URN -> its Policy children

    @classmethod
    def of(cls, resources: Sequence[Resource]) -> _Index:
        index = cls({r.urn: r for r in resources}, {}, {}, {})
        for r in resources:
            if r.type == POLICY:
                if isinstance(r.get("arn"), str):
                    index.policies_by_arn[r.get("arn")] = r
                index.children.setdefault(r.parent, []).append(r)
            prop = _ROLE_PROP.get(r.type)
            if prop is None:
                continue
            value = r.get(prop)
            refs = set(r.deps.get(prop, [])) | {v for v in (value if isinstance(value, list) else [value])
                                                 if isinstance(v, str)}
            for ref in refs:
                index.by_role_ref.setdefault(ref, []).append(r)
        return index

    def referring_to(self, role: Resource) -> list[Resource]:
        """Attachments and inline policies naming ``role``, in stack order, once each."""
        keys = [role.urn] + [n for n in (role.get("name"), role.get("id")) if isinstance(n, str)]
        seen: dict[str, Resource] = {}
        for key in keys:
            for r in self.by_role_ref.get(key, []):
                seen.setdefault(r.urn, r)
        return list(seen.values())


def deployers(resources: Sequence[Resource]) -> list[Deployer]:
    """Every SST deployer role in the stack with what reaches it: roles tagged as
    deployers, and roles of a DeployerRole component even if their tags were removed
    (the component's registered ``parameters`` then say what they must grant)."""
    components = {r.urn: r for r in resources if r.type == COMPONENT}
    roles = [r for r in resources if r.type == ROLE and (r.parent in components or is_deployer(_tags(r)))]
    if not roles:
        return []
    index = _Index.of(resources)
    out = []
    for role in roles:
        component = components.get(role.parent)
        tags = _tags(role)
        if not tags and component is not None:
            params = component.get("parameters")
            tags = params if isinstance(params, dict) and MARKER in params else {}
        if not tags:
            continue
        out.append(_deployer(role, tags, component, index))
    return out


def _managed(arn: Any, urn_deps: list[str], label: str, by_urn: dict[str, Resource],
             policies_by_arn: dict[Any, Resource]) -> Source:
    policy = policies_by_arn.get(arn) if isinstance(arn, str) else None
    if policy is None:
        policy = next((by_urn[u] for u in urn_deps if u in by_urn and by_urn[u].type == POLICY), None)
    if policy is not None:
        name = policy.get("name")
        physical = f" ({name})" if isinstance(name, str) and name != policy.name else ""
        what = f"managed policy '{policy.name}'{physical}"
        return _source(what, policy.urn, policy.get("policy"))
    if arn is UNKNOWN:
        return Source(f"{label} (ARN unknown until the update)", "", pending=True)
    m = _AWS_MANAGED.match(arn) if isinstance(arn, str) else None
    if m and m.group(1) == "AdministratorAccess":
        return _source(f"AWS managed policy {m.group(1)}", "", ADMINISTRATOR_ACCESS)
    return Source(f"managed policy {arn}", "", external=True)


def _deployer(role: Resource, tags: dict[str, Any], component: Resource | None, index: _Index) -> Deployer:
    arn = role.get("arn")
    m = _ROLE_ARN.match(arn) if isinstance(arn, str) else None
    settings, error = None, None
    if not is_unknown(tags):  # tags unknown in preview: judged at update time
        try:
            settings = from_tags(tags, account=m.group(2) if m else None, partition=m.group(1) if m else None)
        except InvalidSetting as exc:
            error = f"{exc.setting}: {exc.message}"
    d = Deployer(role, component, strategy_of(tags), settings, error)
    by_urn, policies_by_arn = index.by_urn, index.policies_by_arn
    for res in index.referring_to(role):
        if res.type in (ATTACHMENT, POLICY_ATTACHMENT):
            d.attachments.append(res)
            d.sources.append(_managed(res.get("policyArn"), res.deps.get("policyArn", []),
                                      f"the policy of attachment '{res.name}'", by_urn, policies_by_arn))
        else:
            d.sources.append(_source(f"inline policy '{res.name}'", res.urn, res.get("policy")))
    if component is not None:
        d.policies_of_component = list(index.children.get(component.urn, []))
    # After a refresh the provider also reports attached and inline policies in the role's
    # own managedPolicyArns and inlinePolicies: count each document once.
    inline_names = {r.get("name") for r in index.referring_to(role) if r.type == ROLE_POLICY}
    inline = role.get("inlinePolicies")
    if inline is UNKNOWN:
        d.sources.append(Source("the role's inlinePolicies", role.urn, pending=True))
    elif isinstance(inline, list):
        for n, item in enumerate(inline, start=1):
            if (isinstance(item, dict) and item.get("policy") not in (None, "")
                    and item.get("name") not in inline_names):
                d.sources.append(_source(f"inline policy '{item.get('name') or n}'", role.urn, item.get("policy")))
    managed = role.get("managedPolicyArns")
    if isinstance(managed, list):
        attached = {s.urn for s in d.sources if s.urn} | {
            a.get("policyArn") for a in d.attachments if isinstance(a.get("policyArn"), str)}
        for arn in managed:
            source = _managed(arn, [], "a managedPolicyArns entry", by_urn, policies_by_arn)
            if arn not in attached and (not source.urn or source.urn not in attached):
                d.sources.append(source)
    boundary = role.get("permissionsBoundary")
    if boundary not in (None, ""):
        d.boundary = _managed(boundary, role.deps.get("permissionsBoundary", []), "the permissions boundary",
                              by_urn, policies_by_arn)
    return d
