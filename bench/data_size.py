"""Hearth's audited reads at two data sizes: does p99 stay flat from 10,000 to 1,000,000 patients? (Issue 11.)

For each size N in `--sizes` (default 10000,1000000) it prepares a PostgreSQL database `bench_size_<N>` beside
the one DATABASE_URL names: migrations, the demo practice, then N more patients loaded with COPY, each with one
past visit and 10 audit events (N visits, 10 × N events: the access log's per-patient trail and the front desk's
per-actor trail both grow with N), and ANALYZE. `--keep-db` keeps the loaded databases and reuses them on the
next run (a marker table records the size; loading 1,000,000 takes minutes, the run prints how long).

Then one Hearth server (gunicorn, deploy/gunicorn.conf.py) per size, and rounds alternating between the sizes
for each read, at a fixed concurrency, so both sizes see the same machine. Prints per endpoint and size
requests per second and p50/p99, each endpoint's `size ratio` (p99 at the largest size ÷ p99 at the smallest),
and last `ratio X` (the worst endpoint). See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import http_load  # noqa: E402
from http_reads import free_port, line, start  # noqa: E402

# Family names drawn like a real population's (US census 2010 shape): the 50 commonest surnames, at their share
# per 100,000 people (about 12% of everyone together), then a long tail of rarer names whose count of distinct
# names grows with the population (Pareto draws over an unbounded list of made-up names), so a larger practice
# has more distinct surnames, as a real one does, and each name's share is the same at every size. (The
# earlier "Garcia0" … "Davis996" gave every size the same 9,970 numbered surnames: 997 distinct words start
# with "garc", which no real practice has.)
COMMON_FAMILIES = {
    "Smith": 828, "Johnson": 655, "Williams": 550, "Brown": 487, "Jones": 485, "Garcia": 380, "Miller": 381,
    "Davis": 357, "Rodriguez": 352, "Martinez": 340, "Hernandez": 330, "Lopez": 280, "Gonzalez": 277,
    "Wilson": 270, "Anderson": 262, "Thomas": 259, "Taylor": 254, "Moore": 242, "Jackson": 239, "Martin": 236,
    "Lee": 234, "Perez": 214, "Thompson": 214, "White": 211, "Harris": 196, "Sanchez": 195, "Clark": 183,
    "Ramirez": 182, "Lewis": 179, "Robinson": 178, "Walker": 172, "Young": 163, "Allen": 161, "King": 160,
    "Wright": 159, "Scott": 150, "Torres": 148, "Nguyen": 148, "Hill": 146, "Flores": 146, "Green": 143,
    "Adams": 141, "Nelson": 140, "Baker": 139, "Hall": 136, "Rivera": 134, "Campbell": 125, "Mitchell": 125,
    "Carter": 124, "Roberts": 124,
}
SYLLABLES = ["ba", "ker", "son", "mar", "tin", "ro", "li", "ga", "ne", "vel", "do", "ra", "sa", "ton", "har",
             "ci", "les", "man", "ber", "co", "gar", "den", "fi", "lo", "mo", "ri", "ta", "quez", "wa", "zu",
             "pe", "ham", "cas", "ti", "ol", "ver", "ke", "na", "dez", "ly"]
GIVEN = ["Ana", "Ben", "Chloe", "David", "Eva", "Femi", "Gita", "Hugo", "Iris", "Jon"]
EVENTS_PER_PATIENT = 10


def _made_up_name(n: int) -> str:
    """The n-th name of the tail: two to four syllables spelled from n's digits in base len(SYLLABLES)."""
    parts = [SYLLABLES[n % len(SYLLABLES)]]
    n //= len(SYLLABLES)
    while n or len(parts) < 2:
        parts.append(SYLLABLES[n % len(SYLLABLES)])
        n //= len(SYLLABLES)
    return "".join(parts).capitalize()


