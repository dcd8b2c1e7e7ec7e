"""A real Hearth server in a subprocess (`flask run` on 127.0.0.1), for tests that drive it over HTTP."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def serve(env: dict, port: int | str, log_path: Path, *, ready: str = "/login") -> Iterator[str]:
    """Serve Hearth with `env` (already migrated and seeded) on `port`; yields the base URL once `ready`
    answers, fails the test with the server's log if it never does, and stops the server afterwards."""
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "run", "--host", "127.0.0.1", "--port", str(port),
             "--no-reload", "--no-debugger"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}{ready}", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the Hearth server did not start:\n{log_path.read_text()[-3000:]}", pytrace=False)
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
