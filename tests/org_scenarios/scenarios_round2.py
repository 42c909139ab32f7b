"""Round two of the organisation scenarios: arrangements the first library did not cover
(a second adversary's view), same machinery (:mod:`spec`, :mod:`capture`, :mod:`world`,
:mod:`bruteforce`). Each verdict is reasoned from AWS IAM's evaluation logic and the
provider's semantics; ``lost`` is cross-checked by the brute-force evaluator where the
end state holds only documents it can read.

Sources used throughout:
IAM User Guide, "Policy evaluation logic" and "Condition operators" (a negated operator and
``...IfExists`` hold when the key is missing; ``ForAllValues`` holds when the request has no
such key: "ForAllValues ... returns true if there are no keys in the request"),
"IAM JSON policy elements: Action" (action names are case-insensitive), "Statement"
(one statement object or an array), "aws:RequestedRegion" (IAM's requests are in us-east-1),
"aws:PrincipalTag" (a role session's principal tags are the role's tags);
pulumi-aws ``Provider.defaultTags`` ("applied to all resources ... tags_all").
"""

from __future__ import annotations

import json

from .scenarios import ADMIN, INTACT, TRUST
from .spec import PASS, Finding, Library, Scenario, Verdict

ROUND2 = Library()
add = ROUND2.add

_GLOBAL = ["iam:*", "sts:*", "organizations:*", "route53:*", "cloudfront:*", "support:*", "budgets:*"]
SST_SERVICES = ["cloudformation:*", "ecr:*", "iam:*", "iot:*", "lambda:*", "rds-data:*", "s3:*", "ssm:*", "sts:*"]


def _st(sid: str, effect: str = "Deny", condition: dict[str, object] | None = None, **kw: object) -> dict[str, object]:
    st: dict[str, object] = {"Sid": sid, "Effect": effect, **kw}
    if "Resource" not in st and "NotResource" not in st:
        st["Resource"] = "*"
    if condition:
        st["Condition"] = condition
    return st


def _doc(*statements: dict[str, object]) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def guard(id_: str, why: str, document: object, update: Verdict, preview: Verdict | None = None, *,
          trust: str = "people", regions: str = "us-east-1", lost: frozenset[str] | None = frozenset(),
          tags: str = "{}") -> Scenario:
    """The component's role with ``document`` attached as the organisation's guardrail."""
    return add(Scenario(
        f"r2-guard-{id_}", "guardrail.py", why,
        {"scenario:document": json.dumps(document), "scenario:trust": trust, "scenario:regions": regions,
         "scenario:tags": tags},
        update, preview or update, lost=None if lost is None else {"deployer": lost}, mfa=trust == "people"))


def r2(id_: str, why: str, update: Verdict, preview: Verdict | None = None, *, variant: str = "component",
       lost: frozenset[str] | None = frozenset(), role: str | None = None, **options: object) -> Scenario:
    """The ``round2.py`` program with its options (``scenario:<key>``; objects as JSON)."""
    config = {"scenario:variant": variant, **{f"scenario:{k}": v if isinstance(v, str) else json.dumps(v)
                                                for k, v in options.items()}}
    name = role or ("deployer" if variant == "component" else "sst-deployer")
    return add(Scenario(f"r2-{id_}", "round2.py", why, config, update, preview or update,
                        lost=None if lost is None else {name: lost}))


def lost_on(role: str, *says: str) -> Verdict:
    return Verdict((Finding((role,), says, INTACT),))


# ----------------------------------------------------------------- NotAction Denies

guard("notaction-covers-sst", """An "only these services" guardrail: Deny NotAction [every service
    SST calls: cloudformation, ecr, iam, iot, lambda, rds-data, s3, ssm, sts] on *. A NotAction
    Deny applies to every action *not* listed (IAM User Guide, NotAction); every SST request is
    listed: nothing is lost, passes.""",
      _doc(_st("OnlyDeployServices", NotAction=SST_SERVICES)), PASS)

guard("notaction-misses-iot", """The same guardrail without iot:*: Live Lambda's IoT calls
    (iot:DescribeEndpoint, Connect, Subscribe, Publish, Receive) are not listed, so the Deny
    applies to them: AllowSSTLiveLambdaSocketConnection is lost; nothing else.""",
      _doc(_st("OnlyDeployServices", NotAction=[a for a in SST_SERVICES if a != "iot:*"])),
      lost_on("deployer", "AllowSSTLiveLambdaSocketConnection"),
      lost=frozenset({"AllowSSTLiveLambdaSocketConnection"}))

