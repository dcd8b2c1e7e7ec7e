"""The production topology on one machine, and what it delivers through a worker stop and a Redis outage.

Starts what docs/production.md describes, all on 127.0.0.1: a fresh PostgreSQL database, a private
Redis, 2 gunicorn app servers, 2 Celery workers and 1 scheduler (the Procfile's commands), a fake FCM
with a fake OAuth token endpoint (workers reach them through FCM_API_BASE / FCM_TOKEN_URI) and an
SMTP sink. Patients sign in, register a phone and book visits through the two servers in turn, with
the practice's reminder offset set so each reminder falls due within two minutes. Three phases:

1. steady state: every queued notification is delivered once;
2. SIGTERM to a worker while it is sending (the fake FCM is slowed so batches take a while): the worker
   finishes what it holds and stops, is started again, and nothing is lost or sent twice;
3. Redis stopped for `--outage` seconds: patients keep booking through the app servers; after Redis
   returns, the backlog drains.

For each phase it prints bookings (and any 5xx), notifications expected, delivered, duplicates (the
same notification id delivered twice at the fake) and lost. Bounded: every wait has a deadline.

    .venv/bin/python bench/topology.py                      # ~6 minutes
    .venv/bin/python bench/topology.py --patients 10 --outage 15     # a quick look

DATABASE_URL names the PostgreSQL server (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres);
the script creates `hearth_topology_<pid>` beside it and drops it at the end (unless --keep).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "Topology-bench-pass-2026"
PROJECT = "hearth-topology"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, seconds: float, step: float = 0.25) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return bool(check())


class Processes:
    """Child processes with their logs in one folder; all stopped at the end, whatever happens."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder, self.env, self.running = folder, env, {}

    def start(self, name: str, command: list[str], **env) -> subprocess.Popen:
        log = (self.folder / f"{name}.log").open("a")
        proc = subprocess.Popen(command, cwd=ROOT, env={**self.env, **env}, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.running[name] = proc
        return proc

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def stop(self, name: str, sig=signal.SIGTERM, wait: float = 60) -> None:
        proc = self.running.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name, wait=30)


def procfile() -> dict[str, list[str]]:
    entries = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            entries[name.strip()] = shlex.split(command)
    return entries


# --- database -----------------------------------------------------------------------------------


def make_database(base_url: str) -> tuple[str, str]:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(base_url)
    name = f"hearth_topology_{os.getpid()}"
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False), admin


def drop_database(admin: str, url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def seed(url: str, phases: int, patients: int) -> list[dict]:
    """One practice per phase: `patients` providers with open extra hours now, a 5-minute visit, patients."""
    from hearth import db
    from hearth.models import ExceptionKind, Location, ScheduleException
    from hearth.models.scheduling import PracticeSchedulingSettings
    from hearth.security.passwords import use_fast_hashing
    from tests.factories import make_patient, make_practice, make_provider, make_user
    from tests.scheduling.conftest import make_visit_type

    use_fast_hashing()
    db.configure(url)
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)  # slots sit on a grid from here
    plan = []
    for phase in range(phases):
        practice = make_practice(name=f"Topology clinic {phase + 1}", timezone="UTC")
        location = Location(practice_id=practice.id, name="Main", address="1 Main St")
        db.session.add(location)
        db.session.add(PracticeSchedulingSettings(practice_id=practice.id, cancel_cutoff_hours=0,
                                                  reminder_offsets="60"))
        db.session.flush()
        providers = [make_provider(practice=practice, given_name=f"P{phase}x{i}") for i in range(patients)]
        for provider in providers:
            db.session.add(ScheduleException(provider_id=provider.id, location_id=location.id,
                                             kind=ExceptionKind.EXTRA_HOURS, starts_at=hour - timedelta(hours=1),
                                             ends_at=hour + timedelta(hours=8)))
        visit = make_visit_type(practice, name="Quick visit", minutes=5, providers=providers)
        people = []
        for i in range(patients):
            user = make_user(email=f"t{phase}-{i}@topology.test", password=PASSWORD, name=f"T{phase} {i}")
            patient = make_patient(practice=practice, user=user, given_name=f"T{phase}", family_name=f"N{i}",
                                   preferred_channels="push,email")
            people.append((patient.id, user.email, providers[i].id))
        plan.append({"practice_id": practice.id, "location_id": location.id, "visit_type_id": visit.id,
                     "people": people})
    db.session.commit()
    return plan


def set_offset(practice_id: int, minutes: int) -> None:
    from hearth import db
    from hearth.models.scheduling import PracticeSchedulingSettings

    db.session.get(PracticeSchedulingSettings, practice_id).reminder_offsets = str(minutes)
    db.session.commit()


def expected_ids(patient_ids: list[int]) -> set[int]:
    """Notification rows about these patients that should reach someone (not cancelled)."""
    from sqlalchemy import select

    from hearth import db
    from hearth.models import Notification, NotificationStatus

    db.session.remove()
    rows = db.session.scalars(select(Notification.id).where(Notification.patient_id.in_(patient_ids),
                                                            Notification.status != NotificationStatus.CANCELLED))
    ids = set(rows)
    db.session.remove()
    return ids


