"""Concurrent load on the SQLite default, served as `./run.sh` serves it: gunicorn workers + the notification worker.

Builds a fresh SQLite file with the real migrations (`flask db upgrade`), adds the demo data (`flask seed-demo`),
starts gunicorn on a free 127.0.0.1 port, then N client threads mix, for a bounded time: authenticated API
reads (each writes an audit event), portal pages (a cookie session), bookings of the same few slots, and API
sign-ins (right password, wrong password, unknown address). Prints the requests, the status counts, the 5xx
count and p50/p99, checks that every contested slot was booked at most once and that each 201 is one
appointment, and exits 1 on any 5xx, connection error or double booking. See bench/README.md.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hearth import demo  # noqa: E402  (the demo logins the seed creates)

WRONG_PASSWORD_EMAIL = "hannah.lee@example.com"  # takes the wrong passwords (and the lockout) alone
PATIENT_EMAILS = [row[7] for row in demo.PATIENTS if row[7] and row[7] != WRONG_PASSWORD_EMAIL
                  and row[7] != demo.NURSE_EMAIL]  # the nurse is staff: two-factor sign-in
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Client:
    """One browser or app: its own cookie jar and connection (urllib: one connection per request)."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.token: str | None = None

    def call(self, method: str, path: str, body: dict | None = None, form: dict | None = None,
             token: str | None = None) -> tuple[int, bytes, float]:
        headers = {"Accept": "application/json" if path.startswith("/api/") else "text/html"}
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if token or self.token:
            headers["Authorization"] = f"Bearer {token or self.token}"
        request = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.read(), time.perf_counter() - started
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), time.perf_counter() - started


def sign_in(client: Client, email: str, password: str = demo.DEMO_PASSWORD) -> tuple[int, bytes, float]:
    return client.call("POST", "/api/v1/auth/token", {"email": email, "password": password})


def setup_world(base: str, slots_wanted: int) -> tuple[list[dict], list[dict]]:
    """Per patient account: its token and patient id; and the contested slots (one provider, a few days out)."""
    people = []
    for email in PATIENT_EMAILS:
        client = Client(base)
        status, body, _ = sign_in(client, email)
        if status != 201:
            raise SystemExit(f"set-up sign-in for {email} answered {status}: {body[:300]!r}")
        client.token = json.loads(body)["access_token"]
        me = json.loads(client.call("GET", "/api/v1/me")[1])
        own = [p for p in me["people"] if p["relation"] == "self"]
        people.append({"email": email, "token": client.token, "patient_id": own[0]["patient"]["id"]})
    first = Client(base)
    first.token = people[0]["token"]
    pid = people[0]["patient_id"]
    options = json.loads(first.call("GET", f"/api/v1/patients/{pid}/booking-options")[1])
    visit = next(v for v in options["visit_types"] if v["name"] == "Follow-up visit")
    day = datetime.now(UTC).date() + timedelta(days=3)
    query = f"visit_type_id={visit['id']}&start={day}&end={day + timedelta(days=10)}"
    status, body, _ = first.call("GET", f"/api/v1/patients/{pid}/slots?{query}")
    if status != 200:
        raise SystemExit(f"set-up slot search answered {status}: {body[:300]!r}")
    found = json.loads(body)
    provider = found[0]["provider_id"]
    contested = [{"visit_type_id": visit["id"], "provider_id": provider, "starts_at": s["starts_at"],
                  "location_id": s["location_id"]} for s in found if s["provider_id"] == provider][:slots_wanted]
    return people, contested


