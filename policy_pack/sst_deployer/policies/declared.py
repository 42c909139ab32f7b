"""What the program declared: the inputs ``Analyze`` saw, per URN, in this pack process.

``AnalyzeStack`` sees every resource's *outputs*, and a Role's outputs carry what the
provider read back from AWS (``managedPolicyArns``, ``inlinePolicies``) whether or not
the program declared them. Only the inputs say whether a program declared an exclusive
set, and only ``Analyze`` sees inputs. The engine starts one pack process per preview or
update and calls ``Analyze`` for each resource before the one ``AnalyzeStack``, so the
inputs are remembered here until that ``AnalyzeStack`` has used them.
A resource with no remembered inputs is judged without inventing exclusivity.
"""

from __future__ import annotations

from typing import Any, Final

REMEMBERED_TYPES: Final = frozenset({
    "aws:iam/role:Role",
    "aws:iam/policyAttachment:PolicyAttachment",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
    "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive",
})
"""Only the types whose inputs decide exclusivity are kept."""

_INPUTS: dict[str, dict[str, Any]] = {}


def remember(urn: str, type_: str, inputs: dict[str, Any]) -> None:
    if type_ in REMEMBERED_TYPES:
        _INPUTS[urn] = inputs


def inputs_of(urn: str) -> dict[str, Any] | None:
    return _INPUTS.get(urn)


def snapshot() -> dict[str, dict[str, Any]]:
    return dict(_INPUTS)


def forget() -> None:
    """After ``AnalyzeStack``: the next preview or update declares afresh."""
    _INPUTS.clear()
