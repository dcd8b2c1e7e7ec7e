"""Reminder fan-out: how close the outbox pipeline gets to a bare firebase-admin loop on the same fake FCM.

Builds a database with the real migrations, N patients with one app install each, plans N push
reminders through `hearth.notify.outbox.enqueue_many`, then sends them with the worker's own
`run_once` (claims, `send_each` per batch, attempts and statuses written back) to the local fake FCM
server of tests/fakes, running in its own process. The same N messages then go through a bare
`messaging.send_each` loop (500 per call) against the same fake: the ceiling. Last line: `ratio X`.

    .venv/bin/python bench/reminder_fanout.py --messages 20000
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_fanout .venv/bin/python bench/reminder_fanout.py

On PostgreSQL everything happens in a private schema that is dropped at the end. See bench/README.md.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import shutil
import sys
import tempfile
import time
import warnings
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROJECT = "hearth-bench"
CHUNK = 2000  # rows per bulk insert, per planning transaction
WARM_UP = 50  # messages sent before timing, so neither run pays for opening connections
TITLE, BODY = "Appointment reminder", "You have an upcoming appointment. Open Hearth to see the details."


def rss_mib() -> float:
    """Resident memory now (Linux /proc), else the peak so far."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return peak_mib()


def peak_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


# --- the fake FCM server, in its own process --------------------------------------------------


def fake_fcm_process(conn) -> None:
    """Serve tests/fakes/fcm.py; forget accepted messages every half second (only the count is kept)."""
    from tests.fakes.fcm import FakeFcm

    fake = FakeFcm().start()
    fake._server.socket.listen(1024)  # noqa: SLF001 - socketserver's backlog of 5 drops bursts of 500 connects
    conn.send(fake.url_template)
    while True:
        if conn.poll(0.5):
            if conn.recv() == "count":
                conn.send(fake._counter)  # noqa: SLF001 - the fake's own tally of accepted messages
                continue
            break
        with fake._lock:  # noqa: SLF001
            fake.messages.clear()
            fake.requests.clear()
    fake.stop()


# --- the database: schema, seed, plan -----------------------------------------------------------


def database(url: str | None) -> tuple[str, str | None, str | None]:
    """(url to use, PostgreSQL schema to drop, temp dir to delete)."""
    if not url:
        tmp = tempfile.mkdtemp(prefix="fanout-")
        return f"sqlite:///{tmp}/fanout.db", None, tmp
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return url, None, None
    schema = f"bench_fanout_{os.getpid()}"
    engine = create_engine(parsed)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    scoped = parsed.update_query_dict({"options": f"-csearch_path={schema}"})
    return scoped.render_as_string(hide_password=False), schema, None