def family_names(rng: random.Random):
    """An endless stream of family names with the census shape (see COMMON_FAMILIES)."""
    names, weights = list(COMMON_FAMILIES), list(COMMON_FAMILIES.values())
    common_share = sum(weights) / 100_000
    cumulative = [sum(weights[: i + 1]) for i in range(len(weights))]
    while True:
        if rng.random() < common_share:
            yield rng.choices(names, cum_weights=cumulative)[0]
        else:  # Pareto(1) over the made-up names: the 2,000th as common as the rarest of the 50, then rarer
            yield _made_up_name(int(2_000 * rng.paretovariate(1.0)))


def _admin(url: str) -> tuple[str, object]:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False), parsed


def _loaded_size(admin: str, name: str) -> int | None:
    """The size recorded in a kept database, or None when it is missing or half-loaded."""
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return None
    try:
        with psycopg.connect(admin.rsplit("/", 1)[0] + f"/{name}", autocommit=True) as conn:
            row = conn.execute("SELECT size FROM bench_size_marker").fetchone()
            return row[0] if row else None
    except psycopg.Error:
        return None


def _copy(cur, table: str, columns: list[str], rows) -> int:
    count = 0
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def load(url: str, size: int, env: dict, log) -> float:
    """Migrate, seed the demo, COPY `size` patients with their visits and audit trails; returns seconds."""
    import psycopg

    started = time.monotonic()
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for step in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run(flask + step, cwd=ROOT, env={**env, "DATABASE_URL": url}, check=True,
                       stdout=subprocess.DEVNULL, stderr=log)
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    rng = random.Random(size)
    now = datetime.now(UTC).replace(microsecond=0)
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        practice_id, = cur.execute("SELECT id FROM practice ORDER BY id LIMIT 1").fetchone()
        from hearth import demo

        staff_id, = cur.execute("SELECT id FROM user_account WHERE email = %s", (demo.FRONT_DESK_EMAIL,)).fetchone()
        provider_ids = [r[0] for r in cur.execute("SELECT id FROM provider WHERE practice_id = %s", (practice_id,))]
        visit_type_id, = cur.execute("SELECT id FROM visit_type WHERE practice_id = %s ORDER BY id LIMIT 1",
                                     (practice_id,)).fetchone()
        first = (cur.execute("SELECT coalesce(max(id), 0) FROM patient").fetchone()[0]) + 1

        def patients():
            from hearth.textfold import search_key

            surnames = family_names(random.Random(7))
            for i in range(size):
                g, f = GIVEN[i % 10], next(surnames)
                yield (practice_id, f"S{i:08d}", g, f, date(1940, 1, 1) + timedelta(days=rng.randrange(30000)),
                       search_key(g, f)[:300], now, "en", "email", False)

        _copy(cur, "patient", ["practice_id", "mrn", "given_name", "family_name", "date_of_birth", "search_name",
                               "created_at", "preferred_language", "preferred_channels",
                               "calendar_shows_visit_type"], patients())
        from hearth.patient_words import REFILL_POSTGRES

        # COPY bypasses the ORM events that keep the staff search's per-word name index: fill it the same way.
        cur.execute(REFILL_POSTGRES.format(where="AND p.id >= %s"), (first,))
        print(f"  {size:,} patients copied ({time.monotonic() - started:.0f} s)", flush=True)

        def visits():
            for pid in range(first, first + size):
                at = now.replace(minute=0, second=0) - timedelta(days=rng.randrange(1, 1500), hours=rng.randrange(8))
                yield (pid, provider_ids[pid % len(provider_ids)], visit_type_id, at, at + timedelta(minutes=15),
                       "completed", now, now, str(uuid.uuid4()), 0)

        _copy(cur, "appointment", ["patient_id", "provider_id", "visit_type_id", "starts_at", "ends_at", "status",
                                   "created_at", "changed_at", "uid", "calendar_sequence"], visits())
        print(f"  {size:,} visits copied ({time.monotonic() - started:.0f} s)", flush=True)

        def events():
            for pid in range(first, first + size):
                for n in range(EVENTS_PER_PATIENT):
                    yield (now - timedelta(minutes=rng.randrange(525600)), staff_id, "staff", pid,
                           "view" if n % 3 else "update", "patient", str(pid))

        _copy(cur, "audit_event", ["at", "actor_user_id", "actor_relation", "patient_id", "action",
                                   "resource_type", "resource_id"], events())
        print(f"  {size * EVENTS_PER_PATIENT:,} audit events copied ({time.monotonic() - started:.0f} s)",
              flush=True)
        cur.execute("CREATE TABLE bench_size_marker (size integer)")
        cur.execute("INSERT INTO bench_size_marker VALUES (%s)", (size,))
        conn.commit()
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return time.monotonic() - started