# --- the phases -----------------------------------------------------------------------------------


class Booker:
    """Signs patients in, registers their phones and books through the app servers in turn."""

    def __init__(self, servers: list[str]) -> None:
        import requests

        self.servers = servers
        self.http = requests.Session()
        self.statuses: dict[int, int] = {}
        self.first_refusal = ""
        self._turn = 0

    def _next(self) -> str:
        self._turn += 1
        return self.servers[self._turn % len(self.servers)]

    def _count(self, status: int) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1

    def call(self, method: str, path: str, **kw):
        import requests

        try:
            response = self.http.request(method, self._next() + path, timeout=30, **kw)
        except requests.RequestException:
            self._count(0)
            return None
        self._count(response.status_code)
        return response

    def book(self, phase: dict, index: int, starts_at: datetime) -> bool:
        patient_id, email, provider_id = phase["people"][index]
        token = self.call("POST", "/api/v1/auth/token", json={"email": email, "password": PASSWORD})
        if token is None or token.status_code != 201:
            return False
        auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
        self.call("POST", "/api/v1/devices", json={"token": f"phone-{email}", "platform": "android",
                                                    "label": "Bench phone"}, headers=auth)
        body = {"visit_type_id": phase["visit_type_id"], "provider_id": provider_id,
                "location_id": phase["location_id"], "starts_at": starts_at.isoformat()}
        made = self.call("POST", f"/api/v1/patients/{patient_id}/appointments", json=body, headers=auth)
        if made is not None and made.status_code != 201 and not self.first_refusal:
            self.first_refusal = f"{made.status_code} {made.text[:300]}"
        return made is not None and made.status_code == 201