guard("notaction-case", """The services named in another case (``CloudFormation:*``, ``S3:*``...):
    action names are case-insensitive (IAM User Guide, Action element), so it is the same
    guardrail as notaction-covers-sst: passes.""",
      _doc(_st("OnlyDeployServices", NotAction=[a.upper() for a in SST_SERVICES])), PASS)


# ----------------------------------------------------------------- ...IfExists and set operators

guard("region-ifexists-home", """An SCP-style region lock written with StringNotEqualsIfExists
    aws:RequestedRegion us-east-1 (global services exempted) on a us-east-1 deployer. Every SST
    request carries aws:RequestedRegion us-east-1, so the condition is false: passes.""",
      _doc(_st("RegionLock", NotAction=_GLOBAL,
               condition={"StringNotEqualsIfExists": {"aws:RequestedRegion": ["us-east-1"]}})), PASS)

guard("region-ifexists-eu-no-exemption", """StringNotEqualsIfExists aws:RequestedRegion eu-west-1,
    Deny * with no exemption, on an eu-west-1 deployer: IAM's requests are in us-east-1, so
    every IAM call is denied: AllowCDKManageToolkitRoles is lost (as with StringNotEquals).""",
      _doc(_st("RegionLock", Action="*",
               condition={"StringNotEqualsIfExists": {"aws:RequestedRegion": "eu-west-1"}})),
      lost_on("deployer", "AllowCDKManageToolkitRoles"),
      regions="eu-west-1", lost=frozenset({"AllowCDKManageToolkitRoles"}))

guard("forallvalues-tagkeys", """A tag-key guardrail written with the wrong set operator: Deny *
    when ForAllValues:StringNotEquals aws:TagKeys [team, sst:app]. ForAllValues holds when the
    request has no aws:TagKeys (IAM User Guide, "Multivalued context keys": "returns true if
    there are no keys in the request"). A Describe/Get/List request carries no tag keys (aws:TagKeys
    is a key only of actions that take tags, Service Authorization Reference): those calls are
    proven denied, e.g. AllowSSTMonitorStackDeployment's DescribeStacks. Issue 15: calls that may
    send tags (CreateStack with the app's stack tags) are undecided, advice only; the brute force
    cannot know which requests carry tags, so no cross-check.""",
      _doc(_st("TagKeys", Action="*",
               condition={"ForAllValues:StringNotEquals": {"aws:TagKeys": ["team", "sst:app"]}})),
      lost_on("deployer", "AllowSSTMonitorStackDeployment"), lost=None)

guard("principal-account-other", """Deny * when aws:PrincipalAccount is not the deployer's own
    account: the deployer's sessions are always in its account, the condition never holds:
    passes.""",
      _doc(_st("OwnAccountOnly", Action="*", condition={"StringNotEquals": {"aws:PrincipalAccount": "112233445566"}})),
      PASS)


# ----------------------------------------------------------------- document shapes

guard("single-statement-string-resource", """The guardrail written tersely: Statement one object
    (not a list), Resource one string, Action one string: Deny ssm:PutParameter on
    arn:aws:ssm:us-east-1:112233445566:parameter/sst/*. IAM accepts every one of these shapes
    (IAM JSON policy grammar). Writing app secrets and fallback secrets (both under /sst/) is
    denied: AllowSSTCLIManageAppSecrets and AllowSSTCLIManageFallbackSecrets are lost.""",
      {"Version": "2012-10-17", "Statement": {"Sid": "NoSecretWrites", "Effect": "Deny", "Action": "ssm:PutParameter",
                                              "Resource": "arn:aws:ssm:us-east-1:112233445566:parameter/sst/*"}},
      lost_on("deployer", "AllowSSTCLIManageAppSecrets"),
      lost=frozenset({"AllowSSTCLIManageAppSecrets", "AllowSSTCLIManageFallbackSecrets"}))

guard("action-upper-case", """Deny ``SSM:PUTPARAMETER`` on *: action names are case-insensitive
    (IAM User Guide, Action element): every PutParameter SST makes is denied (bootstrap version
    parameter, app and fallback secrets).""",
      _doc(_st("NoWrites", Action="SSM:PUTPARAMETER")),
      lost_on("deployer", "AllowSSTCLIManageAppSecrets"),
      lost=frozenset({"AllowSSTCLIManageAppSecrets", "AllowSSTCLIManageFallbackSecrets",
                      "AllowCDKManageToolkitVersionParameter"}))