def tokens(url: str, env: dict) -> dict:
    """API sessions for the demo patient and the front desk, signed as POST /api/v1/auth/token signs them."""
    os.environ.update({**{k: env[k] for k in ("SECRET_KEY", "RATELIMIT_ENABLED", "MAIL_HOST")},
                       "DATABASE_URL": url})
    from sqlalchemy import select

    from hearth import db, demo
    from hearth.app import create_app
    from hearth.models import Patient, Practice, User
    from hearth.security import signing
    from hearth.services import api_tokens, sessions

    app = create_app({"DATABASE_URL": url})
    with app.app_context():
        practice = db.session.scalar(select(Practice).where(Practice.slug == demo.PRACTICE_SLUG))
        patient = db.session.scalar(select(Patient).where(Patient.email == demo.PATIENT_EMAIL))
        staff = db.session.scalar(select(User).where(User.email == demo.FRONT_DESK_EMAIL))

        def token(user: User) -> str:
            row = sessions.start_api_session(user, timedelta(days=1), "bench")
            return signing.dumps(app.config["SECRET_KEY"], api_tokens.ACCESS_SALT, {"s": row.id, "u": user.id})

        out = {"practice": practice.id, "patient": patient.id, "patient_token": token(patient.user),
               "staff_token": token(staff), "staff_user": staff.id}
        db.session.commit()
    db.engine().dispose()
    return out