def client_loop(index: int, base: str, people: list[dict], contested: list[dict], deadline: float,
                record, stop: threading.Event) -> None:
    """Requests until the deadline; each one recorded as (kind, status, seconds)."""
    rng = random.Random(index)
    me = people[index % len(people)]
    api = Client(base)
    api.token = me["token"]
    pid = me["patient_id"]
    portal = Client(base)
    portal_ready = False
    reads = [f"/api/v1/patients/{pid}", f"/api/v1/patients/{pid}/appointments", f"/api/v1/patients/{pid}/access-log",
             "/api/v1/me", "/api/v1/notifications"]
    while time.monotonic() < deadline and not stop.is_set():
        roll = rng.random()
        try:
            if roll < 0.50:
                record("api read", *api.call("GET", rng.choice(reads))[::2])
            elif roll < 0.65:
                if not portal_ready:
                    status, page, took = portal.call("GET", "/login")
                    record("portal page", status, took)
                    token = CSRF.search(page.decode("utf-8", "replace"))
                    status, _, took = portal.call("POST", "/login", form={
                        "csrf_token": token.group(1) if token else "", "email": me["email"],
                        "password": demo.DEMO_PASSWORD})
                    record("portal sign-in", status, took)
                    portal_ready = status < 400
                else:
                    record("portal page", *portal.call("GET", rng.choice(["/", "/appointments"]))[::2])
            elif roll < 0.80:
                status, body, took = api.call("POST", f"/api/v1/patients/{pid}/appointments", rng.choice(contested))
                record("booking", status, took, body if status == 201 else None)
            elif roll < 0.90:
                record("sign-in", *sign_in(Client(base), me["email"])[::2])
            elif roll < 0.95:
                record("sign-in wrong", *sign_in(Client(base), WRONG_PASSWORD_EMAIL, "not-the-password")[::2])
            else:
                record("sign-in unknown", *sign_in(Client(base), f"nobody{index}@example.com")[::2])
        except (OSError, urllib.error.URLError) as exc:
            record("connection error", 0, 0.0, repr(exc).encode())


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def start_server(env: dict, port: int, workers: int, threads: int | None, log) -> subprocess.Popen:
    """gunicorn as `./run.sh` starts it (deploy/gunicorn.conf.py), on `port`, without a control socket."""
    env = {**env, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": str(workers)}
    if threads:
        env["WEB_THREADS"] = str(threads)
    cmd = [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py", "--no-control-socket",
           "wsgi:app"]
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(600):
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}; see {log.name}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not answer within a minute")


def check_bookings(db_path: Path, contested: list[dict], booked_ids: list[int]) -> tuple[int, int]:
    """(slots booked once, slots booked more than once) among the contested ones, from the database."""
    with sqlite3.connect(db_path) as conn:
        starts = [datetime.fromisoformat(s["starts_at"]).astimezone(UTC) for s in contested]
        per_slot = []
        for slot, start in zip(contested, starts, strict=True):
            rows = conn.execute(
                "SELECT id, starts_at FROM appointment WHERE provider_id = ? AND status != 'cancelled'",
                (slot["provider_id"],)).fetchall()
            per_slot.append(sum(1 for _, at in rows if _as_utc(at) == start))
        made = conn.execute(f"SELECT count(*) FROM appointment WHERE id IN ({','.join('?' * len(booked_ids))})",
                            booked_ids).fetchone()[0] if booked_ids else 0
    if made != len(booked_ids):
        raise SystemExit(f"{len(booked_ids)} bookings answered 201 but {made} are in the database")
    return sum(1 for n in per_slot if n == 1), sum(1 for n in per_slot if n > 1)