guard("notresource-other-buckets", """Deny s3:* with NotResource [the CDK assets buckets and their
    objects]: every S3 request on another bucket is denied, SST's own sstbootstrap-* bucket
    included: AllowSSTManageBootstrapBucket is lost.""",
      _doc(_st("OnlyAssets", Action="s3:*", NotResource=["arn:aws:s3:::cdk-hnb659fds-assets-*",
                                                          "arn:aws:s3:::cdk-hnb659fds-assets-*/*"])),
      lost_on("deployer", "AllowSSTManageBootstrapBucket"),
      lost=frozenset({"AllowSSTManageBootstrapBucket"}))


# ----------------------------------------------------------------- default tags, strict profile, object policies

r2("default-tags-principal-tag", """An ABAC guardrail (Deny * unless aws:PrincipalTag/team is
    platform) on the component's role, where team=platform comes from the provider's
    ``defaultTags`` (the organisation's usual way to tag everything). pulumi-aws applies default
    tags to the role (its ``tagsAll``), so the role carries team=platform in AWS and its
    sessions have aws:PrincipalTag/team platform: passes. (No brute-force check: the end-state
    model reads only the role's own tags.)""",
   PASS, lost=None, defaultTags={"team": "platform"},
   document=_doc(_st("PlatformOnly", Action="*", condition={"StringNotEquals": {"aws:PrincipalTag/team": "platform"}})))

r2("default-tags-principal-tag-other", """The same with defaultTags team=data: the session's
    principal tag is data, the Deny holds for every call: everything is lost. (No brute-force
    check, as above.)""",
   lost_on("deployer", "AllowSSTDeployStacks"), lost=None, defaultTags={"team": "data"},
   document=_doc(_st("PlatformOnly", Action="*", condition={"StringNotEquals": {"aws:PrincipalTag/team": "platform"}})))

r2("strict-profile", """The component with ``policyProfile: strict`` through an explicit provider,
    nothing else: the component's own documents must satisfy the pack (its requirements for a
    strict deployer): passes. (No brute-force check: its requests are named per account and
    region, which the reference's page-shaped needs do not model.)""", PASS, lost=None, profile="strict")

r2("strict-profile-guardrail-hit", """The strict component with Deny cloudformation:CreateStack
    on *: deploying stacks is denied: AllowSSTDeployStacks (or its strict equivalent) is lost.""",
   Verdict((Finding(("deployer",), ("cloudformation:CreateStack",), INTACT),)), lost=None, profile="strict",
   document=_doc(_st("NoNewStacks", Action="cloudformation:CreateStack")))

r2("inline-object-deny", """A RolePolicy whose ``policy`` is an object (pulumi-aws accepts a dict;
    the engine shows it as an object, not a JSON string) holding Deny lambda:* on *: SST's
    function restarts are denied: AllowSSTCLIRestartAppFunction is lost.""",
   lost_on("deployer", "AllowSSTCLIRestartAppFunction"), lost=frozenset({"AllowSSTCLIRestartAppFunction"}),
   inline=_doc(_st("NoLambda", Action="lambda:*")))

r2("guard-object-admin", """A managed Policy whose ``policy`` is an object granting Allow * on *
    under StringLikeIfExists aws:PrincipalArn "*" (always true) in stack 'production':
    administrator access outside a sandbox.""",
   Verdict((Finding(("deployer",), (), ADMIN),)), lost=None,
   document=_doc(_st("Everything", "Allow", Action="*",
                     condition={"StringLikeIfExists": {"aws:PrincipalArn": "*"}})))


# ----------------------------------------------------------------- trust shapes (hand-tagged role)


def _trust(*statements: dict[str, object]) -> dict[str, object]:
    return _doc(*statements)


_MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
_GH = "arn:aws:iam::112233445566:oidc-provider/token.actions.githubusercontent.com"

r2("trust-bare-account-id", """Trust ``Principal: {"AWS": "112233445566"}`` (a bare account id is
    the account root, IAM User Guide, "AWS account principals") with no condition: any
    principal of the account the account allows may assume the deployer: "an account root
    without any condition" is a trust violation.""",
   Verdict((Finding(("sst-deployer",), (), TRUST),)), variant="tagged", lost=None,
   trust=_trust({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "112233445566"}}))

r2("trust-tag-session-mfa", """Trust for the account's people with MFA, Action [sts:AssumeRole,
    sts:TagSession, sts:SetSourceIdentity] (IAM User Guide: session tags and source identity
    need these in the trust policy): nothing risky added: passes.""",
   PASS, variant="tagged", lost=None,
   trust=_trust({"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
                 "Principal": {"AWS": "arn:aws:iam::112233445566:root"}, "Condition": _MFA}))

