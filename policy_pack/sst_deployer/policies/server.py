"""Deserialize a stack once per ``AnalyzeStack`` instead of once per stack policy.

pulumi-policy 1.21's analyzer turns every resource of the request into proxies again
for each stack policy (about 1 s per policy for 10,000 resources here, measured by
``benchmarks``), so five policies would cost five times a one-policy pack. This
subclass of its servicer builds the resources once and hands the same list to every
stack policy; everything else (config, enforcement levels, diagnostics) is the SDK's.

It leans on the SDK's private servicer, so it is defensive: if that class is not what
it expects, the pack runs on the SDK's own code (correct, only slower), and if the
shared path fails on a request, that request is answered by the SDK's own code.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from inspect import isawaitable
from typing import Any

import grpc
from google.protobuf.message import DecodeError
from pulumi.runtime import proto
from pulumi_policy import policy as sdk
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from . import declared
from .model import MAX_DEPTH, READ_TYPES, TOO_DEEP_MARKER, plain

_BASE = getattr(sdk, "_PolicyAnalyzerServicer", None)
_NEEDED = ("AnalyzeStack", "_get_enforcement_level", "_create_report_violation", "_get_resource_options",
           "_get_provider_resource", "_get_policy_config", "_configure_runtime_settings",
           "_map_enforcement_level")
SUPPORTED = _BASE is not None and all(hasattr(_BASE, n) for n in _NEEDED)


def struct_to_python(struct: Any, depth: int = 0) -> Any:
    """A protobuf Struct as Python data, like ``json_format.MessageToDict`` but bounded:
    nothing deeper than MAX_DEPTH + 1 (marked TOO_DEEP_MARKER instead), and non-finite
    numbers kept as floats. ``MessageToDict`` raises on NaN and Infinity ("Fail to
    serialize Infinity for Value.number_value") and recurses without bound, and the SDK's
    own AnalyzeStack uses it on every resource: one such value would fail the request."""
    if depth > MAX_DEPTH:
        return TOO_DEEP_MARKER
    return {key: _value(v, depth + 1) for key, v in struct.fields.items()}


def _value(v: Any, depth: int) -> Any:
    kind = v.WhichOneof("kind")
    if kind == "string_value":
        return v.string_value
    if kind == "number_value":
        return v.number_value
    if kind == "bool_value":
        return v.bool_value
    if kind == "struct_value":
        return struct_to_python(v.struct_value, depth)
    if kind == "list_value":
        if depth > MAX_DEPTH:
            return TOO_DEEP_MARKER
        return [_value(x, depth + 1) for x in v.list_value.values]
    return None


def _properties(struct: Any) -> Any:
    return deserialize_properties(struct_to_python(struct))


def _provider(r: Any, cache: dict[str, sdk.PolicyProviderResource]) -> sdk.PolicyProviderResource | None:
    """The resource's provider, as the SDK's ``_get_provider_resource`` builds it, read
    once per provider rather than once per resource."""
    if not r.HasField("provider"):
        return None
    p = r.provider
    key = p.urn or f"{p.type}::{p.name}"
    if key not in cache:
        cache[key] = sdk.PolicyProviderResource(p.type, unknown_checking_proxy(_properties(p.properties)), p.urn,
                                                p.name)
    return cache[key]


def remember_inputs(request: Any) -> None:
    """Keep the inputs of the resources whose declarations decide exclusivity."""
    if request.type not in declared.REMEMBERED_TYPES:
        return
    try:
        inputs = plain(_properties(request.properties))
    except Exception:
        return  # unreadable inputs: judged as if unseen, which never invents exclusivity
    if isinstance(inputs, dict):
        declared.remember(request.urn, request.type, inputs)


class LazyResource(sdk.PolicyResource):
    """A PolicyResource whose ``props`` and ``opts`` are built from the request when first
    read. The pack reads the properties of IAM resources, AWS providers and deployer
    components only (:data:`.model.READ_TYPES`); at 10,000 resources, deserializing the
    other 97% (buckets, functions) was 0.7 s of a 1.1 s cold AnalyzeStack, measured
    in-process. Reading them gives exactly what the SDK would have built."""

    def __init__(self, servicer: Any, r: Any, provider: sdk.PolicyProviderResource | None) -> None:
        self._servicer, self._request = servicer, r
        self._props: Any = None
        self._opts: Any = None
        self.resource_type, self.urn, self.name = r.type, r.urn, r.name
        self.provider = provider
        self.parent: sdk.PolicyResource | None = None
        self.dependencies: list[sdk.PolicyResource] = []
        self.property_dependencies: dict[str, list[sdk.PolicyResource]] = {}

    @property
    def props(self) -> Any:
        if self._props is None:
            self._props = unknown_checking_proxy(_properties(self._request.properties))
        return self._props

    @props.setter
    def props(self, value: Any) -> None:
        self._props = value

    @property
    def opts(self) -> Any:
        if self._opts is None:
            self._opts = self._servicer._get_resource_options(self._request)
        return self._opts

    @opts.setter
    def opts(self, value: Any) -> None:
        self._opts = value

    def build(self) -> None:
        """Build ``props`` and ``opts`` now."""
        self._props = unknown_checking_proxy(_properties(self._request.properties))
        self._opts = self._servicer._get_resource_options(self._request)


def build_resources(servicer: Any, request: Any) -> list[sdk.PolicyResource]:
    """The request's resources as the SDK builds them, parents and dependencies linked.
    The resources the pack reads are built at once (so a value that cannot be read fails
    here, and the SDK's own code answers the request, as before); the rest lazily."""
    resources: list[sdk.PolicyResource] = []
    providers: dict[str, sdk.PolicyProviderResource] = {}
    links = []
    for r in request.resources:
        resource = LazyResource(servicer, r, _provider(r, providers))
        if r.type in READ_TYPES:
            resource.build()
        resources.append(resource)
        if r.parent or r.dependencies or r.propertyDependencies:  # most resources have none
            links.append((resource, r.parent, list(r.dependencies),
                          {k: list(v.urns) for k, v in r.propertyDependencies.items()}))
    by_urn = {res.urn: res for res in resources}
    for resource, parent, deps, prop_deps in links:
        if parent in by_urn:
            resource.parent = by_urn[parent]
        resource.dependencies.extend(by_urn[d] for d in deps if d in by_urn)
        for key, urns in prop_deps.items():
            resource.property_dependencies[key] = [by_urn[u] for u in urns if u in by_urn]
    return resources


if SUPPORTED:

    class SharedStackServicer(_BASE):  # type: ignore[misc, valid-type]
        def Analyze(self, request: Any, context: Any) -> Any:
            if isinstance(request, Undecodable):
                return proto.AnalyzeResponse()  # no resource policies; AnalyzeStack reports it
            remember_inputs(request)
            return super().Analyze(request, context)

        def AnalyzeStack(self, request: Any, context: Any) -> Any:
            from .pack import PACK_CONFIG, REPORTED_BY

            if isinstance(request, Undecodable):
                response = proto.AnalyzeResponse()
                response.diagnostics.append(proto.AnalyzeDiagnostic(
                    policyName=REPORTED_BY, policyPackName=self._PolicyAnalyzerServicer__policy_pack_name,
                    policyPackVersion=self._PolicyAnalyzerServicer__policy_pack_version,
                    message=request.message(), urn="", description="",
                    enforcementLevel=self._map_enforcement_level(sdk.EnforcementLevel.MANDATORY)))
                return response

            PACK_CONFIG.clear()
            try:
                for p in self._PolicyAnalyzerServicer__policies:
                    PACK_CONFIG[p.name] = self._get_policy_config(p.name) or {}
                return self._analyze_stack_once(request)
            except Exception:
                return super().AnalyzeStack(request, context)
            finally:
                declared.forget()

        def _analyze_stack_once(self, request: Any) -> Any:
            self._configure_runtime_settings()
            response = proto.AnalyzeResponse()
            policies = [
                (p, level) for p in self._PolicyAnalyzerServicer__policies
                if isinstance(p, sdk.StackValidationPolicy)
                and (level := self._get_enforcement_level(p)) != sdk.EnforcementLevel.DISABLED
            ]
            if not policies:
                return response
            resources = build_resources(self, request)
            stack_tags = self._PolicyAnalyzerServicer__stack_tags
            for policy, level in policies:
                if level == sdk.EnforcementLevel.REMEDIATE:
                    level = sdk.EnforcementLevel.MANDATORY
                report = self._create_report_violation(response, policy.name, policy.description, level,
                                                       policy.severity)
                args = sdk.StackValidationArgs(resources, self._get_policy_config(policy.name), stack_tags)
                try:
                    result = policy.validate(args, report)
                    if isawaitable(result):
                        loop = asyncio.new_event_loop()
                        loop.run_until_complete(result)
                        loop.close()
                except UnknownValueError as e:
                    response.diagnostics.append(proto.AnalyzeDiagnostic(
                        policyName=policy.name,
                        policyPackName=self._PolicyAnalyzerServicer__policy_pack_name,
                        policyPackVersion=self._PolicyAnalyzerServicer__policy_pack_version,
                        message=f"can't run policy '{policy.name}' during preview: {e.message}",
                        urn="",
                        description=policy.description,
                        enforcementLevel=self._map_enforcement_level(sdk.EnforcementLevel.ADVISORY),
                    ))
                except sdk._NotApplicableError as e:
                    response.not_applicable.append(proto.PolicyNotApplicable(policy_name=policy.name,
                                                                             reason=e.reason or ""))
            return response


@dataclass(frozen=True)
class Undecodable:
    """A request protobuf refused to decode (``DecodeError``: truncated or malformed
    bytes). Without this, the gRPC layer answers with an error and the preview fails
    with no explanation; the pack answers with a violation that says so instead.
    (Values nested some 4,000+ levels deep are worse: protobuf 5.29's upb decoder
    overflows the C stack and the process dies before Python sees the request; that
    cannot be contained here.)"""

    kind: str
    size: int
    error: str

    def message(self) -> str:
        return (f"the engine's {self.kind} request ({self.size:,} bytes) could not be decoded by protobuf "
                f"({self.error}), so the sst-deployer pack could not check this stack. The request is malformed "
                "or a resource property is nested deeper than protobuf accepts; find that value and flatten it.")


def _tolerant(message_type: Any, kind: str) -> Any:
    def parse(data: bytes) -> Any:
        try:
            return message_type.FromString(data)
        except DecodeError as exc:
            return Undecodable(kind, len(data), str(exc))

    return parse


@contextlib.contextmanager
def _tolerant_requests() -> Iterator[None]:
    """While the SDK registers its servicer, give Analyze and AnalyzeStack request
    deserializers that turn a protobuf DecodeError into :class:`Undecodable`."""
    original = grpc.unary_unary_rpc_method_handler
    swap = {proto.AnalyzeRequest.FromString: _tolerant(proto.AnalyzeRequest, "Analyze"),
            proto.AnalyzeStackRequest.FromString: _tolerant(proto.AnalyzeStackRequest, "AnalyzeStack")}

    def handler(behavior: Any, request_deserializer: Any = None, response_serializer: Any = None) -> Any:
        return original(behavior, request_deserializer=swap.get(request_deserializer, request_deserializer),
                        response_serializer=response_serializer)

    grpc.unary_unary_rpc_method_handler = handler
    try:
        yield
    finally:
        grpc.unary_unary_rpc_method_handler = original


@contextlib.contextmanager
def shared_deserialization() -> Iterator[bool]:
    """While active, ``PolicyPack(...)`` serves with :class:`SharedStackServicer`."""
    if not SUPPORTED:
        yield False
        return
    sdk._PolicyAnalyzerServicer = SharedStackServicer  # type: ignore[misc]
    try:
        with _tolerant_requests():
            yield True
    finally:
        sdk._PolicyAnalyzerServicer = _BASE  # type: ignore[misc, assignment]
