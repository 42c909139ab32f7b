"""Issue 15 classes 3, 5, 6 and 7: who can really assume a deployer (IAM Identity Center),
OIDC issuers beyond github.com, administrator access by capability, and roles that only
look like deployers; both directions for each (the dangerous blocked, the correct passing).

Sources used throughout:
IAM User Guide, "aws:PrincipalArn" (for a role session, the role's ARN), "ARN condition
operators" (each of the six ARN parts matched alone), "aws:MultiFactorAuthPresent" (MFA is
presented by an IAM user when it assumes a role or gets a session token), "Available keys
for AWS OIDC federation" (``<provider path>:aud``/``:sub``); IAM Identity Center User Guide,
"Referencing permission sets in resource policies, Amazon S3 bucket policies, and AWS KMS key
policies" (the reserved roles ``role/aws-reserved/sso.amazonaws.com/[<region>/]AWSReservedSSO_*``,
AWS's recommended ``ArnLike aws:PrincipalArn`` condition) and "Multi-factor authentication"
(MFA is asked at sign-in; the role sessions carry no MFA key); each OIDC issuer's own docs
(cited in ``sst_deployer.trust.ISSUERS``); Rhino Security Labs, "AWS IAM Privilege Escalation
- Methods and Mitigation" (``sst_deployer.admin.CAPABILITIES``); SST v2
``packages/sst/src/bootstrap.ts``, ``config.ts``, ``iot.ts`` (SST's own names).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from .scenarios import ADMIN, EVERY_SID, INTACT, TRUST
from .spec import PASS, Finding, Library, Scenario, Verdict

TRUST_ROUND = Library()
add = TRUST_ROUND.add
A = "112233445566"
LOOKS_LIKE = "sst-deployer-unmarked-deployers"
SSO = f"arn:aws:iam::{A}:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_*"


def _doc(*statements: dict[str, object]) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def tagged(id_: str, why: str, trust: dict[str, object], update: Verdict, preview: Verdict | None = None, *,
           document: dict[str, object] | None = None, lost: frozenset[str] | None = None,
           mfa: bool | None = True, pack_config: dict[str, dict[str, object]] | None = None) -> Scenario:
    """A hand-tagged deployer (round2.py ``tagged``) with ``trust`` and, when given, the
    organisation's guardrail ``document``."""
    config = {"scenario:variant": "tagged", "scenario:trust": json.dumps(trust)}
    if document is not None:
        config["scenario:document"] = json.dumps(document)
    return add(Scenario(f"t-{id_}", "round2.py", why, config, update, preview or update,
                        lost=None if lost is None else {"sst-deployer": lost}, mfa=mfa, pack_config=pack_config))


def refused(*says: str) -> Verdict:
    return Verdict((Finding(("sst-deployer",), says, TRUST),))


def people(condition: dict[str, object] | None, principal: str = f"arn:aws:iam::{A}:root") -> dict[str, object]:
    st: dict[str, object] = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": principal}}
    if condition:
        st["Condition"] = condition
    return _doc(st)


# ----------------------------------------------------------------- class 3: IAM Identity Center

_SSO = """Trust in the account root limited by aws:PrincipalArn to IAM Identity Center's reserved
    roles (role/aws-reserved/sso.amazonaws.com/...AWSReservedSSO_*), with no MFA condition:
    AWS's recommended way to let a permission set's users assume a role. For a role session
    aws:PrincipalArn is the role's ARN, so only those roles can match; a role session cannot
    present MFA (only an IAM user passes SerialNumber/TokenCode), and Identity Center asks
    for MFA at sign-in. Requiring MFA here would lock everyone out, so the trust is sound. """
tagged("sso-arnlike", _SSO + """ArnLike, the account in the ARN: passes (the pack blocked it
    before: "without MFA").""", people({"ArnLike": {"aws:PrincipalArn": SSO}}), PASS)