r2("trust-github-stringlike-one-repo", """GitHub OIDC with StringLike sub
    ``repo:acme/storefront:*`` (any branch of one repository, GitHub's documented form) and
    StringEquals aud sts.amazonaws.com: pinned to one repository: passes.""",
   PASS, variant="tagged", lost=None,
   trust=_trust({"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {"Federated": _GH},
                 "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                               "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/storefront:*"}}}))

r2("trust-github-org-wildcard", """GitHub OIDC with StringLike sub ``repo:acme/*`` (every repository
    of the organisation) and no aud: not pinned to one repository (allowRepositoryWildcards
    false by default): a trust violation.""",
   Verdict((Finding(("sst-deployer",), (), TRUST),)), variant="tagged", lost=None,
   trust=_trust({"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {"Federated": _GH},
                 "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*"}}}))

r2("trust-github-sub-ifexists", """GitHub OIDC with StringLikeIfExists sub ``repo:acme/storefront:*``
    and aud pinned: ...IfExists only differs when the key is missing, and every token GitHub's
    OIDC provider issues carries ``sub`` (GitHub docs, "About security hardening with OpenID
    Connect", the token's claims): pinned to one repository: passes.""",
   PASS, variant="tagged", lost=None,
   trust=_trust({"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {"Federated": _GH},
                 "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                               "StringLikeIfExists": {"token.actions.githubusercontent.com:sub":
                                                      "repo:acme/storefront:*"}}}))


# ----------------------------------------------------------------- PolicyAttachment with groups only

r2("policy-attachment-groups", """The component's policy shared with the group ``ci-deployers`` by a
    PolicyAttachment listing only ``groups``: pulumi-aws ``iam.PolicyAttachment`` "creates
    exclusive attachments ... all of the users/roles/groups to which a single policy is attached
    must be declared by a single iam.PolicyAttachment" -- afterwards the policy is attached to
    that group alone, detached from the deployer's role: everything is lost, naming the
    PolicyAttachment. (No brute-force check: the end-state model reads ``roles`` only.)""",
   Verdict((Finding(("deployer", "share-deployer-policy"), ("share-deployer-policy",)),)), lost=None,
   share="groups")


# ----------------------------------------------------------------- AWS managed policies by path and with Denies


def _attach(id_: str, why: str, variant: str, update: Verdict) -> Scenario:
    return add(Scenario(f"r2-attach-{id_}", "attach_more.py", why, {"scenario:variant": variant}, update, update))


_attach("service-role-path", """An AWS managed policy under a path,
    ``arn:aws:iam::aws:policy/service-role/AWSLambdaRole`` (lambda:InvokeFunction on *; AWS
    managed policy reference), attached next to the deployer's policy: Allows only: passes.""",
        "aws:service-role/AWSLambdaRole", PASS)
_attach("deny-all", """AWS's ``AWSDenyAll`` (Deny * on *; AWS managed policy reference) attached to
    the deployer: every call is denied: everything is lost, naming the policy.""",
        "aws:AWSDenyAll", Verdict((Finding(("deployer",), ("AllowSSTDeployStacks", "AWSDenyAll"), INTACT),)))


# ----------------------------------------------------------------- a boundary given in knownPolicies

_BOUNDARY = "arn:aws:iam::112233445566:policy/org-deployer-boundary"


def _boundary(id_: str, why: str, document: object, update: Verdict) -> Scenario:
    return add(Scenario(f"r2-boundary-{id_}", "boundary.py", why, {"scenario:variant": "outside"}, update, update,
                        pack_config={"sst-deployer-unseen-policies": {"knownPolicies": {_BOUNDARY: document}}}))


_boundary("notaction-iam-string", """A boundary managed elsewhere, given in knownPolicies as JSON
    *text* in the terse shape (Statement one object, NotAction one string): Allow NotAction
    iam:* on *. A boundary caps the role at what it allows (IAM User Guide, permissions
    boundaries): no IAM action is allowed, so AllowCDKManageToolkitRoles (iam:CreateRole,
    PassRole... on the CDK roles) is outside it; sts:AssumeRole is not iam:*: kept.""",
          json.dumps({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "NotAction": "iam:*",
                                                              "Resource": "*"}}),
          Verdict((Finding(("deployer",), ("org-deployer-boundary", "AllowCDKManageToolkitRoles"), INTACT),)))
_boundary("notaction-deny", """A boundary given as an object: Allow * on *, and Deny NotAction
    [cloudformation:*, s3:*, ssm:*, sts:*, iam:*, ecr:*, lambda:*, rds-data:*] -- iot:* not
    exempt. A Deny in a boundary denies (IAM User Guide, policy evaluation): Live Lambda's IoT
    calls are denied: AllowSSTLiveLambdaSocketConnection is lost.""",
          _doc(_st("Everything", "Allow", Action="*"),
               _st("OnlyThese", NotAction=[a for a in SST_SERVICES if a != "iot:*"])),
          Verdict((Finding(("deployer",), ("AllowSSTLiveLambdaSocketConnection",), INTACT),)))


