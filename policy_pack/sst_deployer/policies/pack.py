"""The ``sst-deployer`` policy pack: its policies, their config schemas, and ``serve()``.

Every policy is a stack policy (it must see a role with what is attached to it), and
none ever raises: a pack that crashes blocks every deployment in the organisation, so
an unexpected error becomes a violation that says so.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Mapping
from typing import Any, Final

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyPack,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from ..context import NO_FACTS, OrgFacts
from . import declared, lookalike, rules
from .model import Deployer, deployers, read, stack_name

PACK_NAME: Final = "sst-deployer"
UNSEEN: Final = "sst-deployer-unseen-policies"
REPORTED_BY: Final = "sst-deployer-statements-intact"  # the policy that reports a request it cannot read
LOOKALIKE: Final = "sst-deployer-unmarked-deployers"
UNDECIDED: Final = "sst-deployer-undecided-conditions"
INTACT: Final = "sst-deployer-statements-intact"
ORG_ID: Final = re.compile(r"^o-[a-z0-9]{10,32}$")
ORG_PATH: Final = re.compile(r"^o-[a-z0-9]{10,32}/r-[0-9a-z]{4,32}/(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}/)*$")
"""AWS Organizations ids and ``aws:PrincipalOrgPaths`` entries (IAM User Guide, global
condition keys: ``o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/``)."""

Rule = Callable[[list[Deployer], Mapping[str, Any], str], list[tuple[str, str]]]

PACK_CONFIG: dict[str, Mapping[str, Any]] = {}
"""Every policy's config for the request being judged (set by :mod:`.server`): the
documents in ``sst-deployer-unseen-policies``' ``knownPolicies`` serve every policy."""

_last: list[Any] = [None, [], None]  # the resources list last read, its deployers, the known documents
_read: list[Any] = [None, []]  # the resources list last read, as plain data


