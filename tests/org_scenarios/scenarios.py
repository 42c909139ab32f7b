"""The organisation scenarios: each entry is one arrangement, its expected verdict after
an update and in a preview, and why (with sources). Names used below:

INTACT/ATTACHED/ADMIN/TRUST/LEAST are the pack's policies; ``lost`` is cross-checked by
the brute-force evaluator on the converged end state (:mod:`world`, :mod:`bruteforce`).
"""

from __future__ import annotations

import json

from sst_deployer.settings import DeployerSettings

from .spec import PASS, Finding, Library, Scenario, Verdict

INTACT, ATTACHED = "sst-deployer-statements-intact", "sst-deployer-attachments-intact"
LEAST, TRUST = "sst-deployer-least-privilege", "sst-deployer-trust"
ADMIN = "sst-deployer-administrator-only-in-sandboxes"
A, B = "112233445566", "444455556666"
SST = DeployerSettings(account=A, regions=("us-east-1",), sst_version="2.49.8")
EVERY_SID = frozenset({
    "AllowCDKManageToolkitStack", "AllowCDKManageToolkitRoles", "AllowCDKManageToolkitBucket",
    "AllowCDKManageToolkitRepository", "AllowCDKManageToolkitVersionParameter", "AllowSSTCheckCDKBootstrapVersion",
    "AllowSSTManageBootstrapStack", "AllowSSTAssumeCDKToolkitRoles", "AllowSSTMonitorStackDeployment",
    "AllowSSTManageBootstrapBucket", "AllowSSTCLIManageAppSecrets", "AllowSSTCLIRestartAppFunction",
    "AllowSSTLiveLambdaSocketConnection", "AllowSSTCLIManageRDSMigrations", "AllowSSTDeployStacks",
    "AllowSSTListStackImports", "AllowSSTReadStackTemplates"})
"""Every statement a default deployer (secrets, Live Lambda, RDS migrations; SST 2.49.8) needs."""

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
                        lost=None if lost is None else {"deployer": lost}, settings=SST, **kw))  # type: ignore[arg-type]


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
    Verdict((Finding(("deployer",), ("NotAction",), ADMIN),),
            xfail="issue 11 item 5: PowerUserAccess is unknown to the pack and NotAction Allows are not "
                  "counted as administrator"))

attached(
    """A shared customer-managed policy outside the stack (``org/shared-deploy-extras``)
    attached next to the deployer's policy. Its document is not in the stack and the pack
    was given none: issue 11 item 3, "a boundary or attachment that is still unseen is
    reported, never silent". It cannot take anything away unless it holds a Deny, which
    cannot be known: the report names the policy ARN (level configurable; at least
    advisory).""",
    "shared",
    Verdict((Finding(("deployer", "extra-attachment"), ("shared-deploy-extras",), level="advisory"),),
            xfail="issue 11 item 3: an attachment of a policy outside the stack is silent"),
    lost=None)


# ----------------------------------------------------------------- PolicyAttachment


def _policy_attachment(variant: str, why: str, update: Verdict, preview: Verdict,
                       lost: frozenset[str]) -> Scenario:
    return add(Scenario(f"policy-attachment-{variant}", "policy_attachment.py", why,
                        {"scenario:variant": variant}, update, preview,
                        lost={"deployer": lost}, settings=SST))


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
    Verdict((Finding(("deployer", "share-deployer-policy"), ("share-deployer-policy",)),), xfail=ISSUE_11_DETACH),
    Verdict((Finding(("deployer", "share-deployer-policy"), ("share-deployer-policy",)),), xfail=ISSUE_11_DETACH),
    EVERY_SID)

_policy_attachment(
    "with-deployer",
    """The same PolicyAttachment listing the deployer's role as well: afterwards the policy
    is attached to exactly the CI reader and the deployer (pulumi-aws docs above), so the
    deployer keeps everything: an equivalent arrangement that must pass.""",
    PASS, PASS, frozenset())


