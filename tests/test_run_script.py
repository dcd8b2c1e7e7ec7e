"""./run.sh refuses a busy or invalid port at once, with a message naming it (before installing anything)."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def busy_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _run(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("PORT", "MAIL_SINK_PORT", "MAIL_HOST")}
    return subprocess.run([str(ROOT / "run.sh")], env={**clean, **env}, capture_output=True, text=True, timeout=60)


def test_a_busy_port_is_named_with_what_to_do(busy_port):
    result = _run(PORT=str(busy_port))
    assert result.returncode == 1
    assert f"port {busy_port} on 127.0.0.1 is already in use" in result.stderr
    assert "PORT=5050 ./run.sh" in result.stderr
    assert "Python packages" not in result.stdout  # refused before the long install


def test_the_mail_sink_port_follows_port_and_a_busy_one_is_named(busy_port):
    if busy_port <= 3025 or not _is_free(busy_port - 3025):
        pytest.skip("the sink's default is PORT + 3025, and that PORT must be free")
    result = _run(PORT=str(busy_port - 3025))
    assert result.returncode == 1
    assert f"the local mail sink's port {busy_port} on 127.0.0.1 is already in use" in result.stderr
    assert "MAIL_SINK_PORT=" in result.stderr


def test_a_configured_mail_sink_port_that_is_busy_is_named(busy_port):
    result = _run(PORT=str(_free_port()), MAIL_SINK_PORT=str(busy_port))
    assert result.returncode == 1
    assert f"mail sink's port {busy_port}" in result.stderr


@pytest.mark.parametrize("value", ["abc", "0", "70000"])
def test_a_port_that_is_not_a_port_is_refused(value):
    result = _run(PORT=value)
    assert result.returncode == 1
    assert f"PORT must be a port number from 1 to 65535 (got '{value}')" in result.stderr
