"""What each role ends up with, the way pulumi-aws 7.x leaves it.

pulumi-aws is bridged from terraform-provider-aws; their docs for each resource
(https://www.pulumi.com/registry/packages/aws/api-docs/iam/, and
``website/docs/r/iam_*.html.markdown`` in hashicorp/terraform-provider-aws) say:

* ``RolePolicyAttachment`` attaches one managed policy to one role, and ``RolePolicy``
  puts one inline policy; neither removes anything.
* ``PolicyAttachment`` is **exclusive for its policy**: "across the entire AWS account,
  all of the users/roles/groups to which a single policy is attached must be declared
  by a single aws.iam.PolicyAttachment resource"; any other role loses that policy.
* ``Role.managedPolicyArns`` / ``Role.inlinePolicies``, *when the program declares
  them*, are the role's exclusive sets ("Configuring an empty set ... will cause Pulumi
  to remove all managed policy attachments"; one empty inline block removes every inline
  policy). Declared means in the *inputs*: the outputs always carry the provider's
  read-back of what AWS lists (``resourceRoleRead``), which is never a declaration.
* ``RolePolicyAttachmentsExclusive`` / ``RolePoliciesExclusive`` take exclusive
  ownership of a role's managed / inline policies: anything not listed is removed.

A role is its account plus its name: the account from its ARN, else from its provider
(``allowedAccountIds``, ``assumeRole``, or the ARNs of other IAM resources it made).
Links follow property dependencies first, then names within one account.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..partitions import partition_of
from .model import (
    ATTACHMENT,
    ATTACHMENTS_EXCLUSIVE,
    POLICIES_EXCLUSIVE,
    POLICY,
    POLICY_ATTACHMENT,
    PROVIDER,
    ROLE,
    ROLE_POLICY,
    UNKNOWN,
    Deployer,
    Removal,
    Resource,
    Source,
    aws_managed_source,
    iam_account,
    inline_source,
    is_unknown,
    provider_account,
    source,
)

_POLICY_ARN = re.compile(r"^arn:[^:]+:iam::(\d{12}):policy(/(?:[^*?]*/)?)([^/*?]+)$")
_ROLE_PROP = {ATTACHMENT: "role", ROLE_POLICY: "role", POLICY_ATTACHMENT: "roles",
              ATTACHMENTS_EXCLUSIVE: "roleName", POLICIES_EXCLUSIVE: "roleName"}


@dataclass
class _Exclusive:
    """A declared exclusive set of a role's managed (policy keys) or inline (names) policies."""

    by: Resource
    what: str  # "managed policies" / "inline policies"
    keys: set[str]
    shown: list[str]
    unknown: bool  # some entries are not known yet (preview)

    def removes(self, key: str | None) -> bool | None:
        """True: removes it; False: keeps it; None: not known yet."""
        if key is not None and key in self.keys:
            return False
        if self.unknown or key is None:
            return None
        return True

    def describe(self) -> str:
        listed = ", ".join(self.shown) if self.shown else "none"
        field_ = {ROLE: "its " + ("managedPolicyArns" if self.what == "managed policies" else "inlinePolicies")}
        how = field_.get(self.by.type, "")
        return (f"{self.by.label}{' (' + how + ')' if how else ''} declares the role's {self.what} exclusively "
                f"(listed: {listed})")