def known_policies(config: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``knownPolicies`` (ARN -> document) from the unseen-policies policy's config."""
    source = config if config is not None else PACK_CONFIG.get(UNSEEN) or {}
    known = source.get("knownPolicies")
    return {k: v for k, v in known.items() if isinstance(k, str)} if isinstance(known, Mapping) else {}


def org_facts(config: Mapping[str, Any] | None = None) -> OrgFacts:
    """What the organisation states (``sst-deployer-undecided-conditions`` config), for every
    policy of the pack; values that do not fit the schema are left out, never guessed."""
    source = config if config is not None else PACK_CONFIG.get(UNDECIDED) or {}
    org_id = source.get("organizationId")
    paths = source.get("organizationPaths")
    tags = source.get("principalTags")
    facts = OrgFacts(
        org_id if isinstance(org_id, str) and ORG_ID.match(org_id) else None,
        tuple(p for p in paths if isinstance(p, str) and ORG_PATH.match(p)) if isinstance(paths, list) else (),
        tuple(sorted((k, v) for k, v in tags.items() if isinstance(k, str) and isinstance(v, str)))
        if isinstance(tags, Mapping) else (),
    )
    return facts if facts != OrgFacts() else NO_FACTS


def _facts_for(config: Mapping[str, Any]) -> OrgFacts:
    own = any(k in config for k in ("organizationId", "organizationPaths", "principalTags"))
    return org_facts(config if own else None)


def _read_of(resources: list[Any]) -> list[Any]:
    """The stack's IAM resources as plain data, read once per resources list."""
    if _read[0] is not resources:
        _read[1] = read(resources, declared.snapshot())
        _read[0] = resources
    plain: list[Any] = _read[1]
    return plain


def _deployers_of(resources: list[Any], known: dict[str, Any]) -> list[Deployer]:
    """The stack's deployers, read once when the policies share one resources list."""
    if _last[0] is not resources or _last[2] != known:
        _last[1] = deployers(_read_of(resources), known)
        _last[0] = resources  # held, so its id cannot be reused by another list
        _last[2] = known
    found: list[Deployer] = _last[1]
    return found


def _validate(rule: Rule, *, every_role: bool = False) -> Callable[[StackValidationArgs, ReportViolation], None]:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        try:
            config = args.get_config() or {}
            if every_role:
                found = lookalike.candidates(_read_of(args.resources), known=known_policies())
            else:
                found = _deployers_of(args.resources, known_policies(config if "knownPolicies" in config else None))
            if not found:
                return
            for message, urn in rule(found, config, stack_name(args.resources)):
                report_violation(message, urn or None)
        except Exception as exc:  # never crash the organisation's deployments: say so instead
            report_violation(
                f"the sst-deployer pack could not check this stack ({type(exc).__name__}: {exc}); "
                "please report it with this trace:\n" + traceback.format_exc(limit=3),
                None,
            )

    return validate


def _ignore_stack(rule: Callable[[list[Deployer], Mapping[str, Any]], list[tuple[str, str]]]) -> Rule:
    return lambda found, config, _stack: rule(found, config)


POLICIES: Final[list[StackValidationPolicy]] = [
    StackValidationPolicy(
        name="sst-deployer-statements-intact",
        description=(
            "Every SST deployer role keeps every permission SST v2 needs for its own settings "
            "(account, regions, CDK qualifier, names, features, SST version): its attached and "
            "inline policies, less Denies, within its permissions boundary. A missing statement "
            "fails the next `sst deploy` mid-release."
        ),
        validate=_validate(lambda found, config, _stack: rules.statements_intact(found, config, _facts_for(config))),
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema(
            properties={
                "reportConditionalDenies": {
                    "type": "boolean",
                    "default": True,
                    "description": "Kept for existing configs: false silences sst-deployer-undecided-conditions "
                                   "(which now reports a Deny whose condition may take a required permission "
                                   "away); this policy reports only proven losses.",
                },
            }
        ),
    ),
    StackValidationPolicy(
        name="sst-deployer-attachments-intact",
        description=(
            "A deployer's policies stay attached: a policy the DeployerRole component made that "
            "was detached, replaced or deleted, or a tagged deployer with no policy at all, is a "
            "violation rather than a silent pass."
        ),
        validate=_validate(_ignore_stack(rules.attachments_intact)),
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema(properties={}),
    ),
    StackValidationPolicy(
        name="sst-deployer-least-privilege",
        description=(
            "A deployer grants nothing SST does not need: no `*` actions or whole services, no "
            "iam:PassRole or sts:AssumeRole beyond the CDK roles, no other accounts, CDK "
            "qualifiers or regions than the role is configured for."
        ),
        validate=_validate(_ignore_stack(rules.least_privilege)),
        enforcement_level=EnforcementLevel.ADVISORY,
        config_schema=PolicyConfigSchema(
            properties={
                "allowedActions": {
                    "type": "array",
                    "items": {"type": "string"},
                    "default": [],
                    "description": "Actions (as written in the policy) not to report, e.g. logs:FilterLogEvents.",
                },
            }
        ),
    ),
    StackValidationPolicy(
        name="sst-deployer-administrator-only-in-sandboxes",
        description=(
            "The administrator strategy, or administrator access however spelled (every action on every "
            "resource, all but a few, or a privilege-escalation capability such as iam:PassRole, role policy "
            "writes or sts:AssumeRole on every role), only on stacks whose names match sandboxStacks: personal "
            "sandbox accounts, as SST's IAM page advises."
        ),
        validate=_validate(lambda found, config, stack: rules.administrator_only_in_sandboxes(
            found, config, stack, org_facts())),
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema(
            properties={
                "sandboxStacks": {
                    "type": "array",
                    "items": {"type": "string"},
                    "default": rules.DEFAULT_SANDBOXES,
                    "description": "Stack name patterns (* and ?) where AdministratorAccess is allowed.",
                },
            }
        ),
    ),
    StackValidationPolicy(
        name="sst-deployer-trust",
        description=(
            "Only the intended principals may assume a deployer: no Principal \"*\", no bare "
            "account-wide trust without a condition, MFA wherever IAM users can match (Identity Center "
            "and other role sessions cannot present it), every OIDC issuer's subject claim pinned to "
            "one project or repository, an external ID for other accounts."
        ),
        validate=_validate(_ignore_stack(rules.trust)),
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema(
            properties={
                "requireMfa": {"type": "boolean", "default": True,
                               "description": "Trust statements IAM users can match must require MFA."},
                "trustedAccounts": {"type": "array", "items": {"type": "string", "pattern": "^\\d{12}$"},
                                    "default": [],
                                    "description": "Other accounts of the organisation, "
                                                   "trusted without an external ID."},
                "allowRepositoryWildcards": {"type": "boolean", "default": False,
                                             "description": "Allow a wildcard in the project or repository of an OIDC "
                                                            "subject (repo:acme/*, project_path:acme/*), never in "
                                                            "its owner."},
            }
        ),
    ),
]


POLICIES.extend([
    StackValidationPolicy(
        name=UNSEEN,
        description=(
            "A deployer's managed policy or permissions boundary that is neither in the stack, nor an AWS "
            "managed policy in the pack's dated snapshot, nor given in knownPolicies cannot be checked: "
            "say so rather than pass in silence. Advisory by default; make it mandatory where every "
            "deployer must be verifiable."
        ),
        validate=_validate(_ignore_stack(rules.unseen_policies)),
        enforcement_level=EnforcementLevel.ADVISORY,
        config_schema=PolicyConfigSchema(
            properties={
                "knownPolicies": {
                    "type": "object",
                    "additionalProperties": {"type": ["object", "string"]},
                    "default": {},
                    "description": "Documents of customer managed policies outside the stack (a shared "
                                   "boundary, an organisation policy), by ARN; every policy of the pack uses them.",
                },
            }
        ),
    ),
    StackValidationPolicy(
        name=LOOKALIKE,
        description=(
            "A role that carries what only an SST deployer carries (SST's bootstrap stack and bucket, writes to its "
            "/sst/ parameters, the Live Lambda socket, SST's statement ids; the CDK roles only next to one of those) "
            "but is neither made by the DeployerRole component nor tagged as a deployer escapes every other policy: "
            "say how to tag it so the pack enforces it. Lambda, CodePipeline and plain CDK roles are not deployers."
        ),
        validate=_validate(_ignore_stack(lookalike.unmarked_deployers), every_role=True),
        enforcement_level=EnforcementLevel.ADVISORY,
        config_schema=PolicyConfigSchema(
            properties={
                "minimumMarkers": {
                    "type": "integer", "minimum": 1, "default": lookalike.DEFAULT_MINIMUM,
                    "description": "How many different SST markers (lookalike.MARKERS: bootstrap stack, bootstrap "
                                   "bucket, /sst/ parameter writes, Live Lambda socket, SST statement ids, CDK roles "
                                   "beside one of them) make a role look like a deployer.",
                },
            }
        ),
    ),
])


def _undecided(found: list[Deployer], config: Mapping[str, Any], _stack: str) -> list[tuple[str, str]]:
    if (PACK_CONFIG.get(INTACT) or {}).get("reportConditionalDenies", True) is False:
        return []
    return rules.undecided_conditions(found, config, _facts_for(config))


POLICIES.append(StackValidationPolicy(
    name=UNDECIDED,
    description=(
        "A Deny (or a permissions boundary's conditional Allow) whose condition may take away a call SST "
        "makes, and that the pack cannot decide from what SST's requests always carry and what the "
        "organisation states here: advice naming the condition and the fact that would decide it. "
        "Advisory by default: a mandatory verdict needs proof (statements-intact reports proven losses). "
        "Its organisation facts serve every policy of the pack."
    ),
    validate=_validate(_undecided),
    enforcement_level=EnforcementLevel.ADVISORY,
    config_schema=PolicyConfigSchema(
        properties={
            "organizationId": {
                "type": "string", "pattern": "^(o-[a-z0-9]{10,32})?$", "default": "",
                "description": "The AWS Organizations id every deployer account is in (aws:PrincipalOrgID; SST's "
                               "resources are in the deployer's own account, so aws:ResourceOrgID too). "
                               "Empty: not stated.",
            },
            "organizationPaths": {
                "type": "array", "default": [],
                "items": {"type": "string",
                          "pattern": "^o-[a-z0-9]{10,32}/r-[0-9a-z]{4,32}/(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}/)*$"},
                "description": "The organisation paths of the deployer accounts (aws:PrincipalOrgPaths and "
                               "aws:ResourceOrgPaths), e.g. o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/.",
            },
            "principalTags": {
                "type": "object", "default": {}, "additionalProperties": {"type": "string"},
                "description": "Principal tags every deployer session carries (session tags from the "
                               "organisation's identity provider; they override a role tag of the same key).",
            },
        }
    ),
))


def serve() -> None:
    """Start the analyzer (never returns), deserializing each stack once for all policies."""
    from .server import shared_deserialization

    with shared_deserialization():
        PolicyPack(name=PACK_NAME, policies=list(POLICIES), enforcement_level=EnforcementLevel.ADVISORY)
