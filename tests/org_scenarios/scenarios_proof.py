"""Issue 15, classes 1, 2 and 4: the pack blocks only on proof. Arrangements an organisation
writes that hold for every SST deployer (a false block stops teams), beside their near twins
that really take a call away (a false pass). Same machinery as the other libraries
(:mod:`spec`, :mod:`capture`, :mod:`world`, :mod:`bruteforce`); program ``proof.py``.

Sources used throughout:
IAM User Guide, "IAM JSON policy elements: Resource" (``*`` and ``?`` in the resource part
match across ``:`` and ``/``), "Condition operators" (a missing key makes a positive operator
false, a negated one and ``...IfExists`` true), "Policy variables" (resolved from the request,
Version 2012-10-17 only; ``${key, 'default'}``), "AWS global condition context keys"
(``aws:PrincipalOrgID``/``aws:ResourceOrgID`` present only for accounts in an organisation;
``aws:ResourceAccount``; ``aws:PrincipalArn`` of a role session is the role's ARN);
SST v2 (v2.49.6) ``packages/sst/src/config.ts`` (``/sst/<app>/.fallback/``),
``constructs/App.ts`` (stack names carry the stage: ``<stage>-<app>-<Stack>``),
``project.ts`` (stage names); CloudFormation's stack name rule; SSM's parameter name rule;
the CDK bootstrap template (the roles' ``aws-cdk:bootstrap-role`` tag);
terraform-provider-aws ``internal/create/naming.go`` (``namePrefix`` + 26 digits).
"""

from __future__ import annotations

import json

from .scenarios import EVERY_SID, INTACT
from .spec import PASS, Finding, Library, Scenario, Verdict

PROOF = Library()
add = PROOF.add

UNDECIDED = "sst-deployer-undecided-conditions"
ORG = "o-a1b2c3d4e5"
OTHER_ORG = "o-zzzzzzzzzz"
PATH = f"{ORG}/r-ab12/ou-ab12-11111111/"

SECRETS = frozenset({"AllowSSTCLIManageAppSecrets", "AllowSSTCLIManageFallbackSecrets"})
APP_STACKS = frozenset({"AllowSSTDeployStacks", "AllowSSTMonitorStackDeployment"})
TOOLKIT_STACK = frozenset({"AllowCDKManageToolkitStack", "AllowSSTManageBootstrapStack"})
OBJECTS = frozenset({"AllowSSTManageBootstrapBucket", "AllowSSTReadStackTemplates"})


def _doc(*statements: dict[str, object], version: str | None = "2012-10-17") -> dict[str, object]:
    out: dict[str, object] = {"Statement": list(statements)}
    if version:
        out = {"Version": version, **out}
    return out


def _deny(sid: str, resource: object = "*", action: object = "*", condition: dict[str, object] | None = None,
          **kw: object) -> dict[str, object]:
    st: dict[str, object] = {"Sid": sid, "Effect": "Deny", "Action": action, **kw}
    if "NotResource" not in st:
        st["Resource"] = resource
    if condition:
        st["Condition"] = condition
    return st


def facts(**config: object) -> dict[str, dict[str, object]]:
    """The pack's config with organisation facts stated in sst-deployer-undecided-conditions."""
    return {UNDECIDED: dict(config)}


def lost_on(role: str, *says: str) -> Verdict:
    return Verdict((Finding((role,), says, INTACT),))


def advice(role: str, *says: str) -> Verdict:
    """Advisory only, from sst-deployer-undecided-conditions; nothing mandatory anywhere."""
    return Verdict((Finding((role,), says, UNDECIDED, level="advisory"),))


def guard(id_: str, why: str, document: dict[str, object], update: Verdict, preview: Verdict | None = None, *,
          lost: frozenset[str] | None = frozenset(), toolkit: str = "CDKToolkit", tags: str = "{}",
          pack_config: dict[str, dict[str, object]] | None = None) -> Scenario:
    return add(Scenario(
        f"p15-{id_}", "proof.py", why,
        {"scenario:variant": "guard", "scenario:document": json.dumps(document), "scenario:toolkit": toolkit,
         "scenario:tags": tags},
        update, preview or update, lost=None if lost is None else {"deployer": lost}, pack_config=pack_config))


