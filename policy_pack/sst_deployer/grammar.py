"""The names SST and CDK really create, as a table: what the catalogue's ``*`` stands for.

The catalogue writes a requirement as IAM writes a Resource (``stack/*``,
``parameter/sst/*``), where ``*`` matches any string, ``:`` and ``/`` included (IAM User
Guide, "IAM JSON policy elements: Resource": wildcards in the resource part match across
segments). A Deny on ``arn:aws:ssm:*:*:parameter/payments/*`` overlaps ``parameter/sst/*``
only through a parameter *name* containing ``:parameter/payments/``, which no parameter
has. So each requirement is judged against its grammar: the ``*`` of a row is refined to
``\\x01<chars>\\x02`` (:data:`iam.NAME_OPEN`), any run of characters other than
``<chars>``. A grammar is a superset of the real names (sound for "cannot overlap") and
keeps the parts SST's own code fixes.

Sources:

* SSM parameter names: letters, digits, ``_ . - /`` only (AWS Systems Manager User Guide,
  "Creating Parameter Store parameters", requirements for parameter names): never ``:``.
* SST's fallback secrets path is ``/sst/<app>/.fallback/`` (sst/v2 ``packages/sst/src/config.ts``,
  ``Config.PREFIX.FALLBACK``); ``<app>`` is ``config.name``, which SST also writes in every
  stack name (below), where CloudFormation allows only letters, digits and ``-``: no ``/``.
* App stacks: ``${stage}-${name}-${id}`` (``App.logicalPrefixedName``,
  ``packages/sst/src/constructs/App.ts``), and SST refuses any stack name that does not
  start with ``$stage-``, end with ``-$stage`` or contain ``-$stage-`` (same file, "is not
  parameterized with the stage name"): an app stack's name contains ``-``. Stack names are
  ``[A-Za-z][-A-Za-z0-9]*`` (CloudFormation User Guide, "Stack name"; a stage matches
  ``^[A-Za-z][A-Za-z0-9-]*$``, ``packages/sst/src/project.ts`` ``isValidStageName``), and a
  stack's ARN is ``stack/<name>/<id>`` with a UUID id.
* The CDK toolkit and SST bootstrap stacks are the configured names (``--toolkit-stack-name``,
  ``bootstrap.stackName``); what follows ``<name>/`` is the stack id, a UUID.
* S3 bucket names: lower-case letters, digits, ``.`` and ``-`` (Amazon S3 User Guide,
  "Bucket naming rules"): no ``/`` or ``:``; object keys may hold anything.
* Lambda function names: letters, digits, ``-`` and ``_`` (Lambda API, ``FunctionName``): no
  ``/``; SST names its functions unqualified (``config.ts`` restarts by name, no ``Qualifier``), so
  the ARN it is authorised against is ``function:<name>``: no ``:`` either.
* CDK file assets' object keys are ``<bucketPrefix><sourceHash><extension>`` (aws-cdk-lib
  ``DefaultStackSynthesizer``, ``bucketPrefix`` empty by default): a hex hash and ``.json``/``.zip``,
  no ``-``, ``/`` or ``:``.
* IoT topics SST uses are ``/sst/<app>/<stage>/...`` (``packages/sst/src/iot.ts``): an app and a
  stage name hold no ``:``, nor do SST's fixed suffixes.
* Aurora cluster identifiers: letters, digits, ``-`` (RDS API, ``DBClusterIdentifier``).
* MQTT.js client ids SST's IoT socket uses: ``mqttjs_`` and hex digits (mqtt.js
  ``defaultId``): no ``/`` or ``:``.
sst/v2 citations are at v2.49.6 (the newest release the mirror holds; the same code at sst@2.49.8).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from .iam import NAME_CLOSE, NAME_OPEN


def free(excluded: str) -> str:
    """A name part: any run of characters other than ``excluded``."""
    return NAME_OPEN + excluded + NAME_CLOSE


SEGMENT: Final = free(":/")  # one ARN segment of a name: no ":" and no "/"
PATH: Final = free(":")  # a path of segments: "/" allowed, ":" never
APP_STACK: Final = SEGMENT + "-" + SEGMENT  # an SST app stack's name contains "-"
STACK_ID: Final = SEGMENT
BUCKET: Final = free(":/*?$")  # a bucket name: [a-z0-9.-] only, so never a literal "*" (${*})
ASSET_KEY: Final = free(":/-")  # a CDK asset's object key: hex hash + extension


@dataclass(frozen=True)
class Name:
    """One row: the ARN resource part of a requirement (a regex; each group is one ``*``
    of the catalogue) and what each ``*`` really is."""

    service: str
    resource: str
    parts: tuple[str, ...]
    source: str


GRAMMAR: Final[tuple[Name, ...]] = (
    Name("cloudformation", r"stack/(\*)", (APP_STACK + "/" + STACK_ID,),
         "App.logicalPrefixedName and the stage check (packages/sst/src/constructs/App.ts); stack/<name>/<id>"),
    Name("cloudformation", r"stack/[A-Za-z][-A-Za-z0-9]*/(\*)", (STACK_ID,),
         "the toolkit or bootstrap stack by its configured name; then the stack id"),
    Name("ssm", r"parameter/sst/(\*)/\.fallback/(\*)", (SEGMENT, PATH),
         "Config.PREFIX.FALLBACK (packages/sst/src/config.ts); SSM parameter names"),
    Name("ssm", r"parameter/[^*?]*(\*)", (PATH,), "ssmPrefix (packages/sst/src/project.ts); SSM parameter names"),
    Name("s3", r"[a-z0-9.-]*(\*)", (BUCKET,), "S3 bucket naming rules"),
    Name("s3", r"cdk-[a-z0-9.-]+-assets-[a-z0-9.-]+/(\*)", (ASSET_KEY,),
         "DefaultStackSynthesizer objectKey (aws-cdk-lib): <sourceHash><extension>"),
    Name("s3", r"[a-z0-9.-]*(\*)/[^*?]*(\*)", (BUCKET, ""), "S3 bucket naming rules; object keys are free"),
    Name("s3", r"[a-z0-9.-]+/(\*)", ("",), "object keys are free"),
    Name("lambda", r"function:(\*)", (SEGMENT,), "Lambda FunctionName, unqualified in SST's calls (config.ts)"),
    Name("rds", r"cluster:(\*)", (SEGMENT,), "RDS DBClusterIdentifier"),
    Name("iot", r"client/mqttjs_(\*)", (SEGMENT,), "mqtt.js defaultId"),
    Name("iot", r"topic(?:filter)?//sst/(\*)", (PATH,), "SST's topics /sst/<app>/<stage>/... (sst/src/iot.ts)"),
)

_ARN: Final = re.compile(r"^(arn:[^:*?]+:([^:*?]+):[^:*?]*:[^:*?]*:)(.*)$")


@lru_cache(maxsize=4096)
def refine(resource: str) -> str:
    """``resource`` with each ``*`` a row of :data:`GRAMMAR` explains replaced by what it
    really is; unchanged where no row applies. ``""`` in a row keeps that ``*``."""
    m = _ARN.match(resource)
    if not m:
        return resource
    head, service, rest = m.groups()
    for row in GRAMMAR:
        if row.service != service:
            continue
        found = re.fullmatch(row.resource, rest)
        if not found:
            continue
        out, pos = [], 0
        for index, part in enumerate(row.parts, start=1):
            out.append(rest[pos : found.start(index)])
            out.append(part or "*")
            pos = found.end(index)
        out.append(rest[pos:])
        return head + "".join(out)
    return resource


def readable(pattern: str) -> str:
    """A refined pattern as text: each name part as ``<no ...>``."""
    return re.sub("\x01([^\x01\x02]*)\x02", lambda m: "<name without " + " ".join(m.group(1)) + ">", pattern)
