"""A server process for the tests and benchmarks that talk HTTP to a real uvicorn: started
on a free localhost port, waited for until its health route answers, stopped afterwards."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(command: Sequence[str], *, port: int, cwd: Path, env: dict[str, str], log: Path,
            startup_seconds: float = 60) -> Iterator[str]:
    """Run `command` (which listens on `port`), its output written to `log`; yield its base
    URL once `/api/v1/health` answers. A process that exits or stays silent is an error
    that carries the end of its log."""
    with log.open("wb") as out:
        server = subprocess.Popen(list(command), cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_seconds
        while True:
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                said = log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{' '.join(command)} did not start:\n{said}")
            time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
