"""The component provider as the Pulumi CLI talks to it, without the CLI.

:func:`start_provider` starts the plugin the way the Python language host's ``RunPlugin``
does for a directory with ``PulumiPlugin.yaml`` and ``__main__.py`` (pulumi/pulumi
``sdk/python/cmd/pulumi-language-python/main.go``: ``python <plugin dir> <engine address>``,
in the plugin's ``venv``), reads the port it prints, and hands back a ``ResourceProvider``
stub. :class:`Deployment` is the engine's side of ``Construct``: a gRPC server holding a
``ResourceMonitor`` and an ``Engine`` that records every ``RegisterResource`` and answers as
the mocks of ``tests/harness.py`` do (it *is* the harness's RecordingMonitor behind gRPC),
so what a Construct registers can be compared with what the Python program registers.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator, Mapping
from concurrent import futures
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, struct_pb2
from harness import PROJECT, ROOT, Captured, RecordingMocks, RecordingMonitor, config_strings
from pulumi.runtime.proto import (
    engine_pb2,
    engine_pb2_grpc,
    provider_pb2,
    provider_pb2_grpc,
    resource_pb2,
    resource_pb2_grpc,
)


class _Monitor(RecordingMonitor):
    """The harness's recording monitor, with URNs for a fixed stack and project (the test
    process has no Pulumi settings of its own)."""

    def __init__(self, mocks: RecordingMocks, stack: str) -> None:
        super().__init__(mocks)
        self.stack = stack

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        if parent and "::pulumi:pulumi:Stack::" not in parent:
            type_ = parent.split("::")[2] + "$" + type_
        return "urn:pulumi:" + "::".join([self.stack, PROJECT, type_, name])

    def default_provider(self) -> str:
        urn = f"urn:pulumi:{self.stack}::{PROJECT}::pulumi:providers:aws::default_7_0_0"
        if urn not in self.captured:
            props: dict[str, Any] = {k.split(":", 1)[1]: v for k, v in self.config.items() if k.startswith("aws:")}
            props["version"] = "7.0.0"
            self.captured[urn] = Captured(type="pulumi:providers:aws", urn=urn, name="default_7_0_0", custom=True,
                                          inputs=dict(props), outputs=dict(props))
            self.order.append(urn)
        return f"{urn}::default"


class _MonitorServicer(resource_pb2_grpc.ResourceMonitorServicer):
    def __init__(self, engine: FakeEngine) -> None:
        self.engine = engine

    @property
    def monitor(self) -> _Monitor:
        assert self.engine.current is not None, "no deployment under way"
        return self.engine.current.monitor

    def SupportsFeature(self, request: Any, context: Any) -> Any:
        # outputValues off, as the mocks have it: inputs arrive plain or as the unknown sentinel.
        return resource_pb2.SupportsFeatureResponse(hasSupport=request.id != "outputValues")

    def GetDeploymentInfo(self, request: Any, context: Any) -> Any:
        return self.monitor.GetDeploymentInfo(request)

    def RegisterResource(self, request: Any, context: Any) -> Any:
        return self.monitor.RegisterResource(request)

    def RegisterResourceOutputs(self, request: Any, context: Any) -> Any:
        self.monitor.RegisterResourceOutputs(request)
        return empty_pb2.Empty()

    def Invoke(self, request: Any, context: Any) -> Any:
        return self.monitor.Invoke(request)

    def RegisterPackage(self, request: Any, context: Any) -> Any:
        return resource_pb2.RegisterPackageResponse(ref="test-package-ref")

    def SignalAndWaitForShutdown(self, request: Any, context: Any) -> Any:
        return empty_pb2.Empty()


class _EngineServicer(engine_pb2_grpc.EngineServicer):
    def __init__(self, engine: FakeEngine) -> None:
        self.engine = engine

    def Log(self, request: Any, context: Any) -> Any:
        self.engine.logs.append(request.message)
        return empty_pb2.Empty()

    def GetRootResource(self, request: Any, context: Any) -> Any:
        assert self.engine.current is not None
        return engine_pb2.GetRootResourceResponse(urn=self.engine.current.root)

    def SetRootResource(self, request: Any, context: Any) -> Any:
        return engine_pb2.SetRootResourceResponse()


@dataclass
class Deployment:
    """One deployment's engine side: what was registered, what was asked."""

    address: str
    stack: str
    monitor: _Monitor

    @property
    def root(self) -> str:
        return f"urn:pulumi:{self.stack}::{PROJECT}::pulumi:pulumi:Stack::{PROJECT}-{self.stack}"

    @property
    def resources(self) -> list[Captured]:
        return [self.monitor.captured[u] for u in self.monitor.order]

    @property
    def invokes(self) -> list[str]:
        mocks = self.monitor.mocks
        assert isinstance(mocks, RecordingMocks)
        return list(mocks.invokes)


