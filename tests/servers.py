"""Running real `hallpass serve` processes for tests that need the whole server over TCP."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def hallpass_command() -> list[str]:
    """Return the `hallpass` console script of this environment."""
    script = Path(sys.executable).with_name("hallpass")
    if script.exists():
        return [str(script)]
    found = shutil.which("hallpass")
    assert found is not None, "the hallpass console script is not installed"
    return [found]


def wait_until_healthy(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    """Wait for GET /healthz to answer 200, failing early if the process dies."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"hallpass serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"hallpass serve at {url} did not become healthy:\n{log.read_text()}")


def start(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start `hallpass serve` on a free port of 127.0.0.1, its output to log; wait for health."""
    port = free_port()
    # The demo school without its sections, so a test's flow is the same at any hour.
    env = {"HALLPASS_DEMO_TIMETABLE": "0", **env}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*hallpass_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(process, url, log)
    except BaseException:
        stop(process)
        raise
    return process, url


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate a server process, killing it if it does not stop."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
