"""Issue 11: CPU ms per request, in-process, for each audited read: marshmallow's own dump
(`dumper.plain_dumps()`) against the compiled dump (hearth.schemas.dumper), in interleaved bursts in
one process (the machine's noise hits both alike), and whether both answer the same bytes.

Seeds like bench/http_reads.py. SQLite by default; PostgreSQL with
DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/dump_ab (that database is dropped and created):
    .venv/bin/python bench/dump_ab.py          # N=200 requests per burst, the best of 5 bursts each way
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
N = int(os.environ.get("N", "200"))


def environment() -> dict:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(tempfile.mkdtemp(prefix='dump_ab_')) / 'hearth.db'}"
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "x" * 48, "MAIL_HOST": "", "RATELIMIT_ENABLED": "0",
           "LOG_LEVEL": "WARNING"}
    os.environ.update(env)
    if url.startswith("postgresql"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", "drop database if exists dump_ab",
                        "-c", "create database dump_ab"], check=True, stderr=subprocess.DEVNULL)
    for step in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *step], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return env


def burst(client, path: str, headers: dict, plain: bool) -> float:
    from hearth.schemas import dumper

    start = time.process_time()
    if plain:
        with dumper.plain_dumps():
            for _ in range(N):
                client.get(path, headers=headers)
    else:
        for _ in range(N):
            client.get(path, headers=headers)
    return (time.process_time() - start) / N * 1000


def main() -> None:
    env = environment()
    from http_seed import seed_world

    world = seed_world(env, patients=2000, rows=20, slots=1)
    import bare_app

    from hearth.app import create_app
    from hearth.schemas import dumper

    app = create_app()
    patient, staff = world.patient_token, world.staff_token
    reads = {"bare": ("/read", None),
             "me": ("/api/v1/me", patient),
             "appointments": (f"/api/v1/patients/{world.patient_id}/appointments", patient),
             "patient": (f"/api/v1/patients/{world.patient_id}", patient),
             "notifications": ("/api/v1/notifications", patient),
             "patients": (f"/api/v1/practices/{world.practice_id}/patients", staff),
             "schedule": (f"/api/v1/practices/{world.practice_id}/schedule?date={world.day}", staff)}
    print(f"endpoint       marshmallow   compiled  (ms CPU per request, best of 5 interleaved bursts of {N})")
    for name, (path, token) in reads.items():
        client = bare_app.app.test_client() if token is None else app.test_client()
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        for _ in range(30):
            assert client.get(path, headers=headers).status_code == 200, path
        plain, fast = [], []
        for _ in range(5):
            plain.append(burst(client, path, headers, True))
            fast.append(burst(client, path, headers, False))
        with dumper.plain_dumps():
            expected = client.get(path, headers=headers).data
        body = client.get(path, headers=headers).data
        print(f"{name:14s} {min(plain):8.2f} ms {min(fast):8.2f} ms  {100 * (1 - min(fast) / min(plain)):5.1f}% less"
              f"  same bytes: {body == expected} ({len(body)} bytes)")


if __name__ == "__main__":
    main()