def _as_utc(value: str) -> datetime:
    at = datetime.fromisoformat(value)
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32, help="client threads (default 32)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the clients run (default 60)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads per gunicorn process (default: deploy/gunicorn.conf.py's, 4)")
    parser.add_argument("--slots", type=int, default=8, help="contested slots the bookings aim at (default 8)")
    parser.add_argument("--rate-limits", action="store_true",
                        help="keep the per-address rate limits on (all clients share 127.0.0.1: most sign-ins get 429)")
    parser.add_argument("--no-notify-worker", action="store_true", help="do not run `flask notify-worker` alongside")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (database, server log)")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 256 or not 0 < args.seconds <= 3600 or not 1 <= args.workers <= 32:
        parser.error("clients 1–256, seconds up to 3600, workers 1–32")

    tmp = Path(tempfile.mkdtemp(prefix="hearth_sqlite_load_"))
    db_path = tmp / "hearth.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db_path}", "SECRET_KEY": os.urandom(24).hex(),
           "MAIL_HOST": "", "RATELIMIT_ENABLED": "1" if args.rate_limits else "0", "PYTHONUNBUFFERED": "1"}
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    log = open(tmp / "server.log", "w")  # noqa: SIM115 - closed in the finally below
    processes: list[subprocess.Popen] = []
    try:
        for step in (["db", "upgrade"], ["seed-demo"]):
            subprocess.run(flask + step, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=log)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        processes.append(start_server({**env, "BASE_URL": base}, port, args.workers, args.threads, log))
        if not args.no_notify_worker:
            processes.append(subprocess.Popen(flask + ["notify-worker", "--interval", "2"], cwd=ROOT, env=env,
                                              stdout=log, stderr=subprocess.STDOUT))
        people, contested = setup_world(base, args.slots)
        print(f"sqlite load: {args.clients} clients, {args.workers} gunicorn workers × "
              f"{args.threads or 4} threads"
              f"{'' if args.no_notify_worker else ' + notify-worker'}, {args.seconds:g} s, "
              f"{len(people)} patient accounts, {len(contested)} contested slots, "
              f"rate limits {'on' if args.rate_limits else 'off'}; database {db_path}")
        results: list[tuple[str, int, float]] = []
        booked: list[int] = []
        failures: list[str] = []
        lock = threading.Lock()

        def record(kind: str, status: int, took: float, body: bytes | None = None) -> None:
            with lock:
                results.append((kind, status, took))
                if kind == "booking" and status == 201 and body:
                    booked.append(json.loads(body)["id"])
                if (status >= 500 or status == 0) and len(failures) < 5:
                    failures.append(f"{kind} {status}: {(body or b'')[:300]!r}")

        stop = threading.Event()
        started = time.monotonic()
        deadline = started + args.seconds
        threads = [threading.Thread(target=client_loop, args=(i, base, people, contested, deadline, record, stop),
                                    daemon=True) for i in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.seconds + 180)
        stop.set()
        elapsed = time.monotonic() - started
        return report(results, booked, failures, contested, db_path, elapsed, tmp)
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


def report(results, booked, failures, contested, db_path: Path, elapsed: float, tmp: Path) -> int:
    statuses = Counter(status for _, status, _ in results)
    by_kind: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for kind, status, took in results:
        by_kind[kind].append((status, took))
    server_errors = sum(n for status, n in statuses.items() if status >= 500)
    lost = statuses.get(0, 0)
    times = [took for _, status, took in results if status]
    print(f"requests: {len(results)} in {elapsed:.1f} s = {len(results) / elapsed:.0f}/s")
    print("status: " + ", ".join(f"{status} × {n}" for status, n in sorted(statuses.items())))
    for kind, rows in sorted(by_kind.items()):
        counts = Counter(status for status, _ in rows)
        took = [t for status, t in rows if status]
        print(f"  {kind}: {len(rows)} ({', '.join(f'{s} × {n}' for s, n in sorted(counts.items()))}); "
              f"p50 {percentile(took, 0.5) * 1000:.0f} ms, p99 {percentile(took, 0.99) * 1000:.0f} ms")
    print(f"latency: p50 {percentile(times, 0.5) * 1000:.0f} ms, p99 {percentile(times, 0.99) * 1000:.0f} ms")
    once, twice = check_bookings(db_path, contested, booked)
    print(f"bookings: {len(booked)} × 201 for {len(contested)} contested slots; "
          f"booked once {once}, more than once {twice}")
    print(f"5xx: {server_errors}")
    for line in failures:
        print("  " + line)
    ok = server_errors == 0 and lost == 0 and twice == 0 and len(booked) == once
    if not ok:
        print(f"FAILED (server log kept in {tmp} with --keep)" if not tmp.exists() else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