def reads(world: dict) -> dict[str, tuple[str, str]]:
    p, practice, pt, st = world["patient"], world["practice"], world["patient_token"], world["staff_token"]
    return {
        "GET /api/v1/me": ("/api/v1/me", pt),
        "GET /api/v1/patients/<id>/appointments": (f"/api/v1/patients/{p}/appointments", pt),
        "GET /api/v1/patients/<id>": (f"/api/v1/patients/{p}", pt),
        "GET /api/v1/notifications": ("/api/v1/notifications", pt),
        "GET patient access log": (f"/api/v1/patients/{p}/access-log", pt),
        "GET staff patient list": (f"/api/v1/practices/{practice}/patients", st),
        "GET staff search 'garc'": (f"/api/v1/practices/{practice}/patients?q=garc", st),
        "GET staff schedule day": (f"/api/v1/practices/{practice}/schedule?date={date.today()}", st),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,1000000", help="patient counts, comma-separated (default "
                        "10000,1000000)")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of one round (default 5)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds per endpoint and size (default 2)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server (default 2)")
    parser.add_argument("--keep-db", action="store_true", help="keep the loaded databases and reuse them next time")
    parser.add_argument("--db-prefix", default="bench_size", help="database names: <prefix>_<size> (default "
                        "bench_size)")
    parser.add_argument("--load-only", action="store_true", help="prepare (and keep) the databases, measure nothing")
    parser.add_argument("--only", default="", help="comma-separated endpoint names (default: all)")
    args = parser.parse_args(argv)
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    given = os.environ.get("DATABASE_URL", "")
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,40}", args.db_prefix):
        parser.error("--db-prefix: lower-case letters, digits and _")
    if not given.startswith("postgresql") or not sizes or min(sizes) < 1 or max(sizes) > 5_000_000:
        parser.error("DATABASE_URL must name a PostgreSQL server; sizes 1–5,000,000")
    admin, parsed = _admin(given)
    import psycopg

    tmp = Path(tempfile.mkdtemp(prefix="hearth_data_size_"))
    log = open(tmp / "servers.log", "w")  # noqa: SIM115 - closed in the finally below
    secret = os.urandom(24).hex()
    env = {**os.environ, "SECRET_KEY": secret, "MAIL_HOST": "", "RATELIMIT_ENABLED": "0",
           "WEB_CONCURRENCY": str(args.workers), "PYTHONUNBUFFERED": "1", "LOG_LEVEL": "WARNING"}
    servers, made, worlds = [], [], {}
    try:
        for size in sizes:
            name = f"{args.db_prefix}_{size}"
            url = parsed.set(database=name).render_as_string(hide_password=False)
            if args.keep_db and _loaded_size(admin, name) == size:
                print(f"size {size:,}: reusing the kept database {name}", flush=True)
                subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT,
                               env={**env, "DATABASE_URL": url}, check=True, stdout=subprocess.DEVNULL, stderr=log)
            else:
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                    conn.execute(f'CREATE DATABASE "{name}"')
                print(f"size {size:,}: loading {name}", flush=True)
                seconds = load(url, size, env, log)
                print(f"size {size:,}: loaded in {seconds:.0f} s", flush=True)
            if not (args.keep_db or args.load_only):
                made.append(name)
        if args.load_only:
            return 0
        for size in sizes:
            name = f"{args.db_prefix}_{size}"
            url = parsed.set(database=name).render_as_string(hide_password=False)
            worlds[size] = (url, tokens(url, env))
        print(f"data size: PostgreSQL, sizes {', '.join(f'{s:,}' for s in sizes)} patients "
              f"({EVENTS_PER_PATIENT} audit events and 1 visit each), {args.workers} gunicorn workers per server, "
              f"{args.connections} connections, {args.rounds} × {args.seconds:g} s rounds; "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
        ports = {}
        for size, (url, _world) in worlds.items():
            ports[size] = free_port()
            servers.append(start({**env, "DATABASE_URL": url, "BASE_URL": f"http://127.0.0.1:{ports[size]}"},
                                 ports[size], "wsgi:app", log, "/healthz"))
        only = {n.strip() for n in args.only.split(",") if n.strip()}
        names = [n for n in reads(worlds[sizes[0]][1]) if not only or n in only]
        totals: dict[tuple[str, int], http_load.Result] = {}
        for _ in range(args.rounds):
            for endpoint in names:
                for size in sizes:
                    path, token = reads(worlds[size][1])[endpoint]
                    result = http_load.run(ports[size], http_load.get(path, token), connections=args.connections,
                                           seconds=args.seconds)
                    totals.setdefault((endpoint, size), http_load.Result()).add(result)
        failed = 0
        ratios = {}
        for endpoint in names:
            for size in sizes:
                result = totals[(endpoint, size)]
                failed += result.non_2xx + result.errors
                print(line(f"{endpoint} @ {size:,}", result))
                for sample in result.samples[:1]:
                    print(f"    e.g. {sample}")
            small, big = totals[(endpoint, sizes[0])], totals[(endpoint, sizes[-1])]
            ratios[endpoint] = big.percentile(0.99) / max(small.percentile(0.99), 1e-6)
            print(f"size ratio {endpoint}: {ratios[endpoint]:.2f}")
        print(f"load average after {os.getloadavg()[0]:.1f}")
        print(f"ratio {max(ratios.values()):.2f}" if ratios else "ratio n/a")
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
        for name in made:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        print(f"server log: {tmp / 'servers.log'}")


if __name__ == "__main__":
    raise SystemExit(main())