def drop_schema(url: str, schema: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def migrate() -> None:
    """alembic upgrade head, as tests/conftest.py does."""
    from alembic import command
    from alembic.config import Config

    from hearth import db

    cfg = Config(str(ROOT / "migrations" / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    with db.engine().begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def seed(n: int) -> None:
    """One practice; N users, each with a patient record preferring push and one active device."""
    from sqlalchemy import insert, text

    from hearth import db
    from hearth.clock import utcnow
    from hearth.models import Device, Patient, Practice, User
    from hearth.security.tokens import token_hash

    now = utcnow()
    db.session.execute(insert(Practice), [{"id": 1, "name": "Bench practice", "slug": "bench", "created_at": now}])
    for start in range(1, n + 1, CHUNK):
        ids = range(start, min(start + CHUNK, n + 1))
        db.session.execute(insert(User), [
            {"id": i, "email": f"bench{i}@example.test", "password_hash": "!", "display_name": f"Bench {i}",
             "locale": "es" if i % 5 == 0 else "en", "password_changed_at": now, "created_at": now} for i in ids])
        db.session.execute(insert(Patient), [
            {"id": i, "practice_id": 1, "user_id": i, "mrn": f"B{i:08d}", "given_name": "Bench",
             "family_name": str(i), "date_of_birth": now.date() - timedelta(days=10000 + i % 9000),
             "email": f"bench{i}@example.test", "preferred_channels": "push,email", "created_at": now} for i in ids])
        db.session.execute(insert(Device), [
            {"id": i, "user_id": i, "fcm_token": f"bench-token-{i}", "token_hash": token_hash(f"bench-token-{i}"),
             "platform": "android", "created_at": now, "last_seen_at": now} for i in ids])
    if db.is_postgres():
        for table in ("practice", "user_account", "patient", "device"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT max(id) FROM {table}))"))
    db.session.commit()


def plan(n: int) -> None:
    """N reminders through the outbox (`enqueue_many`, as reminder planning does), a transaction per chunk."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from hearth import db
    from hearth.clock import utcnow
    from hearth.models import Patient
    from hearth.notify import outbox

    due = utcnow() - timedelta(seconds=1)
    for start in range(1, n + 1, CHUNK):
        patients = db.session.scalars(
            select(Patient).where(Patient.id.between(start, start + CHUNK - 1)).options(selectinload(Patient.user))
        ).all()
        outbox.enqueue_many([
            dict(key=f"reminder:{patient.id}:1440:bench", kind="reminder", template="appointment_reminder",
                 params={"ref": f"appointment:{patient.id}", "date": "Monday, March 3", "time": "9:00 AM"},
                 user=patient.user, patient=patient, due_at=due)
            for patient in patients
        ])
        db.session.commit()
        db.session.expunge_all()


# --- the sender process: the worker's loop, then the bare loop, on the same firebase app ------------


def pipeline(n: int, settings: dict, channels, trace: bool) -> dict:
    """The worker's loop: run_once until nothing is due; rate and memory."""
    import tracemalloc

    from hearth import db
    from hearth.notify.worker import new_worker_id, run_once

    worker_id = new_worker_id()
    if trace:
        tracemalloc.start()
    calls_before = len(channels.push.batch_sizes)
    in_send = _time_sends(channels.push)
    sent, failed, at_10 = 0, 0, None
    started, cpu = time.perf_counter(), time.process_time()
    while True:
        summary = run_once(settings, channels=channels, worker_id=worker_id)
        db.session.remove()
        sent += summary.sent
        failed += summary.failed
        if at_10 is None and sent >= n / 10:
            at_10 = rss_mib()
        if summary.claimed == 0 or sent + failed >= n:
            break
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    traced = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    if trace:
        tracemalloc.stop()
    return {"sent": sent, "failed": failed, "seconds": elapsed, "rss_10": at_10 or rss_mib(), "rss_100": rss_mib(),
            "rss_peak": peak_mib(), "traced_peak": traced, "cpu": cpu, "in_send": in_send[0],
            "send_each_calls": len(channels.push.batch_sizes) - calls_before}


def _time_sends(adapter) -> list[float]:
    """Wrap the FCM adapter's `send` to add up the seconds spent in it (the rest is the pipeline's own)."""
    total = [0.0]
    send = adapter.send

    def timed(pushes):
        started = time.perf_counter()
        try:
            return send(pushes)
        finally:
            total[0] += time.perf_counter() - started

    adapter.send = timed
    return total


def bare(n: int, app, first: int = 1) -> dict:
    """firebase-admin alone: the same messages as the pipeline sends, `send_each` 500 at a time."""
    from firebase_admin import messaging

    ok = 0
    started, cpu = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for start in range(first, first + n, 500):
            messages = [
                messaging.Message(token=f"bench-token-{i}", notification=messaging.Notification(TITLE, BODY),
                                  data={"notification_id": str(i), "kind": "reminder", "ref": f"appointment:{i}"},
                                  android=messaging.AndroidConfig(priority="high"))
                for i in range(start, min(start + 500, first + n))
            ]
            ok += messaging.send_each(messages, app=app).success_count
    return {"sent": ok, "seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu}


def sender_process(url: str, fcm_url: str, n: int, batch: int, trace: bool, conn) -> None:
    """Start like a worker (channels built once), warm the connections up, then wait for the go."""
    from firebase_admin import messaging
    from google.auth.credentials import AnonymousCredentials

    from hearth import db
    from hearth.notify.channels import build_channels

    db.configure(url)
    messaging._MessagingService.FCM_URL = fcm_url  # noqa: SLF001 - the SDK's endpoint seam (DOMAIN.md)
    settings = {"FCM_PROJECT_ID": PROJECT, "FCM_CREDENTIAL": AnonymousCredentials(), "NOTIFY_BATCH_SIZE": batch,
                # About 1% of the messages per run, so memory can be read at 10%.
                "NOTIFY_MAX_BATCHES": max(1, n // (batch * 100)), "NOTIFY_SENDING_TIMEOUT": 300}
    channels = build_channels(settings)
    bare(WARM_UP, channels.push.app, first=10**9)  # open the HTTP connections both runs then reuse
    conn.send("ready")
    if conn.recv() != "go":
        return
    conn.send(pipeline(n, settings, channels, trace))
    conn.send(bare(n, channels.push.app))
    channels.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=100_000, help="reminders to plan and send (default 100000)")
    parser.add_argument("--batch", type=int, default=int(os.environ.get("NOTIFY_BATCH_SIZE") or 500),
                        help="NOTIFY_BATCH_SIZE for the worker (default 500: one send_each per claim)")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations (slower)")
    args = parser.parse_args(argv)
    n = args.messages

    ctx = mp.get_context("spawn")
    fake_conn, fake_child = ctx.Pipe()
    fake = ctx.Process(target=fake_fcm_process, args=(fake_child,), daemon=True)
    fake.start()
    fcm_url = fake_conn.recv()
    raw_url = os.environ.get("DATABASE_URL")
    url, schema, tmp = database(raw_url)
    # The sender starts (imports, firebase app, warm-up) while this process builds the data.
    conn, child_conn = ctx.Pipe()
    sender = ctx.Process(target=sender_process, args=(url, fcm_url, n, args.batch, args.tracemalloc, child_conn),
                         daemon=True)
    sender.start()

    from sqlalchemy import func, select

    from hearth import db
    from hearth.models import Notification, NotificationAttempt, NotificationStatus

    try:
        db.configure(url)
        print(f"database: {db.engine().dialect.name}{f' (schema {schema})' if schema else ''}; messages: {n}; "
              f"batch: {args.batch}; cores: {os.cpu_count()}", flush=True)
        t = time.perf_counter()
        migrate()
        seed(n)
        print(f"seed: {n} patients, users and devices in {time.perf_counter() - t:.1f} s", flush=True)
        t = time.perf_counter()
        plan(n)
        planned = time.perf_counter() - t
        print(f"plan: {n} reminders through outbox.enqueue_many in {planned:.1f} s = {n / planned:.0f} per second",
              flush=True)
        db.session.remove()
        db.engine().dispose()  # the sender opens its own connections

        p, b = _receive(conn, sender)
        pipeline_rate = p["sent"] / p["seconds"]
        print(f"pipeline: {p['sent']} messages in {p['seconds']:.1f} s = {pipeline_rate:.0f} messages/second "
              f"({p['send_each_calls']} send_each calls; {p['in_send']:.1f} s sending, "
              f"{p['seconds'] - p['in_send']:.1f} s outside; CPU {p['cpu']:.1f} s)", flush=True)
        growth = p["rss_100"] - p["rss_10"]
        flat = growth <= max(10.0, 0.1 * p["rss_10"])
        traced = f", tracemalloc peak {p['traced_peak']:.1f} MiB" if p["traced_peak"] is not None else ""
        print(f"memory: worker RSS peak {p['rss_peak']:.1f} MiB; after 10% {p['rss_10']:.1f} MiB, after 100% "
              f"{p['rss_100']:.1f} MiB ({growth:+.1f} MiB): {'flat' if flat else 'GROWING'}{traced}", flush=True)
        bare_rate = b["sent"] / b["seconds"]
        print(f"bare: {b['sent']} messages in {b['seconds']:.1f} s = {bare_rate:.0f} messages/second "
              f"(firebase-admin send_each, 500 per call; CPU {b['cpu']:.1f} s)", flush=True)
        by_status = select(Notification.status, func.count()).group_by(Notification.status)
        statuses = dict(db.session.execute(by_status).all())
        attempts = db.session.scalar(select(func.count()).select_from(NotificationAttempt))
        fake_conn.send("count")
        received = fake_conn.recv() - WARM_UP
        print(f"check: outbox {dict((str(k), v) for k, v in statuses.items())}, {attempts} attempts, "
              f"fake FCM accepted {received}", flush=True)
        ok = statuses.get(NotificationStatus.SENT) == n and attempts == n and received == 2 * n and b["sent"] == n
        print(f"ratio {pipeline_rate / bare_rate:.2f}", flush=True)
        return 0 if ok else 1
    finally:
        db.session.remove()
        db.engine().dispose()
        for proc in (sender, fake):
            if proc.is_alive():
                proc.terminate()
            proc.join(5)
        if schema and raw_url:
            drop_schema(raw_url, schema)
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def _receive(conn, sender) -> tuple[dict, dict]:
    """Start the sender once it is ready; its pipeline and bare results, or exit if it died."""
    results = []
    for expected in ("ready", "pipeline", "bare"):
        while not conn.poll(1):
            if not sender.is_alive():
                raise SystemExit(f"the sender process died (exit code {sender.exitcode}) waiting for {expected}")
        message = conn.recv()
        if expected == "ready":
            conn.send("go")
        else:
            results.append(message)
    return results[0], results[1]


if __name__ == "__main__":
    sys.exit(main())