# ----------------------------------------------------------------- exemptions by principal, variables, tag-key case

_EXEMPT = """A guardrail that exempts the deployer by its ARN: Deny s3:* unless aws:PrincipalArn is
    like the given ARN. For a role session aws:PrincipalArn is the *role's* ARN
    (arn:aws:iam::<account>:role/<name>), not the assumed-role session ARN (IAM User Guide,
    aws:PrincipalArn: "the ARN of the role, not the ARN of the role session"). """
r2("exempt-by-role-arn", _EXEMPT + """Here the exemption names arn:aws:iam::112233445566:role/sst-*:
    the hand-tagged role 'sst-deployer' is exempt: passes. In a preview of the new role its
    ARN is not known yet, but its name, path and account are, and so is its ARN
    (IAM identifiers: arn:aws:iam::<account>:role<path><name>). (No brute-force check: the
    reference's request context has no aws:PrincipalArn.)""",
   PASS, variant="tagged", lost=None,
   document=_doc(_st("OnlyDeployersTouchS3", Action="s3:*",
                     condition={"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::112233445566:role/sst-*"}})))
r2("exempt-by-session-arn", _EXEMPT + """Here the exemption names the session form
    arn:aws:sts::112233445566:assumed-role/sst-deployer/*, which aws:PrincipalArn never is: the
    Deny holds for every S3 call: the bucket statements are lost.""",
   lost_on("sst-deployer", "AllowSSTManageBootstrapBucket"), variant="tagged", lost=None,
   document=_doc(_st("OnlyDeployersTouchS3", Action="s3:*", condition={"ArnNotLike": {
       "aws:PrincipalArn": "arn:aws:sts::112233445566:assumed-role/sst-deployer/*"}})))
