"""What an AWS API request asks IAM for: the (action, resource ARN, context) checks it needs.

Pure functions from a request as the recording proxy sees it (method, path, query,
headers, body) to the checks AWS makes before serving it, for the services the SST v2
CLI and the CDK toolkit call: CloudFormation and STS (query protocol), SSM (JSON), S3,
Lambda and IoT (REST). Resource ARNs follow the AWS Service Authorization Reference
(https://docs.aws.amazon.com/service-authorization/latest/reference/): a stack is
``stack/<name>/<id>``, an SSM parameter ``parameter/<name without its leading slash>``, an
object ``<bucket>/<key>``; actions that support no resource type are checked on ``*``.

Two checks no client request shows are added where AWS makes them:

* ``iam:PassRole`` of ``CreateStack``/``UpdateStack``/``CreateChangeSet``'s ``RoleARN``
  (CloudFormation "Service role" docs: the caller must be allowed to pass it);
* ``s3:GetObject`` of the ``TemplateURL`` object, which CloudFormation reads with the
  caller's credentials (CloudFormation API reference, ``TemplateURL``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlparse

UNKNOWN_STACK_ID = "*"  # a stack AWS has not named yet: any id
IAM_REGION = "us-east-1"  # IAM's endpoint in the aws partition: the aws:RequestedRegion of IAM calls
# CloudFormation calling with the caller's credentials (forward access sessions): IAM User
# Guide, "AWS global condition context keys", aws:CalledVia and aws:ViaAWSService.
VIA_CLOUDFORMATION = {
    "aws:calledvia": "cloudformation.amazonaws.com", "aws:calledviafirst": "cloudformation.amazonaws.com",
    "aws:calledvialast": "cloudformation.amazonaws.com", "aws:viaawsservice": "true",
}


@dataclass(frozen=True)
class Check:
    """One authorisation AWS makes: ``action`` on ``resource`` in ``context``.

    ``context`` holds condition keys known for the request (lower-case key to values):
    ``aws:requestedregion``, ``aws:resourcetag/<key>``, ``iam:passedtoservice``."""

    action: str
    resource: str
    context: Mapping[str, str] = field(default_factory=dict)
    implied: str = ""  # why a check no client request shows is made ("" for the call's own)

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {"action": self.action, "resource": self.resource}
        if self.context:
            out["context"] = dict(sorted(self.context.items()))
        if self.implied:
            out["implied"] = self.implied
        return out


@dataclass(frozen=True)
class Request:
    """An AWS request as it crosses the proxy."""

    method: str
    path: str  # without the query string
    query: Mapping[str, Sequence[str]]
    headers: Mapping[str, str]  # lower-case names
    body: bytes


@dataclass(frozen=True)
class Signature:
    access_key: str
    region: str
    service: str


_CREDENTIAL = re.compile(r"Credential=([^/]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")


def signature(req: Request) -> Signature | None:
    """Who signed the request, for which region and service (SigV4 credential scope)."""
    match = _CREDENTIAL.search(req.headers.get("authorization", ""))
    if match is None:
        cred = req.query.get("X-Amz-Credential", [""])[0]
        match = _CREDENTIAL.search("Credential=" + cred)
    if match is None:
        return None
    return Signature(match.group(1), match.group(2), match.group(3))


def form(req: Request) -> dict[str, str]:
    """The query-protocol parameters (form body, or the query string of a GET)."""
    params = {k: v[0] for k, v in req.query.items()}
    if req.body and "json" not in req.headers.get("content-type", ""):
        params.update({k: v[0] for k, v in parse_qs(req.body.decode("utf-8", "replace")).items()})
    return params


def operation(req: Request, service: str) -> str:
    """The API operation's name as the service documents it (``DescribeStacks``...)."""
    target = req.headers.get("x-amz-target")
    if target:
        return target.split(".")[-1]
    if service in ("cloudformation", "sts", "iam"):
        return form(req).get("Action", "?")
    if service == "s3":
        return _s3_operation(req)[0]
    if service == "lambda":
        return _lambda_operation(req)[0]
    if service in ("iot", "execute-api") and req.path.startswith("/endpoint"):
        return "DescribeEndpoint"
    return f"{req.method} {req.path}"


# --------------------------------------------------------------------------- S3

