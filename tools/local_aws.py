"""The local AWS: moto in server mode on a local address, started, waited for, stopped.
One copy for the first README command (``tools.local_up``), the tests' IAM server and the
end-to-end suite. (Not named ``moto.py``: scripts in tools/ would import it as moto.)"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from typing import IO


class MotoDidNotStart(RuntimeError):
    """moto exited, or did not answer within the time given."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def start(host: str, port: int, *, command: Sequence[str] | None = None,
          log: IO[bytes] | int = subprocess.DEVNULL, timeout: float = 60) -> subprocess.Popen[bytes]:
    """Start moto (or ``command``, which must take ``-H host -p port``) and wait until its
    ``/moto-api/`` answers. Raises MotoDidNotStart, having stopped the process."""
    argv = [*(command or (sys.executable, "-m", "moto.server")), "-H", host, "-p", str(port)]
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT if log != subprocess.DEVNULL else log)
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(f"http://{host}:{port}/moto-api/", timeout=2)
            return proc
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                stop(proc)
                raise MotoDidNotStart(f"moto did not start on {host}:{port}") from None
            time.sleep(0.2)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate, and kill if it does not end within 10 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
