"""Two bookings for one patient at overlapping times with two providers, at the same moment: one wins.

Real threads on separate connections, committing real rows (the race needs two transactions that see
each other's commits), so these tests leave the per-test rolled-back transaction and delete what they
made. On PostgreSQL both bookings pass every check before either locks the patient (a barrier), so
only the patient's row lock can decide; on SQLite, which has one writer at a time, they are started
together.
"""

from __future__ import annotations

import threading
from datetime import time

import pytest
from sqlalchemy import delete, func, select, text

from hearth import db
from hearth.errors import Conflict
from hearth.models import (
    Appointment,
    AppointmentStatus,
    AuditEvent,
    Location,
    Notification,
    Patient,
    Practice,
    User,
)
from hearth.services.scheduling import booking, overlap
from hearth.services.scheduling.booking import SlotChoice
from tests.factories import make_patient, make_practice, make_provider
from tests.scheduling.conftest import add_hours, future_day, local, make_visit_type

# Until SQLite use cases begin as writers (issue 7 §2, hearth.db), the SQLite loser may get
# "database is locked" instead of the 409; it never gets a second visit either way.
SQLITE_WRITERS = hasattr(db, "_end_read_transaction")


@pytest.fixture
def committed(app):
    """Bind the session to the engine itself for this test; delete what it made afterwards."""
    db.session.rollback()
    db.session.remove()
    db.SessionFactory.configure(bind=db.engine(), join_transaction_mode="conditional_savepoint")
    made: dict[str, list[int]] = {"practice": [], "user": []}
    try:
        yield made
    finally:
        db.session.remove()
        _cleanup(made)


def _cleanup(made: dict[str, list[int]]) -> None:
    practices, users = made["practice"] or [-1], made["user"] or [-1]
    with db.engine().begin() as conn:
        patients = [r[0] for r in conn.execute(select(Patient.id).where(Patient.practice_id.in_(practices)))] or [-1]
        postgres = conn.dialect.name == "postgresql"
        if postgres:  # the audit log refuses changes, even ON DELETE SET NULL; lift that for this cleanup only
            conn.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change"))
        conn.execute(delete(AuditEvent).where(AuditEvent.patient_id.in_(patients)
                                              | AuditEvent.actor_user_id.in_(users)))
        if postgres:
            conn.execute(text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change"))
        conn.execute(delete(Notification).where(Notification.patient_id.in_(patients)))
        conn.execute(delete(Appointment).where(Appointment.patient_id.in_(patients)))
        conn.execute(delete(Practice).where(Practice.id.in_(practices)))
        conn.execute(delete(User).where(User.id.in_(users)))


def _world(made):
    practice = make_practice(timezone="America/New_York", phone="555-0100")
    made["practice"].append(practice.id)
    location = Location(practice_id=practice.id, name="Overlap Street")
    db.session.add(location)
    db.session.flush()
    providers = [make_provider(practice=practice) for _ in range(2)]
    for provider in providers:
        add_hours(provider, location, start=time(9), end=time(12))
    visit = make_visit_type(practice, providers=providers)
    patient = make_patient(practice=practice)
    made["user"].extend([*(p.user_id for p in providers), patient.user_id])
    db.session.commit()
    starts_at = local(future_day(6), 10)
    choices = [SlotChoice(visit.id, p.id, starts_at, location.id) for p in providers]
    world = {"patient": patient.id, "user": patient.user_id, "choices": choices}
    db.session.remove()
    return world


def _race(app, world, monkeypatch) -> list[tuple[str, str]]:
    barrier = threading.Barrier(2, timeout=10)
    results: list[tuple[str, str]] = []
    if db.is_postgres():
        check_free = overlap.check_free

        def check_after_both(*args, **kwargs):
            barrier.wait()  # both bookings passed the slot checks; neither holds the patient's lock yet
            return check_free(*args, **kwargs)

        monkeypatch.setattr(overlap, "check_free", check_after_both)

    def attempt(choice: SlotChoice) -> None:
        with app.app_context():
            try:
                if not db.is_postgres():
                    barrier.wait()  # start together
                user, patient = db.session.get(User, world["user"]), db.session.get(Patient, world["patient"])
                appointment = booking.book(user, patient, choice)
                results.append(("booked", str(appointment.id)))
            except Conflict as exc:
                results.append(("conflict", str(exc.message)))
            except Exception as exc:  # noqa: BLE001 - the assertions read what happened
                results.append(("locked" if "database is locked" in str(exc) else "error", repr(exc)))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(choice,)) for choice in world["choices"]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_parallel_overlapping_bookings_for_one_patient_one_wins(app, committed, monkeypatch):
    world = _world(committed)
    results = _race(app, world, monkeypatch)
    kinds = sorted(kind for kind, _ in results)
    if db.is_postgres() or SQLITE_WRITERS:
        assert kinds == ["booked", "conflict"], results
        assert dict(results)["conflict"].startswith("You already have a visit at ")
    else:
        assert kinds in (["booked", "conflict"], ["booked", "locked"]), results
    with db.engine().connect() as conn:
        held = conn.execute(select(func.count()).select_from(Appointment).where(
            Appointment.patient_id == world["patient"], Appointment.status == AppointmentStatus.BOOKED)).scalar_one()
    assert held == 1


def test_cleanup_left_nothing_behind(app, committed):
    """The race test's rows are gone (its location would otherwise still be there)."""
    count = db.session.scalar(select(func.count()).select_from(Location).where(Location.name == "Overlap Street"))
    assert count == 0


def test_two_parallel_waitlist_joins_make_one_entry(app, committed, monkeypatch):
    """The same check-then-act shape: "already on the waitlist?" is decided under the patient's lock."""
    from hearth.models import WaitlistEntry
    from hearth.services.scheduling import waitlist

    world = _world(committed)
    choice = world["choices"][0]
    barrier = threading.Barrier(2, timeout=10)
    results: list[str] = []
    if db.is_postgres():
        lock = waitlist.lock_patient

        def lock_after_both(patient_id):
            barrier.wait()  # both passed the checks before it; neither holds the lock yet
            return lock(patient_id)

        monkeypatch.setattr(waitlist, "lock_patient", lock_after_both)

    def attempt() -> None:
        with app.app_context():
            try:
                if not db.is_postgres():
                    barrier.wait()
                user, patient = db.session.get(User, world["user"]), db.session.get(Patient, world["patient"])
                day = choice.starts_at.date()
                waitlist.join(user, patient, choice.visit_type_id, day, day)
                results.append("joined")
            except Conflict:
                results.append("conflict")
            except Exception as exc:  # noqa: BLE001 - the assertions read what happened
                results.append("locked" if "database is locked" in str(exc) else repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if db.is_postgres() or SQLITE_WRITERS:
        assert sorted(results) == ["conflict", "joined"], results
    else:
        assert sorted(results) in (["conflict", "joined"], ["joined", "locked"]), results
    with db.engine().connect() as conn:
        entries = conn.execute(select(func.count()).select_from(WaitlistEntry).where(
            WaitlistEntry.patient_id == world["patient"])).scalar_one()
    assert entries == 1
