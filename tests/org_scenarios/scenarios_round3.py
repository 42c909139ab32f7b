"""Round three of the organisation scenarios (issue 15): arrangements written from AWS, provider
and SST/CDK sources only, by a reviewer who did not read the pack's code. Same machinery as
rounds one and two (:mod:`spec`, :mod:`capture`, :mod:`world`, :mod:`bruteforce`), program
``programs/round3.py``.

Verdict rule (issue 15): block only on proof. A mandatory finding needs proof that a call SST
makes is lost, or a dangerous trust or administrator grant; what the pack cannot decide is
advice, from ``sst-deployer-undecided-conditions``, naming the condition key.

Sources used throughout:

* IAM User Guide: "Policy evaluation logic"; "IAM JSON policy elements: Resource" ("You can use
  wildcard characters (* and ?) within the individual segments of an ARN (the parts separated
  by colons) ... If the * wildcard is the last character of a resource ARN segment, it can
  expand to match beyond the colon boundaries"); "Condition operators" (negated operators and
  ``...IfExists`` hold on a missing key, ``Null``); "IAM policy elements: Variables and tags"
  (``${aws:PrincipalAccount}``, ``${aws:PrincipalOrgID}`` resolve in Resource and in condition
  values); "AWS global condition context keys" (``aws:PrincipalArn`` is the role's ARN for a
  role session; ``aws:PrincipalOrgID``, ``aws:PrincipalOrgPaths``, ``aws:ResourceOrgID``,
  ``aws:ResourceAccount``, ``aws:SourceIp``, ``aws:SourceVpce``, ``aws:ViaAWSService`` true when
  a service calls with the principal's credentials, ``aws:CalledVia``); "Data perimeters on AWS"
  (the ``StringNotEqualsIfExists aws:ResourceOrgID ${aws:PrincipalOrgID}`` guardrail); "Create a
  role for OpenID Connect federation" (the ``<issuer>:aud`` and ``<issuer>:sub`` keys: a trust
  with ``aud`` alone admits every subject of the issuer).
* Resource name grammars (what characters a name may hold): SSM "PutParameter" (Name: letters,
  digits, ``.-_/``; no ``:``); Lambda "CreateFunction" (FunctionName: letters, digits, ``-_``;
  a ``:`` only separates a version/alias qualifier); IAM "CreateRole" (RoleName ``[\\w+=,.@-]``:
  no ``/``, the path is separate); ECR "CreateRepository"; AWS IoT "Reserved topics" (topics
  that begin with ``$`` are reserved for AWS).
* CDK's bootstrap template (aws-cdk-cli ``packages/aws-cdk/lib/api/bootstrap/bootstrap-template.yaml``):
  role names ``cdk-${Qualifier}-<kind>-role-${AWS::AccountId}-${AWS::Region}``, each role but the
  CloudFormation execution role tagged ``aws-cdk:bootstrap-role`` (deploy, file-publishing,
  image-publishing, lookup) and trusting the account; bucket
  ``cdk-${Qualifier}-assets-${AWS::AccountId}-${AWS::Region}``;
  repository ``cdk-${Qualifier}-container-assets-${AWS::AccountId}-${AWS::Region}``; parameter
  ``/cdk-bootstrap/${Qualifier}/version``.
* SST v2 source (``sst/v2``, ``packages/sst/src``): app stacks are named ``<stage>-<app>-<stack>``
  (``App.logicalPrefixedName``); secrets under ``/sst/<app>/<stage>/`` and the fallback path
  ``/sst/<app>/.fallback/`` (``config.ts``, ``Config.PREFIX.FALLBACK``); Live Lambda's IoT topics
  ``/sst/<app>/<stage>/...`` (``iot.ts``); the CDK toolkit is deployed by CloudFormation with the
  caller's credentials (``bootstrap.ts`` runs ``cdk bootstrap`` as you); from 2.49 the deploy and
  file-publishing roles are assumed on every deploy (@aws-cdk/toolkit-lib).
* terraform-provider-aws (bridged by pulumi-aws 7.x): ``name_prefix`` names are
  ``id.PrefixedUniqueId(prefix)``: the prefix, a timestamp and a hex counter.

``lost`` is given where the brute-force reference can decide the end state. It is left out
(``lost=None``) where the reference does not model what decides it: name grammars (it fills
``*`` with any string, ``:`` and ``/`` included), policy variables, ``aws:PrincipalArn``,
organisation keys, IP and VPC keys, requests made by CloudFormation on the caller's behalf and
the CDK roles' tags.
"""

from __future__ import annotations

import json
from typing import Any

from .scenarios import ADMIN, INTACT, TRUST
from .spec import Finding, Library, Scenario, Verdict

ROUND3 = Library()
add = ROUND3.add

UNDECIDED = "sst-deployer-undecided-conditions"
UNMARKED = "sst-deployer-unmarked-deployers"
A, B = "112233445566", "444455556666"
ORG, OTHER_ORG = "o-acme1234ab", "o-other5678cd"
OU_PATH = f"{ORG}/r-ab12/ou-ab12-workload1/ou-ab12-prod0001/"
S3_SIDS = frozenset({"AllowSSTManageBootstrapBucket", "AllowCDKManageToolkitBucket", "AllowSSTReadStackTemplates"})

NOT_YET = "the pack has no sst-deployer-undecided-conditions policy yet (issue 15 item 2): "
GRAMMAR_MISS = ("the pack matches * across ':' and '/' as if any string were a name SST or CDK uses, and blocks "
                "a Deny on names SST cannot have (issue 15 item 1)")
MAY_TAKE = ("the pack reports a conditional Deny it cannot decide as a mandatory 'may take away' loss "
            "(issue 15 item 2)")
IC_MFA = ("the pack asks MFA of an account-root trust that aws:PrincipalArn limits to Identity Center role "
          "sessions, which cannot present MFA (issue 15 item 3)")
NO_ORG_CONFIG = ("the pack does not read organizationId/organizationPaths yet and reports the Deny as a "
                 "mandatory 'may take away' loss (issue 15 item 2)")