r2("own-account-variable", """The usual "no cross-account data" guardrail: Deny s3:* when
    StringNotEquals aws:ResourceAccount "${aws:PrincipalAccount}". Policy variables are resolved
    in condition values (IAM User Guide, "IAM policy elements: Variables and tags": "you can use
    policy variables ... in string comparisons in the Condition element"); SST's buckets are in
    the deployer's own account, so the condition is false: passes. (No brute-force check: the
    reference evaluator does not resolve variables.)""",
   PASS, lost=None,
   document=_doc(_st("NoCrossAccountS3", Action="s3:*",
                     condition={"StringNotEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}})))
r2("tag-key-case", """An ABAC guardrail (Deny * unless aws:PrincipalTag/team is platform) on a
    hand-tagged deployer tagged ``Team=platform``: condition key names, the tag key in
    aws:PrincipalTag/<key> included, are case-insensitive (IAM User Guide, "IAM JSON policy
    elements: Condition": "Condition key names are not case-sensitive"): passes.""",
   PASS, variant="tagged", lost=None, tags={"Team": "platform"},
   document=_doc(_st("PlatformOnly", Action="*", condition={"StringNotEquals": {"aws:PrincipalTag/team": "platform"}})))


# ----------------------------------------------------------------- administrator access in other spellings

_ADM = """Issue 11 item 5 / README: any Allow of every action on every resource under no condition
    (or one that always holds) is administrator access outside a sandbox. """


def _admin(id_: str, why: str, statement: dict[str, object], update: Verdict) -> Scenario:
    return r2(f"admin-{id_}", _ADM + why, update, lost=None, document=_doc(statement))


_admin("arn-star-star", """Resource ``arn:*:*``: every ARN has at least five colons, so ``arn:*:*``
    matches every ARN (IAM wildcards match across colons, IAM User Guide, Resource element), and
    actions without a resource type are authorised against ``*``... which ``arn:*:*`` does not
    match; every action on every ARN is still administrator access in practice (iam:*,
    sts:AssumeRole on any role).""",
       _st("Everything", "Allow", Action="*", Resource="arn:*:*"), Verdict((Finding(("deployer",), (), ADMIN),)))
_admin("action-list", """``Action: ["*"]`` (a list) on ``Resource: ["*"]``.""",
       _st("Everything", "Allow", Action=["*"], Resource=["*"]), Verdict((Finding(("deployer",), (), ADMIN),)))
_admin("notaction-passrole", """Allow NotAction iam:PassRole on *: every action but one.""",
       _st("AlmostEverything", "Allow", NotAction="iam:PassRole"), Verdict((Finding(("deployer",), (), ADMIN),)))
_admin("principal-account-variable", """Allow * on * under StringEquals aws:ResourceAccount
    "${aws:PrincipalAccount}": every action on the role's own account's resources, which is administrator access of the
    account (policy variables resolve in condition values, IAM User Guide, policy variables).
    The condition does not hold on every request (calls on "*" or other accounts' resources), but
    it holds on the escalating ones: iam:PutRolePolicy, iam:PassRole... on the account's own roles
    carry aws:ResourceAccount = the account (issue 15 class 6, administrator by capability; this
    passed before): administrator access.""",
       _st("OwnAccount", "Allow", Action="*",
           condition={"StringEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}}),
       Verdict((Finding(("deployer",), ("which its escalating request meets",), ADMIN),)))


# ----------------------------------------------------------------- trust: roles and other accounts

_ROLE_TRUST = """Trust for one named role (not a user, not an account root): a role session cannot
    carry MFA (IAM User Guide, aws:MultiFactorAuthPresent), and the pack asks MFA only of users and
    account roots. """
r2("trust-own-role", _ROLE_TRUST + """The CI runner role of the same account, no condition: passes.""",
   PASS, variant="tagged", lost=None,
   trust=_trust({"Effect": "Allow", "Action": "sts:AssumeRole",
                 "Principal": {"AWS": "arn:aws:iam::112233445566:role/ci-runner"}}))
r2("trust-other-account-role", _ROLE_TRUST + """A role in another account (444455556666) without
    sts:ExternalId and not in trustedAccounts: "another account without sts:ExternalId" is a trust
    violation.""",
   Verdict((Finding(("sst-deployer",), ("444455556666",), TRUST),)), variant="tagged", lost=None,
   trust=_trust({"Effect": "Allow", "Action": "sts:AssumeRole",
                 "Principal": {"AWS": "arn:aws:iam::444455556666:role/ci-runner"}}))
r2("trust-root-mfa-age-only", """The account's people, the condition only NumericLessThan
    aws:MultiFactorAuthAge 3600: the key is absent from sessions without MFA, and a non-negated
    operator on a missing key is false (IAM User Guide, condition operators), so only MFA sessions
    may assume it: MFA is required: passes.""",
   PASS, variant="tagged", lost=None,
   trust=_trust({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::112233445566:root"},
                 "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}}))
r2("trust-root-mfa-bool-ifexists", """The account's people under BoolIfExists
    aws:MultiFactorAuthPresent true: a session of a long-term access key has no such key
    (IAM User Guide, aws:MultiFactorAuthPresent: "not present ... long-term credentials"), and
    ...IfExists then holds: users without MFA may assume it: a trust violation (MFA).""",
   Verdict((Finding(("sst-deployer",), ("MFA",), TRUST),)), variant="tagged", lost=None,
   trust=_trust({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::112233445566:root"},
                 "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}}))


r2("policy-attachment-split", """The component's policy shared through *two* PolicyAttachments,
    one listing the CI reader role, one the deployer's role. pulumi-aws ``iam.PolicyAttachment``:
    "all of the users/roles/groups to which a single policy is attached must be declared by a
    single iam.PolicyAttachment resource"; each one attaches the policy to exactly its list and
    detaches it from everything else, so each update leaves the policy on whichever role the
    last applied attachment lists (the docs' warning). The deployer cannot count on its policy:
    a mandatory violation naming the PolicyAttachment that detaches it ('share-with-ci').
    (No brute-force check: the end state depends on the apply order.)""",
   Verdict((Finding(("deployer", "share-with-ci", "share-with-deployer"), ("share-with-ci",)),)), lost=None,
   share="split")


# ----------------------------------------------------------------- bad data in the pack's own config

_boundary("given-not-json", """The boundary given in knownPolicies as text that is not JSON (a
    copy-paste slip in pack-config.json): the pack cannot read the boundary it was promised, so
    the role is not judged against it; bad data is a violation saying so, never a crash or a
    silent pass (README, "Bad data"): a diagnostic naming the boundary, any level.""",
          '{"Version": "2012-10-17", "Statement": [',
          Verdict((Finding(("deployer",), ("org-deployer-boundary",), level=None),)))
_boundary("given-wrong-shape", """The boundary given in knownPolicies as a list of statements
    instead of a policy document: the wrong shape: a diagnostic naming the boundary, any level,
    never a crash.""",
          [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
          Verdict((Finding(("deployer",), ("org-deployer-boundary",), level=None),)))


# ----------------------------------------------------------------- JSON booleans where IAM's examples write strings

_NO_MFA = _doc(_st("DenyWithoutMFA", NotAction=["iam:ListMFADevices", "sts:GetSessionToken"],
                   condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": False}}))
guard("mfa-bool-json-people", """The MFA guardrail written from a Python dict, so its value is the
    JSON boolean false, not the string "false" (IAM reads both: the policy grammar's condition
    values are strings, numbers or booleans): people assume the deployer with MFA: passes.""",
      _NO_MFA, PASS)
guard("mfa-bool-json-github", """The same guardrail on a deployer only GitHub Actions assumes (no
    MFA): every call but the two exempt ones is denied: everything is lost.""",
      _NO_MFA, lost_on("deployer", "AllowSSTDeployStacks"), trust="github", lost=None)
r2("trust-mfa-bool-json", """Trust for the account's people with Bool aws:MultiFactorAuthPresent
    true written as the JSON boolean true: MFA is required: passes.""",
   PASS, variant="tagged", lost=None,
   trust=_trust({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::112233445566:root"},
                 "Condition": {"Bool": {"aws:MultiFactorAuthPresent": True}}}))


def _sst_actions() -> list[str]:
    from sst_deployer.permissions import grants_for
    from sst_deployer.settings import DeployerSettings

    s = DeployerSettings(account="112233445566", regions=("us-east-1",), sst_version="2.49.8")
    return sorted({a for g in grants_for(s) for a in g.actions})


guard("notaction-exact-sst-actions", """A guardrail that allows nothing beyond SST's page: Deny
    NotAction [every action the page names, exactly] on *. Every request SST makes is one of those
    actions, so the Deny applies to none of them: passes.""",
      _doc(_st("OnlySST", NotAction=_sst_actions())), PASS)
guard("notaction-exact-minus-listimports", """The same list without cloudformation:ListImports:
    SST's ListImports call (on "*", no resource type) is denied: AllowSSTListStackImports is
    lost.""",
      _doc(_st("OnlySST", NotAction=[a for a in _sst_actions() if a != "cloudformation:ListImports"])),
      lost_on("deployer", "AllowSSTListStackImports"), lost=frozenset({"AllowSSTListStackImports"}))



# ----------------------------------------------------------------- a trust not known yet in a preview

_ABAC = _doc(_st("PlatformOnly", Action="*", condition={"StringNotEquals": {"aws:PrincipalTag/team": "platform"}}))
r2("oidc-in-stack-abac", """A hand-tagged deployer for GitHub Actions whose trust names the
    OpenIdConnectProvider made in the same stack (its ARN, so the trust document, is unknown in a
    preview), tagged team=platform, with the ABAC guardrail Deny * unless aws:PrincipalTag/team is
    platform. After the update the trust is known and allows no sts:TagSession, so the sessions'
    principal tags are the role's (IAM User Guide, session tags): team=platform: passes. In a
    preview only the trust is not known yet; the README's rule for what is not known yet ("a
    missing Allow is only reported once every document is known, never guessed"; a role whose
    account is unknown "is blamed only for what it lacks whatever its account turns out to be")
    means nothing that the unknown trust could still make harmless may block: no mandatory
    diagnostic in the preview either (advice is free). Blocking the preview blocks ``pulumi up``,
    which runs one first, on a stack that is correct.""",
   PASS, variant="tagged", lost=None, trust="oidc-in-stack", tags={"team": "platform"}, document=_ABAC)
r2("oidc-in-stack-mfa-guardrail", """The same deployer with the MFA guardrail (Deny all but MFA
    self-service when BoolIfExists aws:MultiFactorAuthPresent false). GitHub's web-identity
    sessions have no MFA: after the update everything is lost. In a preview the trust is unknown:
    whether the Deny holds is judged once the trust is known (the update), as for the user below.""",
   lost_on("sst-deployer", "AllowSSTDeployStacks"), PASS,
   variant="tagged", lost=None, trust="oidc-in-stack", document=_NO_MFA)
r2("user-in-stack-mfa-guardrail", """A hand-tagged deployer assumed by one user made in the same stack,
    with Bool aws:MultiFactorAuthPresent true in the trust (the user's id, so the trust document, is
    unknown in a preview), and the MFA guardrail (Deny when BoolIfExists aws:MultiFactorAuthPresent
    false). Every session has MFA (IAM User Guide, aws:MultiFactorAuthPresent), so the Deny never
    holds: the update passes. In the preview only the trust is unknown, and the README says what is
    not known yet is not guessed ("a missing Allow is only reported once every document is
    known"; a role whose account is unknown "is blamed only for what it lacks whatever its account
    turns out to be"): the Deny is harmless for the trust this stack will have, so no mandatory
    diagnostic in the preview. A mandatory one fails ``pulumi preview`` and the preview step of
    ``pulumi up``: the correct stack can never be deployed.""",
   PASS, variant="tagged", lost=None, trust="user-in-stack-mfa", document=_NO_MFA)

r2("tag-from-output-abac", """A hand-tagged deployer whose tag team=platform is computed from another
    resource's output (unknown in a preview), with the ABAC guardrail Deny * unless
    aws:PrincipalTag/team is platform. After the update the tag is platform: passes. In the
    preview the tag's value is not known yet; as with an unknown trust, a conditional Deny that the
    known value will make harmless is judged once known, not guessed: no mandatory diagnostic.""",
   PASS, variant="tagged", lost=None, teamTag="from-output", document=_ABAC)


# ----------------------------------------------------------------- trust: wildcards and case

r2("trust-assume-wildcard-no-mfa", """Trust for the account's people with Action ``sts:Assume*``
    (covers sts:AssumeRole; IAM action wildcards) under a condition that is not MFA (StringEquals
    aws:PrincipalTag/team platform): users may assume it without MFA: a trust violation (MFA).""",
   Verdict((Finding(("sst-deployer",), ("MFA",), TRUST),)), variant="tagged", lost=None,
   trust=_trust({"Effect": "Allow", "Action": "sts:Assume*", "Principal": {"AWS": "arn:aws:iam::112233445566:root"},
                 "Condition": {"StringEquals": {"aws:PrincipalTag/team": "platform"}}}))
r2("trust-github-key-case", """GitHub OIDC with the sub key written ``...:SUB`` (condition key
    names are case-insensitive, IAM User Guide, Condition element) pinned with StringEquals to
    repo:acme/storefront:ref:refs/heads/main: pinned to one repository: passes.""",
   PASS, variant="tagged", lost=None,
   trust=_trust({"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {"Federated": _GH},
                 "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                                                "token.actions.githubusercontent.com:SUB":
                                                    "repo:acme/storefront:ref:refs/heads/main"}}}))
r2("trust-github-one-wildcard-in-list", """GitHub OIDC with StringLike sub [repo:acme/storefront:*,
    repo:acme/*]: the second subject admits every repository of the organisation (a StringLike
    list is an OR): a trust violation naming it.""",
   Verdict((Finding(("sst-deployer",), ("repo:acme/*",), TRUST),)), variant="tagged", lost=None,
   trust=_trust({"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {"Federated": _GH},
                 "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                               "StringLike": {"token.actions.githubusercontent.com:sub":
                                              ["repo:acme/storefront:*", "repo:acme/*"]}}}))
r2("trust-github-sub-negated-only", """GitHub OIDC whose only sub condition is StringNotLike
    repo:evil/*: every other repository on GitHub may assume it: not pinned: a trust violation.""",
   Verdict((Finding(("sst-deployer",), ("sub",), TRUST),)), variant="tagged", lost=None,
   trust=_trust({"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {"Federated": _GH},
                 "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                               "StringNotLike": {"token.actions.githubusercontent.com:sub": "repo:evil/*"}}}))


_admin("direct-calls-only", """Allow * on * under Bool aws:ViaAWSService false: the condition holds
    for every call the role's sessions make themselves (IAM User Guide, aws:ViaAWSService: false
    unless a service calls on the principal's behalf), so the role may do anything directly:
    administrator access.""",
       _st("Everything", "Allow", Action="*", condition={"Bool": {"aws:ViaAWSService": "false"}}),
       Verdict((Finding(("deployer",), (), ADMIN),)))
_admin("mfa-sessions", """Allow * on * under Bool aws:MultiFactorAuthPresent true, on the component's
    deployer, whose trust admits only the account's people *with MFA* (the component's default
    trust): every session of this role has MFA, the condition always holds: administrator
    access.""",
       _st("Everything", "Allow", Action="*", condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
       Verdict((Finding(("deployer",), (), ADMIN),)))


r2("strict-profile-region-lock", """The strict component with the SCP-style region lock
    (StringNotEqualsIfExists aws:RequestedRegion us-east-1, global services exempted) on its home
    region: every strict request is in us-east-1 or global: passes.""",
   PASS, lost=None, profile="strict",
   document=_doc(_st("RegionLock", NotAction=_GLOBAL,
                     condition={"StringNotEqualsIfExists": {"aws:RequestedRegion": ["us-east-1"]}})))
r2("strict-profile-mfa-people", """The strict component (default trust: the account's people with
    MFA) with the MFA guardrail: every session has MFA: passes.""",
   PASS, lost=None, profile="strict", document=_NO_MFA)