def prefixed(id_: str, why: str, document: dict[str, object], prefix: str, update: Verdict,
             preview: Verdict | None = None, *, lost: frozenset[str] | None = frozenset()) -> Scenario:
    return add(Scenario(
        f"p15-{id_}", "proof.py", why,
        {"scenario:variant": "prefix", "scenario:document": json.dumps(document), "scenario:prefix": prefix},
        update, preview or update, lost=None if lost is None else {"sst-deployer": lost}))


# ----------------------------------------------------------------- class 1: names SST can have

guard("ssm-other-team", """Deny ssm:* on arn:aws:ssm:*:*:parameter/payments/*. As strings, the
    Deny's region "*" could read "us-east-1:112233445566:parameter/sst/x:" and so overlap
    parameter/sst/*; but an SSM parameter name holds only letters, digits and _ . - / (SSM
    parameter name rules), never ":", so no parameter SST reads or writes is under /payments/.
    Nothing is lost: passes.""",
      _doc(_deny("PaymentsOnly", "arn:aws:ssm:*:*:parameter/payments/*", "ssm:*")), PASS)

guard("ssm-sst-tree", """The near twin: Deny ssm:* on arn:aws:ssm:*:*:parameter/sst/*. SST's
    secrets and fallback secrets live under /sst/ (ssmPrefix's default /sst/<app>/<stage>/;
    Config.PREFIX.FALLBACK /sst/<app>/.fallback/): both are denied, a proven loss.""",
      _doc(_deny("NoSst", "arn:aws:ssm:*:*:parameter/sst/*", "ssm:*")), lost_on("deployer", "NoSst"), lost=SECRETS)

guard("ssm-fallback-nested", """Deny ssm:* on parameter/sst/payments/x/.fallback/*, a fallback
    path one level deeper than SST's: /sst/<app>/.fallback/ has one segment for the app, whose name
    is in every stack name (CloudFormation: letters, digits, "-"), so no "/" in it. The
    fallback requirement is untouched; but /sst/payments/x/.fallback/... is a parameter name under
    the deployer's ssmPrefix /sst/ (a stage "x" of app "payments" could hold it as a name), so
    AllowSSTCLIManageAppSecrets is lost, and only it.""",
      _doc(_deny("NoNested", "arn:aws:ssm:*:*:parameter/sst/payments/x/.fallback/*", "ssm:*")),
      lost_on("deployer", "AllowSSTCLIManageAppSecrets", "NoNested"),
      lost=frozenset({"AllowSSTCLIManageAppSecrets"}))

guard("another-toolkit", """The deployer's CDK toolkit stack is MyToolkit; the organisation
    protects the default toolkit: Deny cloudformation:* on stack/CDKToolkit/*. SST's app stacks
    are named with the stage and a "-" (App.logicalPrefixedName "<stage>-<app>-<Stack>", and the
    stage check in App.ts), so "CDKToolkit" is none of them, and the deployer's own toolkit stack
    is MyToolkit: nothing is lost, passes.""",
      _doc(_deny("ProtectDefaultToolkit", "arn:aws:cloudformation:*:*:stack/CDKToolkit/*", "cloudformation:*")),
      PASS, toolkit="MyToolkit")

guard("own-toolkit", """The same Deny on a deployer whose toolkit is the default CDKToolkit: the
    CDK bootstrap stack SST deploys and watches is denied (AllowCDKManageToolkitStack and the
    DescribeStacks of AllowSSTManageBootstrapStack), a proven loss; app stacks stay.""",
      _doc(_deny("ProtectDefaultToolkit", "arn:aws:cloudformation:*:*:stack/CDKToolkit/*", "cloudformation:*")),
      lost_on("deployer", "ProtectDefaultToolkit"), lost=TOOLKIT_STACK)

guard("stack-three-segments", """Deny cloudformation:* on stack/*/*/*: a stack ARN is
    stack/<name>/<uuid>, and neither a stack name nor its id holds "/": no stack SST has is
    named so. Passes (as strings, stack/* overlaps it).""",
      _doc(_deny("Odd", "arn:aws:cloudformation:*:*:stack/*/*/*", "cloudformation:*")), PASS)

guard("stack-legacy-stage", """Deny cloudformation:* on stack/legacy-*: SST's stacks of a stage
    "legacy" are named legacy-<app>-<Stack>: SST would deploy them, so the Deny takes app-stack
    calls away (the requirement is every app stack of the deployer), a loss.""",
      _doc(_deny("NoLegacy", "arn:aws:cloudformation:*:*:stack/legacy-*", "cloudformation:*")),
      lost_on("deployer", "NoLegacy"), lost=APP_STACKS)