# ----------------------------------------------------------------- a hand-tagged role's arrangements


def _tagged(variant: str, why: str, update: Verdict, preview: Verdict | None = None,
            lost: frozenset[str] | None = frozenset()) -> Scenario:
    return add(Scenario(f"tagged-{variant}", "tagged_role.py", why, {"scenario:variant": variant},
                        update, preview or update, lost=None if lost is None else {"sst-deployer": lost},
                        settings=SST))


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
        Verdict((Finding(("sst-deployer",), ("managedPolicyArns",)),), xfail=ISSUE_11_DETACH), lost=EVERY_SID)
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
        Verdict((Finding(("sst-deployer",), ("inlinePolicies",)),), xfail=ISSUE_11_DETACH), lost=EVERY_SID)
_tagged("inline-declared", """The document as an ``inlinePolicies`` block on the role: the
    exclusive inline set holds it: passes.""", PASS)
_tagged("inline-exclusive-without", """A RolePoliciesExclusive listing only 'other' next to the
    RolePolicy 'sst': "Policies attached to this role but not configured in this argument
    will be removed" (pulumi-aws ``iam.RolePoliciesExclusive``): 'sst' is deleted: everything
    is lost; the message names the RolePoliciesExclusive.""",
        Verdict((Finding(("sst-deployer", "only-these-inline"), ("only-these-inline",)),), xfail=ISSUE_11_DETACH),
        lost=EVERY_SID)
_tagged("inline-exclusive-with", """RolePoliciesExclusive listing 'sst' and 'other': 'sst' is kept:
    passes.""", PASS)
_tagged("exclusive-without", """A RolePolicyAttachmentsExclusive listing only the organisation's baseline policy next
    to the RolePolicyAttachment of the deployer's policy: "Policies attached to this role but
    not configured in this argument will be removed" (pulumi-aws
    ``iam.RolePolicyAttachmentsExclusive``): the deployer's policy is detached: everything is
    lost; the message names the RolePolicyAttachmentsExclusive.""",
        Verdict((Finding(("sst-deployer", "only-these"), ("only-these",)),), xfail=ISSUE_11_DETACH),
        lost=EVERY_SID)
_tagged("exclusive-with", """RolePolicyAttachmentsExclusive listing the baseline and the
    deployer's policy: kept: passes.""", PASS)


# ----------------------------------------------------------------- the component's role pinned

for _v, _why, _verdict, _lost in (
    ("without", """The organisation pins the DeployerRole's role with a RolePolicyAttachmentsExclusive
     listing only the organisation's baseline policy: the component's own policy is detached on every update
     (pulumi-aws ``iam.RolePolicyAttachmentsExclusive``): everything lost; the message names
     'pinned'. In a preview the role name is unknown (auto-named) but ``roleName``'s property
     dependency names the component's role.""",
     Verdict((Finding(("deployer", "pinned"), ("pinned",)),), xfail=ISSUE_11_DETACH), EVERY_SID),
    ("with", """The same pin listing the deployer's own policies too (and the baseline): nothing is removed: passes.""",
     PASS, frozenset()),
):
    add(Scenario(f"component-exclusive-{_v}", "component_exclusive.py", _why, {"scenario:variant": _v},
                 _verdict, _verdict, lost={"deployer": _lost}, settings=SST))


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
    Verdict((Finding(("deployer-444455556666",), ("AllowSSTManageBootstrapBucket",)),),
            xfail="issue 11 item 2: roles are matched by name alone, so account A's role is blamed too"),
    Verdict((Finding(("deployer-444455556666",), ("AllowSSTManageBootstrapBucket",)),),
            xfail="issue 11 item 2 and 4: in a preview the known Deny is not judged"),
    lost={"deployer-112233445566": frozenset(), "deployer-444455556666": frozenset({"AllowSSTManageBootstrapBucket"})}))
