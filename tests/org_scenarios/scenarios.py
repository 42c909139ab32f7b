"""The organisation scenarios: each entry is one arrangement, its expected verdict after
an update and in a preview, and why (with sources). Names used below:

INTACT/ATTACHED/ADMIN/TRUST/LEAST are the pack's policies; ``lost`` is cross-checked by
the brute-force evaluator on the converged end state (:mod:`world`, :mod:`bruteforce`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from .spec import PASS, Finding, Library, Scenario, Verdict

INTACT, ATTACHED = "sst-deployer-statements-intact", "sst-deployer-attachments-intact"
LEAST, TRUST = "sst-deployer-least-privilege", "sst-deployer-trust"
ADMIN = "sst-deployer-administrator-only-in-sandboxes"
A, B = "112233445566", "444455556666"
EVERY_SID = frozenset({
    "AllowCDKManageToolkitStack", "AllowCDKManageToolkitRoles", "AllowCDKManageToolkitBucket",
    "AllowCDKManageToolkitRepository", "AllowCDKManageToolkitVersionParameter", "AllowSSTCheckCDKBootstrapVersion",
    "AllowSSTManageBootstrapStack", "AllowSSTAssumeCDKToolkitRoles", "AllowSSTMonitorStackDeployment",
    "AllowSSTManageBootstrapBucket", "AllowSSTCLIManageAppSecrets", "AllowSSTCLIManageFallbackSecrets",
    "AllowSSTCLIRestartAppFunction",
    "AllowSSTLiveLambdaSocketConnection", "AllowSSTCLIManageRDSMigrations", "AllowSSTDeployStacks",
    "AllowSSTListStackImports", "AllowSSTReadStackTemplates"})
"""Every statement a default deployer (secrets, Live Lambda, RDS migrations; SST 2.49.8) needs
(SST's fallback secrets path, /sst/<app>/.fallback/, is granted whatever ssmPrefix: issue 12)."""

ISSUE_11_DETACH = "issue 11: the pack does not apply the provider's exclusive semantics"
PREVIEW_UNJUDGED = ("issue 11 item 4: in a preview the role's read-back managedPolicyArns/inlinePolicies is unknown "
                    "and the pack then judges nothing, not even the known Deny")
LIBRARY = Library()
add = LIBRARY.add


def attached(why: str, variant: str, update: Verdict, preview: Verdict | None = None, *,
             stack: str = "production", lost: frozenset[str] | None = frozenset(), **kw: object) -> Scenario:
    return add(Scenario(f"attach-{variant.replace(':', '-').lower()}-{stack}", "attach_more.py", why,
                        {"scenario:variant": variant, **kw.pop("config", {})},  # type: ignore[dict-item]
                        update, preview or update, stack=stack,
                        lost=None if lost is None else {"deployer": lost}, **kw))  # type: ignore[arg-type]


# ----------------------------------------------------------------- RolePolicyAttachment

attached(
    """ReadOnlyAccess attached next to the deployer's policy. A RolePolicyAttachment adds a
    managed policy (pulumi-aws ``iam.RolePolicyAttachment``); AWS unions Allows, and
    ReadOnlyAccess holds only Allows (AWS managed policy reference, ReadOnlyAccess), so
    nothing SST needs is taken away: no mandatory violation. It is not administrator
    access (read actions only).""",
    "aws:ReadOnlyAccess", PASS)

attached(
    """AdministratorAccess attached to a deployer in stack 'production': its single
    statement Allow * on * (AWS managed policy reference) is administrator access outside
    a sandbox stack; SST loses nothing.""",
    "aws:AdministratorAccess",
    Verdict((Finding(("deployer",), ("production",), ADMIN),)))

attached(
    """AdministratorAccess on a deployer in a sandbox stack ('sandbox-alice' matches the
    default sandboxStacks ``sandbox-*``): allowed, as SST's IAM page advises for personal
    sandbox accounts.""",
    "aws:AdministratorAccess", PASS, stack="sandbox-alice")

attached(
    """PowerUserAccess attached: its first statement is Allow NotAction [iam:*,
    organizations:*, account:*] on Resource * (AWS managed policy reference,
    PowerUserAccess), i.e. every action of every service but three, present and future.
    Issue 11 item 5 counts such an Allow ("every action, or all but a few, on every
    resource ... NotAction allows") as administrator access: outside a sandbox the
    sandbox rule must report it and say the NotAction made it count.""",
    "aws:PowerUserAccess",
    Verdict((Finding(("deployer",), ("NotAction",), ADMIN),)))

attached(
    """A shared customer-managed policy outside the stack (``org/shared-deploy-extras``)
    attached next to the deployer's policy. Its document is not in the stack and the pack
    was given none: issue 11 item 3, "a boundary or attachment that is still unseen is
    reported, never silent". It cannot take anything away unless it holds a Deny, which
    cannot be known: the report names the policy ARN (level configurable; at least
    advisory).""",
    "shared",
    Verdict((Finding(("deployer", "extra-attachment"), ("shared-deploy-extras",), level="advisory"),)),
    lost=None)


# ----------------------------------------------------------------- PolicyAttachment


def _policy_attachment(variant: str, why: str, update: Verdict, preview: Verdict,
                       lost: frozenset[str]) -> Scenario:
    return add(Scenario(f"policy-attachment-{variant}", "policy_attachment.py", why,
                        {"scenario:variant": variant}, update, preview,
                        lost={"deployer": lost}))


_policy_attachment(
    "others",
    """The deployer's own policy given to a CI reader role with a PolicyAttachment that lists
    only that role. pulumi-aws ``iam.PolicyAttachment``: "creates **exclusive** attachments
    ... all of the users/roles/groups to which a single policy is attached must be declared
    by a single iam.PolicyAttachment resource ... [others] will have that attached policy
    revoked by this resource". So the deployer's role loses its only policy: every SST
    statement is lost, and the message names the PolicyAttachment that removes it. In a
    preview the attachment's policyArn is unknown but its property dependency names the
    deployer's Policy, and its role list is known ('ci-reader'): a known detachment is a
    violation even in a preview (issue 11 item 4).""",
    Verdict((Finding(("deployer", "share-deployer-policy"), ("share-deployer-policy",)),)),
    Verdict((Finding(("deployer", "share-deployer-policy"), ("share-deployer-policy",)),)),
    EVERY_SID)

_policy_attachment(
    "with-deployer",
    """The same PolicyAttachment listing the deployer's role as well: afterwards the policy
    is attached to exactly the CI reader and the deployer (pulumi-aws docs above), so the
    deployer keeps everything: an equivalent arrangement that must pass.""",
    PASS, PASS, frozenset())


_policy_attachment(
    "users",
    """The deployer's policy shared with a CI *user* through a PolicyAttachment that lists only
    ``users=["ci-deployer"]`` (no roles): afterwards the policy is attached to exactly that
    user (pulumi-aws PolicyAttachment docs: roles, users and groups alike), so it is detached
    from the deployer's role: everything lost, naming the PolicyAttachment.""",
    Verdict((Finding(("deployer", "share-deployer-policy"), ("share-deployer-policy",)),)),
    Verdict((Finding(("deployer", "share-deployer-policy"), ("share-deployer-policy",)),)),
    EVERY_SID)


# ----------------------------------------------------------------- a hand-tagged role's arrangements


def _tagged(variant: str, why: str, update: Verdict, preview: Verdict | None = None,
            lost: frozenset[str] | None = frozenset()) -> Scenario:
    return add(Scenario(f"tagged-{variant}", "tagged_role.py", why, {"scenario:variant": variant},
                        update, preview or update, lost=None if lost is None else {"sst-deployer": lost},))


_tagged("rpa", """A hand-made role tagged as a deployer, its rendered policy attached with a
    RolePolicyAttachment: the baseline, passes.""", PASS)
_tagged("policy-attachment", """The same policy attached through a PolicyAttachment that lists
    the role: the policy is attached to exactly that role (pulumi-aws PolicyAttachment docs):
    equivalent, passes.""", PASS)
_tagged("managed-empty", """``managedPolicyArns=[]`` on the role and a RolePolicyAttachment of its
    policy. pulumi-aws ``iam.Role``: "Configuring an empty set (i.e., managed_policy_arns =
    []) will cause Pulumi to remove _all_ managed policy attachments"; the docs warn that it
    fights RolePolicyAttachment ("resource cycling"). Every update detaches the policy:
    everything is lost, and the message names the role's managedPolicyArns as what removes it.
    The read-back right after the create is ``[]``, so the declaration (the inputs) is what
    tells, in both shapes.""",
        Verdict((Finding(("sst-deployer",), ("managedPolicyArns",)),)), lost=EVERY_SID)
_tagged("managed-declared", """``managedPolicyArns=[policy.arn]`` and no attachment resource: the
    role's exclusive set holds the policy, so it is attached: passes. In a preview the ARN is
    unknown, but its property dependency names the in-stack Policy.""", PASS)
_tagged("inline-rolepolicy", """The rendered document as a RolePolicy (inline): passes.""", PASS)
_tagged("inline-empty-list", """``inlinePolicies=[]`` and the RolePolicy. An empty list is *no
    block*: "If no blocks are configured, Pulumi will not manage any inline policies"
    (pulumi-aws ``iam.Role`` docs; maintainers in pulumi-aws #4050: "to an empty array or
    undefined ... the provider does not manage the inline policies"). The RolePolicy stays:
    passes. (Treating ``[]`` as "remove all" would block a correct stack.)""", PASS)
_tagged("inline-empty-block", """``inlinePolicies=[{}]`` (one empty block) and the RolePolicy.
    "Configuring one empty block ... will cause Pulumi to remove _all_ inline policies added
    out of band" (pulumi-aws ``iam.Role``; #4050): the RolePolicy is deleted on every update;
    everything is lost, and the message names the role's inlinePolicies.""",
        Verdict((Finding(("sst-deployer",), ("inlinePolicies",)),)), lost=EVERY_SID)
_tagged("inline-declared", """The document as an ``inlinePolicies`` block on the role: the
    exclusive inline set holds it: passes.""", PASS)
_tagged("inline-exclusive-without", """A RolePoliciesExclusive listing only 'other' next to the
    RolePolicy 'sst': "Policies attached to this role but not configured in this argument
    will be removed" (pulumi-aws ``iam.RolePoliciesExclusive``): 'sst' is deleted: everything
    is lost; the message names the RolePoliciesExclusive.""",
        Verdict((Finding(("sst-deployer", "only-these-inline"), ("only-these-inline",)),)),
        lost=EVERY_SID)
_tagged("inline-exclusive-with", """RolePoliciesExclusive listing 'sst' and 'other': 'sst' is kept:
    passes.""", PASS)
_tagged("exclusive-without", """A RolePolicyAttachmentsExclusive listing only the organisation's baseline policy next
    to the RolePolicyAttachment of the deployer's policy: "Policies attached to this role but
    not configured in this argument will be removed" (pulumi-aws
    ``iam.RolePolicyAttachmentsExclusive``): the deployer's policy is detached: everything is
    lost; the message names the RolePolicyAttachmentsExclusive.""",
        Verdict((Finding(("sst-deployer", "only-these"), ("only-these",)),)),
        lost=EVERY_SID)
_tagged("partial", """A hand-tagged role whose only attached policy lacks AllowSSTManageBootstrapBucket:
    that statement is lost. In a preview the role is new: its managedPolicyArns read-back is
    unknown only because it does not exist yet, and nothing outside the stack can have been
    attached to a role that does not exist, so the loss is already known (issue 11 item 4:
    "what is known is judged").""",
        Verdict((Finding(("sst-deployer",), ("AllowSSTManageBootstrapBucket",)),)),
        Verdict((Finding(("sst-deployer",), ("AllowSSTManageBootstrapBucket",)),)),
        lost=frozenset({"AllowSSTManageBootstrapBucket"}))
_tagged("auto-named", """A hand-tagged role Pulumi names itself, tagged without
    sst-deployer:account, its rendered policy attached: correct. In a preview its name and
    ARN are unknown, so its account is too (the default provider does not say): issue 11
    item 4, "a hand-tagged role whose ARN is not known yet is not blamed for what the unknown
    hides": nothing mandatory in any shape.""", PASS, PASS)
add(Scenario("tagged-stale-readback", "tagged_role.py", """The role's policy was swapped in this
    update: 'sst-full' (still in the stack) is no longer attached, 'sst-partial' (without
    AllowSSTManageBootstrapBucket) is. The role itself did not change, so its outputs still
    carry the read-back of the last refresh: managedPolicyArns = ['sst-full'] (pulumi-aws
    reads managed_policy_arns from ListAttachedRolePolicies only on create/refresh,
    terraform-provider-aws role.go resourceRoleRead). AWS after this update: 'sst-full' is
    detached (its RolePolicyAttachment was deleted), so AllowSSTManageBootstrapBucket is lost.
    From the outputs alone this cannot be told from 'sst-full' attached by hand outside the
    stack, so the expectation is only that the pack does not count it *silently*: a
    diagnostic of any level on the role naming 'sst-full' (a policy of this stack that no
    resource of this stack attaches). After a refresh the read-back agrees and the loss is
    mandatory; in a preview (new role) the loss is known. The preview of this change has the
    role and 'sst-full' in state (the role's outputs still list 'sst-full'), 'sst-partial' and
    its attachment new (its policyArn unknown): what the update shows, so its verdict.""",
             {"scenario:variant": "swap"},
             Verdict((Finding(("sst-deployer",), ("sst-full",), level=None),)),
             Verdict((Finding(("sst-deployer",), ("AllowSSTManageBootstrapBucket",)),)),
             refreshed=Verdict((Finding(("sst-deployer",), ("AllowSSTManageBootstrapBucket",)),)),
             stale={"sst-deployer": ("sst-full",)}, new=("sst-partial", "sst-attachment"),
             lost={"sst-deployer": frozenset({"AllowSSTManageBootstrapBucket"})}))
_tagged("exclusive-with", """RolePolicyAttachmentsExclusive listing the baseline and the
    deployer's policy: kept: passes.""", PASS)


# ----------------------------------------------------------------- the component's role pinned

for _v, _why, _verdict, _lost in (
    ("without", """The organisation pins the DeployerRole's role with a RolePolicyAttachmentsExclusive
     listing only the organisation's baseline policy: the component's own policy is detached on every update
     (pulumi-aws ``iam.RolePolicyAttachmentsExclusive``): everything lost; the message names
     'pinned'. In a preview the role name is unknown (auto-named) but ``roleName``'s property
     dependency names the component's role.""",
     Verdict((Finding(("deployer", "pinned"), ("pinned",)),)), EVERY_SID),
    ("with", """The same pin listing the deployer's own policies too (and the baseline): nothing is removed: passes.""",
     PASS, frozenset()),
):
    add(Scenario(f"component-exclusive-{_v}", "component_exclusive.py", _why, {"scenario:variant": _v},
                 _verdict, _verdict, lost={"deployer": _lost}))


for _v, _why, _verdict, _lost in (
    ("none", """The organisation's resource transformation sets managed_policy_arns=[] on every role
     (pulumi ``ResourceOptions.transformations``, applied to the DeployerRole's children): the
     component's role declares an empty exclusive set, which "will cause Pulumi to remove _all_
     managed policy attachments" (pulumi-aws ``iam.Role``): the component's own policy is
     detached on every update: everything lost; the message names managedPolicyArns. The
     declaration is in the inputs (Analyze), in both shapes.""",
     Verdict((Finding(("deployer",), ("managedPolicyArns",)),)), EVERY_SID),
    ("baseline", """The same transformation pinning every role to the baseline policy only: the
     component's policy is not in the set, so it is detached: everything lost (the baseline
     grants only logs/cloudwatch Describe*).""",
     Verdict((Finding(("deployer",), ("managedPolicyArns",)),)), EVERY_SID),
    ("tags-only", """A transformation that only adds a cost-centre tag: nothing removed: passes.""",
     PASS, frozenset()),
):
    add(Scenario(f"component-transform-{_v}", "component_transform.py", _why, {"scenario:variant": _v},
                 _verdict, _verdict, lost={"deployer": _lost}))


# ----------------------------------------------------------------- two accounts, same role name

_TWO = """Two DeployerRoles named 'sst-deployer' in accounts {a} and {b}, one provider each
    (``allowedAccountIds``). IAM role names are unique per account only; a
    RolePolicyAttachment names its role by name and acts in its provider's account. """
add(Scenario("two-accounts-none", "two_accounts.py", _TWO.format(a=A, b=B) + "No guardrail: both pass.",
             {"scenario:variant": "none"}, PASS, PASS,
             lost={"deployer-112233445566": frozenset(), "deployer-444455556666": frozenset()}))
add(Scenario(
    "two-accounts-guard-b", "two_accounts.py", _TWO.format(a=A, b=B) + """A Deny of s3:PutObject on
    sstbootstrap-* attached with account B's provider to 'sst-deployer': B's role loses
    AllowSSTManageBootstrapBucket; A's role is untouched and must not be blamed.""",
    {"scenario:variant": "guard-b"},
    Verdict((Finding(("deployer-444455556666",), ("AllowSSTManageBootstrapBucket",)),)),
    Verdict((Finding(("deployer-444455556666",), ("AllowSSTManageBootstrapBucket",)),)),
    lost={"deployer-112233445566": frozenset(), "deployer-444455556666": frozenset({"AllowSSTManageBootstrapBucket"})}))
add(Scenario(
    "two-accounts-guard-a", "two_accounts.py", _TWO.format(a=A, b=B) + """The same Deny attached with
    account A's provider: A's role loses AllowSSTManageBootstrapBucket, B's is untouched.""",
    {"scenario:variant": "guard-a"},
    Verdict((Finding(("deployer-112233445566",), ("AllowSSTManageBootstrapBucket",)),)),
    Verdict((Finding(("deployer-112233445566",), ("AllowSSTManageBootstrapBucket",)),)),
    lost={"deployer-112233445566": frozenset({"AllowSSTManageBootstrapBucket"}), "deployer-444455556666": frozenset()}))

_ = json  # documents below are built with json


# ----------------------------------------------------------------- guardrails (request context: issue 9)

ISSUE_9 = "issue 9"


def _guard(id_: str, why: str, document: dict[str, object], update: Verdict, preview: Verdict | None = None, *,
           trust: str = "people", regions: str = "us-east-1", lost: frozenset[str] | None = frozenset(),
           tags: str = "{}") -> Scenario:
    if preview is None:  # the guardrail is known in a preview, which is judged like an update (issue 11
        preview = update  # item 4): the same verdict, and the same xfail while issue 9 is open
    return add(Scenario(
        f"guardrail-{id_}", "guardrail.py", why,
        {"scenario:document": json.dumps(document), "scenario:trust": trust, "scenario:regions": regions,
         "scenario:tags": tags},
        update, preview, lost=None if lost is None else {"deployer": lost},
        mfa=trust == "people"))


def _deny(sid: str, condition: dict[str, object] | None = None, *, action: object = "*",
          not_action: object = None, resource: object = "*") -> dict[str, object]:
    st: dict[str, object] = {"Sid": sid, "Effect": "Deny", "Resource": resource}
    if not_action is not None:
        st["NotAction"] = not_action
    else:
        st["Action"] = action
    if condition:
        st["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [st]}


_GLOBAL = ["iam:*", "sts:*", "organizations:*", "route53:*", "cloudfront:*", "support:*", "budgets:*",
           "globalaccelerator:*", "waf:*", "health:*"]
_G = " (the IAM User Guide's aws:RequestedRegion example exempts such global services with NotAction)"

_guard("region-lock-home", """A region lock, Deny * unless aws:RequestedRegion is us-east-1, on a
    us-east-1 deployer. Every call SST makes is to us-east-1: regional services at the
    resource's region, IAM at its endpoint in us-east-1 (IAM User Guide, aws:RequestedRegion:
    "global services ... us-east-1"), STS at SST's regional endpoint. The condition never holds
    for SST's requests: nothing is lost, the stack must pass.""",
       _deny("RegionLock", {"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}),
       Verdict())

_guard("region-lock-eu-no-exemption", """A region lock to eu-west-1 on an eu-west-1 deployer, Deny *
    with no exemption for global services. IAM's requested region is us-east-1 (IAM User
    Guide, aws:RequestedRegion), so every IAM call SST makes (creating the CDK bootstrap roles,
    PassRole) is denied: AllowCDKManageToolkitRoles is lost. Regional calls (CloudFormation, S3,
    SSM, STS at the regional endpoint) are in eu-west-1 and pass.""" + _G,
       _deny("RegionLock", {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}),
       Verdict((Finding(("deployer",), ("AllowCDKManageToolkitRoles",)),)),
       regions="eu-west-1", lost=frozenset({"AllowCDKManageToolkitRoles"}))

_guard("region-lock-eu-global-exempt", """The same region lock with the global services exempted
    (NotAction iam:*, sts:*, ...)""" + _G + """: SST's IAM calls are exempt, its regional
    calls are in eu-west-1: nothing is lost, the stack must pass.""",
       _deny("RegionLock", {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}, not_action=_GLOBAL),
       Verdict(),
       regions="eu-west-1")

_MFA = _deny("DenyAllExceptListedIfNoMFA", {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
             not_action=["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser", "iam:ListMFADevices",
                          "iam:ListVirtualMFADevices", "iam:ResyncMFADevice", "sts:GetSessionToken"])
_MFA_WHY = """The IAM User Guide's MFA guardrail (example "allows MFA-authenticated IAM users to
    manage their own credentials"): Deny NotAction [MFA self-service] when BoolIfExists
    aws:MultiFactorAuthPresent is false. """
_guard("mfa-people", _MFA_WHY + """The deployer is assumed by people, and its trust requires MFA
    (Bool aws:MultiFactorAuthPresent true), so every session has MFA true (IAM User Guide,
    aws:MultiFactorAuthPresent: temporary credentials from AssumeRole with MFA): the Deny never
    applies: the stack must pass.""", _MFA,
       Verdict())
_guard("region-lock-partial", """A region lock to us-east-1 (global services exempted) on a
    deployer configured for us-east-1 and eu-west-1: every call SST makes in eu-west-1 is
    denied: the regional statements (CloudFormation, ECR, SSM, Lambda, IoT, RDS Data in
    eu-west-1), S3 (its buckets in eu-west-1 are called there), and ListImports there are
    lost; IAM and STS are exempt (AllowCDKManageToolkitRoles, AllowSSTAssumeCDKToolkitRoles
    kept).""" + _G,
       _deny("RegionLock", {"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}, not_action=_GLOBAL),
       Verdict((Finding(("deployer",), ("AllowSSTMonitorStackDeployment", "eu-west-1")),)),
       regions="us-east-1 eu-west-1", lost=EVERY_SID - {"AllowCDKManageToolkitRoles", "AllowSSTAssumeCDKToolkitRoles"})
_guard("mfa-github", _MFA_WHY + """The deployer is assumed only by GitHub Actions through OIDC
    (AssumeRoleWithWebIdentity): no MFA, so the Deny applies to every call SST makes: every
    SST statement is lost.""", _MFA,
       Verdict((Finding(("deployer",), ("AllowSSTDeployStacks",)),)),
       trust="github", lost=EVERY_SID)

_guard("untagged-functions", """A tag guardrail: Deny lambda:* on functions that carry no sst:app
    tag (Null aws:ResourceTag/sst:app true). SST touches functions only under the page's
    condition Null aws:ResourceTag/sst:app false (AllowSSTCLIRestartAppFunction): for those
    requests the key is present, the Deny's condition is false: nothing is lost, passes.""",
       _deny("OnlyAppFunctions", {"Null": {"aws:ResourceTag/sst:app": "true"}}, action="lambda:*"),
       Verdict())
_guard("team-functions", """A tag guardrail: Deny lambda:* unless the function is tagged
    team=platform (StringNotEquals aws:ResourceTag/team platform). SST's app functions carry
    sst:app; whether they also carry team=platform is the app's choice (SST's stacks take any
    tags), not known to the pack. If the key is missing a negated operator holds (IAM User Guide,
    condition operators) and restarting functions after a secret changes is denied. Issue 15: not
    proven, so advice of sst-deployer-undecided-conditions naming aws:resourcetag/team, not a
    mandatory loss (the brute force cannot know the functions' tags either).""",
       _deny("OnlyTeamFunctions", {"StringNotEquals": {"aws:ResourceTag/team": "platform"}}, action="lambda:*"),
       Verdict((Finding(("deployer",), ("AllowSSTCLIRestartAppFunction", "aws:resourcetag/team"),
                        "sst-deployer-undecided-conditions", level="advisory"),)),
       lost=None)

_TEAM = _deny("PlatformOnly", {"StringNotEquals": {"aws:PrincipalTag/team": "platform"}})
_guard("principal-tag-kept", """An ABAC guardrail: Deny * unless the caller's principal tag team is
    'platform'. A role session's aws:PrincipalTag/* are the role's tags (IAM User Guide,
    aws:PrincipalTag), and this deployer is tagged team=platform: the condition never holds:
    passes.""", _TEAM,
       Verdict(),
       tags='{"team": "platform"}')
_guard("principal-tag-missing", """The same ABAC guardrail on a deployer without a team tag: the
    key is missing, a negated operator then holds (IAM User Guide, condition operators):
    every call is denied: everything is lost.""", _TEAM,
       Verdict((Finding(("deployer",), ("AllowSSTDeployStacks",)),)), lost=EVERY_SID)
_OTHER_BUCKETS = [f"arn:aws:s3:::acme-team{n}-data" for n in range(150)] + [
    f"arn:aws:s3:::acme-team{n}-data/*" for n in range(150)]
_guard("long-deny-miss", """A data-protection guardrail: Deny s3:* on 300 literal ARNs of other
    teams' buckets and their objects. None matches SST's buckets (cdk-hnb659fds-assets-*,
    sstbootstrap-*): nothing is lost, passes.""",
       _deny("ProtectTeamData", action="s3:*", resource=_OTHER_BUCKETS),
       Verdict())
_guard("long-deny-hit", """The same list plus the account's SST bootstrap bucket
    (arn:aws:s3:::sstbootstrap-useast1-7f3a9c): s3:* on it is denied, so
    AllowSSTManageBootstrapBucket (s3:*Object, ListBucket on sstbootstrap-*) is lost; nothing
    else (the assets buckets are not listed).""",
       _deny("ProtectTeamData", action="s3:*", resource=[*_OTHER_BUCKETS, "arn:aws:s3:::sstbootstrap-useast1-7f3a9c"]),
       Verdict((Finding(("deployer",), ("AllowSSTManageBootstrapBucket",)),)),
       lost=frozenset({"AllowSSTManageBootstrapBucket"}))
_guard("long-deny-any-action", """Deny * (every action) on the 300 literal bucket ARNs. Actions
    with no resource type (cloudformation:ListImports, iot:DescribeEndpoint) are authorised
    against "*" and IoT's data plane against client/topic ARNs (Service Authorization
    Reference): no request of SST's names an S3 bucket of another team: nothing is lost.""",
       _deny("ProtectTeamData", resource=_OTHER_BUCKETS),
       Verdict())


# ----------------------------------------------------------------- hand-written copies of the page

LOOKS_LIKE = ("looks like an SST deployer", "sst-deployer:role")
_PAGE = """An untagged role ('page-deployer') carrying SST's copy-paste policy from the IAM page
    ({how}). Neither made by the component nor tagged, so today no policy of the pack checks
    it at all, and a later edit that breaks it passes org-wide enforcement. Issue 11 item 6:
    a role carrying the page's statements "by Sid or by content" is reported by a
    configurable policy, advisory by default: "looks like an SST deployer; tag it like this
    so the pack enforces it" (the message names the sst-deployer:role tag). Nothing
    mandatory: the copy is not wrong in itself. The document is known in a preview too."""
for _v, _how in (("page-managed", "a managed policy and a RolePolicyAttachment"), ("page-inline", "a RolePolicy"),
                 ("page-no-sids", "a managed policy whose Sids were all removed: by content")):
    _verdict = Verdict((Finding(("page-deployer",), LOOKS_LIKE, level="advisory"),))
    add(Scenario(f"hand-written-{_v}", "hand_written.py", _PAGE.format(how=_how), {"scenario:variant": _v},
                 _verdict, _verdict))
add(Scenario("hand-written-page-tagged", "hand_written.py", """The page's copy-paste policy on a role
    tagged by hand with only sst-deployer:role and sst-deployer:regions: the pack enforces it
    with the defaults for every other tag (SST 2.49.x). The page predates SST 2.49, which
    creates and updates the app's stacks with the caller's credentials and lists stack
    imports (sst/v2 PR #96, stacks/deploy.ts: CreateStack, UpdateStack, ListImports; the
    template is read from the CDK assets bucket): those statements are not on the page and
    are lost, and so is AllowSSTCheckCDKBootstrapVersion (ssm:GetParameter on the bootstrap
    version parameter: in the page's per-purpose breakdown, missing from its copy-paste
    policy); everything else the page grants is kept. Mandatory: such a role fails
    `sst deploy` with SST 2.49. In a preview the role's account is not known yet (no ARN,
    no account tag, the default provider does not say), but no statement of the role
    grants cloudformation:CreateStack at all, so AllowSSTDeployStacks is lost whatever the
    account turns out to be: the unknown hides nothing here (issue 11 item 4).""",
             {"scenario:variant": "page-tagged"},
             Verdict((Finding(("page-deployer",), ("AllowSSTDeployStacks",)),)),
             Verdict((Finding(("page-deployer",), ("AllowSSTDeployStacks",)),)),
             lost={"page-deployer": frozenset({"AllowSSTDeployStacks", "AllowSSTListStackImports",
                                               "AllowSSTReadStackTemplates", "AllowSSTCheckCDKBootstrapVersion"})}))
add(Scenario("hand-written-unrelated", "hand_written.py", """An unrelated role (S3 read for reports):
    nothing of SST's on it: no diagnostic at all, of any level.""",
             {"scenario:variant": "unrelated"}, Verdict(quiet=True), Verdict(quiet=True)))


# ----------------------------------------------------------------- permissions boundaries

_B = """A DeployerRole whose permissionsBoundary is arn:aws:iam::112233445566:policy/org-deployer-boundary
    (IAM User Guide, permissions boundaries: an action must be allowed by the identity
    policies and by the boundary). """
add(Scenario("boundary-inside-generous", "boundary.py", _B + """The boundary is in the stack: Allow *,
    Deny removing boundaries, creating users and access keys: SST needs none of those:
    passes, in a preview too (the boundary's ARN is unknown there, but its name is known).""",
             {"scenario:variant": "inside-generous"}, PASS, PASS, lost={"deployer": frozenset()}))
_TIGHT = frozenset({"AllowCDKManageToolkitRoles", "AllowCDKManageToolkitRepository", "AllowSSTAssumeCDKToolkitRoles",
                    "AllowSSTCLIRestartAppFunction", "AllowSSTLiveLambdaSocketConnection",
                    "AllowSSTCLIManageRDSMigrations"})
add(Scenario("boundary-inside-tight", "boundary.py", _B + """The boundary in the stack allows only
    cloudformation:*, s3:* and ssm:*: every SST statement with an IAM, STS, ECR, Lambda, IoT or
    RDS Data action is outside it and lost; the message names the boundary. In a preview the
    boundary's document and the role's boundary ARN are known (the Policy's ARN is not, its
    name is): issue 11 item 4, a known boundary that removes a requirement is a violation.""",
             {"scenario:variant": "inside-tight"},
             Verdict((Finding(("deployer",), ("org-deployer-boundary", "AllowSSTAssumeCDKToolkitRoles")),)),
             Verdict((Finding(("deployer",), ("org-deployer-boundary",)),)),
             lost={"deployer": _TIGHT}))
add(Scenario("boundary-outside", "boundary.py", _B + """The boundary is managed elsewhere and the
    pack was given no document for it: what it removes cannot be known. Issue 11 item 3: "a
    boundary ... that is still unseen is reported, never silent" (level configurable): a
    diagnostic on the role naming the boundary.""",
             {"scenario:variant": "outside"},
             Verdict((Finding(("deployer",), ("org-deployer-boundary",), level=None),)),
             Verdict((Finding(("deployer",), ("org-deployer-boundary",), level=None),))))


UNSEEN = "sst-deployer-unseen-policies"
_BOUNDARY_ARN = "arn:aws:iam::112233445566:policy/org-deployer-boundary"


def _known(document: Mapping[str, object], level: str | None = None) -> dict[str, dict[str, object]]:
    """Pack config giving the boundary's document (``knownPolicies``, issue 11 item 3)."""
    config: dict[str, object] = {"knownPolicies": {_BOUNDARY_ARN: document}}
    if level:
        config["enforcementLevel"] = level
    return {UNSEEN: config}


_KNOWN = """The boundary is managed elsewhere; the organisation gives its document in the pack's
    config (sst-deployer-unseen-policies.knownPolicies, by ARN: issue 11 item 3, "Customer-managed
    documents (a boundary, a shared policy) can be given in the pack's config"). """
add(Scenario("boundary-outside-known-generous", "boundary.py", _B + _KNOWN + """It allows every
    action except Organizations and account management: SST needs none of those: passes.""",
             {"scenario:variant": "outside"}, PASS, PASS,
             pack_config=_known({"Version": "2012-10-17", "Statement": [
                 {"Effect": "Allow", "NotAction": ["organizations:*", "account:*"], "Resource": "*"}]})))
_KNOWN_TIGHT = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["cloudformation:*", "s3:*", "ssm:*"], "Resource": "*"}]}
add(Scenario("boundary-outside-known-tight", "boundary.py", _B + _KNOWN + """It allows only
    cloudformation:*, s3:* and ssm:*: judged like one in the stack: the IAM, STS, ECR, Lambda,
    IoT and RDS Data statements are outside it (mandatory, naming the boundary). In a preview
    the boundary ARN and its given document are both known: the same.""",
             {"scenario:variant": "outside"},
             Verdict((Finding(("deployer",), ("org-deployer-boundary", "AllowSSTAssumeCDKToolkitRoles")),)),
             Verdict((Finding(("deployer",), ("org-deployer-boundary", "AllowSSTAssumeCDKToolkitRoles")),)),
             pack_config=_known(_KNOWN_TIGHT)))
add(Scenario("boundary-outside-strict", "boundary.py", _B + """The production configuration of
    issue 11 item 3 ("how strict that report is can be configured"): the unseen-policies report
    made mandatory and no document given: the role is blocked, the message naming the boundary.""",
             {"scenario:variant": "outside"},
             Verdict((Finding(("deployer",), ("org-deployer-boundary",), UNSEEN),)),
             Verdict((Finding(("deployer",), ("org-deployer-boundary",), UNSEEN),)),
             pack_config={UNSEEN: {"enforcementLevel": "mandatory"}}))


# ----------------------------------------------------------------- administrator, semantically

_ADM = """Issue 11 item 5: for the sandbox rule "any Allow that in the role's context grants every
    action (or all but a few) on every resource counts: NotAction allows, arn:*-like
    resources, conditions that always hold. The message says what made it count." The stack
    is 'production', not a sandbox. """


def _admin(id_: str, why: str, statement: dict[str, object], verdict: Verdict, *, stack: str = "production",
           preview: Verdict | None = None) -> Scenario:
    return add(Scenario(f"admin-{id_}", "admin_shapes.py", why,
                        {"scenario:document": json.dumps({"Version": "2012-10-17", "Statement": [statement]})},
                        verdict, preview or verdict, stack=stack, lost={"deployer": frozenset()}))


_admin("star", _ADM + """Allow * on * (Sid 'Everything'): administrator; the message names the
    statement that made it count.""", {"Sid": "Everything", "Effect": "Allow", "Action": "*", "Resource": "*"},
       Verdict((Finding(("deployer",), ("Everything",), ADMIN),)))
_admin("notaction", _ADM + """Allow NotAction iam:* on *: every action of every other service,
    present and future (IAM User Guide, NotAction): administrator.""",
       {"Sid": "AllButIam", "Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
       Verdict((Finding(("deployer",), ("NotAction",), ADMIN),)))
_admin("arn-star", _ADM + """Allow * on "arn:*": every ARN is arn:<...>, and actions with no
    resource type are not granted (they need Resource "*"), which is "all but a few":
    administrator.""", {"Sid": "AllArns", "Effect": "Allow", "Action": "*", "Resource": "arn:*"},
       Verdict((Finding(("deployer",), ("arn:*",), ADMIN),)))
_admin("always", _ADM + """Allow * on * under Bool aws:SecureTransport true: every AWS API call
    SST makes is over TLS, so the condition always holds (IAM User Guide,
    aws:SecureTransport): administrator.""",
       {"Sid": "OverTls", "Effect": "Allow", "Action": "*", "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
       Verdict((Finding(("deployer",), ("aws:SecureTransport",), ADMIN),)))
_admin("notresource", _ADM + """Allow * with NotResource [one bucket]: every action on every
    resource but one (IAM User Guide, NotResource): administrator ("all but a few").""",
       {"Sid": "AllButPayroll", "Effect": "Allow", "Action": "*",
        "NotResource": ["arn:aws:s3:::acme-payroll", "arn:aws:s3:::acme-payroll/*"]},
       Verdict((Finding(("deployer",), ("NotResource",), ADMIN),)))
_admin("notaction-sandbox", """The NotAction iam:* Allow in stack 'sandbox-bob' (default
    sandboxStacks sandbox-*): allowed there; nothing mandatory.""",
       {"Sid": "AllButIam", "Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, PASS, stack="sandbox-bob")
_admin("one-service", """Allow s3:* on * in 'production': broad (least-privilege, advisory, says
    so) but one service is not administrator access: nothing mandatory.""",
       {"Sid": "AllS3", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}, PASS)


# ----------------------------------------------------------------- bad data

_DEEP = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*",'
         '"Condition":{"StringEquals":{"aws:PrincipalTag/x":' + "[" * 5000 + "]" * 5000 + '}}}]}')
_HUGE = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::bucket-{n}/*"} for n in range(3000)]})
_BAD = """Issue 11 item 7: "documents nested thousands of levels deep, huge, or odd are violations
    that say what is wrong, not 'please report'; nothing in the pack recurses without a
    bound". A hand-tagged deployer with its rendered policy attached, plus an inline policy
    'odd' holding """


def _odd(id_: str, why: str, text: str, update: Verdict, preview: Verdict | None = None) -> Scenario:
    return add(Scenario(f"odd-{id_}", "odd_document.py", why, {"scenario:document": text},
                        update, preview or update))


_odd("deep", _BAD + """a condition value nested 5,000 arrays deep (as JSON text). IAM would
    reject it (a condition value is a string or a list of strings); the pack must say the
    document is malformed, naming 'odd'.""", _DEEP,
     Verdict((Finding(("sst-deployer", "odd"), ("odd",), level=None, says_any=("deep", "nest", "depth")),)))
_odd("huge", _BAD + """3,000 statements (about 250,000 characters), far over IAM's 10,240
    characters for a role's inline policies (IAM quotas): the update would fail at AWS; the
    pack says the document is too large, naming 'odd', without a crash.""", _HUGE,
     Verdict((Finding(("sst-deployer", "odd"), ("odd",), level=None,
                      says_any=("characters", "quota", "too large", "size")),)))
_odd("not-json", _BAD + """text that is not JSON: a violation naming 'odd' that says so.""",
     "{this is not json", Verdict((Finding(("sst-deployer", "odd"), ("odd", "not valid JSON")),)),
     Verdict((Finding(("sst-deployer", "odd"), ("odd", "not valid JSON")),)))
_odd("statement-object", _BAD + """a valid document whose Statement is one object, not a list
    (IAM policy grammar allows both): nothing wrong, passes.""",
     json.dumps({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:ListAllMyBuckets",
                                                         "Resource": "*"}}), PASS)
_odd("lowercase-effect", _BAD + """a statement with Effect "allow": the IAM policy grammar allows
    only "Allow" or "Deny", so IAM rejects it (MalformedPolicyDocument): a violation naming
    'odd'.""",
     json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "allow", "Action": "s3:ListAllMyBuckets",
                                                          "Resource": "*"}]}),
     Verdict((Finding(("sst-deployer", "odd"), ("odd",), level=None, says_any=("Effect", "effect")),)),
     Verdict((Finding(("sst-deployer", "odd"), ("odd",), level=None, says_any=("Effect", "effect")),)))