guard("listbucket-on-objects", """Deny s3:ListBucket on arn:aws:s3:::*/*: ListBucket is
    authorised against the bucket (Service Authorization Reference, Amazon S3), and bucket names
    hold no "/" (S3 bucket naming rules): the Deny never applies to SST's buckets. Passes.""",
      _doc(_deny("Odd", "arn:aws:s3:::*/*", "s3:ListBucket")), PASS)

guard("objects-anywhere", """Deny s3:GetObject on arn:aws:s3:::*/private/*: object keys may hold
    any character, so sstbootstrap-<...>/appMetadata/private/x is a key SST may read: a loss for the
    bootstrap bucket and the assets bucket.""",
      _doc(_deny("NoPrivate", "arn:aws:s3:::*/private/*", "s3:GetObject")),
      lost_on("deployer", "NoPrivate"), lost=OBJECTS)

guard("iot-client-path", """Deny iot:Connect on client/*/*: SST's socket connects as MQTT.js's
    client id mqttjs_<hex> (mqtt.js defaultId), with no "/": never denied. Passes.""",
      _doc(_deny("Odd", "arn:aws:iot:*:*:client/*/*", "iot:Connect")), PASS)

# ----------------------------------------------------------------- class 2: prove, or advise

_PERIMETER = _deny("EnforceResourcePerimeter", condition={
    "StringNotEqualsIfExists": {"aws:ResourceOrgID": "${aws:PrincipalOrgID}"}})
_PERIMETER_WHY = """AWS's data-perimeter guardrail: Deny * unless aws:ResourceOrgID equals the
    caller's ${aws:PrincipalOrgID}. SST's resources are in the deployer's own account, so for an
    account in an organisation the two are equal and the Deny never applies; for an account in
    none, both keys are absent and "...IfExists" makes the Deny apply to everything."""

guard("perimeter-unstated", _PERIMETER_WHY + """ Whether the account is in an organisation is not
    stated: undecided. Advice naming aws:resourceorgid and organizationId, nothing mandatory.""",
      _doc(_PERIMETER), advice("deployer", "EnforceResourcePerimeter", "aws:resourceorgid", "organizationId"),
      lost=None)

guard("perimeter-stated", _PERIMETER_WHY + f""" The organisation states organizationId {ORG}:
    decided harmless, passes with no advice at all.""",
      _doc(_PERIMETER), Verdict(quiet=True), pack_config=facts(organizationId=ORG))

_ORG_GATE = _deny("OnlyOurOrg", condition={"StringNotEquals": {"aws:PrincipalOrgID": ORG}})

guard("org-gate-unstated", f"""Deny * when aws:PrincipalOrgID is not {ORG}. Without the
    organisation's id the pack cannot tell: advice naming aws:principalorgid and organizationId.""",
      _doc(_ORG_GATE), advice("deployer", "OnlyOurOrg", "aws:principalorgid", "organizationId"), lost=None)

guard("org-gate-ours", f"""The same gate, organizationId {ORG} stated: every deployer session
    carries aws:PrincipalOrgID {ORG}, StringNotEquals is false: harmless, passes quietly.""",
      _doc(_ORG_GATE), Verdict(quiet=True), pack_config=facts(organizationId=ORG))

guard("org-gate-other", f"""The same gate while the organisation states it is {OTHER_ORG}: the
    condition holds for every call SST makes, a proven loss of every statement.""",
      _doc(_ORG_GATE), lost_on("deployer", "OnlyOurOrg"), lost=EVERY_SID,
      pack_config=facts(organizationId=OTHER_ORG))

guard("org-paths", f"""Deny * unless some aws:PrincipalOrgPaths is under {PATH}
    (ForAllValues:StringNotLike). The organisation states its deployer accounts are under
    {PATH}ou-ab12-22222222/: every value matches, the Deny cannot apply; passes quietly.""",
      _doc(_deny("OnlyPlatformOu", condition={"ForAllValues:StringNotLike": {"aws:PrincipalOrgPaths": PATH + "*"}})),
      Verdict(quiet=True), pack_config=facts(organizationId=ORG, organizationPaths=[PATH + "ou-ab12-22222222/"]))