def _st(sid: str, effect: str = "Deny", condition: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
    st: dict[str, Any] = {"Sid": sid, "Effect": effect, **kw}
    if "Resource" not in st and "NotResource" not in st:
        st["Resource"] = "*"
    if condition:
        st["Condition"] = condition
    return st


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def r3(id_: str, why: str, update: Verdict, preview: Verdict | None = None, *, variant: str = "component",
       lost: frozenset[str] | None = None, role: str | None = None, stack: str = "production",
       pack_config: dict[str, dict[str, Any]] | None = None, mfa: bool | None = True,
       **options: Any) -> Scenario:
    """The ``round3.py`` program with its options (``scenario:<key>``; objects as JSON)."""
    config = {"scenario:variant": variant, **{f"scenario:{k}": v if isinstance(v, str) else json.dumps(v)
                                                for k, v in options.items()}}
    name = (role or {"component": "deployer", "tagged": "sst-deployer"}.get(variant)
            or options.get("roleName", "app-role"))
    for shape, verdict in (("update", update), ("preview", preview or update)):
        if id(verdict) in _FOUND:
            MISSED_BEFORE_FIXES[(f"r3-{id_}", shape)] = _FOUND[id(verdict)][1]
    return add(Scenario(f"r3-{id_}", "round3.py", why, config, update, preview or update, stack=stack,
                        lost=None if lost is None else {name: lost}, mfa=mfa, pack_config=pack_config))


_FOUND: dict[int, tuple[Verdict, str]] = {}
MISSED_BEFORE_FIXES: dict[tuple[str, str], str] = {}
"""(scenario, update|preview) -> what the pack got wrong there when this round was written,
before issue 15's fixes: the round's findings, kept as its record (every one now passes)."""


def _record(verdict: Verdict, found: str | None) -> Verdict:
    if found:
        _FOUND[id(verdict)] = (verdict, found)  # the verdict is held, so its id stays its own
    return verdict


def lost_on(role: str, *says: str, found: str | None = None) -> Verdict:
    return _record(Verdict((Finding((role,), says, INTACT),)), found)


def undecided(role: str, key: str, found: str | None = None) -> Verdict:
    """No mandatory finding; advice from the undecided-conditions policy naming ``key``."""
    return _record(Verdict((Finding((role,), (key,), UNDECIDED, level="advisory"),)), found)


def untrusted(role: str, *says: str, found: str | None = None) -> Verdict:
    return _record(Verdict((Finding((role,), says, TRUST),)), found)


def admin(role: str = "deployer", says_any: tuple[str, ...] = (), found: str | None = None) -> Verdict:
    return _record(Verdict((Finding((role,), (), ADMIN, says_any=says_any),)), found)


def passes(found: str | None = None, quiet: bool = False) -> Verdict:
    return _record(Verdict((), quiet=quiet), found)


# ================================================================= 1. SST's and CDK's name grammar

_GRAMMAR = """Judged against the names SST and CDK really create (module docstring: each service's
    name grammar, CDK's bootstrap template, SST's stack and parameter names). """

r3("grammar-ssm-other-team-path", _GRAMMAR + """The payments team's guardrail Deny ssm:* on
    arn:aws:ssm:*:*:parameter/payments/*. SST's parameters are /sst/<app>/<stage>/..., the
    fallback /sst/<app>/.fallback/... and CDK's /cdk-bootstrap/<q>/version: a parameter name has
    no ':' (SSM PutParameter), so no parameter SST uses has an ARN the Deny matches: passes.""",
   passes(GRAMMAR_MISS),
   document=_doc(_st("PaymentsOnly", Action="ssm:*", Resource="arn:aws:ssm:*:*:parameter/payments/*")))

r3("grammar-cfn-other-toolkit", _GRAMMAR + """Deny cloudformation:* on another team's CDK toolkit,
    stack/CDKToolkit-payments/* (cdk.toolkitStackName of the payments app). SST's default stack names
    are <stage>-<app>-<stack>, but a stack may set its own stackName as long as it starts with
    '<stage>-', ends with '-<stage>' or contains '-<stage>-' (sst/v2 packages/sst/src/constructs/App.ts,
    "is not parameterized with the stage name"; its test "stackName is parameterized" uses
    my-app-dev-stack). 'CDKToolkit-payments' is such a name for stage 'payments': the deployer, which
    serves every stage, is denied CreateStack on a stack SST may create. (Written first as "passes"
    from the default names only; corrected by the lead from SST's source at the merge.)""",
   lost_on("deployer", "AllowSSTDeployStacks"), document=_doc(_st("OtherToolkit", Action="cloudformation:*",
                                Resource="arn:aws:cloudformation:*:*:stack/CDKToolkit-payments/*")))

r3("grammar-lambda-qualified-only", _GRAMMAR + """"Never reconfigure a published version or alias":
    Deny lambda:UpdateFunctionConfiguration on arn:aws:lambda:*:*:function:*:* (a qualified ARN,
    function:<name>:<qualifier>). SST restarts functions by their unqualified name
    (config.ts), whose ARN ends function:<name>, and a function name has no ':' (Lambda
    CreateFunction): the Deny never matches SST's call: passes.""",
   passes(GRAMMAR_MISS), document=_doc(_st("NoQualifiedChanges", Action="lambda:UpdateFunctionConfiguration",
                                Resource="arn:aws:lambda:*:*:function:*:*")))

r3("grammar-iot-reserved-topics", _GRAMMAR + """Deny iot:Publish/Subscribe/Receive on AWS's reserved
    topics (topic/$aws/*, topicfilter/$aws/*: AWS IoT "Reserved topics"). Live Lambda's topics
    are /sst/<app>/<stage>/... (iot.ts), so their ARNs are topic//sst/...: never $aws/: passes.""",
   passes(GRAMMAR_MISS), document=_doc(_st("NoReservedTopics", Action=["iot:Publish", "iot:Subscribe", "iot:Receive"],
                                Resource=["arn:aws:iot:*:*:topic/$aws/*", "arn:aws:iot:*:*:topicfilter/$aws/*"])))

r3("grammar-cdk-roles-other-account", _GRAMMAR + """A shared guardrail: Deny iam:* and sts:AssumeRole
    on the shared-services account's CDK roles, role/cdk-*-999988887777-*. This deployer's CDK roles
    are cdk-hnb659fds-<kind>-role-112233445566-us-east-1 (bootstrap template): none holds
    '-999988887777-': passes.""",
   passes(), document=_doc(_st("SharedServicesCdk", Action=["iam:*", "sts:AssumeRole"],
                                Resource="arn:aws:iam::*:role/cdk-*-999988887777-*")))

r3("grammar-cdk-assets-other-account", _GRAMMAR + """Deny s3:* on other accounts' CDK asset buckets
    written by account: arn:aws:s3:::cdk-*-assets-999988887777-* and its objects. SST's asset
    bucket is cdk-hnb659fds-assets-112233445566-us-east-1 (a bucket name has no '/'), its objects
    are CDK's assets named by their hash (DefaultStackSynthesizer: objectKey
    <bucketPrefix><sourceHash><extension>, bucketPrefix '' by default), so no object ARN of it
    holds '-assets-999988887777-'; its bootstrap bucket is sstbootstrap-...: passes.""",
   passes(GRAMMAR_MISS), document=_doc(_st("SharedServicesAssets", Action="s3:*", Resource=[
       "arn:aws:s3:::cdk-*-assets-999988887777-*", "arn:aws:s3:::cdk-*-assets-999988887777-*/*"])))

r3("grammar-ecr-namespaced-repos", _GRAMMAR + """Deny ecr:* on namespaced repositories,
    repository/*/* (teams' repositories live under <team>/). CDK's repository
    cdk-hnb659fds-container-assets-112233445566-us-east-1 has no '/': passes.""",
   passes(), document=_doc(_st("TeamRepos", Action="ecr:*", Resource="arn:aws:ecr:*:*:repository/*/*")))

r3("grammar-iam-pathed-roles", _GRAMMAR + """Deny iam:* on every role under a path, role/*/*: a role
    name has no '/' (IAM CreateRole), so only a role with a path other than '/' matches; CDK's roles
    are at '/': passes.""",
   passes(), document=_doc(_st("PathedRolesArePlatformOnly", Action="iam:*",
                                Resource="arn:aws:iam::*:role/*/*")))

r3("grammar-fallback-denied", _GRAMMAR + """The other direction: Deny ssm:* on
    parameter/sst/*/.fallback/*. SST's fallback secrets live at /sst/<app>/.fallback/ (hard-coded,
    Config.PREFIX.FALLBACK) and `sst secrets list` reads it on every call:
    AllowSSTCLIManageFallbackSecrets is lost.""",
   lost_on("deployer", "AllowSSTCLIManageFallbackSecrets"),
   document=_doc(_st("NoFallbackSecrets", Action="ssm:*", Resource="arn:aws:ssm:*:*:parameter/sst/*/.fallback/*")))

r3("grammar-passrole-cfn-exec-denied", _GRAMMAR + """Deny iam:PassRole on role/cdk-*-cfn-exec-role-*:
    exactly the role SST 2.49.4+ passes to CloudFormation as RoleARN (sst/v2 PR #96) and the page
    grants PassRole on: AllowCDKManageToolkitRoles is lost (the message names iam:PassRole).""",
   lost_on("deployer", "iam:PassRole"), lost=frozenset({"AllowCDKManageToolkitRoles"}),
   document=_doc(_st("NoPassingExecRoles", Action="iam:PassRole",
                      Resource="arn:aws:iam::*:role/cdk-*-cfn-exec-role-*")))


# ================================================================= 2. Data perimeters and organisation facts

_ALL = "every call SST makes is denied: everything is lost."
_PERIMETER = _doc(_st("ResourcePerimeter", Action=["s3:*", "ssm:*", "lambda:*", "ecr:*"], condition={
    "StringNotEqualsIfExists": {"aws:ResourceOrgID": "${aws:PrincipalOrgID}"},
    "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}))

r3("perimeter-resource-org-variable", """AWS's data-perimeter guardrail: Deny s3/ssm/lambda/ecr when
    StringNotEqualsIfExists aws:ResourceOrgID ${aws:PrincipalOrgID} (and not an AWS service
    principal). Every resource SST touches is in the deployer's own account, so its organisation is
    the principal's: the condition is false wherever the account is in an organisation (and the
    guardrail is only written there). No mandatory finding; advice is free.""",
   passes(MAY_TAKE), document=_PERIMETER)

_ORG_GUARD = _doc(_st("OnlyOurOrganisation", Action="*",
                      condition={"StringNotEquals": {"aws:PrincipalOrgID": ORG}}))
r3("perimeter-principal-org-unconfigured", f"""Deny * when StringNotEquals aws:PrincipalOrgID {ORG}.
    Whether the deployer's account is in {ORG} is not in the stack: the pack cannot decide; advice
    naming aws:PrincipalOrgID from the undecided-conditions policy, no mandatory finding.""",
   undecided("deployer", "aws:PrincipalOrgID", found=NOT_YET + "no advice naming aws:PrincipalOrgID"),
   document=_ORG_GUARD)
r3("perimeter-principal-org-configured", f"""The same guardrail with organizationId {ORG} given in the
    pack's config: the fact decides it, the condition is false: passes.""",
   passes(NO_ORG_CONFIG), document=_ORG_GUARD, pack_config={UNDECIDED: {"organizationId": ORG}})
r3("perimeter-principal-org-configured-other", f"""The same guardrail (written for {ORG}) where the
    organisation says its id is {OTHER_ORG}: aws:PrincipalOrgID is {OTHER_ORG} on every call, the
    condition holds: {_ALL}""",
   lost_on("deployer", "AllowSSTDeployStacks"), document=_ORG_GUARD,
   pack_config={UNDECIDED: {"organizationId": OTHER_ORG}})

_OU_GUARD = _doc(_st("OnlyWorkloadOU", Action="*", condition={
    "ForAnyValue:StringNotLike": {"aws:PrincipalOrgPaths": [f"{ORG}/r-ab12/ou-ab12-workload1/*"]}}))
r3("perimeter-org-paths-unconfigured", """Deny * when ForAnyValue:StringNotLike aws:PrincipalOrgPaths
    o-.../ou-ab12-workload1/*: where the account sits is not in the stack: advice naming
    aws:PrincipalOrgPaths, no mandatory finding.""",
   undecided("deployer", "aws:PrincipalOrgPaths", found=NOT_YET + "no advice naming aws:PrincipalOrgPaths"),
   document=_OU_GUARD)
r3("perimeter-org-paths-configured-inside", f"""The same with organizationPaths [{OU_PATH}] in the
    pack's config (an account under workload1/prod0001): the one path is like the pattern, the
    ForAnyValue negation is false: passes.""",
   passes(NO_ORG_CONFIG), document=_OU_GUARD,
   pack_config={UNDECIDED: {"organizationId": ORG, "organizationPaths": [OU_PATH]}})
r3("perimeter-org-paths-configured-outside", f"""The same with organizationPaths
    [{ORG}/r-ab12/ou-ab12-sandbox1/]: the path is not like the pattern: {_ALL}""",
   lost_on("deployer", "AllowSSTDeployStacks"), document=_OU_GUARD,
   pack_config={UNDECIDED: {"organizationId": ORG, "organizationPaths": [f"{ORG}/r-ab12/ou-ab12-sandbox1/"]}})

r3("perimeter-resource-account-data-lake", """Deny s3:* when StringNotEquals aws:ResourceAccount
    444455556666 (only the data-lake account's buckets): SST's buckets are in the deployer's own
    account: every S3 statement is lost (bootstrap bucket, CDK assets bucket, stack templates).""",
   lost_on("deployer", "AllowSSTManageBootstrapBucket"), lost=S3_SIDS,
   document=_doc(_st("DataLakeOnly", Action="s3:*", condition={"StringNotEquals": {"aws:ResourceAccount": [B]}})))
r3("perimeter-resource-account-own", """Deny s3:* and ssm:* when StringNotEquals aws:ResourceAccount
    112233445566 (the deployer's own account): every S3 and SSM resource SST uses is in that
    account: passes.""",
   passes(), lost=frozenset(),
   document=_doc(_st("OwnAccountOnly", Action=["s3:*", "ssm:*"],
                      condition={"StringNotEquals": {"aws:ResourceAccount": [A]}})))

r3("perimeter-source-ip", """The network perimeter: Deny * when NotIpAddress aws:SourceIp
    203.0.113.0/24 and Bool aws:ViaAWSService false. Where SST runs from (a laptop, a CI runner) is
    not in the stack: the pack cannot decide: advice naming aws:SourceIp, no mandatory finding.""",
   undecided("deployer", "aws:SourceIp", found=NOT_YET + "no advice naming aws:SourceIp"),
   document=_doc(_st("CorporateNetworkOnly", Action="*", condition={
       "NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}, "Bool": {"aws:ViaAWSService": "false"}})))
r3("perimeter-source-vpce", """Deny s3:* when StringNotEqualsIfExists aws:SourceVpce vpce-0a1b2c3d
    and BoolIfExists aws:ViaAWSService false: a call outside that VPC endpoint is denied; whether
    SST runs behind it is not in the stack: advice naming aws:SourceVpce, no mandatory finding.""",
   undecided("deployer", "aws:SourceVpce", found=NOT_YET + "no advice naming aws:SourceVpce"),
   document=_doc(_st("S3ThroughOurEndpoint", Action="s3:*", condition={
       "StringNotEqualsIfExists": {"aws:SourceVpce": "vpce-0a1b2c3d"},
       "BoolIfExists": {"aws:ViaAWSService": "false"}})))
r3("perimeter-no-service-calls-iam", """Deny iam:* when Bool aws:ViaAWSService true ("no service may
    write IAM with our credentials"). SST bootstraps CDK by deploying the CDKToolkit stack with the
    caller's credentials and no service role (bootstrap.ts runs cdk bootstrap as you), so
    CloudFormation creates the CDK roles with a forward session: aws:ViaAWSService is true on those
    iam:CreateRole/PutRolePolicy/AttachRolePolicy calls: AllowCDKManageToolkitRoles is lost.""",
   lost_on("deployer", "AllowCDKManageToolkitRoles"),
   document=_doc(_st("NoIamThroughServices", Action="iam:*", condition={"Bool": {"aws:ViaAWSService": "true"}})))
r3("perimeter-called-via-athena", """Deny s3:* when ForAnyValue:StringEquals aws:CalledVia
    athena.amazonaws.com: SST's S3 calls are its own or CloudFormation's, never Athena's, and
    ForAnyValue on a missing key is false: passes.""",
   passes(), lost=frozenset(),
   document=_doc(_st("NoAthenaS3", Action="s3:*",
                      condition={"ForAnyValue:StringEquals": {"aws:CalledVia": ["athena.amazonaws.com"]}})))


# ================================================================= 3. Policy variables

r3("variable-account-in-resource", """Deny ssm:PutParameter and ssm:DeleteParameter on
    arn:aws:ssm:*:${aws:PrincipalAccount}:parameter/sst/* (secrets are written by the platform
    team only). ${aws:PrincipalAccount} resolves to the deployer's account, so the Deny is on this
    account's /sst/ parameters: writing app secrets (and fallback secrets) is lost.""",
   lost_on("deployer", "AllowSSTCLIManageAppSecrets"),
   document=_doc(_st("NoSecretWrites", Action=["ssm:PutParameter", "ssm:DeleteParameter"],
                      Resource="arn:aws:ssm:*:${aws:PrincipalAccount}:parameter/sst/*")))
r3("variable-account-admin-roles", """Deny iam:* on arn:aws:iam::${aws:PrincipalAccount}:role/admin-*:
    CDK's roles are cdk-hnb659fds-...: none starts admin-: passes.""",
   passes(), document=_doc(_st("NoAdminRoles", Action="iam:*",
                                Resource="arn:aws:iam::${aws:PrincipalAccount}:role/admin-*")))
r3("variable-team-tag-match", """ABAC by team: Deny lambda:UpdateFunctionConfiguration when
    StringNotEquals aws:ResourceTag/team ${aws:PrincipalTag/team}, the deployer tagged team=platform.
    SST's functions carry sst:app and sst:stage; whether the app also tags them team=platform is not
    in the stack: advice naming aws:ResourceTag/team, no mandatory finding.""",
   undecided("deployer", "aws:ResourceTag/team", found=NOT_YET + "no advice naming aws:ResourceTag/team"),
   tags={"team": "platform"},
   document=_doc(_st("SameTeamFunctions", Action="lambda:UpdateFunctionConfiguration",
                      condition={"StringNotEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}})))


# ================================================================= 4. Tag-based ABAC on sts:AssumeRole

_CDK_TAG = "aws:ResourceTag/aws-cdk:bootstrap-role"
r3("abac-assume-only-bootstrap-roles", """Deny sts:AssumeRole when Null
    aws:ResourceTag/aws-cdk:bootstrap-role true (assume only CDK's bootstrap roles). The roles SST
    assumes (deploy, file-publishing, image-publishing, lookup) carry that tag (bootstrap template);
    the CloudFormation execution role does not, but it trusts only cloudformation.amazonaws.com, so
    nobody assumes it: nothing SST does is lost: passes.""",
   passes(MAY_TAKE),
   document=_doc(_st("OnlyBootstrapRoles", Action="sts:AssumeRole", condition={"Null": {_CDK_TAG: "true"}})))
r3("abac-assume-bootstrap-role-values", """Deny sts:AssumeRole when StringNotEquals
    aws:ResourceTag/aws-cdk:bootstrap-role [deploy, file-publishing, image-publishing, lookup]: the
    tag values CDK gives the roles SST assumes: passes.""",
   passes(MAY_TAKE), document=_doc(_st("OnlyBootstrapRoles", Action="sts:AssumeRole", condition={
       "StringNotEquals": {_CDK_TAG: ["deploy", "file-publishing", "image-publishing", "lookup"]}})))
r3("abac-assume-deploy-role-only", """Deny sts:AssumeRole when StringNotEquals
    aws:ResourceTag/aws-cdk:bootstrap-role deploy: SST 2.49 assumes the file-publishing role on every
    deploy (asset upload) and it is tagged file-publishing: that sts:AssumeRole is denied, a call SST
    makes is lost (the message names sts:AssumeRole).""",
   lost_on("deployer", "sts:AssumeRole"),
   document=_doc(_st("DeployRoleOnly", Action="sts:AssumeRole", condition={"StringNotEquals": {_CDK_TAG: "deploy"}})))
r3("abac-assume-team-tag", """Deny sts:AssumeRole when StringNotEquals aws:ResourceTag/team platform:
    CDK's template gives its roles only aws-cdk:bootstrap-role, but `cdk bootstrap --tags` adds tags
    to every bootstrap resource; whether this account's roles carry team=platform is not in the
    stack: advice naming aws:ResourceTag/team, no mandatory finding.""",
   undecided("deployer", "aws:ResourceTag/team", found=NOT_YET + "no advice naming aws:ResourceTag/team"),
   document=_doc(_st("TeamRolesOnly", Action="sts:AssumeRole",
                      condition={"StringNotEquals": {"aws:ResourceTag/team": "platform"}})))


# ================================================================= 5. Identity Center and SAML trust

_ROOT = {"AWS": f"arn:aws:iam::{A}:root"}
_SSO = f"arn:aws:iam::{A}:role/aws-reserved/sso.amazonaws.com/"


def _trust(*statements: dict[str, Any]) -> dict[str, Any]:
    return _doc(*statements)


_IC = """Identity Center: trust in the account root limited by ArnLike aws:PrincipalArn to the
    permission sets' roles (IAM Identity Center user guide, "Referencing permission sets in
    resource policies"). aws:PrincipalArn of a role session is the role's ARN (with its path), so
    only sessions of those roles can assume the deployer, and a role session cannot present MFA
    (Identity Center asks for it at sign-in): requiring MFA here would lock everyone out. """
r3("trust-identity-center", _IC + """Pattern .../sso.amazonaws.com/*AWSReservedSSO_*: passes.""",
   passes(IC_MFA), variant="tagged", trust=_trust({
       "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": _ROOT,
       "Condition": {"ArnLike": {"aws:PrincipalArn": _SSO + "*AWSReservedSSO_*"}}}))
r3("trust-identity-center-one-permission-set", _IC + """One permission set in one region:
    .../sso.amazonaws.com/eu-west-1/AWSReservedSSO_Deployers_*: passes.""",
   passes(IC_MFA), variant="tagged", trust=_trust({
       "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": _ROOT,
       "Condition": {"ArnLike": {"aws:PrincipalArn": _SSO + "eu-west-1/AWSReservedSSO_Deployers_*"}}}))
r3("trust-identity-center-and-users", _IC + """Here the list also names user/*: ArnLike with a list
    is an OR, so every IAM user of the account may assume the deployer, without MFA: a trust
    violation (MFA).""",
   untrusted("sst-deployer", "MFA"), variant="tagged", trust=_trust({
       "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": _ROOT,
       "Condition": {"ArnLike": {"aws:PrincipalArn": [_SSO + "*AWSReservedSSO_*", f"arn:aws:iam::{A}:user/*"]}}}))
r3("trust-identity-center-role-principal", """The permission set's role named as the principal
    (arn:aws:iam::...:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Deployers_0123456789abcdef):
    a role, not a user or an account root; its sessions cannot carry MFA: passes.""",
   passes(), variant="tagged", trust=_trust({
       "Effect": "Allow", "Action": "sts:AssumeRole",
       "Principal": {"AWS": _SSO + "AWSReservedSSO_Deployers_0123456789abcdef"}}))
r3("trust-saml", """SAML federation as AWS documents it: Principal Federated
    saml-provider/Okta, Action sts:AssumeRoleWithSAML, StringEquals SAML:aud
    https://signin.aws.amazon.com/saml (IAM User Guide, "Create a role for SAML 2.0 federation").
    Not a user or account root; the IdP decides who and how (MFA at the IdP): passes.""",
   passes(), variant="tagged", trust=_trust({
       "Effect": "Allow", "Action": "sts:AssumeRoleWithSAML",
       "Principal": {"Federated": f"arn:aws:iam::{A}:saml-provider/Okta"},
       "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}))


# ================================================================= 6. OIDC beyond github.com

_OIDC = """OIDC trust: IAM's condition keys for an OIDC provider are <issuer>:aud and
    <issuer>:sub (IAM User Guide, "Create a role for OpenID Connect federation"). aud only names the
    audience configured for the issuer; without a pinned sub, every pipeline of that issuer may
    assume the deployer. """
_NO_SUB = "the pack only knows GitHub's issuer (issue 15 item 5): an aud-only trust of this issuer passes"


def oidc(id_: str, why: str, issuer: str, aud: str, sub: str | list[str] | None, update: Verdict) -> Scenario:
    condition: dict[str, Any] = {"StringEquals": {f"{issuer}:aud": aud}}
    if sub is not None:
        condition["StringLike"] = {f"{issuer}:sub": sub}
    return r3(f"oidc-{id_}", _OIDC + why, update, variant="tagged", mfa=False, trust=_trust({
        "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": f"arn:aws:iam::{A}:oidc-provider/{issuer}"}, "Condition": condition}))


oidc("gitlab-aud-only", """GitLab.com (issuer gitlab.com, aud https://gitlab.com): any project on
     gitlab.com may assume it: a trust violation naming the missing sub.""",
     "gitlab.com", "https://gitlab.com", None, untrusted("sst-deployer", "sub", found=_NO_SUB))
oidc("gitlab-pinned", """GitLab.com with sub project_path:acme/storefront:ref_type:branch:ref:main
     (GitLab's ID token claims): one project, one branch: passes.""",
     "gitlab.com", "https://gitlab.com", "project_path:acme/storefront:ref_type:branch:ref:main", passes())
oidc("gitlab-group-wildcard", """GitLab.com with sub project_path:acme/*: every project of the group
     (and its subgroups): not pinned to one project (allowRepositoryWildcards false): a trust
     violation.""",
     "gitlab.com", "https://gitlab.com", "project_path:acme/*",
     untrusted("sst-deployer", "sub", found="the pack does not judge GitLab's project_path wildcard (issue 15 item 5)"))
oidc("gitlab-self-managed-aud-only", """A self-managed GitLab (issuer gitlab.acme.internal), aud
     only: every project on that instance: a trust violation naming the missing sub.""",
     "gitlab.acme.internal", "https://gitlab.acme.internal", None, untrusted("sst-deployer", "sub", found=_NO_SUB))
oidc("gitlab-sub-star", """GitLab.com with StringLike sub "*": the same as no sub: a trust
     violation.""",
     "gitlab.com", "https://gitlab.com", "*", untrusted("sst-deployer", "sub", found=_NO_SUB))
oidc("ghe-aud-only", """GitHub Enterprise Cloud's per-enterprise issuer
     token.actions.githubusercontent.com/acme-corp (GitHub docs, "Switching to a unique token URL"),
     aud sts.amazonaws.com only: every repository of the enterprise: a trust violation naming sub.""",
     "token.actions.githubusercontent.com/acme-corp", "sts.amazonaws.com", None,
     untrusted("sst-deployer", "sub", found=_NO_SUB))
oidc("ghe-pinned", """The enterprise issuer with sub repo:acme/storefront:ref:refs/heads/main:
     passes.""",
     "token.actions.githubusercontent.com/acme-corp", "sts.amazonaws.com", "repo:acme/storefront:ref:refs/heads/main",
     passes())
oidc("github-environment", """github.com with sub repo:acme/storefront:environment:production (GitHub's
     subject for a job with an environment): one repository: passes.""",
     "token.actions.githubusercontent.com", "sts.amazonaws.com", "repo:acme/storefront:environment:production",
     passes())
_BB = "api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc"
oidc("bitbucket-aud-only", """Bitbucket Pipelines (issuer api.bitbucket.org/2.0/workspaces/acme/...,
     aud ari:cloud:bitbucket::workspace/<uuid>): every repository of the workspace: a trust
     violation naming the missing sub.""",
     _BB, "ari:cloud:bitbucket::workspace/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", None,
     untrusted("sst-deployer", "sub", found=_NO_SUB))
oidc("bitbucket-pinned", """Bitbucket with sub {<repository uuid>}:* (Bitbucket's subject is
     {repositoryUuid}[:{environmentUuid}]:{stepUuid}): one repository: passes.""",
     _BB, "ari:cloud:bitbucket::workspace/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
     "{7c6b5a49-3827-1605-f4e3-d2c1b0a99887}:*", passes())
_CIRCLE = "oidc.circleci.com/org/2d5e7a10-9c3b-4f6e-8a1d-0b2c3d4e5f60"
oidc("circleci-aud-only", """CircleCI (issuer oidc.circleci.com/org/<org id>, aud the org id): every
     project of the organisation: a trust violation naming the missing sub.""",
     _CIRCLE, "2d5e7a10-9c3b-4f6e-8a1d-0b2c3d4e5f60", None, untrusted("sst-deployer", "sub", found=_NO_SUB))
oidc("circleci-pinned", """CircleCI with sub org/<org id>/project/<project id>/user/* (CircleCI's
     subject): one project: passes.""",
     _CIRCLE, "2d5e7a10-9c3b-4f6e-8a1d-0b2c3d4e5f60",
     "org/2d5e7a10-9c3b-4f6e-8a1d-0b2c3d4e5f60/project/91a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8/user/*", passes())
oidc("terraform-cloud-aud-only", """HCP Terraform (issuer app.terraform.io, aud aws.workload.identity,
     the same for every customer): any workspace of any organisation on app.terraform.io may assume
     it: a trust violation naming the missing sub.""",
     "app.terraform.io", "aws.workload.identity", None, untrusted("sst-deployer", "sub", found=_NO_SUB))
oidc("terraform-cloud-pinned", """HCP Terraform with sub
     organization:acme:project:sst:workspace:storefront-prod:run_phase:* (its subject format): one
     workspace: passes.""",
     "app.terraform.io", "aws.workload.identity",
     "organization:acme:project:sst:workspace:storefront-prod:run_phase:*", passes())


# ================================================================= 7. Administrator by capability

_NICHE = ["a4b:*", "amplifybackend:*", "appflow:*", "appmesh:*", "apprunner:*", "braket:*", "chime:*",
          "cloud9:*", "codestar:*", "connect:*", "deepcomposer:*", "deeplens:*", "deepracer:*", "devicefarm:*",
          "elastictranscoder:*", "gamelift:*", "groundstation:*", "honeycode:*", "iotthingsgraph:*",
          "lookoutequipment:*", "mediatailor:*", "mobiletargeting:*", "nimble:*", "robomaker:*", "sumerian:*"]
_CAP = """Administrator by capability (issue 15 item 6): an Allow that lets the role escalate to
    every action on every resource (write IAM roles or policies on "*", pass any role, assume any
    role) is administrator access outside a sandbox, whatever its action count; the message says
    which capability made it count. """


def cap(id_: str, why: str, statements: list[dict[str, Any]], update: Verdict, stack: str = "production") -> Scenario:
    return r3(f"admin-{id_}", _CAP + why, update, stack=stack, document=_doc(*statements))


_MISSES_CAP = "the pack counts administrator access by action count, not by capability (issue 15 item 6)"
cap("notaction-25-niche", """Allow NotAction [25 niche services] on *: still grants iam:* and sts:*
    on every resource.""", [_st("AlmostEverything", "Allow", NotAction=_NICHE)],
    admin(says_any=("iam:", "sts:"), found=_MISSES_CAP))
cap("iam-star", """Allow iam:* on *: create a role with AdministratorAccess and assume it, or attach
    AdministratorAccess to itself.""", [_st("IamAdmin", "Allow", Action="iam:*")],
    admin(says_any=("iam:",), found=_MISSES_CAP))
cap("create-attach-pass", """Allow iam:CreateRole, iam:AttachRolePolicy and iam:PassRole on *: make a
    role with AdministratorAccess and hand it to any service.""",
    [_st("RoleFactory", "Allow", Action=["iam:CreateRole", "iam:AttachRolePolicy", "iam:PassRole"])],
    admin(says_any=("iam:",), found=_MISSES_CAP))
cap("assume-any-role", """Allow sts:AssumeRole on *: any role of any account that trusts this one
    (every role trusting the account root without conditions, in the account and beyond).""",
    [_st("AssumeAnything", "Allow", Action="sts:AssumeRole")],
    admin(says_any=("sts:AssumeRole",), found=_MISSES_CAP))
cap("put-role-policy", """Allow iam:PutRolePolicy on *: write an inline Allow * on * into its own
    role.""", [_st("InlineAnything", "Allow", Action="iam:PutRolePolicy")],
    admin(says_any=("iam:PutRolePolicy",), found=_MISSES_CAP))
cap("attach-role-policy", """Allow iam:AttachRolePolicy on *: attach AdministratorAccess to its own
    role.""", [_st("AttachAnything", "Allow", Action="iam:AttachRolePolicy")],
    admin(says_any=("iam:AttachRolePolicy",), found=_MISSES_CAP))
cap("create-policy-version", """Allow iam:CreatePolicyVersion on *: rewrite its own managed policy
    as Allow * on * and make it the default version.""",
    [_st("RewritePolicies", "Allow", Action="iam:CreatePolicyVersion")],
    admin(says_any=("iam:CreatePolicyVersion",), found=_MISSES_CAP))
cap("iam-read-only", """Allow iam:Get* and iam:List* on *: reads only, no escalation: not
    administrator access (least-privilege advice is free).""",
    [_st("ReadIam", "Allow", Action=["iam:Get*", "iam:List*"])], passes())
cap("iam-on-cdk-roles", """Allow iam:* on role/cdk-hnb659fds-*: the same capability SST's own page
    already grants on CDK's roles (create, put policies, pass): not administrator access on every
    resource (least-privilege advice is free).""",
    [_st("CdkRoles", "Allow", Action="iam:*", Resource=f"arn:aws:iam::{A}:role/cdk-hnb659fds-*")], passes())
cap("notaction-25-niche-sandbox", """The NotAction [25 niche services] Allow in stack sandbox-carol
    (default sandboxStacks sandbox-*): allowed there.""",
    [_st("AlmostEverything", "Allow", NotAction=_NICHE)], passes(), stack="sandbox-carol")


# ================================================================= 8. Lookalikes and real deployers

_LAMBDA = _trust({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}})
_LOOK = """sst-deployer-unmarked-deployers flags roles that carry what is specific to SST (its
    bootstrap stack and bucket, /sst/ parameters written, the IoT socket, the CDK roles together
    with SST's own statements). """
_NOISE = "the lookalike rule flags a role that is not an SST deployer (issue 15 item 7)"


def plain(id_: str, why: str, policies: list[dict[str, Any]], update: Verdict, *, trust: dict[str, Any] | None = None,
          page: bool = False, name: str = "app-role") -> Scenario:
    opts: dict[str, Any] = {"policies": policies, "roleName": name}
    if trust is not None:
        opts["trust"] = trust
    if page:
        opts["page"] = "yes"
    return r3(f"look-{id_}", _LOOK + why, update, variant="plain", **opts)


plain("lambda-execution", """A Lambda execution role: reads its app's parameters under /storefront/
    and one bucket's objects, writes logs. Nothing SST-specific: no diagnostic at all.""",
      [_doc(_st("Config", "Allow", Action=["ssm:GetParameter", "ssm:GetParameters"],
                Resource=f"arn:aws:ssm:us-east-1:{A}:parameter/storefront/*"),
            _st("Uploads", "Allow", Action="s3:GetObject", Resource="arn:aws:s3:::acme-uploads/*"),
            _st("Logs", "Allow", Action=["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource=f"arn:aws:logs:us-east-1:{A}:log-group:/aws/lambda/*"))],
      passes(quiet=True), trust=_LAMBDA, name="storefront-api")
plain("sst-function-role", """An SST app's own function role (trust lambda.amazonaws.com): SST's
    Config/bind grants functions ssm:GetParameters on /sst/<app>/<stage>/* and the fallback path,
    read-only. It runs the app; it deploys nothing: no diagnostic at all.""",
      [_doc(_st("SstConfig", "Allow", Action="ssm:GetParameters", Resource=[
          f"arn:aws:ssm:us-east-1:{A}:parameter/sst/storefront/prod/*",
          f"arn:aws:ssm:us-east-1:{A}:parameter/sst/storefront/.fallback/*"]),
            _st("Table", "Allow", Action=["dynamodb:GetItem", "dynamodb:PutItem"],
                Resource=f"arn:aws:dynamodb:us-east-1:{A}:table/prod-storefront-Orders*"))],
      passes(quiet=True, found=None), trust=_LAMBDA, name="prod-storefront-ApiFunctionRole")
plain("codepipeline-cfn-action", """A CodePipeline CloudFormation action role (assumed by the
    pipeline's role): cloudformation:* on its stacks, iam:PassRole on its CloudFormation service
    role, the artifact bucket. Plain CloudFormation, nothing SST-specific: no diagnostic at all.""",
      [_doc(_st("Stacks", "Allow", Action="cloudformation:*",
                Resource=f"arn:aws:cloudformation:us-east-1:{A}:stack/storefront-*/*"),
            _st("PassDeployRole", "Allow", Action="iam:PassRole", Resource=f"arn:aws:iam::{A}:role/storefront-cfn"),
            _st("Artifacts", "Allow", Action=["s3:GetObject", "s3:GetObjectVersion"],
                Resource="arn:aws:s3:::codepipeline-us-east-1-*/*"))],
      passes(quiet=True), trust=_trust({"Effect": "Allow", "Action": "sts:AssumeRole",
                                        "Principal": {"AWS": f"arn:aws:iam::{A}:role/storefront-pipeline"}}),
      name="storefront-cfn-action")
_GHA = _trust({"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
               "Principal": {"Federated": f"arn:aws:iam::{A}:oidc-provider/token.actions.githubusercontent.com"},
               "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                                              "token.actions.githubusercontent.com:sub":
                                                  "repo:acme/infra:ref:refs/heads/main"}}})
plain("cdk-ci-deployer", """A plain CDK CI deployer as CDK documents it (cdk deploy assumes the
    bootstrap roles): sts:AssumeRole on role/cdk-hnb659fds-*, DescribeStacks, the version
    parameter. A CDK app's deployer, not SST's: no diagnostic at all.""",
      [_doc(_st("AssumeCdkRoles", "Allow", Action="sts:AssumeRole", Resource=f"arn:aws:iam::{A}:role/cdk-hnb659fds-*"),
            _st("Describe", "Allow", Action="cloudformation:DescribeStacks", Resource="*"),
            _st("Version", "Allow", Action="ssm:GetParameter",
                Resource=f"arn:aws:ssm:us-east-1:{A}:parameter/cdk-bootstrap/hnb659fds/version"))],
      passes(quiet=True), trust=_GHA, name="infra-cdk-deployer")
plain("cdk-bootstrapper", """The role a platform team runs `cdk bootstrap` with: CDKToolkit stack,
    CDK roles, assets bucket, container repository, version parameter. All of it is CDK's; none of
    it is SST's own (no SSTBootstrap, no sstbootstrap- bucket, no /sst/, no IoT): no diagnostic at
    all. (Told to tag it, it would then be blocked for SST statements it never uses.)""",
      [_doc(_st("Toolkit", "Allow", Action=["cloudformation:CreateChangeSet", "cloudformation:DeleteChangeSet",
                                            "cloudformation:DescribeChangeSet", "cloudformation:DescribeStacks",
                                            "cloudformation:DescribeStackEvents", "cloudformation:ExecuteChangeSet",
                                            "cloudformation:GetTemplate", "cloudformation:DeleteStack"],
                Resource=f"arn:aws:cloudformation:us-east-1:{A}:stack/CDKToolkit/*"),
            _st("Roles", "Allow", Action=["iam:AttachRolePolicy", "iam:CreateRole", "iam:DeleteRole",
                                          "iam:DeleteRolePolicy", "iam:DetachRolePolicy", "iam:GetRole",
                                          "iam:GetRolePolicy", "iam:PutRolePolicy", "iam:TagRole"],
                Resource=f"arn:aws:iam::{A}:role/cdk-hnb659fds-*"),
            _st("Bucket", "Allow", Action=["s3:CreateBucket", "s3:DeleteBucketPolicy", "s3:GetEncryptionConfiguration",
                                           "s3:GetBucketLocation", "s3:GetBucketPolicy", "s3:PutBucketPolicy",
                                           "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration",
                                           "s3:PutLifecycleConfiguration", "s3:PutBucketPublicAccessBlock"],
                Resource="arn:aws:s3:::cdk-hnb659fds-assets-*"),
            _st("Repo", "Allow", Action=["ecr:CreateRepository", "ecr:DeleteRepository", "ecr:DescribeRepositories",
                                         "ecr:PutLifecyclePolicy", "ecr:SetRepositoryPolicy"],
                Resource=f"arn:aws:ecr:us-east-1:{A}:repository/cdk-hnb659fds-container-assets-*"),
            _st("Version", "Allow", Action=["ssm:DeleteParameter", "ssm:GetParameters", "ssm:PutParameter"],
                Resource=f"arn:aws:ssm:us-east-1:{A}:parameter/cdk-bootstrap/hnb659fds/version"))],
      passes(quiet=True, found=_NOISE), name="platform-cdk-bootstrap")
plain("sst-specific-renamed", """A hand-written SST deployer with its own Sids: the SST bootstrap
    stack and bucket, /sst/ parameters read and written, Live Lambda's IoT socket, the CDK roles.
    That is what is specific to SST: advice to tag it (naming sst-deployer:role).""",
      [_doc(_st("S1", "Allow", Action=["cloudformation:DescribeStacks", "cloudformation:DescribeStackEvents"],
                Resource=f"arn:aws:cloudformation:us-east-1:{A}:stack/SSTBootstrap/*"),
            _st("S2", "Allow", Action=["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"],
                Resource="arn:aws:s3:::sstbootstrap-*"),
            _st("S3", "Allow", Action=["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath",
                                       "ssm:PutParameter", "ssm:DeleteParameter"],
                Resource=f"arn:aws:ssm:us-east-1:{A}:parameter/sst/*"),
            _st("S4", "Allow", Action=["iot:DescribeEndpoint", "iot:Connect", "iot:Subscribe", "iot:Publish",
                                       "iot:Receive"]),
            _st("S5", "Allow", Action="sts:AssumeRole", Resource=f"arn:aws:iam::{A}:role/cdk-hnb659fds-*-role-*"),
            _st("S6", "Allow", Action=["cloudformation:DescribeStacks", "cloudformation:DescribeStackResources",
                                       "cloudformation:DescribeStackEvents", "cloudformation:GetTemplate",
                                       "cloudformation:DeleteStack", "cloudformation:CreateStack",
                                       "cloudformation:UpdateStack"],
                Resource=f"arn:aws:cloudformation:us-east-1:{A}:stack/*"))],
      Verdict((Finding(("sst-app-deployer",), ("sst-deployer:role",), UNMARKED, level="advisory"),)),
      name="sst-app-deployer")
plain("codebuild-page", """A CodeBuild runner's role (trust codebuild.amazonaws.com) holding SST's
    page policy: it runs `sst deploy` in CI, an SST deployer in all but its tags: advice to tag it.""",
      [], Verdict((Finding(("sst-runner",), ("sst-deployer:role",), UNMARKED, level="advisory"),)),
      trust=_trust({"Effect": "Allow", "Action": "sts:AssumeRole",
                    "Principal": {"Service": "codebuild.amazonaws.com"}}),
      page=True, name="sst-runner")


# ================================================================= 9. namePrefix roles

PREFIX_PREVIEW = ("in a preview the pack does not decide aws:PrincipalArn from the namePrefix of a role whose "
                  "full name is unknown (issue 15 item 4)")
_PREFIX = """A hand-tagged deployer made with namePrefix "sst-deployer-" (Pulumi completes the name:
    terraform-provider-aws id.PrefixedUniqueId, the prefix then a timestamp and a hex counter), and a
    guardrail Deny s3:* unless ArnLike aws:PrincipalArn <pattern> (aws:PrincipalArn is the role's
    ARN). In a preview the full name is unknown but its prefix and grammar are known. """
r3("name-prefix-exempt", _PREFIX + """Pattern role/sst-deployer-*: every name the prefix can give
    matches: passes, in the preview too.""",
   passes(), passes(PREFIX_PREVIEW), variant="tagged", namePrefix="sst-deployer-",
   document=_doc(_st("OnlyDeployersTouchS3", Action="s3:*", condition={
       "ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/sst-deployer-*"}})))
r3("name-prefix-other-prefix", _PREFIX + """Pattern role/ci-*: no name beginning sst-deployer- can
    match: every S3 statement is lost, in the preview too (proved by the prefix).""",
   lost_on("sst-deployer", "AllowSSTManageBootstrapBucket"), variant="tagged", namePrefix="sst-deployer-",
   document=_doc(_st("OnlyCiTouchesS3", Action="s3:*", condition={
       "ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/ci-*"}})))
r3("name-prefix-suffix", _PREFIX + """Pattern role/sst-*-prod: the generated suffix is digits and hex,
    never "-prod": every S3 statement is lost (after the update the name is known; in the preview the
    name grammar proves it).""",
   lost_on("sst-deployer", "AllowSSTManageBootstrapBucket"), variant="tagged", namePrefix="sst-deployer-",
   document=_doc(_st("OnlyProdDeployersTouchS3", Action="s3:*", condition={
       "ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/sst-*-prod"}})))


# ================================================================= 10. Multi-account providers

_MEMBER = f"arn:aws:iam::{B}:role/OrganizationAccountAccessRole"
r3("member-provider-own-account", f"""A hand-tagged deployer for account {B} made through a provider
    that assumes {B}'s OrganizationAccountAccessRole (no allowedAccountIds: the role's account is where
    resources go), with Deny * when StringNotEquals aws:PrincipalAccount {B}: the role is in {B}:
    passes, in the preview too.""",
   passes(), variant="tagged", assumeRole=_MEMBER,
   document=_doc(_st("ThisAccountOnly", Action="*", condition={"StringNotEquals": {"aws:PrincipalAccount": B}})))
r3("member-provider-copied-guardrail", f"""The same deployer in {B} with the guardrail copied from
    account {A} (Deny * when StringNotEquals aws:PrincipalAccount {A}): the role's sessions are in
    {B}: {_ALL}""",
   lost_on("sst-deployer", "AllowSSTDeployStacks"), variant="tagged", assumeRole=_MEMBER,
   document=_doc(_st("ThisAccountOnly", Action="*", condition={"StringNotEquals": {"aws:PrincipalAccount": A}})))
r3("other-account-component-own-resources", f"""The component in account {B} (its provider's
    allowedAccountIds) with Deny s3:* when StringNotEquals aws:ResourceAccount ${{aws:PrincipalAccount}}:
    SST's buckets are in {B} too: passes.""",
   passes(), account=B,
   document=_doc(_st("OwnAccountData", Action="s3:*",
                      condition={"StringNotEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}})))


# ================================================================= 11. Boundaries and exclusive resources

r3("boundary-data-perimeter", """The component inside a boundary made in the stack: Allow * and the
    data-perimeter Deny (StringNotEqualsIfExists aws:ResourceOrgID ${aws:PrincipalOrgID} on
    s3/ssm/lambda/ecr). A boundary's Deny denies like any Deny; SST's resources are in its own
    account: no mandatory finding.""",
   passes(MAY_TAKE), boundary=_doc(_st("Everything", "Allow", Action="*"), *_PERIMETER["Statement"]))
r3("boundary-services-without-iot", """A boundary made in the stack allowing only cloudformation, s3,
    ssm, iam, sts, ecr, lambda and rds-data: a boundary caps the role at what it allows, and Live
    Lambda's IoT calls are outside it: AllowSSTLiveLambdaSocketConnection is lost.""",
   lost_on("deployer", "AllowSSTLiveLambdaSocketConnection"), lost=frozenset({"AllowSSTLiveLambdaSocketConnection"}),
   boundary=_doc(_st("DeployServices", "Allow", Action=["cloudformation:*", "s3:*", "ssm:*", "iam:*", "sts:*",
                                                        "ecr:*", "lambda:*", "rds-data:*"])))
r3("inline-exclusive-empty", """The organisation pins every role's inline policies to none: a
    RolePoliciesExclusive with policyNames [] on the component's role (terraform-provider-aws: inline
    policies not listed are removed). The component's permissions are managed policies: nothing SST
    needs is removed: passes.""",
   passes(), lost=frozenset(), inlineExclusive=[])



# ================================================================= 12. More of each class (second pass)

r3("grammar-rds-qualified", _GRAMMAR + """Deny rds-data:ExecuteStatement on arn:aws:rds:*:*:cluster:*:*
    (a resource after the cluster id, which no cluster ARN has): a DB cluster identifier is letters,
    digits and hyphens (RDS CreateDBCluster), so SST's migration call on cluster:<id> never matches:
    passes.""",
   passes(GRAMMAR_MISS), document=_doc(_st("NoSubResources", Action="rds-data:ExecuteStatement",
                                            Resource="arn:aws:rds:*:*:cluster:*:*")))
r3("grammar-literal-star-bucket", _GRAMMAR + """Deny s3:* on arn:aws:s3:::sstbootstrap-${*}: ${*} is a
    literal '*' (IAM User Guide, policy variables: special characters), so the Deny names only a bucket
    called 'sstbootstrap-*', and a bucket name is lower-case letters, digits, '.' and '-' (S3 bucket
    naming rules): no such bucket can exist: passes.""",
   passes("the pack takes a bucket literally named 'sstbootstrap-*' (${*}) for one SST may use; a bucket name "
          "cannot hold '*' (issue 15 item 1)"),
   document=_doc(_st("Typo", Action="s3:*", Resource="arn:aws:s3:::sstbootstrap-${*}")))

r3("perimeter-assume-in-organisation", """Deny sts:AssumeRole when StringNotEqualsIfExists
    aws:ResourceOrgID ${aws:PrincipalOrgID} (assume only roles of our organisation): CDK's roles are in
    the deployer's own account, so in its organisation: no mandatory finding.""",
   passes(MAY_TAKE), document=_doc(_st("AssumeInsideOnly", Action="sts:AssumeRole", condition={
       "StringNotEqualsIfExists": {"aws:ResourceOrgID": "${aws:PrincipalOrgID}"}})))
_RES_ORG = _doc(_st("OurOrganisationsData", Action="s3:*",
                    condition={"StringNotEqualsIfExists": {"aws:ResourceOrgID": ORG}}))
r3("perimeter-resource-org-literal-unconfigured", f"""Deny s3:* when StringNotEqualsIfExists
    aws:ResourceOrgID {ORG}: SST's buckets are in the deployer's account, whose organisation is not in
    the stack: advice naming aws:ResourceOrgID, no mandatory finding.""",
   undecided("deployer", "aws:ResourceOrgID", found=NOT_YET + "no advice naming aws:ResourceOrgID"), document=_RES_ORG)
r3("perimeter-resource-org-literal-configured", f"""The same with organizationId {ORG} in the pack's
    config: the deployer's buckets are in its own account, in {ORG}: passes.""",
   passes(NO_ORG_CONFIG), document=_RES_ORG, pack_config={UNDECIDED: {"organizationId": ORG}})
r3("perimeter-secure-transport", """Deny * when Bool aws:SecureTransport false: AWS SDKs (SST's
    included) call AWS over HTTPS, so the condition never holds on SST's calls: passes.""",
   passes(), lost=frozenset(),
   document=_doc(_st("TlsOnly", Action="*", condition={"Bool": {"aws:SecureTransport": "false"}})))

r3("variable-assume-own-account-roles", """Deny sts:AssumeRole when StringNotEquals aws:ResourceAccount
    ${aws:PrincipalAccount} (no cross-account role hopping): CDK's roles are in the deployer's account:
    passes.""",
   passes(), document=_doc(_st("NoCrossAccountAssume", Action="sts:AssumeRole", condition={
       "StringNotEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}})))
r3("variable-assume-cdk-roles-denied", """Deny sts:AssumeRole on
    arn:aws:iam::${aws:PrincipalAccount}:role/cdk-*: the variable resolves to the deployer's account,
    so assuming its own CDK roles (deploy, file-publishing: SST 2.49 assumes them on every deploy) is
    denied: a loss naming sts:AssumeRole.""",
   lost_on("deployer", "sts:AssumeRole"), document=_doc(_st(
       "NoCdkRoles", Action="sts:AssumeRole", Resource="arn:aws:iam::${aws:PrincipalAccount}:role/cdk-*")))

oidc("gitlab-two-projects", """GitLab.com with sub [project_path:acme/storefront:ref_type:branch:ref:main,
     project_path:acme/storefront-admin:ref_type:branch:ref:main]: each subject names one project and
     branch (a list is an OR of pinned subjects): passes.""",
     "gitlab.com", "https://gitlab.com", ["project_path:acme/storefront:ref_type:branch:ref:main",
                                          "project_path:acme/storefront-admin:ref_type:branch:ref:main"], passes())

r3("admin-everything-in-organisation", _CAP + f"""Allow * on * under StringEquals aws:PrincipalOrgID
    {ORG}, with organizationId {ORG} in the pack's config: every session of the deployer is in {ORG},
    the condition always holds: administrator access outside a sandbox.""",
   admin(found="the pack does not read organizationId yet, so a condition that always holds is not seen (issue 15)"),
   pack_config={UNDECIDED: {"organizationId": ORG}},
   document=_doc(_st("Everything", "Allow", Action="*", condition={"StringEquals": {"aws:PrincipalOrgID": ORG}})))
r3("admin-iam-notresource", _CAP + """Allow iam:* with NotResource [role/admin-*]: every other role
    and every policy, so it can create a role, attach AdministratorAccess and pass it (or attach it to
    itself): administrator access.""",
   admin(says_any=("iam:",), found=_MISSES_CAP),
   document=_doc(_st("IamButAdmins", "Allow", Action="iam:*", NotResource=f"arn:aws:iam::{A}:role/admin-*")))

plain("cdk-legacy-ci", """A CDK CI deployer of the legacy synthesizer (cdk deploy with its own
    credentials): CloudFormation on stack/*, the assets bucket, sts:AssumeRole on CDK's roles, the
    version parameter. Every piece is CDK's and generic CloudFormation; nothing is SST's own (no
    SSTBootstrap, no sstbootstrap- bucket, no /sst/, no IoT): no diagnostic at all.""",
      [_doc(_st("Stacks", "Allow", Action=["cloudformation:CreateChangeSet", "cloudformation:ExecuteChangeSet",
                                           "cloudformation:DescribeChangeSet", "cloudformation:DescribeStacks",
                                           "cloudformation:DescribeStackEvents", "cloudformation:GetTemplate",
                                           "cloudformation:DeleteStack"],
                Resource=f"arn:aws:cloudformation:us-east-1:{A}:stack/*"),
            _st("Assets", "Allow", Action=["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:GetBucketLocation"],
                Resource=["arn:aws:s3:::cdk-hnb659fds-assets-*", "arn:aws:s3:::cdk-hnb659fds-assets-*/*"]),
            _st("AssumeCdkRoles", "Allow", Action="sts:AssumeRole", Resource=f"arn:aws:iam::{A}:role/cdk-hnb659fds-*"),
            _st("Version", "Allow", Action="ssm:GetParameter",
                Resource=f"arn:aws:ssm:us-east-1:{A}:parameter/cdk-bootstrap/hnb659fds/version"))],
      passes(quiet=True, found=_NOISE), trust=_GHA, name="infra-cdk-legacy")

r3("name-prefix-exact-name", _PREFIX + """Here the exemption is StringNotEquals aws:PrincipalArn
    role/sst-deployer (an exact name): the generated name is the prefix 'sst-deployer-' and more, never
    'sst-deployer': every S3 statement is lost, in the preview too.""",
   lost_on("sst-deployer", "AllowSSTManageBootstrapBucket"), variant="tagged", namePrefix="sst-deployer-",
   document=_doc(_st("OnlyTheDeployerTouchesS3", Action="s3:*", condition={
       "StringNotEquals": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/sst-deployer"}})))


_IAM_CDK_TAG = "iam:ResourceTag/aws-cdk:bootstrap-role"
_BOOTSTRAP_ROLES = ["deploy", "lookup", "file-publishing", "image-publishing"]
r3("abac-assume-iam-resource-tag", """CDK Pipelines' idiom written as a Deny: Deny sts:AssumeRole when
    StringNotEquals iam:ResourceTag/aws-cdk:bootstrap-role [deploy, lookup, file-publishing,
    image-publishing] (aws-cdk #24073 and CDK Pipelines' docs grant exactly this set; for a role
    resource the Service Authorization Reference lists both aws:ResourceTag and iam:ResourceTag). The
    roles SST assumes carry those values: passes.""",
   passes(MAY_TAKE), document=_doc(_st("OnlyBootstrapRoles", Action="sts:AssumeRole",
                                        condition={"StringNotEquals": {_IAM_CDK_TAG: _BOOTSTRAP_ROLES}})))
cap("assume-bootstrap-roles-anywhere", """Not this one: Allow sts:AssumeRole on * under StringEquals
    iam:ResourceTag/aws-cdk:bootstrap-role [deploy, lookup, file-publishing, image-publishing] (CDK
    Pipelines' own grant): only CDK's bootstrap roles, which trust their own account (or the accounts
    `cdk bootstrap --trust` names): not administrator access (least-privilege advice is free).""",
    [_st("AssumeBootstrapRoles", "Allow", Action="sts:AssumeRole",
         condition={"StringEquals": {_IAM_CDK_TAG: _BOOTSTRAP_ROLES}})], passes())



# ================================================================= 13. Services' own condition keys and time

r3("request-tag-on-stacks", """Deny cloudformation:CreateStack when Null aws:RequestTag/team true (every
    new stack must be tagged team): whether SST's CreateStack carries a team tag depends on the app's
    own tags (sst.config.ts), not on anything in this stack: advice naming aws:RequestTag/team, no
    mandatory finding.""",
   undecided("deployer", "aws:RequestTag/team", found=NOT_YET + "no advice naming aws:RequestTag/team"),
   document=_doc(_st("TaggedStacksOnly", Action="cloudformation:CreateStack",
                      condition={"Null": {"aws:RequestTag/team": "true"}})))
r3("passrole-only-to-cloudformation", """Deny iam:PassRole when StringNotEquals iam:PassedToService
    cloudformation.amazonaws.com: SST passes the CDK execution role only as CreateStack/UpdateStack's
    RoleARN (sst/v2 PR #96), i.e. to CloudFormation (Service Authorization Reference,
    iam:PassedToService): passes.""",
   passes(), document=_doc(_st("PassToCloudFormationOnly", Action="iam:PassRole", condition={
       "StringNotEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}})))
r3("passrole-not-to-cloudformation", """Deny iam:PassRole when StringEquals iam:PassedToService
    cloudformation.amazonaws.com: exactly SST's PassRole of the execution role: lost (the message names
    iam:PassRole).""",
   lost_on("deployer", "iam:PassRole"),
   document=_doc(_st("NoRolesForCloudFormation", Action="iam:PassRole", condition={
       "StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}})))
r3("s3-encryption-header", """The classic Deny s3:PutObject when Null s3:x-amz-server-side-encryption
    true (uploads must ask for SSE): whether SST's and CDK's uploads send that header is not in the
    stack (S3 applies the bucket's default encryption without it): advice naming
    s3:x-amz-server-side-encryption, no mandatory finding.""",
   undecided("deployer", "s3:x-amz-server-side-encryption",
             found=NOT_YET + "no advice naming s3:x-amz-server-side-encryption"),
   document=_doc(_st("EncryptedUploads", Action="s3:PutObject",
                      condition={"Null": {"s3:x-amz-server-side-encryption": "true"}})))
r3("sst-functions-only", """Deny lambda:UpdateFunctionConfiguration when Null aws:ResourceTag/sst:app
    true (only SST's functions may be reconfigured by deployers): SST restarts only functions tagged
    sst:app (the page's own condition on AllowSSTCLIRestartAppFunction): passes.""",
   passes(), lost=frozenset(),
   document=_doc(_st("SstFunctionsOnly", Action="lambda:UpdateFunctionConfiguration",
                      condition={"Null": {"aws:ResourceTag/sst:app": "true"}})))
r3("expired-access", """Deny * when DateGreaterThan aws:CurrentTime 2024-01-01T00:00:00Z (temporary
    access that has expired): every request now is later: everything is lost.""",
   lost_on("deployer", "AllowSSTDeployStacks"),
   document=_doc(_st("Expired", Action="*",
                      condition={"DateGreaterThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"}})))
r3("mfa-age", """Deny * when NumericGreaterThan aws:MultiFactorAuthAge 3600 on the component's people
    deployer (MFA required by its trust): a session whose MFA is older than an hour is denied, a fresh
    one is not; how old the MFA of a deploy will be is not in the stack: advice naming
    aws:MultiFactorAuthAge, no mandatory finding.""",
   undecided("deployer", "aws:MultiFactorAuthAge", found=NOT_YET + "no advice naming aws:MultiFactorAuthAge"),
   document=_doc(_st("FreshMfa", Action="*", condition={"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}})))


assert len(ROUND3.scenarios) >= 60, len(ROUND3.scenarios)