class FakeEngine:
    """The engine's gRPC services (ResourceMonitor and Engine) on one port, serving one
    :class:`Deployment` at a time."""

    def __init__(self) -> None:
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        resource_pb2_grpc.add_ResourceMonitorServicer_to_server(_MonitorServicer(self), self.server)
        engine_pb2_grpc.add_EngineServicer_to_server(_EngineServicer(self), self.server)
        self.address = f"127.0.0.1:{self.server.add_insecure_port('127.0.0.1:0')}"
        self.current: Deployment | None = None
        self.logs: list[str] = []

    def begin(self, config: Mapping[str, Any], *, stack: str, preview: bool = False,
              account: str = "112233445566", partition: str = "aws") -> Deployment:
        """A fresh deployment: nothing registered yet; invokes answered for ``account``/``partition``."""
        monitor = _Monitor(RecordingMocks(account, partition, preview), stack)
        monitor.config = config_strings(dict(config))
        self.current = Deployment(self.address, stack, monitor)
        return self.current


@contextmanager
def fake_engine() -> Iterator[FakeEngine]:
    engine = FakeEngine()
    engine.server.start()
    try:
        yield engine
    finally:
        engine.server.stop(grace=None)


@dataclass
class Provider:
    stub: provider_pb2_grpc.ResourceProviderStub
    process: subprocess.Popen[bytes]

    def get_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = json.loads(self.stub.GetSchema(provider_pb2.GetSchemaRequest(version=0)).schema)
        return schema

    def construct(self, at: Deployment, type_: str, name: str, inputs: Mapping[str, Any], *,
                  config: Mapping[str, Any], preview: bool = False) -> Any:
        """Construct as the engine sends it for a consumer's ``new DeployerRole(name, inputs)``."""
        props = struct_pb2.Struct()
        props.update(dict(inputs))
        request = provider_pb2.ConstructRequest(
            project=PROJECT, stack=at.stack, config=config_strings(dict(config)), dryRun=preview, parallel=1,
            monitorEndpoint=at.address, type=type_, name=name, parent=at.root, inputs=props,
            organization="organization",
        )
        return self.stub.Construct(request, timeout=60)


@contextmanager
def start_provider(engine: str, plugin_dir: Path = ROOT, python: str = sys.executable,
                   module: str | None = None) -> Iterator[Provider]:
    """``python <plugin dir> <engine>``, cwd the plugin dir, as ``RunPlugin`` starts it; or,
    with ``module``, ``python -m <module> <engine>`` (an installed package's entry)."""
    command = [python, "-m", module, engine] if module else [python, str(plugin_dir), engine]
    process = subprocess.Popen(command, cwd=plugin_dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().decode().strip()
        if not line.isdigit():
            err = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(f"the provider did not print its port: {line!r}\n{err}")
        channel = grpc.insecure_channel(f"127.0.0.1:{line}")
        grpc.channel_ready_future(channel).result(timeout=30)
        yield Provider(provider_pb2_grpc.ResourceProviderStub(channel), process)
        channel.close()
    finally:
        process.kill()
        process.wait()


__all__ = ["Deployment", "FakeEngine", "Provider", "fake_engine", "start_provider"]
