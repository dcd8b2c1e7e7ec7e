"""A worker whose broker goes away keeps retrying, one log line per attempt, no tracebacks."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(path: Path, pattern: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if re.search(pattern, path.read_text(errors="replace")):
            return True
        time.sleep(0.2)
    return False


def test_worker_logs_one_line_per_reconnect_attempt(tmp_path):
    server = shutil.which("redis-server")
    assert server, "redis-server is needed (Debian package redis-server)"
    port = _free_port()
    redis_proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                   "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log = tmp_path / "worker.log"
    env = {**os.environ, "REDIS_URL": f"redis://127.0.0.1:{port}/0", "DATABASE_URL": f"sqlite:///{tmp_path}/w.db",
           "SECRET_KEY": "x" * 32, "PYTHONUNBUFFERED": "1"}
    with log.open("w") as out:
        worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "hearth.jobs.celery_app", "worker",
                                   "--pool", "solo", "--loglevel", "INFO", "--without-mingle", "--without-gossip"],
                                  cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        assert _wait_for(log, r"ready\.", 30), log.read_text()[-2000:]
        redis_proc.kill()
        redis_proc.wait(5)
        assert _wait_for(log, r"Trying again in .* \(2/", 30), log.read_text()[-3000:]
        assert worker.poll() is None, "the worker gave up"
    finally:
        worker.terminate()
        worker.wait(20)
        if redis_proc.poll() is None:
            redis_proc.kill()
    text = log.read_text()
    after = text[text.index("ready."):]
    assert "Traceback" not in after, after[:3000]
    attempts = [line for line in after.splitlines() if "Trying again in" in line]
    assert len(attempts) >= 2
    assert all("Cannot connect" in line or "Connection" in line for line in attempts), attempts
