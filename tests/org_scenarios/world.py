"""What AWS ends up with after ``pulumi up`` converges: each role's managed policies,
inline policies and boundary, from what the program *declared*. Independent of the
pack (``policies/model.py``); written from the provider docs shipped in pulumi-aws 7.x
(``pulumi_aws/iam/*.py`` docstrings, copied from terraform-provider-aws):

* ``RolePolicyAttachment``: adds one managed policy to one role.
* ``PolicyAttachment``: "creates **exclusive** attachments of IAM policies. Across the
  entire AWS account, all of the users/roles/groups to which a single policy is attached
  must be declared by a single iam.PolicyAttachment resource" -- afterwards the policy is
  attached to exactly the roles it lists (in its provider's account).
* ``Role.managedPolicyArns``: "When configured, Pulumi will align the role's managed
  policy attachments with this set ... an empty set ... remove[s] all".
* ``Role.inlinePolicies``: "If no blocks are configured, Pulumi will not manage any inline
  policies ... Configuring one empty block ... remove[s] all" (an empty *list* is no
  block at all: pulumi-aws #4050).
* ``RolePolicyAttachmentsExclusive`` / ``RolePoliciesExclusive``: "Policies attached to
  this role but not configured in this argument will be removed".

Where two resources fight over one role (a perpetual diff the docs warn about), the
exclusive one wins: what it does not list is removed on every update.

A role is its account (its provider's ``allowedAccountIds``) and its name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .capture import DEFAULT_ACCOUNT, DEFAULT_PROVIDER, Captured, account_of

RoleKey = tuple[str, str]  # (account, role name)


@dataclass
class RoleState:
    key: RoleKey
    urn: str
    tags: dict[str, str]
    trust: Any
    boundary: str | None = None
    managed: list[str] = field(default_factory=list)
    inline: dict[str, Any] = field(default_factory=dict)


def _account(c: Captured, type_: str, name: str) -> str:
    provider = c.provider_of.get((type_, name), DEFAULT_PROVIDER)
    return account_of(c.provider_inputs.get(provider, {})) or DEFAULT_ACCOUNT


def end_state(c: Captured) -> tuple[dict[RoleKey, RoleState], dict[str, Any]]:
    """Each role's converged state, and every in-stack policy's document by ARN.
    Needs known values: a captured update, not a preview."""
    roles: dict[RoleKey, RoleState] = {}
    documents: dict[str, Any] = {}
    added: dict[RoleKey, list[str]] = {}
    exclusive_managed: dict[RoleKey, list[set[str]]] = {}
    inline_added: dict[RoleKey, dict[str, Any]] = {}
    exclusive_inline: dict[RoleKey, list[set[str]]] = {}
    policy_roles: dict[tuple[str, str], set[RoleKey]] = {}
    for r in c.stack.resources:
        if not r.custom:
            continue
        acct = _account(c, r.type, r.name)
        i, o = r.inputs, r.outputs
        if r.type == "aws:iam/role:Role":
            key = (acct, o["name"])
            roles[key] = RoleState(key, r.urn, dict(i.get("tags") or {}), i.get("assumeRolePolicy"),
                                   i.get("permissionsBoundary"))
            if isinstance(i.get("managedPolicyArns"), list):
                exclusive_managed.setdefault(key, []).append(set(i["managedPolicyArns"]))
                added.setdefault(key, []).extend(i["managedPolicyArns"])
            blocks = i.get("inlinePolicies")
            if isinstance(blocks, list) and blocks:  # [] is "not managed"; [{}] removes all
                real = {b["name"]: b["policy"] for b in blocks if b.get("name") and b.get("policy")}
                exclusive_inline.setdefault(key, []).append(set(real))
                inline_added.setdefault(key, {}).update(real)
        elif r.type == "aws:iam/policy:Policy":
            documents[o["arn"]] = i["policy"]
        elif r.type == "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
            added.setdefault((acct, i["role"]), []).append(i["policyArn"])
        elif r.type == "aws:iam/policyAttachment:PolicyAttachment":
            listed = {(acct, name) for name in i.get("roles") or []}
            policy_roles.setdefault((acct, i["policyArn"]), set()).update(listed)
            for key in listed:
                added.setdefault(key, []).append(i["policyArn"])
        elif r.type == "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive":
            key = (acct, i["roleName"])
            exclusive_managed.setdefault(key, []).append(set(i.get("policyArns") or []))
            added.setdefault(key, []).extend(i.get("policyArns") or [])
        elif r.type == "aws:iam/rolePolicy:RolePolicy":
            inline_added.setdefault((acct, i["role"]), {})[i.get("name") or r.name] = i["policy"]
        elif r.type == "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive":
            exclusive_inline.setdefault((acct, i["roleName"]), []).append(set(i.get("policyNames") or []))
    for key, state in roles.items():
        managed = list(dict.fromkeys(added.get(key, [])))
        for keep in exclusive_managed.get(key, []):
            managed = [a for a in managed if a in keep]
        managed = [a for a in managed if key in policy_roles.get((key[0], a), {key})]
        state.managed = managed
        inline = dict(inline_added.get(key, {}))
        for keep in exclusive_inline.get(key, []):
            inline = {n: p for n, p in inline.items() if n in keep}
        state.inline = inline
    return roles, documents


def refreshed_outputs(roles: Mapping[RoleKey, RoleState]) -> dict[str, dict[str, Any]]:
    """What a role's outputs say after ``pulumi refresh``: AWS's attached and inline sets."""
    return {s.urn: {"managedPolicyArns": list(s.managed),
                    "inlinePolicies": [{"name": n, "policy": p} for n, p in s.inline.items()]}
            for s in roles.values()}