add(Scenario(
    "two-accounts-guard-a", "two_accounts.py", _TWO.format(a=A, b=B) + """The same Deny attached with
    account A's provider: A's role loses AllowSSTManageBootstrapBucket, B's is untouched.""",
    {"scenario:variant": "guard-a"},
    Verdict((Finding(("deployer-112233445566",), ("AllowSSTManageBootstrapBucket",)),),
            xfail="issue 11 item 2: roles are matched by name alone, so account B's role is blamed too"),
    Verdict((Finding(("deployer-112233445566",), ("AllowSSTManageBootstrapBucket",)),),
            xfail="issue 11 item 2 and 4: in a preview the known Deny is not judged"),
    lost={"deployer-112233445566": frozenset({"AllowSSTManageBootstrapBucket"}), "deployer-444455556666": frozenset()}))

_ = json  # documents below are built with json


# ----------------------------------------------------------------- guardrails (request context: issue 9)

ISSUE_9 = "issue 9"
EU = DeployerSettings(account=A, regions=("eu-west-1",), sst_version="2.49.8")


def _guard(id_: str, why: str, document: dict[str, object], update: Verdict, preview: Verdict | None = None, *,
           trust: str = "people", regions: str = "us-east-1", lost: frozenset[str] | None = frozenset()) -> Scenario:
    if preview is None:  # the same findings; a pass is a pass in a preview too
        preview = Verdict(update.findings, xfail=PREVIEW_UNJUDGED) if update.findings else PASS
    return add(Scenario(
        f"guardrail-{id_}", "guardrail.py", why,
        {"scenario:document": json.dumps(document), "scenario:trust": trust, "scenario:regions": regions},
        update, preview, lost=None if lost is None else {"deployer": lost},
        settings=EU if regions == "eu-west-1" else SST, mfa=trust == "people"))


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
       Verdict(xfail=ISSUE_9 + ": a region lock that cannot hold for SST's requests is reported as a risk"))

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
       Verdict(xfail=ISSUE_9 + ": a region lock exempting global services is reported as a risk"),
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
       Verdict(xfail=ISSUE_9 + ": an MFA Deny that cannot hold for MFA-only trust is reported as a risk"))
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
       Verdict(xfail=ISSUE_9 + ": a tag Deny that excludes exactly SST's tagged resources is reported as a risk"))
_guard("team-functions", """A tag guardrail: Deny lambda:* unless the function is tagged
    team=platform (StringNotEquals aws:ResourceTag/team platform). SST's app functions carry
    sst:app, not team: the key is missing and a negated operator then holds (IAM User Guide,
    condition operators): restarting functions after a secret changes is denied:
    AllowSSTCLIRestartAppFunction is lost.""",
       _deny("OnlyTeamFunctions", {"StringNotEquals": {"aws:ResourceTag/team": "platform"}}, action="lambda:*"),
       Verdict((Finding(("deployer",), ("AllowSSTCLIRestartAppFunction",)),)),
       lost=frozenset({"AllowSSTCLIRestartAppFunction"}))

_OTHER_BUCKETS = [f"arn:aws:s3:::acme-team{n}-data" for n in range(150)] + [
    f"arn:aws:s3:::acme-team{n}-data/*" for n in range(150)]
_guard("long-deny-miss", """A data-protection guardrail: Deny s3:* on 300 literal ARNs of other
    teams' buckets and their objects. None matches SST's buckets (cdk-hnb659fds-assets-*,
    sstbootstrap-*): nothing is lost, passes.""",
       _deny("ProtectTeamData", action="s3:*", resource=_OTHER_BUCKETS),
       Verdict(xfail=ISSUE_9 + " item 4: 'too complex to verify' for a list of literal ARNs"), PASS)
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
       Verdict(xfail=ISSUE_9 + ": the page's '*' is judged as every ARN, so a Deny on other resources looks like "
               "a loss of ListImports/IoT"))