@dataclass
class Stack:
    """The stack's IAM resources, indexed once: what refers to each role, by property
    dependency or by (account, name)."""

    by_urn: dict[str, Resource]
    known: Mapping[str, Any]
    policies_by_arn: dict[str, Resource] = field(default_factory=dict)
    policies_by_name: dict[str, list[Resource]] = field(default_factory=dict)  # while their ARNs are unknown
    children: dict[str, list[Resource]] = field(default_factory=dict)  # parent URN -> its Policies
    accounts: dict[str, str | None] = field(default_factory=dict)  # provider URN -> account
    regions: dict[str, str] = field(default_factory=dict)  # provider URN -> region
    links: dict[str, list[Resource]] = field(default_factory=dict)  # role URN -> what names it
    targets: dict[str, tuple[set[str], bool]] = field(default_factory=dict)  # resource -> (role URNs, unresolved)
    exclusive_policy: dict[tuple[str, str], list[Resource]] = field(default_factory=dict)

    @classmethod
    def of(cls, resources: Sequence[Resource], known: Mapping[str, Any]) -> Stack:
        stack = cls({r.urn: r for r in resources}, known)
        for r in resources:
            if r.type == PROVIDER:
                stack.accounts[r.urn] = provider_account(r.props)
                region = r.get("region")
                if isinstance(region, str):
                    stack.regions[r.urn] = region
        for r in resources:  # a provider's account is also in the ARNs of what it made
            if r.type in (ROLE, POLICY) and stack.accounts.get(r.provider) is None:
                account = iam_account(r.get("arn"))
                if account:
                    stack.accounts[r.provider] = account
        roles_by_name: dict[tuple[str, str], list[Resource]] = {}
        for r in resources:
            if r.type == POLICY:
                if isinstance(r.get("arn"), str):
                    stack.policies_by_arn[r.get("arn")] = r
                elif isinstance(r.get("name"), str):
                    stack.policies_by_name.setdefault(r.get("name"), []).append(r)
                stack.children.setdefault(r.parent, []).append(r)
            elif r.type == ROLE and isinstance(r.get("name"), str):
                roles_by_name.setdefault((stack.scope(r), r.get("name")), []).append(r)
        for r in resources:
            prop = _ROLE_PROP.get(r.type)
            if prop is None:
                continue
            targets, unresolved = stack._role_targets(r, prop, roles_by_name)
            stack.targets[r.urn] = (targets, unresolved)
            for urn in targets:
                stack.links.setdefault(urn, []).append(r)
            if r.type == POLICY_ATTACHMENT:
                key = stack.policy_key(r.get("policyArn"), r.deps.get("policyArn", []))
                if key is not None:
                    stack.exclusive_policy.setdefault((stack.scope(r), key), []).append(r)
        return stack

    # ----------------------------------------------------------------- identity

    def account_of(self, r: Resource) -> str | None:
        return iam_account(r.get("arn")) or self.accounts.get(r.provider)

    def partition_of(self, r: Resource) -> str | None:
        region = self.regions.get(r.provider)
        return partition_of(region) if region else None

    def scope(self, r: Resource) -> str:
        """Where ``r`` lives: its account, or its provider while the account is unknown."""
        return self.account_of(r) or f"provider {r.provider or '(default)'}"

    def _role_targets(self, r: Resource, prop: str, roles_by_name: dict[tuple[str, str], list[Resource]]
                      ) -> tuple[set[str], bool]:
        """The roles ``r`` names in ``prop``: by property dependency, then by name in its
        account; and whether some are not known yet."""
        value = r.get(prop)
        values = value if isinstance(value, list) else [value]
        by_dep = {u for u in r.deps.get(prop, []) if u in self.by_urn and self.by_urn[u].type == ROLE}
        targets = set(by_dep)
        dep_names = {n for u in by_dep if isinstance(n := self.by_urn[u].get("name"), str)}
        unknown = 0
        for v in values:
            if isinstance(v, str):
                if v in dep_names:
                    continue
                targets.update(role.urn for role in roles_by_name.get((self.scope(r), v), []))
            elif v is UNKNOWN or is_unknown(v):
                unknown += 1
        unresolved = unknown > len(by_dep - {u for u in by_dep if self.by_urn[u].get("name") in values})
        return targets, unresolved

    def policy_key(self, arn: Any, deps: list[str]) -> str | None:
        """A managed policy's identity: its URN when the stack has it, else its ARN."""
        policy = self._policy(arn, deps)
        if policy is not None:
            return policy.urn
        return arn if isinstance(arn, str) else None

    def _policy(self, arn: Any, deps: list[str]) -> Resource | None:
        policy = self.policies_by_arn.get(arn) if isinstance(arn, str) else None
        if policy is None:
            policy = next((self.by_urn[u] for u in deps if u in self.by_urn and self.by_urn[u].type == POLICY), None)
        if policy is None and isinstance(arn, str) and self.policies_by_name:
            policy = self._policy_named(arn)
        return policy

    def _policy_named(self, arn: str) -> Resource | None:
        """A Policy of this stack whose ARN is not known yet (preview) but whose account,
        path and name the written-out ``arn`` gives."""
        m = _POLICY_ARN.match(arn)
        if not m:
            return None
        account, path, name = m.groups()
        for policy in self.policies_by_name.get(name, []):
            own = self.account_of(policy)
            path_of = policy.get("path") if isinstance(policy.get("path"), str) else "/"
            if path_of == path and own in (account, None):
                return policy
        return None

    # ----------------------------------------------------------------- documents

    def managed(self, arn: Any, deps: list[str], via: str) -> tuple[str | None, Source]:
        """(identity, document) of the managed policy ``arn``."""
        policy = self._policy(arn, deps)
        if policy is not None:
            name = policy.get("name")
            physical = f" ({name})" if isinstance(name, str) and name != policy.name else ""
            return policy.urn, source(f"managed policy '{policy.name}'{physical}", policy.urn, policy.get("policy"),
                                      arn=arn if isinstance(arn, str) else "", via=via)
        if arn is UNKNOWN or arn is None or is_unknown(arn):
            return None, Source(f"the policy {via} attaches (ARN unknown until the update)", "", pending=True, via=via)
        if not isinstance(arn, str):
            return None, Source(f"the policy {via} attaches", "", error="its policy ARN is not a string", via=via)
        found = aws_managed_source(arn, f"AWS managed policy {arn.rsplit('/', 1)[-1]}", via=via)
        if found is not None:
            return arn, found
        if arn in self.known:
            return arn, source(f"managed policy {arn} (from knownPolicies)", "", self.known[arn], arn=arn, via=via)
        return arn, Source(f"managed policy {arn}", "", external=True, arn=arn, via=via)

    def _declared_list(self, owner: Resource, prop: str, values: Any, via: str
                       ) -> tuple[list[tuple[str | None, Source]], bool]:
        """Managed policies a declared list names, unknown entries tied back by
        property dependencies in order; and whether some stay unknown."""
        items = values if isinstance(values, list) else []
        unknown_entries = 1 if values is UNKNOWN else sum(1 for v in items if not isinstance(v, str))
        dep_policies = [u for u in owner.deps.get(prop, []) if u in self.by_urn and self.by_urn[u].type == POLICY]
        out = []
        known_keys = set()
        for v in items:
            if isinstance(v, str):
                key, src = self.managed(v, [], via)
                out.append((key, src))
                known_keys.add(key)
        spare = [u for u in dep_policies if u not in known_keys]
        for u in spare:
            out.append(self.managed(UNKNOWN, [u], via))
        unresolved = values is UNKNOWN or unknown_entries > len(spare)
        return out, unresolved

    # ----------------------------------------------------------------- the end state

    def end_state(self, role: Resource, d: Deployer) -> None:
        """Fill ``d`` with what ``role`` ends up with: the documents kept, those another
        resource removes (and which), and the boundary."""
        managed: list[tuple[str | None, Source]] = []
        inline: list[tuple[str | None, Source]] = []
        exclusive_managed: list[_Exclusive] = []
        exclusive_inline: list[_Exclusive] = []
        for r in self.links.get(role.urn, []):
            if r.type in (ATTACHMENT, POLICY_ATTACHMENT):
                d.attachments.append(r)
                managed.append(self.managed(r.get("policyArn"), r.deps.get("policyArn", []), r.label))
            elif r.type == ROLE_POLICY:
                name = r.get("name")
                inline.append((name if isinstance(name, str) else None,
                               inline_source(f"inline policy '{r.name}'", r.urn, r.get("policy"), via=r.label)))
            elif r.type == ATTACHMENTS_EXCLUSIVE:
                entries, unknown = self._declared_list(r, "policyArns", r.declared("policyArns"), r.label)
                managed.extend(entries)
                exclusive_managed.append(_Exclusive(r, "managed policies", {k for k, _ in entries if k},
                                                    [s.what for _, s in entries], unknown))
            elif r.type == POLICIES_EXCLUSIVE:
                names = r.declared("policyNames")
                items = names if isinstance(names, list) else []
                known = {n for n in items if isinstance(n, str)}
                exclusive_inline.append(_Exclusive(r, "inline policies", known, sorted(known),
                                                   names is UNKNOWN or len(known) < len(items)))
        self._role_managed(role, managed, exclusive_managed, d.notes)
        self._role_inline(role, inline, exclusive_inline)
        seen: set[str] = set()
        for key, src in managed:
            if key is not None:
                if key in seen:
                    continue
                seen.add(key)
            self._keep_or_remove(d, key, src, exclusive_managed + self._policy_attachments(role, key))
        for key, src in inline:
            self._keep_or_remove(d, key, src, exclusive_inline)
        boundary = role.get("permissionsBoundary")
        if boundary in (None, "") and role.deps.get("permissionsBoundary"):
            boundary = UNKNOWN  # left out while unknown (preview): its property dependency says which
        if boundary not in (None, ""):
            _, d.boundary = self.managed(boundary, role.deps.get("permissionsBoundary", []), "the permissions boundary")
            d.boundary.what = f"the permissions boundary {d.boundary.what}"

    def _role_managed(self, role: Resource, managed: list[tuple[str | None, Source]],
                      exclusive: list[_Exclusive], notes: list[str]) -> None:
        inputs = role.inputs
        label = f"{role.label}'s managedPolicyArns"
        if inputs is not None and "managedPolicyArns" in inputs:
            entries, unknown = self._declared_list(role, "managedPolicyArns", inputs["managedPolicyArns"], label)
            managed.extend(entries)
            exclusive.append(_Exclusive(role, "managed policies", {k for k, _ in entries if k},
                                        [s.what for _, s in entries], unknown))
            return
        # Not declared (or not seen): the outputs are what AWS listed when the role was
        # last read. They count as attached, never as an exclusive set; unknown is ignored.
        read_back = role.get("managedPolicyArns")
        if isinstance(read_back, list):
            present = {k for k, _ in managed if k}
            for arn in read_back:
                if isinstance(arn, str):
                    key, src = self.managed(arn, [], "")
                    if key in present:
                        continue
                    if src.urn:
                        # A policy of this stack that nothing in it attaches any more: the
                        # read-back is stale (the role was not read again), not an attachment.
                        notes.append(f"{src.what} is listed in the role's managedPolicyArns read back from AWS, "
                                     "but nothing in this stack attaches it any more, so it is not counted")
                        continue
                    src.what += " (attached in AWS when the role was last read)"
                    managed.append((key, src))
                    present.add(key or "")

    def _role_inline(self, role: Resource, inline: list[tuple[str | None, Source]],
                     exclusive: list[_Exclusive]) -> None:
        inputs = role.inputs
        declared = inputs.get("inlinePolicies") if inputs is not None else None
        if inputs is not None and (declared is UNKNOWN or (isinstance(declared, list) and declared)):
            items = declared if isinstance(declared, list) else []
            names: set[str] = set()
            for n, item in enumerate(items, start=1):
                if not isinstance(item, dict):
                    continue
                name, policy = item.get("name"), item.get("policy")
                if policy in (None, "") and name in (None, ""):
                    continue  # the empty block: removes every inline policy
                if isinstance(name, str):
                    names.add(name)
                inline.append((name if isinstance(name, str) else None,
                               inline_source(f"inline policy '{name if isinstance(name, str) else n}' of {role.label}",
                                      role.urn, policy, via=role.label)))
            exclusive.append(_Exclusive(role, "inline policies", names, sorted(names),
                                        declared is UNKNOWN or any(is_unknown(i) for i in items)))
            return
        read_back = role.get("inlinePolicies")
        if isinstance(read_back, list):
            present = {k for k, _ in inline if k}
            for n, item in enumerate(read_back, start=1):
                if not isinstance(item, dict) or item.get("policy") in (None, ""):
                    continue
                name = item.get("name")
                if isinstance(name, str) and name in present:
                    continue
                inline.append((name if isinstance(name, str) else None,
                               inline_source(f"inline policy '{name if isinstance(name, str) else n}' of {role.label}",
                                      role.urn, item.get("policy"))))

    def _policy_attachments(self, role: Resource, key: str | None) -> list[_Exclusive]:
        """The PolicyAttachments of policy ``key`` in the role's account, as exclusive sets."""
        if key is None:
            return []
        out: list[_Exclusive] = []
        for pa in self.exclusive_policy.get((self.scope(role), key), []):
            targets, unresolved = self.targets.get(pa.urn, (set(), True))
            names = pa.get("roles")
            shown = [n for n in names if isinstance(n, str)] if isinstance(names, list) else []
            out.append(_PolicyAttachment(pa, "roles", targets, shown, unresolved, policy=key))
        return out

    @staticmethod
    def _keep_or_remove(d: Deployer, key: str | None, src: Source, exclusive: list[_Exclusive]) -> None:
        for ex in exclusive:
            verdict = ex.removes(d.role.urn if isinstance(ex, _PolicyAttachment) else key)
            if verdict is True:
                d.removed.append(Removal(src, ex.describe(), ex.by.urn))
                return
            if verdict is None:
                d.sources.append(Source(src.what, src.urn, pending=True, arn=src.arn, via=src.via))
                d.notes.append(f"{src.what} may be removed by {ex.by.label}, whose list is not known yet")
                return
        d.sources.append(src)


@dataclass
class _PolicyAttachment(_Exclusive):
    """A PolicyAttachment: exclusive for its policy across the account's roles."""

    policy: str = ""

    def describe(self) -> str:
        listed = ", ".join(self.shown) if self.shown else "no role"
        return (f"{self.by.label} attaches that policy exclusively (roles: {listed}), which detaches it from "
                "every other role in the account")