_S3_BUCKET_SUBRESOURCES = {
    # query key: (GET operation, GET action, PUT action, DELETE action)
    "location": ("GetBucketLocation", "s3:GetBucketLocation", "", ""),
    "encryption": ("GetBucketEncryption", "s3:GetEncryptionConfiguration",
                   "s3:PutEncryptionConfiguration", "s3:PutEncryptionConfiguration"),
    "versioning": ("GetBucketVersioning", "s3:GetBucketVersioning", "s3:PutBucketVersioning", ""),
    "policy": ("GetBucketPolicy", "s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"),
    "lifecycle": ("GetBucketLifecycleConfiguration", "s3:GetLifecycleConfiguration",
                  "s3:PutLifecycleConfiguration", "s3:PutLifecycleConfiguration"),
    "publicAccessBlock": ("GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock",
                          "s3:PutBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock"),
    "tagging": ("GetBucketTagging", "s3:GetBucketTagging", "s3:PutBucketTagging", "s3:PutBucketTagging"),
    "versions": ("ListObjectVersions", "s3:ListBucketVersions", "", ""),
    "uploads": ("ListMultipartUploads", "s3:ListBucketMultipartUploads", "", ""),
}


def _s3_split(req: Request) -> tuple[str, str]:
    parts = req.path.lstrip("/").split("/", 1)
    bucket = unquote(parts[0])
    key = unquote(parts[1]) if len(parts) > 1 else ""
    return bucket, key


def _s3_operation(req: Request) -> tuple[str, list[tuple[str, str]]]:
    """(operation, [(action, resource)]) of a path-style S3 request."""
    bucket, key = _s3_split(req)
    bucket_arn = f"arn:aws:s3:::{bucket}"
    m = req.method
    if not bucket:
        return "ListBuckets", [("s3:ListAllMyBuckets", "*")]
    if key:
        obj = f"{bucket_arn}/{key}"
        if "uploadId" in req.query or "uploads" in req.query:
            op = {"POST": "MultipartUpload", "PUT": "UploadPart", "DELETE": "AbortMultipartUpload"}.get(m, "ListParts")
            action = "s3:AbortMultipartUpload" if m == "DELETE" else (
                "s3:ListMultipartUploadParts" if m == "GET" else "s3:PutObject")
            return op, [(action, obj)]
        if "tagging" in req.query:
            return f"{m} ObjectTagging", [("s3:GetObjectTagging" if m == "GET" else "s3:PutObjectTagging", obj)]
        if m in ("GET", "HEAD"):
            return ("GetObject" if m == "GET" else "HeadObject"), [("s3:GetObject", obj)]
        if m == "PUT":
            checks = [("s3:PutObject", obj)]
            source = req.headers.get("x-amz-copy-source")
            if source:
                checks.append(("s3:GetObject", "arn:aws:s3:::" + unquote(source).lstrip("/").split("?")[0]))
                return "CopyObject", checks
            return "PutObject", checks
        if m == "DELETE":
            return "DeleteObject", [("s3:DeleteObject", obj)]
    for sub, (get_op, get_action, put_action, delete_action) in _S3_BUCKET_SUBRESOURCES.items():
        if sub in req.query:
            if m == "GET":
                return get_op, [(get_action, bucket_arn)]
            if m == "PUT" and put_action:
                return f"Put{get_op[3:]}", [(put_action, bucket_arn)]
            if m == "DELETE" and delete_action:
                return f"Delete{get_op[3:]}", [(delete_action, bucket_arn)]
    if m == "POST" and "delete" in req.query:
        keys = re.findall(rb"<Key>([^<]*)</Key>", req.body)
        return "DeleteObjects", [("s3:DeleteObject", f"{bucket_arn}/{k.decode()}") for k in keys]
    if m in ("GET", "HEAD"):
        return ("ListObjectsV2" if m == "GET" else "HeadBucket"), [("s3:ListBucket", bucket_arn)]
    if m == "PUT":
        return "CreateBucket", [("s3:CreateBucket", bucket_arn)]
    if m == "DELETE":
        return "DeleteBucket", [("s3:DeleteBucket", bucket_arn)]
    return f"{m} bucket", [(f"s3:? {m}", bucket_arn)]


# --------------------------------------------------------------------------- Lambda

_LAMBDA_PATH = re.compile(r"^/\d{4}-\d{2}-\d{2}/functions/([^/]+)(/[a-z-]+)?/?$")


def _lambda_operation(req: Request) -> tuple[str, str]:
    """(operation, function name or ARN) of a Lambda REST request."""
    match = _LAMBDA_PATH.match(req.path)
    if match is None:
        return f"{req.method} {req.path}", ""
    name, sub = unquote(match.group(1)), match.group(2) or ""
    op = {
        ("GET", ""): "GetFunction",
        ("GET", "/configuration"): "GetFunctionConfiguration",
        ("PUT", "/configuration"): "UpdateFunctionConfiguration",
        ("PUT", "/code"): "UpdateFunctionCode",
        ("POST", "/invocations"): "Invoke",
        ("DELETE", ""): "DeleteFunction",
    }.get((req.method, sub), f"{req.method} functions/{sub}")
    return op, name


