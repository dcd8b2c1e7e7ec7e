"""Hearth's audited API reads (and a book + cancel pair) against a bare Flask + SQLAlchemy app, over HTTP.

Builds the schema with the real migrations on the database DATABASE_URL names (default: a fresh SQLite file;
for PostgreSQL a private database is created beside the URL and dropped at the end), seeds the demo practice
plus bulk rows (Core inserts), starts Hearth under gunicorn (deploy/gunicorn.conf.py, WEB_CONCURRENCY=2) and
bench/bare_app.py under the same configuration, each on a free 127.0.0.1 port, then drives both with the same
bounded load (bench/http_load.py: threads, keep-alive connections, fixed seconds per round), bare and Hearth
rounds alternating. Prints per endpoint rps, p50/p99 and non-2xx, the write pair's ratio, and last
`ratio X` (the weakest read's rps ÷ the bare read's). See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import http_load  # noqa: E402
from http_seed import seed_world  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def private_postgres(url: str) -> tuple[str, str, str]:
    """Create `bench_reads_<pid>` beside the URL's database: (its URL, admin conninfo, name)."""
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    name = f"bench_reads_{os.getpid()}"
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return parsed.set(database=name).render_as_string(hide_password=False), admin, name


def drop_postgres(admin: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start(env: dict, port: int, app: str, log, ready: str) -> subprocess.Popen:
    """gunicorn with deploy/gunicorn.conf.py on `port`; waits until `ready` answers 200."""
    env = {**env, "HOST": "127.0.0.1", "PORT": str(port)}
    cmd = [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py", "--no-control-socket",
           "--access-logfile", "/dev/null", app]
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(1200):
        if server.poll() is not None:
            raise SystemExit(f"gunicorn ({app}) exited with {server.returncode}; see {log.name}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{ready}", timeout=5) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"gunicorn ({app}) did not answer within two minutes")


def book_cancel(patient_id: int, token: str, slots: list[dict]) -> http_load.Job:
    """Each connection books its own slot then cancels it (2 requests per round trip)."""
    import json

    def job(conn: http_load.Conn, index: int, record) -> None:
        slot = slots[index % len(slots)]
        started = time.perf_counter()
        status, body = conn.request("POST", f"/api/v1/patients/{patient_id}/appointments", token, slot)
        record(status, time.perf_counter() - started, body)
        if status != 201:
            return
        appointment = json.loads(body)["id"]
        started = time.perf_counter()
        status, body = conn.request("POST", f"/api/v1/patients/{patient_id}/appointments/{appointment}/cancel",
                                    token, {"reason": "bench"})
        record(status, time.perf_counter() - started, body)

    return job


def bare_write() -> http_load.Job:
    def job(conn: http_load.Conn, _index: int, record) -> None:
        started = time.perf_counter()
        status, body = conn.request("POST", "/write", None, {})
        record(status, time.perf_counter() - started, body)

    return job


def measure(pairs, hearth_port: int, bare_port: int, args) -> dict[str, http_load.Result]:
    """Alternating rounds: bare, Hearth endpoint, bare, Hearth endpoint … (each `args.seconds`)."""
    totals: dict[str, http_load.Result] = {}
    for _ in range(args.rounds):
        for name, job, bare_name, bare_job in pairs:
            for label, port, work in ((bare_name, bare_port, bare_job), (name, hearth_port, job)):
                result = http_load.run(port, work, connections=args.connections, seconds=args.seconds)
                totals.setdefault(label, http_load.Result()).add(result)
    return totals


