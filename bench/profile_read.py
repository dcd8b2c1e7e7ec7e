"""Where one audited read's time goes: cProfile of one request in-process, and the SQL statements it runs.

Builds a fresh SQLite database like bench/http_reads.py (migrations, demo, bulk rows), then requests one
endpoint (default the patient's appointment list) 200 times through Flask's test client under cProfile and
prints the top functions by cumulative time, the in-process milliseconds per request, and the statements
of one request. Run: .venv/bin/python bench/profile_read.py [--endpoint appointments|me|patient|notifications|
patients|schedule]
"""

from __future__ import annotations

import argparse
import cProfile
import io
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

from http_seed import seed_world  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", default="appointments")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="hearth_profile_"))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'hearth.db'}", "SECRET_KEY": os.urandom(24).hex(),
           "MAIL_HOST": "", "RATELIMIT_ENABLED": "0", "LOG_LEVEL": "WARNING"}
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for step in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run(flask + step, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    world = seed_world(env, patients=2000, rows=20, slots=1)
    from sqlalchemy import event

    from hearth import db
    from hearth.app import create_app

    app = create_app()
    paths = {"appointments": (f"/api/v1/patients/{world.patient_id}/appointments", world.patient_token),
             "me": ("/api/v1/me", world.patient_token),
             "patient": (f"/api/v1/patients/{world.patient_id}", world.patient_token),
             "notifications": ("/api/v1/notifications", world.patient_token),
             "patients": (f"/api/v1/practices/{world.practice_id}/patients", world.staff_token),
             "schedule": (f"/api/v1/practices/{world.practice_id}/schedule?date={world.day}", world.staff_token)}
    path, token = paths[args.endpoint]
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(20):
        assert client.get(path, headers=headers).status_code == 200
    statements: list[str] = []
    with app.app_context():
        engine = db.engine()

    def log(conn, cursor, statement, *_):
        statements.append(" ".join(statement.split())[:140])

    event.listen(engine, "before_cursor_execute", log)
    client.get(path, headers=headers)
    event.remove(engine, "before_cursor_execute", log)
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for _ in range(args.requests):
        client.get(path, headers=headers)
    profile.disable()
    took = (time.perf_counter() - started) / args.requests * 1000
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(25)
    print(out.getvalue())
    print(f"GET {path}: {took:.1f} ms per request in-process (under cProfile), {len(statements)} statements:")
    for statement in statements:
        print("  " + statement)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
