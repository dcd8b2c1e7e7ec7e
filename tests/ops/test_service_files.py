"""The Procfile and systemd units an operator starts from: they parse, agree, and the Procfile runs."""

from __future__ import annotations

import configparser
import os
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UNITS = {"web": "hearth-web.service", "worker": "hearth-worker.service", "scheduler": "hearth-scheduler.service"}


def procfile() -> dict[str, str]:
    entries = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            entries[name.strip()] = command.strip()
    return entries


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str
    parser.read(ROOT / "deploy" / "systemd" / name)
    return parser


def test_units_run_what_the_procfile_runs():
    processes = procfile()
    assert set(processes) == set(UNITS)
    for name, unit_file in UNITS.items():
        unit = _unit(unit_file)
        assert {"Unit", "Service", "Install"} <= set(unit.sections())
        service = unit["Service"]
        assert service["Restart"] == "always" and service["EnvironmentFile"] == "/etc/hearth/hearth.env"
        exec_args = shlex.split(service["ExecStart"])
        assert exec_args[0] == f"/opt/hearth/.venv/bin/{shlex.split(processes[name])[0]}"
        proc_args = shlex.split(processes[name])[1:]
        unit_args = exec_args[1:]
        if "--schedule" in proc_args:  # the schedule file lives in the state directory under systemd
            i, j = proc_args.index("--schedule"), unit_args.index("--schedule")
            del proc_args[i:i + 2], unit_args[j:j + 2]
        assert unit_args == proc_args, name


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def test_the_procfile_processes_start_and_serve(tmp_path, redis_url):
    port = _free_port()
    venv_bin = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": f"{venv_bin}:{os.environ['PATH']}", "PORT": str(port), "WEB_CONCURRENCY": "1",
           "DATABASE_URL": f"sqlite:///{tmp_path}/hearth.db", "REDIS_URL": redis_url, "SECRET_KEY": "s" * 40,
           "BEAT_LOCK_KEY": f"test:beat:{uuid.uuid4().hex}", "PYTHONUNBUFFERED": "1"}
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=120)
    running, logs = {}, {}
    try:
        for name, command in procfile().items():
            logs[name] = tmp_path / f"{name}.log"
            with logs[name].open("w") as out:
                running[name] = subprocess.Popen(shlex.split(command), cwd=ROOT, env=env, stdout=out,
                                                 stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        wanted = {"web": lambda: _get(f"http://127.0.0.1:{port}/readyz") == 200,
                  "worker": lambda: "ready." in logs["worker"].read_text(),
                  "scheduler": lambda: "holds the scheduler lock" in logs["scheduler"].read_text()}
        while wanted and time.monotonic() < deadline:
            for name in [n for n, check in wanted.items() if check()]:
                del wanted[name]
            for name, proc in running.items():
                assert proc.poll() is None, f"{name} exited:\n{logs[name].read_text()[-3000:]}"
            time.sleep(0.3)
        assert not wanted, {n: logs[n].read_text()[-2000:] for n in wanted}
        assert _get(f"http://127.0.0.1:{port}/healthz") == 200
    finally:
        for proc in running.values():
            proc.terminate()
        for proc in running.values():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
    assert "/healthz" in logs["web"].read_text()  # the access log is on, with request ids
    assert "rid=" in logs["web"].read_text()