tagged("sso-stringlike-region-path", _SSO + """StringLike with the region path variant
    (.../sso.amazonaws.com/eu-west-1/AWSReservedSSO_Deploy_*): the literal part of the value
    already pins role/aws-reserved/sso.amazonaws.com/: passes.""",
       people({"StringLike": {"aws:PrincipalArn":
                              f"arn:aws:iam::{A}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Deploy_*"}}),
       PASS)
tagged("sso-arnlike-any-account-part", _SSO + """ArnLike with ``*`` as the account part
    (arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*): ARN operators match each part
    alone, so the resource part still pins the reserved roles; the Principal pins the
    account: passes.""",
       people({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*"}}), PASS)
tagged("roles-only", """Trust in the account root limited by ArnLike aws:PrincipalArn
    arn:aws:iam::112233445566:role/* (any role of the account, Identity Center's included):
    only role sessions match, none can present MFA; the same as listing roles, which the
    pack trusts without MFA: passes.""", people({"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/*"}}), PASS)
tagged("sso-and-users-no-mfa", """The Identity Center condition widened with
    arn:aws:iam::112233445566:user/*: IAM users match too, and they can present MFA: a
    trust without MFA lets a user with leaked access keys assume the deployer: a trust
    violation (MFA), naming the Identity Center alternative.""",
       people({"ArnLike": {"aws:PrincipalArn": [SSO, f"arn:aws:iam::{A}:user/*"]}}),
       refused("without MFA (IAM users can match it)", "AWSReservedSSO_*"))
tagged("sso-negated-only", """Trust in the root with only ArnNotLike aws:PrincipalArn
    role/aws-reserved/sso.amazonaws.com/*: everyone *but* the Identity Center roles, IAM
    users included, may assume it without MFA: a trust violation (MFA).""",
       people({"ArnNotLike": {"aws:PrincipalArn": SSO}}), refused("without MFA"))
tagged("user-direct-no-mfa", """Trust naming one IAM user directly, no condition: a user can
    present MFA and is not asked to: a trust violation (MFA), as before.""",
       people(None, f"arn:aws:iam::{A}:user/release-bot"), refused("without MFA"))

_NO_MFA_IFEXISTS = _doc({"Sid": "DenyWithoutMFA", "Effect": "Deny", "Resource": "*",
                         "NotAction": ["iam:ListMFADevices", "sts:GetSessionToken"],
                         "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}})
_NO_MFA_BOOL = _doc({"Sid": "DenyWithoutMFA", "Effect": "Deny", "Resource": "*",
                     "NotAction": ["iam:ListMFADevices", "sts:GetSessionToken"],
                     "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}})
tagged("sso-mfa-guardrail-ifexists", """The Identity Center trust with the MFA guardrail written
    with BoolIfExists aws:MultiFactorAuthPresent false: the deployer's sessions carry no MFA
    key (IAM Identity Center: MFA at sign-in, none in the session), and ...IfExists holds when
    the key is missing (IAM User Guide, condition operators): every call but the two exempt
    ones is denied: everything is lost (cross-checked by brute force with the key absent).""",
       people({"ArnLike": {"aws:PrincipalArn": SSO}}),
       Verdict((Finding(("sst-deployer",), ("AllowSSTDeployStacks",), INTACT),)),
       document=_NO_MFA_IFEXISTS, lost=EVERY_SID, mfa=None)
tagged("sso-mfa-guardrail-bool", """The same guardrail written with plain Bool (AWS's
    "BlockMostAccessUnlessSignedInWithMFA" example): Bool on a missing key is false (IAM User
    Guide, condition operators), so with no MFA key the Deny never applies: passes
    (cross-checked by brute force with the key absent).""",
       people({"ArnLike": {"aws:PrincipalArn": SSO}}), PASS, document=_NO_MFA_BOOL, lost=frozenset(), mfa=None)


# ----------------------------------------------------------------- class 5: OIDC issuers beyond github.com


def web(path: str, condition: Mapping[str, object]) -> dict[str, object]:
    return _doc({"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
                 "Principal": {"Federated": f"arn:aws:iam::{A}:oidc-provider/{path}"}, "Condition": condition})


_BB = "api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc"
_CIRCLE = "oidc.circleci.com/org/4f1b5e0c-2a7d-4c1e-9d3a-8b6f0e2c1a90"
_AUD_ONLY = """trusted by its audience alone: every project of the issuer (every repository of
    gitlab.com, of the workspace, of the organisation...) gets tokens with that audience, so
    any of them could assume the deployer: a trust violation naming the missing claim."""
_ISSUERS = [
    ("gitlab", "gitlab.com", "GitLab.com (GitLab docs, ID tokens: sub project_path:{group}/{project}:ref_type:"
     "{type}:ref:{branch})", "project_path:acme/storefront:ref_type:branch:ref:main", "project_path:acme/*"),
    ("gitlab-self-managed", "gitlab.acme.internal", "a self-managed GitLab (the issuer is the instance; the same sub "
     "format)", "project_path:platform/storefront:ref_type:branch:ref:main", "project_path:*"),
    ("github-enterprise", "token.actions.githubusercontent.com/acme-corp", "GitHub Enterprise Cloud's custom issuer "
     "(token.actions.githubusercontent.com/<enterprise>; sub repo:<owner>/<repo>:...)",
     "repo:acme/storefront:ref:refs/heads/main", "repo:acme/*"),
    ("bitbucket", _BB, "Bitbucket Pipelines (the workspace's issuer; sub {repositoryUuid}:{stepUuid})",
     "{3f2a9c1e-7b4d-4e2a-9f6c-1d8e5b7a2c40}*", "{*}*"),
    ("circleci", _CIRCLE, "CircleCI (the organisation's issuer; sub org/<org>/project/<project>/user/<user>)",
     "org/4f1b5e0c-2a7d-4c1e-9d3a-8b6f0e2c1a90/project/7c9e6679-7425-40de-944b-e07fc1f90ae7/user/*",
     "org/4f1b5e0c-2a7d-4c1e-9d3a-8b6f0e2c1a90/*"),
    ("terraform", "app.terraform.io", "HCP Terraform (sub organization:<o>:project:<p>:workspace:<w>:run_phase:<ph>)",
     "organization:acme:project:sst:workspace:production:run_phase:*", "organization:acme:*"),
    ("other-issuer", "ci.example.org", "an issuer the pack has no table row for (it can only ask that sub be pinned "
     "to more than wildcards)", "pipeline:acme/storefront:main", "*"),
]
for _id, _path, _who, _good, _bad in _ISSUERS:
    _aud = {"StringEquals": {f"{_path}:aud": "sts.amazonaws.com"}}
    tagged(f"oidc-{_id}-aud-only", f"""{_who.capitalize()} {_AUD_ONLY}""", web(_path, _aud),
           refused(f"without pinning {_path}:sub"), mfa=False)
    tagged(f"oidc-{_id}-pinned", f"""{_who.capitalize()} with StringLike {_path}:sub {_good!r}: pinned to
    one project or repository as the issuer's docs write it: passes.""",
           web(_path, dict(_aud, StringLike={f"{_path}:sub": _good})), PASS, mfa=False)
    tagged(f"oidc-{_id}-wildcard", f"""{_who.capitalize()} with StringLike {_path}:sub {_bad!r}: the
    wildcard stands where the owner or project goes, so many projects match: a trust violation
    naming the subject.""", web(_path, dict(_aud, StringLike={f"{_path}:sub": _bad})),
           refused(repr(_bad)), mfa=False)
tagged("oidc-gitlab-group-wildcard-allowed", """GitLab.com with sub project_path:acme/* (every
    project of the group) where the organisation set allowRepositoryWildcards: true, as it may
    for GitHub's repo:acme/*: the group is pinned, the wildcard is in the project, which that
    setting allows for every issuer alike: passes.""",
       web("gitlab.com", {"StringEquals": {"gitlab.com:aud": "sts.amazonaws.com"},
                          "StringLike": {"gitlab.com:sub": "project_path:acme/*"}}), PASS, mfa=False,
       pack_config={"sst-deployer-trust": {"allowRepositoryWildcards": True}})


# ----------------------------------------------------------------- class 6: administrator by capability


def guarded(id_: str, why: str, document: dict[str, object], update: Verdict, *, stack: str = "production") -> Scenario:
    """The component's deployer (round2.py ``component``) with ``document`` attached."""
    return add(Scenario(f"t-{id_}", "round2.py", why, {"scenario:variant": "component",
                                                      "scenario:document": json.dumps(document)},
                        update, update, stack=stack))


def admin(*says: str) -> Verdict:
    return Verdict((Finding(("deployer",), says, ADMIN),))


_NICHE = ["gamelift:*", "robomaker:*", "braket:*", "groundstation:*", "iotfleetwise:*", "panorama:*", "deepracer:*",
          "chime:*", "honeycode:*", "lookoutequipment:*", "nimble:*", "sumerian:*", "worklink:*", "iq:*", "mgn:*",
          "elastictranscoder:*", "cloud9:*", "codestar:*", "mobiletargeting:*", "snowball:*", "wam:*", "workdocs:*",
          "qldb:*", "managedblockchain:*", "evidently:*"]
_CAP = """Outside a sandbox, whatever grants privilege escalation on every resource it acts on is
    administrator access (issue 15 class 6; Rhino Security Labs' methods): """
guarded("admin-notaction-25-niche", _CAP + """Allow NotAction [25 services SST never calls] on *
    still grants iam:* and sts:* (NotAction grants every action not listed, IAM User Guide):
    administrator access in stack 'production', the message naming the IAM capability (the
    pack passed it before: more than 20 exclusions).""",
        _doc({"Sid": "AllButNiche", "Effect": "Allow", "NotAction": _NICHE, "Resource": "*"}),
        admin("iam:CreatePolicyVersion", "AllButNiche"))
guarded("admin-iam-star", _CAP + """Allow iam:* on *: writes every role's policies, its own
    included (methods 7-14): administrator access.""",
        _doc({"Sid": "IamEverything", "Effect": "Allow", "Action": "iam:*", "Resource": "*"}),
        admin("iam:AttachRolePolicy"))
guarded("admin-passrole-star", _CAP + """Allow iam:PassRole on *: the deployer can drive
    CloudFormation (SST's AllowSSTDeployStacks: cloudformation:CreateStack), so it can hand any
    role to a stack and act as it (method 20): administrator access.""",
        _doc({"Sid": "PassAnything", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}),
        admin("iam:PassRole"))
guarded("admin-passrole-star-to-cloudformation", _CAP + """Allow iam:PassRole on * only when
    iam:PassedToService is cloudformation.amazonaws.com (it looks restricted): the deployer drives
    CloudFormation, so it passes any role to a stack it creates (method 20), which is exactly the
    request the condition allows: administrator access.""",
        _doc({"Sid": "PassToStacks", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
              "Condition": {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}}}),
        admin("iam:PassRole", "which its escalating request meets"))
guarded("admin-assume-any-role", _CAP + """Allow sts:AssumeRole on arn:aws:iam::*:role/*: every
    role whose trust names this account (an administrators' role among them) is one call
    away: administrator access.""",
        _doc({"Sid": "AssumeAnything", "Effect": "Allow", "Action": "sts:AssumeRole",
              "Resource": "arn:aws:iam::*:role/*"}), admin("sts:AssumeRole"))
guarded("admin-put-role-policy-account-roles", _CAP + """Allow iam:PutRolePolicy on every role of the
    account (arn:aws:iam::112233445566:role/*, not "*"): writes its own inline policy:
    administrator access.""",
        _doc({"Sid": "WriteRoles", "Effect": "Allow", "Action": "iam:PutRolePolicy",
              "Resource": f"arn:aws:iam::{A}:role/*"}), admin("iam:PutRolePolicy"))
guarded("admin-sst-cdk-roles-again", """The organisation's policy grants again what SST itself
    needs on the CDK roles: iam:PassRole, iam:PutRolePolicy, sts:AssumeRole on
    arn:aws:iam::112233445566:role/cdk-hnb659fds-* (the page's AllowCDKManageToolkitRoles,
    AllowSSTAssumeCDKToolkitRoles): those are the bootstrap roles, not every role: no
    administrator access: passes (least-privilege advice is free).""",
        _doc({"Sid": "CdkRoles", "Effect": "Allow", "Action": ["iam:PassRole", "iam:PutRolePolicy", "sts:AssumeRole"],
              "Resource": f"arn:aws:iam::{A}:role/cdk-hnb659fds-*"}), PASS)
guarded("admin-notaction-escalation-excluded", _CAP + """Allow NotAction [iam:*, sts:*, lambda:*,
    glue:*, organizations:*, account:*] on *: every escalation capability of the table is
    excluded, but this is "all but a few" (six exclusions): every other action, present and
    future, which reaches the account's existing roles through its resources (ssm:SendCommand
    to an instance with a role, codebuild:StartBuild of a project with one): administrator
    access, as before.""",
        _doc({"Sid": "NoIdentity", "Effect": "Allow", "Resource": "*",
              "NotAction": ["iam:*", "sts:*", "lambda:*", "glue:*", "organizations:*", "account:*"]}),
        admin("every other action"))
guarded("admin-notaction-many-escalation-excluded", """Allow NotAction [iam:*, sts:*, lambda:*, glue:*,
    and 25 services SST never calls, 29 in all] on *: past "all but a few", and no escalation
    capability of the table is left: not administrator by capability (least-privilege advises
    against it): no mandatory diagnostic.""",
        _doc({"Sid": "Broad", "Effect": "Allow", "Resource": "*",
              "NotAction": ["iam:*", "sts:*", "lambda:*", "glue:*", *_NICHE]}), PASS)
guarded("admin-notaction-25-niche-sandbox", """The 25-service NotAction in stack 'sandbox-alice',
    which matches the default sandboxStacks (sandbox-*): administrator access is allowed in
    personal sandboxes (SST's IAM page): passes.""",
        _doc({"Sid": "AllButNiche", "Effect": "Allow", "NotAction": _NICHE, "Resource": "*"}), PASS,
        stack="sandbox-alice")


# ----------------------------------------------------------------- class 7: lookalikes

_LIKE = """An untagged role that is not an SST deployer: """
for _v, _what in (("lambda", """an SST app function's execution role (reads /sst/shop/prod/* secrets,
    one bucket, logs): a function reads its bound secrets, only the deployer writes them, and
    it names none of SST's bootstrap stack, bucket or socket"""),
                  ("codepipeline", """a CodePipeline CloudFormation action role (stacks, PassRole of its
    own execution role, artifacts)"""),
                  ("cdk", """a plain CDK CI deployer (assumes the CDK roles, reads stacks and the bootstrap
    version)""")):
    add(Scenario(f"t-lookalike-{_v}", "lookalikes.py", _LIKE + _what + """. Telling it to tag itself as
    an SST deployer would then block it for SST permissions it never uses (issue 15 class 7): no
    diagnostic at all.""", {"scenario:variant": _v}, Verdict(quiet=True), Verdict(quiet=True)))
_like = Verdict((Finding(("cdk-sst-role",), ("looks like an SST deployer", "SST's bootstrap bucket"),
                         LOOKS_LIKE, level="advisory"),))
add(Scenario("t-lookalike-cdk-sst", "lookalikes.py", """The CDK CI deployer with SST's bootstrap bucket
    (sstbootstrap-*) and writes to /sst/ parameters: what only SST's CLI needs (SST v2
    bootstrap.ts, config.ts), next to the CDK roles: a hand-made SST deployer: advice to tag it,
    naming the markers; nothing mandatory.""", {"scenario:variant": "cdk-sst"}, _like, _like))
