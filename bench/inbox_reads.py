"""Inbox reads against a growing message history: do they stay as fast at 1,000,000 messages as at 10,000?

Builds the schema with the real migrations, then one practice with three pools, its care team, a
steady set of open threads (what a practice works on any day: `--open`, default 300) and one measured
patient with a few threads. It times three reads through the real use cases, then adds closed
threads (10 messages each, the history that piles up over years) until the database holds `--large`
messages, runs ANALYZE, and times them again:

- **pool inbox**: `inbox.inbox` (staff, the nurse line's unassigned view, page 1 of 25: counts per
  pool, the page, the per-thread audit insert);
- **patient's threads**: `threads.list_threads` (the patient's own list, page 1);
- **open a thread**: `inbox_thread.open_thread` (staff: every message, history, choices, read marks).

    createdb -h 127.0.0.1 -U postgres bench_inbox
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_inbox .venv/bin/python bench/inbox_reads.py
    .venv/bin/python bench/inbox_reads.py --small 2000 --large 20000      # SQLite, a quick look

On PostgreSQL the rows are loaded with COPY in a private schema that is dropped at the end. Prints the
work (this process's CPU + the database's time for the read's SELECTs) and wall milliseconds of
each read at both sizes and, last, the ratios of the work (large ÷ small).
See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PER_THREAD = 10  # messages in each history thread
PATIENTS_PER = 5  # history threads per patient (so patients grow with the history)
THREAD_COLS = ("id", "practice_id", "patient_id", "reason", "pool_id", "subject", "status", "priority", "confidential",
               "created_by_relation", "created_at", "last_message_at", "last_patient_message_at",
               "first_staff_reply_at", "staff_read_at", "closed_at", "message_count")
MESSAGE_COLS = ("thread_id", "author_relation", "body", "internal", "urgent", "created_at")
PATIENT_COLS = ("id", "practice_id", "mrn", "given_name", "family_name", "date_of_birth", "preferred_language",
                "preferred_channels", "created_at", "calendar_shows_visit_type", "search_name")
BODY = "Thank you for your message. We looked at your question and wrote back; please call us if needed."


class Loader:
    """Rows in bulk: COPY on PostgreSQL, executemany inserts elsewhere."""

    def __init__(self):
        from hearth import db

        self.db = db
        self.pg = db.engine().dialect.name == "postgresql"

    def load(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        if not rows:
            return
        if self.pg:
            raw = self.db.session.connection().connection.driver_connection
            with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            from sqlalchemy import text

            marks = ", ".join(f":{c}" for c in columns)
            self.db.session.execute(text(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"),
                                    [dict(zip(columns, row, strict=True)) for row in rows])


def grow(loader: Loader, practice_id: int, pool_ids: list[int], target: int, state: dict) -> None:
    """Add closed history threads (PER_THREAD messages each) until the database holds `target` messages."""
    from hearth.clock import utcnow

    now = utcnow()
    rng = random.Random(state["messages"])
    chunk_threads = 5000
    while state["messages"] < target:
        n = min(chunk_threads, (target - state["messages"]) // PER_THREAD) or 1
        patients, threads, messages = [], [], []
        for _ in range(n):
            if state["threads"] % PATIENTS_PER == 0:
                state["patient_id"] += 1
                pid = state["patient_id"]
                patients.append((pid, practice_id, f"B{pid:08d}", f"Given{pid}", f"Family{pid}", date(1970, 1, 1),
                                 "en", "email", now, False, f"given{pid} family{pid}"))
            state["thread_id"] += 1
            state["threads"] += 1
            tid = state["thread_id"]
            start = now - timedelta(days=30 + rng.randint(0, 3000), minutes=rng.randint(0, 1440))
            last = start + timedelta(hours=PER_THREAD)
            threads.append((tid, practice_id, state["patient_id"], "medical_question", pool_ids[tid % len(pool_ids)],
                            f"History {tid}", "closed", "routine", False, "self", start, last, last, start, start,
                            last, PER_THREAD))
            for k in range(PER_THREAD):
                messages.append((tid, "self" if k % 2 == 0 else "staff", BODY, False, False,
                                 start + timedelta(hours=k)))
        loader.load("patient", PATIENT_COLS, patients)
        loader.load("message_thread", THREAD_COLS, threads)
        loader.load("message", MESSAGE_COLS, messages)
        loader.db.session.commit()
        state["messages"] += len(messages)


def timed(repeat: int, fn) -> dict[str, float]:
    """Milliseconds of `repeat` calls after one warm-up call: wall clock (fastest, median), this process's CPU
    (fastest), and on PostgreSQL the database's own time for the read's SELECTs (fastest of `repeat` EXPLAIN
    ANALYZE runs of the statements one call sent). On a shared machine wall time mostly measures the wait
    for a CPU; CPU time plus database time ("work") is what grows with the data, so the ratios use it."""
    fn()
    walls, cpus = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        cpus.append((time.process_time() - c0) * 1000)
        walls.append((time.perf_counter() - t0) * 1000)
    result = {"wall": min(walls), "wall_median": statistics.median(walls), "cpu": min(cpus), "db": 0.0}
    from hearth import db

    if db.engine().dialect.name == "postgresql":
        statements = selects_of(fn)
        result["db"] = min(sum(explain_ms(st, params) for st, params in statements) for _ in range(repeat))
    result["work"] = result["cpu"] + result["db"]
    return result


def selects_of(fn) -> list[tuple[str, object]]:
    """The SELECT statements (and parameters) one call of `fn` sends."""
    from sqlalchemy import event

    from hearth import db

    seen: list[tuple[str, object]] = []

    def grab(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and not executemany:
            seen.append((statement, parameters))

    event.listen(db.engine(), "before_cursor_execute", grab)
    try:
        fn()
    finally:
        event.remove(db.engine(), "before_cursor_execute", grab)
    return seen


def explain_ms(statement: str, parameters, lines: list | None = None) -> float:
    """The database's execution time of one SELECT (EXPLAIN ANALYZE), in milliseconds."""
    from hearth import db

    raw = db.session.connection().connection.driver_connection
    with raw.cursor() as cur:
        cur.execute("EXPLAIN ANALYZE " + statement, parameters)
        plan = [r[0] for r in cur.fetchall()]
    db.session.rollback()
    if lines is not None:
        lines.extend(plan)
    return float(plan[-1].split(":")[1].split()[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000, help="messages at the first measurement")
    parser.add_argument("--large", type=int, default=1_000_000, help="messages at the second measurement")
    parser.add_argument("--open", type=int, default=300, help="open threads the practice is working on")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--explain", action="store_true", help="print each read's slowest statements (PostgreSQL)")
    args = parser.parse_args(argv)

    from bench.reminder_fanout import database, drop_schema, migrate
    from tests.conftest import use_fast_hashing

    url, schema, _tmp = database(os.environ.get("DATABASE_URL"))
    use_fast_hashing()
    from hearth.app import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-" + "x" * 32, "MAIL_HOST": "", "TESTING": True,
                      "BACKLOG_WARN_EVERY": 0})
    try:
        with app.app_context():
            from sqlalchemy import func, select, text

            from hearth import db
            from hearth.clock import utcnow
            from hearth.models import Message, MessagePool, StaffRole
            from hearth.services.messages import inbox, inbox_thread, threads
            from hearth.services.messages.inbox import Filters
            from tests.factories import make_patient, make_practice, make_staff
            from tests.inbox.helpers import make_thread

            migrate()
            practice = make_practice(name="Bench practice")
            nurse = make_staff(practice=practice, role=StaffRole.STAFF)
            make_staff(practice=practice, role=StaffRole.PROVIDER)
            pools = [MessagePool(practice_id=practice.id, name=n, reply_target_business_days=2)
                     for n in ("Nurse line", "Front desk", "Billing")]
            db.session.add_all(pools)
            db.session.commit()
            loader = Loader()
            now = utcnow()
            measured = make_patient(practice=practice, given_name="Measured")
            db.session.commit()
            for i in range(PATIENTS_PER):
                thread = make_thread(patient=measured, pool=pools[0], subject=f"Measured {i}",
                                     at=now - timedelta(days=i))
            measured_thread = thread.id
            _open_threads(loader, practice.id, [p.id for p in pools], args.open, now)
            db.session.commit()
            state = {"messages": db.session.scalar(select(func.count(Message.id))),
                     "thread_id": db.session.scalar(text("SELECT max(id) FROM message_thread")) + 10,
                     "patient_id": db.session.scalar(text("SELECT max(id) FROM patient")) + 10, "threads": 0}
            reads = {
                "pool inbox": lambda: inbox.inbox(nurse, practice.id, Filters(view="unassigned", pool_id=pools[0].id)),
                "patient's threads": lambda: threads.list_threads(measured.user, measured),
                "open a thread": lambda: inbox_thread.open_thread(nurse, measured_thread),
            }
            results = {}
            for label, target in (("small", args.small), ("large", args.large)):
                t0 = time.perf_counter()
                grow(loader, practice.id, [p.id for p in pools], target, state)
                if loader.pg:
                    db.session.execute(text("ANALYZE"))
                    db.session.commit()
                total = db.session.scalar(select(func.count(Message.id)))
                print(f"{label}: {total} messages in {state['threads']} history threads + {args.open} open "
                      f"(filled in {time.perf_counter() - t0:.1f} s)")
                results[label] = {name: timed(args.repeat, fn) for name, fn in reads.items()}
                for name, r in results[label].items():
                    print(f"  {name}: work {r['work']:.2f} ms (cpu {r['cpu']:.2f} + database {r['db']:.2f}); "
                          f"wall fastest {r['wall']:.2f}, median {r['wall_median']:.2f}")
                if args.explain and loader.pg and label == "large":
                    for name, fn in reads.items():
                        explain(name, fn)
            worst = 0.0
            for name in reads:
                ratio = results["large"][name]["work"] / results["small"][name]["work"]
                wall = results["large"][name]["wall"] / results["small"][name]["wall"]
                worst = max(worst, ratio)
                print(f"ratio {name}: {ratio:.2f} (wall {wall:.2f})")
            print(f"ratio worst: {worst:.2f}")
    finally:
        if schema:
            from hearth import db

            db.session.remove()
            db.engine().dispose()
            drop_schema(url, schema)
    return 0


