"""Hearth's SQLite writer lock alone: use cases shaped like an audited read, with and without the lock.

Each of `--processes` processes runs `--threads` threads; each thread runs `@db.transactional` use cases
on one SQLite file for `--seconds`: two SELECTs, `--work` ms of Python under the lock (what the ORM and
policy do between statements) and one INSERT (the audit event). Rounds alternate "lock" (hearth/db.py
as is: an flock queue, woken on release) and "busy" (the flock disabled: SQLite's busy handler, which
sleeps 1, 2, 5 … 100 ms between tries). Prints per mode use cases per second, p50/p99 latency and
errors, then `lock ÷ busy`. CPU noise hits both modes alike, since their rounds alternate.

    .venv/bin/python bench/sqlite_writer_lock.py --processes 2 --threads 4 --seconds 5 --rounds 2
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _worker(url: str, mode: str, threads: int, seconds: float, work_ms: float, start, out) -> None:
    from sqlalchemy import text

    from hearth import db, sqlite_lock

    if mode == "busy":
        sqlite_lock.Connection.take_writer_lock = lambda self: None
    engine = db.configure(url)
    latencies: list[float] = []
    errors: list[str] = []
    guard = threading.Lock()

    @db.transactional
    def audited_read(i: int) -> None:
        db.session.execute(text("SELECT count(*) FROM event WHERE patient = :p"), {"p": i % 50}).scalar()
        db.session.execute(text("SELECT max(id) FROM event")).scalar()
        spin = time.perf_counter() + work_ms / 1000
        while time.perf_counter() < spin:
            pass
        db.session.execute(text("INSERT INTO event (patient, note) VALUES (:p, 'viewed')"), {"p": i % 50})

    def run(k: int) -> None:
        mine, errs = [], []
        start.wait()
        end = time.monotonic() + seconds
        i = k
        while time.monotonic() < end:
            began = time.perf_counter()
            try:
                audited_read(i)
            except Exception as exc:  # noqa: BLE001 - counted and printed
                errs.append(repr(exc)[:120])
            mine.append(time.perf_counter() - began)
            i += threads
        db.session.remove()
        with guard:
            latencies.extend(mine)
            errors.extend(errs)

    pool = [threading.Thread(target=run, args=(k,)) for k in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    engine.dispose()
    out.put((latencies, errors))


def one_round(url: str, mode: str, args) -> dict:
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(url, mode, args.threads, args.seconds, args.work, start, out))
             for _ in range(args.processes)]
    for proc in procs:
        proc.start()
    time.sleep(2)  # imports
    start.set()
    latencies, errors = [], []
    for _ in procs:
        lat, err = out.get(timeout=args.seconds * 20 + 120)
        latencies += lat
        errors += err
    for proc in procs:
        proc.join()
    return {"latencies": latencies, "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--work", type=float, default=2.0, help="ms of Python per use case under the lock")
    args = parser.parse_args()

    from sqlalchemy import text

    from hearth import db

    folder = tempfile.mkdtemp(prefix="hearth-writer-lock-")
    url = f"sqlite:///{folder}/bench.db"
    engine = db.make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE event (id INTEGER PRIMARY KEY, patient INTEGER NOT NULL, note TEXT)"))
        conn.execute(text("CREATE INDEX ix_event_patient ON event (patient)"))
    engine.dispose()
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    print(f"writer lock: {args.processes} processes × {args.threads} threads, {args.rounds} × {args.seconds:g} s "
          f"rounds per mode, {args.work:g} ms of Python under the lock; load average {load}")
    totals = {"lock": {"latencies": [], "errors": []}, "busy": {"latencies": [], "errors": []}}
    for _ in range(args.rounds):
        for mode in ("busy", "lock"):
            result = one_round(url, mode, args)
            totals[mode]["latencies"] += result["latencies"]
            totals[mode]["errors"] += result["errors"]
    rates = {}
    for mode in ("busy", "lock"):
        lat = sorted(totals[mode]["latencies"])
        wall = args.rounds * args.seconds
        rates[mode] = len(lat) / wall
        p50, p99 = lat[len(lat) // 2] * 1000, lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
        print(f"{mode:5} use cases/s {rates[mode]:8.1f}  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  "
              f"errors {len(totals[mode]['errors'])} {sorted(set(totals[mode]['errors']))[:2]}")
    with open("/proc/loadavg") as f:
        print(f"load average after {f.read().split()[0]}")
    print(f"lock ÷ busy {rates['lock'] / rates['busy']:.2f}")


if __name__ == "__main__":
    main()