def line(name: str, result: http_load.Result) -> str:
    return (f"{name:<42} rps {result.rps:8.1f}  p50 {result.percentile(0.5) * 1000:7.1f} ms  "
            f"p99 {result.percentile(0.99) * 1000:7.1f} ms  non-2xx {result.non_2xx + result.errors}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of one round (default 5)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds per endpoint (default 2)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (default 16)")
    parser.add_argument("--workers", type=int, default=2, help="WEB_CONCURRENCY of both servers (default 2)")
    parser.add_argument("--threads", type=int, default=4,
                        help="WEB_THREADS of both servers (default 4, deploy/gunicorn.conf.py's; 1 = one request at a "
                             "time per process, like the sync workers of the issue's measurement)")
    parser.add_argument("--patients", type=int, default=2000, help="extra patients bulk-loaded (default 2000)")
    parser.add_argument("--rows", type=int, default=20, help="appointments and notifications per list (default 20)")
    parser.add_argument("--only", default="", help="comma-separated endpoint names to run (default: all)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (server logs)")
    args = parser.parse_args(argv)
    if not (0 < args.seconds <= 600 and 1 <= args.rounds <= 50 and 1 <= args.connections <= 256
            and 1 <= args.workers <= 16 and 0 <= args.patients <= 2_000_000 and 1 <= args.rows <= 500):
        parser.error("seconds 0–600, rounds 1–50, connections 1–256, workers 1–16, rows 1–500")

    tmp = Path(tempfile.mkdtemp(prefix="hearth_http_reads_"))
    given = os.environ.get("DATABASE_URL", "")
    pg = None
    if given.startswith("postgresql"):
        url, admin, name = private_postgres(given)
        pg = (admin, name)
    else:
        url = f"sqlite:///{tmp / 'hearth.db'}"
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": os.urandom(24).hex(), "MAIL_HOST": "",
           "RATELIMIT_ENABLED": "0", "WEB_CONCURRENCY": str(args.workers), "WEB_THREADS": str(args.threads),
           "PYTHONUNBUFFERED": "1",
           "LOG_LEVEL": "WARNING"}
    log = open(tmp / "servers.log", "w")  # noqa: SIM115 - closed in the finally below
    servers: list[subprocess.Popen] = []
    try:
        flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
        started = time.monotonic()
        for step in (["db", "upgrade"], ["seed-demo"]):
            subprocess.run(flask + step, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=log)
        world = seed_world(env, patients=args.patients, rows=args.rows, slots=args.connections)
        print(f"http reads: {'PostgreSQL' if pg else 'SQLite'}, {args.workers} gunicorn workers × {args.threads} "
              f"threads per server, "
              f"{args.connections} connections, {args.rounds} × {args.seconds:g} s rounds; "
              f"{world.patient_count} patients, {args.rows} rows per list; "
              f"set-up {time.monotonic() - started:.1f} s; load average {os.getloadavg()[0]:.1f}")
        hearth_port, bare_port = free_port(), free_port()
        servers.append(start({**env, "BASE_URL": f"http://127.0.0.1:{hearth_port}"}, hearth_port, "wsgi:app",
                             log, "/healthz"))
        servers.append(start({**env, "BARE_PRACTICE_ID": str(world.practice_id)}, bare_port, "bench.bare_app:app",
                             log, "/ready"))
        reads = {
            "GET /api/v1/me": ("/api/v1/me", world.patient_token),
            "GET /api/v1/patients/<id>/appointments": (f"/api/v1/patients/{world.patient_id}/appointments",
                                                       world.patient_token),
            "GET /api/v1/patients/<id>": (f"/api/v1/patients/{world.patient_id}", world.patient_token),
            "GET /api/v1/notifications": ("/api/v1/notifications", world.patient_token),
            "GET staff patient list": (f"/api/v1/practices/{world.practice_id}/patients", world.staff_token),
            "GET staff schedule day": (f"/api/v1/practices/{world.practice_id}/schedule?date={world.day}",
                                       world.staff_token),
        }
        only = {name.strip() for name in args.only.split(",") if name.strip()}
        pairs = [(name, http_load.get(path, token), "bare read (20 indexed rows)", http_load.get("/read"))
                 for name, (path, token) in reads.items() if not only or name in only]
        if not only or "book + cancel" in only:
            pairs.append(("POST book + cancel", book_cancel(world.patient_id, world.patient_token, world.slots),
                          "bare write (1-row insert)", bare_write()))
        totals = measure(pairs, hearth_port, bare_port, args)
        for name, result in totals.items():
            print(line(name, result))
            for sample in result.samples[:2]:
                print(f"    e.g. {sample}")
        bare_read = totals.get("bare read (20 indexed rows)")
        read_ratios = {name: totals[name].rps / bare_read.rps for name in reads if name in totals and bare_read}
        for name, ratio in read_ratios.items():
            print(f"read ratio {name}: {ratio:.2f}")
        if "POST book + cancel" in totals:
            print(f"write ratio {totals['POST book + cancel'].rps / totals['bare write (1-row insert)'].rps:.2f}")
        print(f"load average after {os.getloadavg()[0]:.1f}")
        failed = sum(r.non_2xx + r.errors for r in totals.values())
        print(f"ratio {min(read_ratios.values()):.2f}" if read_ratios else "ratio n/a")
        return 1 if failed else 0
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        log.close()
        if pg:
            drop_postgres(*pg)
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
