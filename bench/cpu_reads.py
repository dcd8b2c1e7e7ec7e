"""CPU per request of the audited API reads, in-process, next to the bare Flask + SQLAlchemy read.

Builds a fresh database like bench/http_reads.py (migrations, demo practice, bulk rows; on PostgreSQL a private
database `bench_cpu_<pid>` beside DATABASE_URL's, dropped at the end), then asks each read through Flask's test
client and prints this process's CPU time per request (`time.process_time`, fastest of `--repeats` runs of
`--requests`), the same for bench/bare_app.py's `GET /read`, and the statements of one request. CPU time, not
wall time, so a shared machine disturbs it less than the HTTP benchmark; the database server's own CPU is not in
it (PostgreSQL runs in another process). `--profile NAME` adds a cProfile of that read split into
authentication, the use case, the response dump and JSON encoding.

    .venv/bin/python bench/cpu_reads.py
    .venv/bin/python bench/cpu_reads.py --profile appointments
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/cpu_reads.py
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from http_reads import drop_postgres, private_postgres  # noqa: E402
from http_seed import seed_world  # noqa: E402


def cpu_ms(client, path: str, headers: dict, requests: int, repeats: int) -> tuple[float, int]:
    """Fastest of `repeats` runs: CPU ms per request; and the response's size."""
    for _ in range(min(30, requests)):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:300])
    best = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        for _ in range(requests):
            client.get(path, headers=headers)
        best = min(best, (time.process_time() - started) / requests * 1000)
    return best, len(response.data)


def split(profile: cProfile.Profile, requests: int) -> list[tuple[str, float]]:
    """ms per request (under the profiler) of the request's main parts, by their functions' cumulative time."""
    stats = pstats.Stats(profile).stats  # {(file, line, name): (cc, nc, tottime, cumtime, callers)}

    def cumulative(path_end: str, *names: str) -> float:
        return max([v[3] for k, v in stats.items() if k[0].endswith(path_end) and k[2] in names] or [0.0])

    dump = max(cumulative("marshmallow/schema.py", "dump"), cumulative("hearth/schemas/base.py", "dump"))
    parts = [("whole request", cumulative("flask/app.py", "wsgi_app")),
             ("authentication (api/security.authenticate)", cumulative("api/security.py", "authenticate")),
             ("use case: policy, SQL, ORM, audit insert", cumulative("hearth/db.py", "wrapper")),
             ("response dump", dump), ("JSON encoding", cumulative("json/encoder.py", "encode"))]
    return [(name, seconds / requests * 1000) for name, seconds in parts]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="requests per run (default 300)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per read; the fastest counts (default 3)")
    parser.add_argument("--only", default="", help="comma-separated read names (default: all)")
    parser.add_argument("--profile", default="", help="a read name: add its cProfile split")
    parser.add_argument("--patients", type=int, default=2000, help="extra patients bulk-loaded (default 2000)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="hearth_cpu_"))
    given = os.environ.get("DATABASE_URL", "")
    pg = None
    if given.startswith("postgresql"):
        url, admin, name = private_postgres(given)
        pg = (admin, name)
    else:
        url = f"sqlite:///{tmp / 'hearth.db'}"
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": os.urandom(24).hex(), "MAIL_HOST": "",
           "RATELIMIT_ENABLED": "0", "LOG_LEVEL": "WARNING"}
    try:
        flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
        for step in (["db", "upgrade"], ["seed-demo"]):
            subprocess.run(flask + step, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        world = seed_world(env, patients=args.patients, rows=20, slots=1)
        os.environ.update(env)
        import bare_app
        from sqlalchemy import event

        from hearth import db
        from hearth.app import create_app

        app = create_app()
        patient = {"Authorization": f"Bearer {world.patient_token}"}
        staff = {"Authorization": f"Bearer {world.staff_token}"}
        reads = {"me": ("/api/v1/me", patient),
                 "appointments": (f"/api/v1/patients/{world.patient_id}/appointments", patient),
                 "patient": (f"/api/v1/patients/{world.patient_id}", patient),
                 "notifications": ("/api/v1/notifications", patient),
                 "patients": (f"/api/v1/practices/{world.practice_id}/patients", staff),
                 "schedule": (f"/api/v1/practices/{world.practice_id}/schedule?date={world.day}", staff)}
        only = [n for n in args.only.split(",") if n]
        bare, size = cpu_ms(bare_app.app.test_client(), "/read", {}, args.requests, args.repeats)
        print(f"cpu reads: {'PostgreSQL' if pg else 'SQLite'}, {world.patient_count} patients, 20 rows per list, "
              f"fastest of {args.repeats} × {args.requests} requests; load average {os.getloadavg()[0]:.1f}")
        print(f"{'bare read (20 rows)':16s} {bare:6.2f} ms CPU per request  ({size} bytes)")
        client = app.test_client()
        with app.app_context():
            engine = db.engine()
        for name, (path, headers) in reads.items():
            if only and name not in only:
                continue
            ms, size = cpu_ms(client, path, headers, args.requests, args.repeats)
            statements: list[str] = []

            def log(_conn, _cursor, statement, *_rest, into=statements) -> None:
                into.append(" ".join(statement.split())[:100])

            event.listen(engine, "before_cursor_execute", log)
            client.get(path, headers=headers)
            event.remove(engine, "before_cursor_execute", log)
            print(f"{name:16s} {ms:6.2f} ms CPU per request  {ms / bare:5.1f} × bare  ({size} bytes, "
                  f"{len(statements)} statements with BEGINs)")
        if args.profile:
            path, headers = reads[args.profile]
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.requests):
                client.get(path, headers=headers)
            profile.disable()
            print(f"profile of {args.profile} ({args.requests} requests, cProfile):")
            for part, ms in split(profile, args.requests):
                print(f"  {part:45s} {ms:6.2f} ms per request")
        return 0
    finally:
        if pg:
            from hearth import db as hearth_db

            hearth_db.session.remove()
            if hearth_db._engine is not None:
                hearth_db._engine.dispose()
            drop_postgres(*pg)


if __name__ == "__main__":
    raise SystemExit(main())
