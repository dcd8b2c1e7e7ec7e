"""Kill a notification worker (SIGKILL) mid-batch, let another finish, count deliveries at the fake provider.

Builds a database with the real migrations, N patients with one app install each and N reminders
queued through the outbox. Worker 1 (`hearth.notify.worker.run_forever`, its own process) sends them
to the fake FCM (or SMS) server of tests/fakes, running in a process of its own that answers each
request after `--delay` seconds. Once the fake has received `--kill-at` of the messages, worker 1 is
killed with SIGKILL; the attempts it left in flight (recorded, no outcome) are counted at that instant.
Worker 2 then starts, takes back the dead worker's rows after the sending timeout and sends the rest.
The fake's per-message tally gives what was delivered, and how many twice.

    .venv/bin/python bench/notify_kill.py                                   # 3,000 pushes, batch 100
    .venv/bin/python bench/notify_kill.py --channel sms --messages 500
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_kill .venv/bin/python bench/notify_kill.py

Last line: `result: delivered D of N, duplicates U, in flight at the kill K, lost L`; the exit status is
1 unless the kill came mid-run, nothing was lost and U <= K. On PostgreSQL everything happens in a
private schema that is dropped at the end. See bench/README.md.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import signal
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import reminder_fanout as fanout  # noqa: E402 - the schema, seed and planning helpers of the fan-out bench

PROJECT = "hearth-bench"


# --- the fake provider, in its own process ------------------------------------------------------------


def fake_process(channel: str, delay: float, conn) -> None:
    """Serve the fake; answer "count" with {message key: deliveries} (push: notification id; SMS: number)."""
    if channel == "push":
        from tests.fakes.fcm import FakeFcm

        fake = FakeFcm().start()
        fake._server.socket.listen(1024)  # noqa: SLF001 - socketserver's backlog of 5 drops bursts of connects
        conn.send(fake.url_template)
    else:
        from tests.fakes.sms import FakeSms

        fake = FakeSms().start()
        conn.send(fake.settings())
    fake.delay = delay
    fake._server.handle_error = lambda *_: None  # noqa: SLF001 - a killed client's broken pipe is expected here
    while True:
        request = conn.recv()
        if request != "count":
            break
        with fake._lock:  # noqa: SLF001
            if channel == "push":
                tally = Counter(m.get("data", {}).get("notification_id") for m in fake.messages)
            else:
                tally = Counter(m.get("To") for m in fake.messages)
        conn.send(dict(tally))
    fake.stop()


# --- a worker process: exactly what `flask notify-worker` runs ---------------------------------------


def worker_process(url: str, channel: str, endpoint, batch: int, timeout: int) -> None:
    from firebase_admin import messaging
    from google.auth.credentials import AnonymousCredentials

    from hearth import db
    from hearth.notify.worker import run_forever

    db.configure(url)
    settings = {"NOTIFY_BATCH_SIZE": batch, "NOTIFY_MAX_BATCHES": 1000, "NOTIFY_SENDING_TIMEOUT": timeout}
    if channel == "push":
        messaging._MessagingService.FCM_URL = endpoint  # noqa: SLF001 - the SDK's endpoint seam (DOMAIN.md)
        settings.update({"FCM_PROJECT_ID": PROJECT, "FCM_CREDENTIAL": AnonymousCredentials()})
    else:
        settings.update(endpoint)
    run_forever(settings, interval=0.2)


# --- the run --------------------------------------------------------------------------------------------


def use_channel(n: int, channel: str) -> None:
    """Every patient prefers `channel` only, with a phone of her own for SMS."""
    from sqlalchemy import update

    from hearth import db
    from hearth.models import Patient

    db.session.execute(update(Patient), [
        {"id": i, "preferred_channels": channel, "phone": f"+1555{i:07d}"} for i in range(1, n + 1)])
    db.session.commit()


def snapshot() -> dict[str, int]:
    """Rows sent and sending, and attempts still in flight (started, no outcome), right now."""
    from sqlalchemy import func, select

    from hearth import db
    from hearth.models import Notification, NotificationAttempt, NotificationStatus

    statuses = dict(db.session.execute(select(Notification.status, func.count()).group_by(Notification.status)).all())
    in_flight = db.session.scalar(select(func.count()).select_from(NotificationAttempt)
                                  .where(NotificationAttempt.outcome.is_(None)))
    unknown = db.session.scalar(select(func.count()).select_from(NotificationAttempt)
                                .where(NotificationAttempt.outcome == "unknown"))
    db.session.rollback()
    return {"sent": statuses.get(NotificationStatus.SENT, 0), "sending": statuses.get(NotificationStatus.SENDING, 0),
            "in_flight": in_flight or 0, "unknown": unknown or 0}


def count(conn) -> dict[str, int]:
    conn.send("count")
    return conn.recv()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=3000, help="reminders to queue and send (default 3000)")
    parser.add_argument("--batch", type=int, default=100, help="NOTIFY_BATCH_SIZE (default 100)")
    parser.add_argument("--channel", choices=("push", "sms"), default="push")
    parser.add_argument("--delay", type=float, default=None,
                        help="seconds the fake takes per request (default: 0.05 push, 0.005 SMS)")
    parser.add_argument("--kill-at", type=float, default=0.3, help="kill once this share was delivered (0.3)")
    parser.add_argument("--timeout", type=int, default=2, help="NOTIFY_SENDING_TIMEOUT in seconds (default 2)")
    args = parser.parse_args(argv)
    n, delay = args.messages, args.delay if args.delay is not None else (0.05 if args.channel == "push" else 0.005)

    ctx = mp.get_context("spawn")
    fake_conn, fake_child = ctx.Pipe()
    fake = ctx.Process(target=fake_process, args=(args.channel, delay, fake_child), daemon=True)
    fake.start()
    endpoint = fake_conn.recv()
    raw_url = os.environ.get("DATABASE_URL")
    url, schema, tmp = fanout.database(raw_url)
    workers: list = []

    from hearth import db

    try:
        db.configure(url)
        print(f"database: {db.engine().dialect.name}{f' (schema {schema})' if schema else ''}; channel: "
              f"{args.channel}; messages: {n}; batch: {args.batch}; provider delay {delay} s; "
              f"sending timeout {args.timeout} s", flush=True)
        fanout.migrate()
        fanout.seed(n)
        use_channel(n, args.channel)
        fanout.plan(n)

        def start_worker():
            proc = ctx.Process(target=worker_process, args=(url, args.channel, endpoint, args.batch, args.timeout),
                               daemon=True)
            proc.start()
            workers.append(proc)
            return proc

        first = start_worker()
        started = time.perf_counter()
        while (delivered := sum(count(fake_conn).values())) < args.kill_at * n:
            if not first.is_alive() or time.perf_counter() - started > 600:
                raise SystemExit("worker 1 stopped or never got going")
            time.sleep(0.01)
        os.kill(first.pid, signal.SIGKILL)
        first.join()
        at_kill = snapshot()
        print(f"kill: SIGKILL to worker 1 after {time.perf_counter() - started:.1f} s with {delivered} deliveries "
              f"at the fake; outbox: {at_kill['sent']} sent, {at_kill['sending']} claimed; in flight at the kill "
              f"(attempts started, no outcome): {at_kill['in_flight']}", flush=True)

        start_worker()
        restarted = time.perf_counter()
        while (now := snapshot())["sent"] < n:
            if time.perf_counter() - restarted > 600:
                break
            time.sleep(0.2)
        tally = count(fake_conn)
        delivered_ids = len(tally)
        duplicates = sum(c - 1 for c in tally.values())
        lost = n - delivered_ids
        print(f"recovery: worker 2 finished in {time.perf_counter() - restarted:.1f} s; outbox {now['sent']} sent; "
              f"attempts closed as unknown (in flight when worker 1 died): {now['unknown']}", flush=True)
        mid_run = 0 < at_kill["sent"] < n
        ok = mid_run and lost == 0 and now["sent"] == n and duplicates <= at_kill["in_flight"]
        print(f"check: {'ok' if ok else 'FAILED'} (kill mid-run: {mid_run}; duplicates <= in flight; nothing lost)",
              flush=True)
        print(f"result: delivered {delivered_ids} of {n}, duplicates {duplicates}, in flight at the kill "
              f"{at_kill['in_flight']}, lost {lost}", flush=True)
        return 0 if ok else 1
    finally:
        db.session.remove()
        db.engine().dispose()
        for proc in workers:
            if proc.is_alive():
                proc.kill()
            proc.join(5)
        if fake.is_alive():
            fake_conn.send("stop")
            fake.join(5)
        if schema and raw_url:
            fanout.drop_schema(raw_url, schema)
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
