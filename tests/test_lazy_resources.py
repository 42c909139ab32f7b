"""The pack builds a resource's properties when a policy first reads them
(``policies/server.py``): what it reads must be what the SDK itself would have built."""

from __future__ import annotations

from typing import Any

from analyzer import stack_request
from google.protobuf import json_format
from pulumi_policy import EnforcementLevel
from pulumi_policy.deserialize import deserialize_properties
from sst_deployer.policies import server
from sst_deployer.policies.model import READ_TYPES, plain
from sst_deployer.policies.pack import PACK_NAME, POLICIES

URN = "urn:pulumi:dev::app::{}::{}"
RESOURCES: list[dict[str, Any]] = [
    {"type": "aws:s3/bucket:Bucket", "urn": URN.format("aws:s3/bucket:Bucket", "data"), "name": "data",
     "outputs": {"bucket": "app-data", "tags": {"team": "payments"}, "forceDestroy": False,
                 "lifecycleRules": [{"enabled": True, "expiration": {"days": 30}}]}},
    {"type": "aws:iam/role:Role", "urn": URN.format("aws:iam/role:Role", "svc"), "name": "svc",
     "outputs": {"name": "svc", "arn": "arn:aws:iam::112233445566:role/svc", "tags": {"team": "payments"}}},
    {"type": "aws:lambda/function:Function", "urn": URN.format("aws:lambda/function:Function", "fn"), "name": "fn",
     "parent": URN.format("aws:iam/role:Role", "svc"),
     "outputs": {"name": "fn", "memorySize": 1024, "environment": {"variables": {"STAGE": "prod"}}},
     "dependencies": [URN.format("aws:s3/bucket:Bucket", "data")],
     "property_dependencies": {"role": [URN.format("aws:iam/role:Role", "svc")]}},
]


def _options(opts: Any) -> dict[str, Any]:
    out = dict(vars(opts))
    out["custom_timeouts"] = vars(out["custom_timeouts"])
    return {k: list(v) if not isinstance(v, (str, bool, dict, type(None))) else v for k, v in out.items()}


def test_a_lazily_built_resource_reads_as_the_sdk_builds_it() -> None:
    request = stack_request(RESOURCES)
    servicer = server.SharedStackServicer(PACK_NAME, "0.0.1", list(POLICIES), EnforcementLevel.ADVISORY)
    built = server.build_resources(servicer, request)
    assert [r.urn for r in built] == [r["urn"] for r in RESOURCES]
    for resource, message in zip(built, request.resources, strict=True):
        assert isinstance(resource, server.LazyResource)
        assert (resource._props is not None) == (message.type in READ_TYPES)  # built at once only if read
        expected = deserialize_properties(json_format.MessageToDict(message.properties))
        assert plain(resource.props) == expected
        assert _options(resource.opts) == _options(servicer._get_resource_options(message))
    fn = built[2]
    assert fn.parent is built[1]
    assert fn.dependencies == [built[0]]
    assert fn.property_dependencies == {"role": [built[1]]}
    assert built[0].parent is None and built[0].dependencies == [] and built[0].property_dependencies == {}