def explain(name: str, fn) -> None:
    """Print the plans of the two slowest SELECTs one read runs."""
    plans = []
    for statement, parameters in selects_of(fn):
        lines: list[str] = []
        plans.append((explain_ms(statement, parameters, lines), statement, lines))
    print(f"-- {name}: {len(plans)} SELECTs")
    for ms, statement, lines in sorted(plans, key=lambda p: -p[0])[:2]:
        print(f"   {ms:.2f} ms  {' '.join(statement.split())[:160]}")
        for line in lines[:12]:
            print("      " + line)


def _open_threads(loader: Loader, practice_id: int, pool_ids: list[int], n: int, now) -> None:
    """`n` open threads (one patient message each, half unassigned, a few urgent or past due), in bulk."""
    from sqlalchemy import text

    from hearth import db

    pid0 = db.session.scalar(text("SELECT coalesce(max(id), 0) FROM patient")) + 1
    tid0 = db.session.scalar(text("SELECT coalesce(max(id), 0) FROM message_thread")) + 1
    patients, threads, messages = [], [], []
    for i in range(n):
        pid, tid = pid0 + i, tid0 + i
        at = now - timedelta(hours=i % 96)
        patients.append((pid, practice_id, f"O{pid:08d}", f"Open{i}", f"Patient{i}", date(1980, 1, 1), "en", "email",
                         now, False, f"open{i} patient{i}"))
        threads.append((tid, practice_id, pid, "medical_question", pool_ids[i % len(pool_ids)], f"Open {i}", "open",
                        "urgent" if i % 25 == 0 else "routine", False, "self", at, at, at, None, None, None, 1))
        messages.append((tid, "self", "A question about my care.", False, False, at))
    loader.load("patient", PATIENT_COLS, patients)
    loader.load("message_thread", THREAD_COLS, threads)
    loader.load("message", MESSAGE_COLS, messages)
    if n:
        db.session.execute(text("UPDATE message_thread SET due_at = last_message_at + interval '2 days' "
                                "WHERE status = 'open'") if loader.pg else
                           text("UPDATE message_thread SET due_at = datetime(last_message_at, '+2 days') "
                                "WHERE status = 'open'"))


if __name__ == "__main__":
    sys.exit(main())