def lambda_function_arn(name: str, region: str, account: str) -> str:
    if name.startswith("arn:"):
        return ":".join(name.split(":")[:7])  # without a qualifier
    return f"arn:aws:lambda:{region}:{account}:function:{name}"


# --------------------------------------------------------------------------- the checks


def stack_arn(name_or_id: str, region: str, account: str, ids: Mapping[str, str]) -> str:
    """A stack's ARN: as given, or from its name and the id AWS gave it (``*`` when none yet)."""
    if name_or_id.startswith("arn:"):
        return name_or_id
    return ids.get(name_or_id) or f"arn:aws:cloudformation:{region}:{account}:stack/{name_or_id}/{UNKNOWN_STACK_ID}"


def _template_object(url: str) -> str | None:
    """The S3 object a TemplateURL names (path style, as an IP endpoint or s3.<region>...)."""
    parsed = urlparse(url)
    host = parsed.hostname or ""
    path = unquote(parsed.path).lstrip("/")
    if ".s3." in host or host.endswith(".s3.amazonaws.com"):
        bucket = host.split(".s3")[0]
        return f"arn:aws:s3:::{bucket}/{path}"
    return f"arn:aws:s3:::{path}" if "/" in path else None


def checks(
    req: Request,
    sig: Signature,
    account: str,
    stack_ids: Mapping[str, str],
    tags_of: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[str, list[Check]]:
    """(operation, checks) for ``req``; ``stack_ids`` maps stack names to ARNs seen so far,
    ``tags_of`` resource ARNs to their tags (the ``aws:ResourceTag/...`` context)."""
    region, service = sig.region, sig.service
    base = {"aws:requestedregion": region}
    tags_of = tags_of or {}

    def check(action: str, resource: str, implied: str = "", **extra: str) -> Check:
        context = dict(base, **extra)
        for key, value in tags_of.get(resource, {}).items():
            context[f"aws:resourcetag/{key.lower()}"] = value
        return Check(action, resource, context, implied)

    op = operation(req, service)
    if service == "cloudformation":
        params = form(req)
        action = f"cloudformation:{op}"
        if op in ("ListImports", "ValidateTemplate", "ListStacks", "ListExports", "DescribeAccountLimits",
                  "EstimateTemplateCost") or (op == "DescribeStacks" and "StackName" not in params):
            return op, [check(action, "*")]
        name = params.get("StackName") or "*"  # a change set given by ARN alone: its stack unknown
        out = [check(action, stack_arn(name, region, account, stack_ids))]
        if op in ("CreateStack", "UpdateStack", "CreateChangeSet"):
            if params.get("RoleARN"):
                out.append(check("iam:PassRole", params["RoleARN"], implied=f"{op} RoleARN",
                                 **{"iam:passedtoservice": "cloudformation.amazonaws.com"}))
            template = _template_object(params.get("TemplateURL", "")) if params.get("TemplateURL") else None
            if template:
                out.append(check("s3:GetObject", template, implied=f"{op} TemplateURL", **VIA_CLOUDFORMATION))
        return op, out
    if service == "sts":
        params = form(req)
        if op in ("GetCallerIdentity",):
            return op, []  # needs no permission (STS API reference)
        if op == "AssumeRole":
            return op, [check("sts:AssumeRole", params.get("RoleArn", "?"))]
        return op, [check(f"sts:{op}", "*")]
    if service == "ssm":
        body = json.loads(req.body or b"{}")

        def param_arn(name: str) -> str:
            if name.startswith("arn:"):
                return name
            return f"arn:aws:ssm:{region}:{account}:parameter/{name.lstrip('/')}"

        names: list[str] = []
        if "Name" in body:
            names = [body["Name"]]
        elif "Names" in body:
            names = list(body["Names"])
        elif "Path" in body:
            names = [body["Path"]]
        if not names:
            return op, [check(f"ssm:{op}", "*")]
        return op, [check(f"ssm:{op}", param_arn(n)) for n in names]
    if service == "s3":
        op, pairs = _s3_operation(req)
        return op, [check(a, r) for a, r in pairs]
    if service == "lambda":
        op, name = _lambda_operation(req)
        if not name:
            return op, [check(f"lambda:{op}", "*")]
        action = "lambda:InvokeFunction" if op == "Invoke" else f"lambda:{op}"
        return op, [check(action, lambda_function_arn(name, region, account))]
    if service in ("iot", "execute-api") and op == "DescribeEndpoint":
        return op, [check("iot:DescribeEndpoint", "*")]
    return op, [check(f"{service}:{op}", "*")]


# --------------------------------------------------------------------------- stacks without a role

AS_CALLER = "CloudFormation creating the stack's resources with the caller's credentials (no RoleARN)"

# What CloudFormation calls, as the caller, to create a resource of each type the CDK
# bootstrap template holds: the create call, and one call per property set after it
# (the resource types' "handlers.create.permissions" in the CloudFormation registry schemas).
_AS_CALLER_ACTIONS: dict[str, tuple[tuple[str, str | None], ...]] = {
    "AWS::IAM::Role": (("iam:CreateRole", None), ("iam:GetRole", None), ("iam:TagRole", "Tags"),
                       ("iam:PutRolePolicy", "Policies"), ("iam:AttachRolePolicy", "ManagedPolicyArns")),
    "AWS::S3::Bucket": (("s3:CreateBucket", None), ("s3:PutEncryptionConfiguration", "BucketEncryption"),
                        ("s3:PutBucketVersioning", "VersioningConfiguration"),
                        ("s3:PutLifecycleConfiguration", "LifecycleConfiguration"),
                        ("s3:PutBucketPublicAccessBlock", "PublicAccessBlockConfiguration")),
    "AWS::ECR::Repository": (("ecr:CreateRepository", None), ("ecr:PutLifecyclePolicy", "LifecyclePolicy"),
                             ("ecr:SetRepositoryPolicy", "RepositoryPolicyText")),
    "AWS::SSM::Parameter": (("ssm:PutParameter", None),),
}


def _physical_arn(kind: str, physical: str, region: str, account: str) -> str:
    return {
        "AWS::IAM::Role": f"arn:aws:iam::{account}:role/{physical}",
        "AWS::S3::Bucket": f"arn:aws:s3:::{physical}",
        "AWS::ECR::Repository": f"arn:aws:ecr:{region}:{account}:repository/{physical}",
        "AWS::SSM::Parameter": f"arn:aws:ssm:{region}:{account}:parameter/{physical.lstrip('/')}",
    }[kind]


def parse_template(body: str) -> Mapping[str, object]:
    """A CloudFormation template, JSON or YAML (short-form ``!Tags`` kept as ``{tag: value}``)."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def tagged(loader: yaml.SafeLoader, tag: str, node: yaml.Node) -> object:
        if isinstance(node, yaml.ScalarNode):
            value: object = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node)
        else:
            value = loader.construct_mapping(node)
        return {tag: value}

    Loader.add_multi_constructor("!", tagged)
    loaded = yaml.load(body, Loader=Loader)  # a SafeLoader subclass: builds plain data only
    return loaded if isinstance(loaded, Mapping) else {}


def as_caller_checks(template: Mapping[str, object], created: Mapping[str, tuple[str, str]],
                     region: str, account: str) -> list[Check]:
    """The checks CloudFormation makes with the caller's credentials to create a stack's
    resources when no service role is given (CloudFormation user guide, "service role":
    without one it uses the caller's credentials). ``created`` maps logical ids to
    (type, physical id) of the resources the stack really has (conditions applied)."""
    resources = template.get("Resources")
    if not isinstance(resources, Mapping):
        return []
    out: list[Check] = []
    context = {"aws:requestedregion": region, **VIA_CLOUDFORMATION}
    iam_context = {**context, "aws:requestedregion": IAM_REGION}

    def ref(value: object) -> str | None:
        if isinstance(value, Mapping) and isinstance(value.get("Ref"), str) and value["Ref"] in created:
            return created[value["Ref"]][1]
        return None

    for logical, (kind, physical) in sorted(created.items()):
        body = resources.get(logical)
        props = body.get("Properties", {}) if isinstance(body, Mapping) else {}
        for action, prop in _AS_CALLER_ACTIONS.get(kind, ()):
            if prop is None or (isinstance(props, Mapping) and prop in props):
                out.append(Check(action, _physical_arn(kind, physical, region, account),
                                 iam_context if action.startswith("iam:") else context, AS_CALLER))
    for logical, body in resources.items():
        if not isinstance(body, Mapping) or not isinstance(body.get("Properties"), Mapping):
            continue
        props = body["Properties"]
        # moto skips AWS::S3::BucketPolicy: one without a Condition is created with its bucket.
        made = logical in created or (body.get("Type") == "AWS::S3::BucketPolicy" and "Condition" not in body)
        if not made:
            continue
        if body.get("Type") == "AWS::S3::BucketPolicy" and (bucket := ref(props.get("Bucket"))):
            out.append(Check("s3:PutBucketPolicy", f"arn:aws:s3:::{bucket}", context, AS_CALLER))
        if body.get("Type") == "AWS::IAM::Policy":
            for role in props.get("Roles") or []:
                if name := ref(role):
                    out.append(Check("iam:PutRolePolicy", f"arn:aws:iam::{account}:role/{name}", iam_context,
                                     AS_CALLER))
    return out
