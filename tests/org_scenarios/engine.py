"""One preview or one update as the engine runs it: a fresh pack process, ``Configure``,
``Analyze`` for every resource (its inputs and provider), then the one ``AnalyzeStack``.

The Pulumi CLI starts each policy pack as a plugin for the one operation it runs
(``pulumi-analyzer-policy-python`` -> ``python -m pulumi.policy <engine> <pack>``), with
``PULUMI_DRY_RUN`` true in a preview, configures it, and stops it when the operation ends,
so no state survives from one run to the next. Starting the pack costs about half a
second (Python, grpc and the pack's imports); :class:`FreshPacks` starts processes ahead
of time in a small pool so that this overlaps the capture and judging of the run before,
and each process still serves exactly one run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from analyzer import _MAX, Analyzer, Diagnostic
from pulumi.runtime.proto import analyzer_pb2_grpc

from .capture import judge

Key = tuple[str, bool]  # (stack, dry run)


@dataclass
class Cost:
    """What fresh processes cost: how many started, and the time runs waited for one."""

    started: int = 0
    runs: int = 0
    waited: float = 0.0  # seconds between asking for a process and its port being read
    busy: float = 0.0  # seconds inside runs (waiting, Configure, Analyze, AnalyzeStack)
    pids: list[int] = field(default_factory=list)  # the process of each run, in order


@dataclass
class FreshPacks:
    """Pack processes that each serve one run; ``depth`` of them are started ahead for
    each (stack, dry run) that has been asked for. Close to stop the leftovers."""

    pack_dir: Path
    depth: int = 2
    python: str = sys.executable
    cost: Cost = field(default_factory=Cost)
    _ready: dict[Key, list[subprocess.Popen[bytes]]] = field(default_factory=dict)

    def _start(self, key: Key) -> subprocess.Popen[bytes]:
        stack, dry_run = key
        env = dict(os.environ, PULUMI_PROJECT="sst-deployer", PULUMI_STACK=stack,
                   PULUMI_DRY_RUN=str(dry_run).lower(), PULUMI_CONFIG="{}", PYTHONPATH="", PYTHONSAFEPATH="")
        self.cost.started += 1
        return subprocess.Popen([self.python, "-u", "-m", "pulumi.policy", "127.0.0.1:1", str(self.pack_dir)],
                                cwd=self.pack_dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)

    def _take(self, key: Key) -> subprocess.Popen[bytes]:
        ready = self._ready.setdefault(key, [])
        process = ready.pop(0) if ready else self._start(key)
        while len(ready) < self.depth:
            ready.append(self._start(key))
        return process

    def run(self, resources: Iterable[Mapping[str, Any]], *, stack: str, preview: bool,
            config: Mapping[str, Mapping[str, Any]] | None = None) -> list[Diagnostic]:
        """One run in a process of its own, configured with the schema defaults and ``config``."""
        began = time.perf_counter()
        process = self._take((stack, preview))
        self.cost.pids.append(process.pid)
        try:
            assert process.stdout is not None
            port = process.stdout.readline().decode().strip()
            if not port.isdigit():
                err = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"the pack did not print its port: {port!r}\n{err}")
            with grpc.insecure_channel(f"127.0.0.1:{port}", options=[
                    ("grpc.max_send_message_length", _MAX), ("grpc.max_receive_message_length", _MAX)]) as channel:
                grpc.channel_ready_future(channel).result(timeout=30)
                self.cost.waited += time.perf_counter() - began
                pack = Analyzer(analyzer_pb2_grpc.AnalyzerStub(channel), process, channel)
                pack.configure(config)
                return judge(pack, resources)
        finally:
            process.kill()
            process.wait()
            self.cost.runs += 1
            self.cost.busy += time.perf_counter() - began

    def close(self) -> None:
        for ready in self._ready.values():
            for process in ready:
                process.kill()
                process.wait()
        self._ready.clear()
