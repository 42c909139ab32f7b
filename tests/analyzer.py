"""Talk to a policy pack as the Pulumi engine does: start it, read its port, and call
GetAnalyzerInfo, Configure, Analyze and AnalyzeStack over gRPC.

The pack is started the way ``pulumi-analyzer-policy-python`` starts it:
``python -u -m pulumi.policy <engine-address> <pack-dir>``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

PACK_DIR = Path(__file__).resolve().parent.parent / "policy_pack"
_MAX = 400 * 1024 * 1024
LEVELS = {"advisory": analyzer_pb2.ADVISORY, "mandatory": analyzer_pb2.MANDATORY,
          "disabled": analyzer_pb2.DISABLED}


@dataclass(frozen=True)
class Diagnostic:
    policy: str
    message: str
    urn: str
    level: str


class Analyzer:
    def __init__(self, stub: analyzer_pb2_grpc.AnalyzerStub, process: subprocess.Popen[bytes],
                 channel: grpc.Channel | None = None) -> None:
        self.stub = stub
        self.process = process
        self.channel = channel

    def analyze_stack_bytes(self, request: bytes) -> list[Diagnostic]:
        """AnalyzeStack with a request serialized by hand (what Python's protobuf cannot build)."""
        assert self.channel is not None
        call = self.channel.unary_unary("/pulumirpc.Analyzer/AnalyzeStack", request_serializer=None,
                                        response_deserializer=analyzer_pb2.AnalyzeResponse.FromString)
        return _diagnostics(call(request))

    def info(self) -> analyzer_pb2.AnalyzerInfo:
        return self.stub.GetAnalyzerInfo(empty_pb2.Empty())

    def configure(self, config: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        """Configure as the CLI does: each policy's schema defaults, then ``config``."""
        info = self.info()
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for policy in info.policies:
            props: dict[str, Any] = {}
            for key, schema in policy.configSchema.properties.items():
                if "default" in schema:
                    props[key] = schema["default"]
            given = dict((config or {}).get(policy.name, {}))
            level = given.pop("enforcementLevel", None)
            props.update(given)
            pc = analyzer_pb2.PolicyConfig(enforcementLevel=LEVELS[level] if level else policy.enforcementLevel)
            pc.properties.update(props)
            request.policyConfig[policy.name].CopyFrom(pc)
        self.stub.Configure(request)

    def analyze(self, resource: Mapping[str, Any],
                providers: Mapping[str, Mapping[str, Any]] | None = None) -> list[Diagnostic]:
        """``Analyze`` of one resource's inputs (``providers``: provider resources by URN)."""
        request = analyzer_pb2.AnalyzeRequest(
            type=resource["type"], properties=_struct(resource.get("inputs", {})),
            urn=resource["urn"], name=resource["name"],
            options=analyzer_pb2.AnalyzerResourceOptions(parent=resource.get("parent", "")),
        )
        provider = _provider(resource, providers or {})
        if provider is not None:
            request.provider.CopyFrom(provider)
        return _diagnostics(self.stub.Analyze(request))

    def analyze_stack(self, resources: Iterable[Mapping[str, Any]]) -> list[Diagnostic]:
        return _diagnostics(self.stub.AnalyzeStack(stack_request(resources)))

    def run(self, resources: Sequence[Mapping[str, Any]]) -> list[Diagnostic]:
        """A preview or update as the engine runs it: ``Analyze`` on each resource's
        inputs, then ``AnalyzeStack`` on every resource's outputs."""
        providers = {r["urn"]: r for r in resources if str(r["type"]).startswith("pulumi:providers:")}
        diags = [d for r in resources for d in self.analyze(r, providers)]
        return diags + self.analyze_stack(resources)


def _provider(r: Mapping[str, Any], providers: Mapping[str, Mapping[str, Any]]
              ) -> analyzer_pb2.AnalyzerProviderResource | None:
    reference = r.get("provider") or ""
    if isinstance(reference, Mapping):  # given whole: {type, urn, name, properties}
        return analyzer_pb2.AnalyzerProviderResource(type=reference["type"], urn=reference["urn"],
                                                     name=reference["name"],
                                                     properties=_struct(reference.get("properties") or {}))
    found = providers.get(reference.rsplit("::", 1)[0]) if reference else None
    if found is None:
        return None
    return analyzer_pb2.AnalyzerProviderResource(type=found["type"], urn=found["urn"], name=found["name"],
                                                 properties=_struct(found.get("outputs", {})))


def stack_request(resources: Iterable[Mapping[str, Any]]) -> analyzer_pb2.AnalyzeStackRequest:
    resources = list(resources)
    providers = {r["urn"]: r for r in resources if str(r["type"]).startswith("pulumi:providers:")}
    out = []
    for r in resources:
        deps = {k: analyzer_pb2.AnalyzerPropertyDependencies(urns=v)
                for k, v in (r.get("property_dependencies") or {}).items()}
        resource = analyzer_pb2.AnalyzerResource(
            type=r["type"], properties=_struct(r.get("outputs", {})), urn=r["urn"], name=r["name"],
            options=analyzer_pb2.AnalyzerResourceOptions(parent=r.get("parent", "")),
            parent=r.get("parent", ""), dependencies=list(r.get("dependencies") or []),
            propertyDependencies=deps,
        )
        provider = _provider(r, providers)
        if provider is not None:
            resource.provider.CopyFrom(provider)
        out.append(resource)
    return analyzer_pb2.AnalyzeStackRequest(resources=out)


def _struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(dict(props))
    return s


_LEVEL_NAMES = {v: k for k, v in LEVELS.items()}


def _diagnostics(response: analyzer_pb2.AnalyzeResponse) -> list[Diagnostic]:
    return [Diagnostic(d.policyName, d.message, d.urn, _LEVEL_NAMES.get(d.enforcementLevel, "?"))
            for d in response.diagnostics]


@contextmanager
def serve(pack_dir: Path = PACK_DIR, *, stack: str = "dev", env: Mapping[str, str] | None = None,
          python: str = sys.executable) -> Iterator[Analyzer]:
    """Start the pack in ``pack_dir`` as the engine does; stop it afterwards."""
    environment = dict(os.environ)
    environment.update({"PULUMI_PROJECT": "sst-deployer", "PULUMI_STACK": stack, "PULUMI_DRY_RUN": "true",
                        "PULUMI_CONFIG": "{}"})
    environment.update(env or {})
    process = subprocess.Popen([python, "-u", "-m", "pulumi.policy", "127.0.0.1:1", str(pack_dir)],
                               cwd=pack_dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().decode().strip()
        if not line.isdigit():
            err = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(f"the pack did not print its port: {line!r}\n{err}")
        channel = grpc.insecure_channel(f"127.0.0.1:{line}", options=[
            ("grpc.max_send_message_length", _MAX), ("grpc.max_receive_message_length", _MAX)])
        grpc.channel_ready_future(channel).result(timeout=30)
        yield Analyzer(analyzer_pb2_grpc.AnalyzerStub(channel), process, channel)
        channel.close()
    finally:
        process.kill()
        process.wait()


__all__ = ["Analyzer", "Diagnostic", "serve", "stack_request"]