guard("own-account-resources", """Deny * unless aws:ResourceAccount is ${aws:PrincipalAccount}
    (StringNotEqualsIfExists): SST's resources are in the deployer's account, which is its
    principal account: decided harmless without any stated fact, passes quietly.""",
      _doc(_deny("OwnAccountOnly", condition={
          "StringNotEqualsIfExists": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}})), Verdict(quiet=True))

guard("bootstrap-tag", """Deny sts:AssumeRole on roles without the aws-cdk:bootstrap-role tag
    (Null ... true). SST assumes only the CDK bootstrap roles (deploy, file-publishing,
    image-publishing, lookup), which the bootstrap template tags aws-cdk:bootstrap-role: the tag is
    there, Null true is false, nothing lost; passes quietly.""",
      _doc(_deny("OnlyBootstrapRoles", action="sts:AssumeRole", condition={
          "Null": {"aws:ResourceTag/aws-cdk:bootstrap-role": "true"}})), Verdict(quiet=True))

guard("bootstrap-tag-kinds", """Deny sts:AssumeRole unless the role's aws-cdk:bootstrap-role tag
    is deploy or lookup: the toolkit also assumes file-publishing and image-publishing roles, whose
    tag values are those names: a proven loss of AllowSSTAssumeCDKToolkitRoles.""",
      _doc(_deny("DeployAndLookupOnly", action="sts:AssumeRole", condition={
          "StringNotEquals": {"aws:ResourceTag/aws-cdk:bootstrap-role": ["deploy", "lookup"]}})),
      lost_on("deployer", "DeployAndLookupOnly"), lost=frozenset({"AllowSSTAssumeCDKToolkitRoles"}))

guard("session-tag-stated", """Deny * unless aws:PrincipalTag/team is platform. The role has no
    such tag, but the organisation states that its identity provider passes the session tag
    team=platform to every deployer session (session tags override role tags): harmless, quiet.""",
      _doc(_deny("PlatformOnly", condition={"StringNotEquals": {"aws:PrincipalTag/team": "platform"}})),
      Verdict(quiet=True), pack_config=facts(principalTags={"team": "platform"}))

guard("resource-variable", """Deny ssm:* on arn:aws:ssm:*:${aws:PrincipalAccount}:parameter/sst/*:
    the variable is the deployer's own account, so it denies SST's secrets in its account: a loss.""",
      _doc(_deny("NoOwnSst", "arn:aws:ssm:*:${aws:PrincipalAccount}:parameter/sst/*", "ssm:*")),
      lost_on("deployer", "NoOwnSst"), lost=SECRETS)

guard("resource-variable-2008", """The same Deny in a document without Version (2008-10-17):
    IAM reads ${aws:PrincipalAccount} as text there, and no ARN has it: nothing lost, passes.""",
      _doc(_deny("NoOwnSst", "arn:aws:ssm:*:${aws:PrincipalAccount}:parameter/sst/*", "ssm:*"), version=None), PASS)

guard("source-ip", """Deny * when aws:SourceIp is not the office range: where SST runs from is
    not known to the pack. Advice naming aws:sourceip, nothing mandatory.""",
      _doc(_deny("OfficeOnly", condition={"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}})),
      advice("deployer", "OfficeOnly", "aws:sourceip"), lost=None)

# ----------------------------------------------------------------- class 4: namePrefix previews

_EXEMPT = _deny("OnlyDeployers", condition={"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/sst-deployer-*"}})

prefixed("prefix-exempt", """A tagged deployer named by namePrefix "sst-deployer-"; the guardrail
    Denies every role but arn:aws:iam::*:role/sst-deployer-*. In a preview the name is unknown,
    but the provider names it "sst-deployer-" + 26 digits (naming.go), so its ARN
    arn:aws:iam::112233445566:role/sst-deployer-<26> matches: the Deny cannot apply. Passes in
    every shape.""", _doc(_EXEMPT), "sst-deployer-", PASS)

prefixed("prefix-not-exempt", """The same guardrail on a deployer with namePrefix "ci-": its ARN is
    role/ci-<26 digits>, never role/sst-deployer-*: the Deny applies to every call, in the preview
    already (decided by the prefix), a proven loss.""", _doc(_EXEMPT), "ci-",
         lost_on("sst-deployer", "OnlyDeployers"), lost=EVERY_SID)
