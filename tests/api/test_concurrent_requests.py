"""Real parallel requests, each thread on its own database connection: no 500, one winner per slot.

On SQLite (the `./run.sh` default) every audited read writes its audit event; before use cases began
as writers, a request whose transaction started as a reader failed at once with "database is locked"
when another connection wrote meanwhile (issue 7: 869 of ~2,800 reads and 36 of 50 racing bookings
got 500). These tests commit real rows, so they work in a database of their own: a fresh SQLite file,
or a private schema on PostgreSQL, dropped at the end.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from hearth import db, demo
from hearth.clock import utcnow
from hearth.models import Appointment, AppointmentStatus, AuditEvent, Patient, User
from tests.conftest import alembic_config

RACERS = 20
READERS = 12
SIGN_INS = 6


@pytest.fixture
def own_database(app, db_url, tmp_path, monkeypatch):
    """Bind the app to a fresh, migrated database for this test; committed rows never reach the shared one."""
    from alembic import command

    schema = None
    if db_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'concurrent.db'}"
    else:
        schema = f"test_concurrent_{threading.get_native_id()}"
        with db.engine().connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            conn.commit()
        url = make_url(db_url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    engine = db.make_engine(url)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    db.session.remove()
    monkeypatch.setattr(db, "_engine", engine)
    db.SessionFactory.configure(bind=engine, join_transaction_mode="conditional_savepoint")
    try:
        demo.seed()
        yield engine
    finally:
        db.session.remove()
        engine.dispose()
        monkeypatch.undo()
        if schema:
            with db.engine().connect() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                conn.commit()


def _sign_in(client, email: str) -> tuple[int, dict]:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": demo.DEMO_PASSWORD})
    return response.status_code, response.get_json() or {}


def _patients() -> list[tuple[str, int]]:
    """(email, patient id) of every demo patient who signs in without two-factor."""
    rows = db.session.execute(
        select(User.email, Patient.id).join(Patient, Patient.user_id == User.id)
        .where(User.email != demo.NURSE_EMAIL).order_by(Patient.id)).all()
    return [(email, pid) for email, pid in rows]


def _run_together(app, jobs) -> list[tuple[str, int, object]]:
    """Start every job at the same instant, each in its own thread with its own client (and connection)."""
    barrier = threading.Barrier(len(jobs), timeout=30)
    results: list[tuple[str, int, object]] = []
    lock = threading.Lock()

    def body(kind, job):
        client = app.test_client()
        barrier.wait()
        try:
            status, payload = job(client)
        except Exception as exc:  # noqa: BLE001 - an exception is a failure the assertions report
            status, payload = -1, repr(exc)
        finally:
            db.session.remove()
        with lock:
            results.append((kind, status, payload))

    threads = [threading.Thread(target=body, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == len(jobs), "a request thread did not finish"
    return results


def test_racing_bookings_audited_reads_and_sign_ins_give_no_500_and_one_winner(app, own_database):
    people = _patients()
    client = app.test_client()
    tokens = {}
    for email, pid in people:
        status, body = _sign_in(client, email)
        assert status == 201, body
        tokens[pid] = body["access_token"]
    first = people[0][1]
    auth = {"Authorization": f"Bearer {tokens[first]}"}
    options = client.get(f"/api/v1/patients/{first}/booking-options", headers=auth).get_json()
    visit = next(v for v in options["visit_types"] if v["name"] == "Follow-up visit")
    day = utcnow().date() + timedelta(days=3)
    slots = client.get(f"/api/v1/patients/{first}/slots?visit_type_id={visit['id']}&start={day}"
                       f"&end={day + timedelta(days=10)}", headers=auth).get_json()
    slot = slots[0]
    choice = {"visit_type_id": visit["id"], "provider_id": slot["provider_id"], "starts_at": slot["starts_at"],
              "location_id": slot["location_id"]}
    views_before = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "view", AuditEvent.resource_type == "profile"))
    db.session.remove()

    def booking(pid):
        def go(c):
            r = c.post(f"/api/v1/patients/{pid}/appointments", json=choice,
                       headers={"Authorization": f"Bearer {tokens[pid]}"})
            return r.status_code, r.get_json()
        return go

    def read(pid, path):
        def go(c):
            r = c.get(path.format(pid=pid), headers={"Authorization": f"Bearer {tokens[pid]}"})
            return r.status_code, None
        return go

    def sign_in(email):
        return lambda c: _sign_in(c, email)

    pids = [pid for _, pid in people]
    jobs = [("booking", booking(pids[i % len(pids)])) for i in range(RACERS)]
    jobs += [("profile", read(pids[i % len(pids)], "/api/v1/patients/{pid}")) for i in range(READERS // 2)]
    jobs += [("appointments", read(pids[i % len(pids)], "/api/v1/patients/{pid}/appointments"))
             for i in range(READERS // 2)]
    jobs += [("sign-in", sign_in(people[i % len(people)][0])) for i in range(SIGN_INS)]
    results = _run_together(app, jobs)

    statuses = Counter((kind, status) for kind, status, _ in results)
    assert not [r for r in results if r[1] >= 500 or r[1] < 0], results
    assert statuses[("booking", 201)] == 1 and statuses[("booking", 409)] == RACERS - 1, statuses
    # Losers hear the time was taken, or (a racer for the winner herself) that she already has that visit.
    details = {body["detail"] for kind, status, body in results if kind == "booking" and status == 409}
    assert "That time was just taken. Please pick another." in details
    assert all(d == "That time was just taken. Please pick another." or d.startswith("You already have a visit")
               for d in details), details
    assert statuses[("profile", 200)] == READERS // 2 and statuses[("appointments", 200)] == READERS // 2, statuses
    assert statuses[("sign-in", 201)] == SIGN_INS, statuses
    booked = db.session.scalar(select(func.count()).select_from(Appointment).where(
        Appointment.provider_id == choice["provider_id"], Appointment.status != AppointmentStatus.CANCELLED,
        Appointment.starts_at == datetime.fromisoformat(choice["starts_at"])))
    assert booked == 1
    views_after = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "view", AuditEvent.resource_type == "profile"))
    assert views_after - views_before == READERS // 2  # every audited read kept its audit event


def test_racing_wrong_passwords_and_sign_ins_answer_401_and_201_never_500(app, own_database):
    """Sign-in race losers get the same answers as on PostgreSQL: 401 for a wrong password, 201 otherwise."""
    people = _patients()
    email = people[0][0]
    jobs = [("wrong", lambda c: (c.post("/api/v1/auth/token", json={"email": email, "password": "wrong-password-1"})
                                 .status_code, None)) for _ in range(4)]
    jobs += [("right", lambda c, e=e: _sign_in(c, e)) for e, _ in people[1:9]]
    results = _run_together(app, jobs)
    statuses = Counter((kind, status) for kind, status, _ in results)
    assert statuses == Counter({("wrong", 401): 4, ("right", 201): 8}), results