def visit_time() -> tuple[datetime, int]:
    """A 5-minute grid time 2.5–7.5 minutes ahead, and the reminder offset that makes it due in 1–2 minutes."""
    now = datetime.now(UTC)
    start = now + timedelta(seconds=150)
    start = start.replace(second=0, microsecond=0) + timedelta(minutes=(5 - start.minute % 5) % 5 or 5)
    offset = int((start - now - timedelta(seconds=60)).total_seconds() // 60)
    return start, offset


def delivered(fake) -> list[str]:
    with fake._lock:  # noqa: SLF001 - the fake's own record of accepted messages
        return [m.get("data", {}).get("notification_id") for m in fake.messages]


def tally(fake, ids: set[int]) -> tuple[int, int, int]:
    """(delivered once or more, duplicates, lost) for these notification ids."""
    wanted = {str(i) for i in ids}
    seen = [i for i in delivered(fake) if i in wanted]
    unique = set(seen)
    return len(unique), len(seen) - len(unique), len(wanted - unique)


def run_phase(label: str, phase: dict, booker: Booker, fake, *, during=None, drain: float = 240) -> dict:
    starts_at, offset = visit_time()
    set_offset(phase["practice_id"], offset)
    booker.statuses.clear()
    if during:
        during("before")
    booked = sum(booker.book(phase, i, starts_at) for i in range(len(phase["people"])))
    statuses = dict(booker.statuses)
    if booker.first_refusal:
        print(f"{label}: a booking was refused: {booker.first_refusal}", flush=True)
    if during:
        during("booked" if booked else "nothing booked")
    ids = expected_ids([p[0] for p in phase["people"]])
    started = time.monotonic()
    wait_until(lambda: tally(fake, ids)[2] == 0, drain, step=0.5)
    got, duplicates, lost = tally(fake, ids)
    result = {"phase": label, "booked": booked, "of": len(phase["people"]), "statuses": statuses,
              "expected": len(ids), "delivered": got, "duplicates": duplicates, "lost": lost,
              "drained_in": round(time.monotonic() - started, 1)}
    print(f"{label}: booked {booked}/{len(phase['people'])} (HTTP {statuses}); notifications expected "
          f"{len(ids)}, delivered {got}, duplicates {duplicates}, lost {lost}; last one "
          f"{result['drained_in']} s after the bookings", flush=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patients", type=int, default=30, help="patients (and visits) per phase")
    parser.add_argument("--outage", type=float, default=60, help="seconds Redis stays down in phase 3")
    parser.add_argument("--keep", action="store_true", help="keep the database and logs")
    args = parser.parse_args()

    from tests.fakes.fcm import FakeFcm
    from tests.fakes.oauth import FakeOAuth, service_account_file

    base = os.environ.get("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    if not base.startswith("postgresql"):
        print("DATABASE_URL must name a PostgreSQL server", file=sys.stderr)
        return 2
    folder = Path(tempfile.mkdtemp(prefix="topology-"))
    url, admin = make_database(base)
    fake, oauth = FakeFcm().start(), FakeOAuth().start()
    fake._server.socket.listen(1024)  # noqa: SLF001 - bursts of send_each connections
    slow = threading.Event()
    accept = fake._accept  # noqa: SLF001

    def maybe_slow_accept(project, message):
        if slow.is_set():
            time.sleep(0.4)
        return accept(project, message)

    fake._accept = maybe_slow_accept  # noqa: SLF001 - the bench's own fake, made slow for phase 2

    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    smtp = Controller(Sink(), hostname="127.0.0.1", port=free_port())
    smtp.start()
    redis_port = free_port()
    redis_cmd = [shutil.which("redis-server") or "redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "no"]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", "DATABASE_URL": url,
           "SECRET_KEY": "topology-bench-" + "k" * 40, "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
           "BEAT_LOCK_KEY": "hearth:beat-lock", "NOTIFY_DISPATCH_EVERY": "2", "NOTIFY_BATCH_SIZE": "5",
           "NOTIFY_SENDING_TIMEOUT": "60", "FCM_PROJECT_ID": PROJECT, "FCM_API_BASE": fake.base_url,
           "FCM_TOKEN_URI": oauth.token_uri,
           "GOOGLE_APPLICATION_CREDENTIALS": service_account_file(folder / "sa.json", "https://unused.test/t"),
           "MAIL_HOST": "127.0.0.1", "MAIL_PORT": str(smtp.port), "RATELIMIT_ENABLED": "0",
           "WEB_CONCURRENCY": "2", "PYTHONUNBUFFERED": "1", "BASE_URL": "http://127.0.0.1"}
    procs = Processes(folder, env)
    results = []
    try:
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                       check=True, capture_output=True, timeout=300)
        plan = seed(url, 3, args.patients)
        procs.start("redis", redis_cmd)
        commands = procfile()
        ports = [free_port(), free_port()]
        for n, port in enumerate(ports, 1):
            procs.start(f"web{n}", commands["web"], PORT=str(port))
        for n in (1, 2):
            procs.start(f"worker{n}", [*commands["worker"], "--hostname", f"worker{n}@%h"])
        schedule = folder / "celerybeat-schedule"
        procs.start("scheduler", [a if a != "instance/celerybeat-schedule" else str(schedule)
                                  for a in commands["scheduler"]])
        servers = [f"http://127.0.0.1:{p}" for p in ports]
        import requests

        def ready(server):
            try:
                return requests.get(server + "/healthz", timeout=2).status_code == 200
            except requests.RequestException:
                return False

        if not wait_until(lambda: all(ready(s) for s in servers), 60):
            raise SystemExit("the app servers did not start:\n" + procs.log("web1")[-2000:])
        wait_until(lambda: all("ready." in procs.log(f"worker{n}") for n in (1, 2)), 60)
        print(f"topology: PostgreSQL {url.rsplit('/', 1)[-1]}, Redis :{redis_port}, app servers {ports}, "
              f"2 workers, 1 scheduler; logs in {folder}", flush=True)
        booker = Booker(servers)

        results.append(run_phase("steady", plan[0], booker, fake))

        def sigterm_worker(moment):
            if moment == "before":
                slow.set()
                return
            if moment != "booked":
                return
            before = len(delivered(fake))
            wait_until(lambda: len(delivered(fake)) > before, 180, step=0.1)  # sending has begun
            procs.stop("worker1", signal.SIGTERM, wait=120)
            print("sigterm: worker1 stopped with SIGTERM while sending; started again", flush=True)
            procs.start("worker1", [*commands["worker"], "--hostname", "worker1@%h"])

        results.append(run_phase("sigterm", plan[1], booker, fake, during=sigterm_worker))
        slow.clear()

        def outage(moment):
            if moment == "before":
                procs.stop("redis", signal.SIGKILL)
                outage.down_at = time.monotonic()
                print(f"outage: Redis stopped for {args.outage:.0f} s; booking goes on", flush=True)
                return
            time.sleep(max(0.0, args.outage - (time.monotonic() - outage.down_at)))
            procs.start("redis", redis_cmd)
            print("outage: Redis is back", flush=True)

        results.append(run_phase("redis outage", plan[2], booker, fake, during=outage))
        beats = procs.log("scheduler").count("holds the scheduler lock")
        print(f"scheduler: took the lock {beats} time(s)", flush=True)
    finally:
        procs.stop_all()
        smtp.stop()
        fake.stop()
        oauth.stop()
        from hearth import db

        try:
            db.session.remove()
            db.engine().dispose()
        except RuntimeError:
            pass
        if not args.keep:
            drop_database(admin, url)
            shutil.rmtree(folder, ignore_errors=True)
    five_xx = sum(n for r in results for s, n in r["statuses"].items() if s >= 500 or s == 0)
    totals = {k: sum(r[k] for r in results) for k in ("expected", "delivered", "duplicates", "lost")}
    print(f"total: {totals['expected']} expected, {totals['delivered']} delivered, {totals['duplicates']} "
          f"duplicates, {totals['lost']} lost, {five_xx} failed requests (5xx or no answer)")
    clean = totals["expected"] > 0 and totals["duplicates"] == 0 and totals["lost"] == 0 and five_xx == 0
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
