"""Two people booking the same slot at the same moment, on separate connections: exactly one wins.

This test commits real rows (the race needs two transactions that see each other's commits), so it
leaves the per-test rolled-back transaction and deletes everything it made at the end. It runs on
PostgreSQL only: SQLite has a single writer and cannot show the race.
"""

from __future__ import annotations

import threading
from datetime import time

import pytest
from sqlalchemy import func, select, text

from hearth import db
from hearth.errors import Conflict
from hearth.models import Appointment, AppointmentStatus, Location, Patient, User
from hearth.services.scheduling import booking
from hearth.services.scheduling.booking import SlotChoice
from tests.factories import make_patient, make_practice, make_provider
from tests.scheduling.conftest import add_hours, future_day, local, make_visit_type


@pytest.fixture
def committed_session(app):
    """Bind the session to the engine itself for this test, and put it back afterwards."""
    if not db.is_postgres():
        pytest.skip("the booking race needs PostgreSQL (SQLite serialises all writers)")
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
    practices, users = made["practice"], made["user"]
    if not practices and not users:
        return
    with db.engine().begin() as conn:
        patient_ids = [r[0] for r in conn.execute(
            select(Patient.id).where(Patient.practice_id.in_(practices)))] or [-1]
        # The audit log refuses changes, even ON DELETE SET NULL; lift that for this cleanup only.
        conn.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change"))
        conn.execute(text("DELETE FROM audit_event WHERE patient_id = ANY(:p) OR actor_user_id = ANY(:u)"),
                     {"p": patient_ids, "u": users or [-1]})
        conn.execute(text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change"))
        conn.execute(text("DELETE FROM notification WHERE patient_id = ANY(:p)"), {"p": patient_ids})
        conn.execute(text("DELETE FROM appointment WHERE patient_id = ANY(:p)"), {"p": patient_ids})
        conn.execute(text("DELETE FROM practice WHERE id = ANY(:p)"), {"p": practices})
        conn.execute(text("DELETE FROM user_account WHERE id = ANY(:u)"), {"u": users})


def test_two_bookings_of_one_slot_at_once_exactly_one_succeeds(app, committed_session, monkeypatch):
    made = committed_session
    practice = make_practice(timezone="America/New_York", phone="555-0100")
    made["practice"].append(practice.id)
    location = Location(practice_id=practice.id, name="Race Street")
    db.session.add(location)
    db.session.flush()
    provider = make_provider(practice=practice)
    made["user"].append(provider.user_id)
    add_hours(provider, location, start=time(9), end=time(12))
    visit = make_visit_type(practice, providers=[provider])
    patients = [make_patient(practice=practice) for _ in range(2)]
    made["user"].extend(p.user_id for p in patients)
    db.session.commit()
    starts_at = local(future_day(6), 10)
    choice = SlotChoice(visit.id, provider.id, starts_at, location.id)
    ids = [(p.id, p.user_id) for p in patients]
    db.session.remove()

    barrier = threading.Barrier(2, timeout=10)
    results: list[tuple[str, str]] = []
    check_slot = booking._check_slot

    def check_then_wait(*args, **kwargs):
        # Both bookings pass the "is it free?" check before either writes: only the database can decide.
        found = check_slot(*args, **kwargs)
        barrier.wait()
        return found

    monkeypatch.setattr(booking, "_check_slot", check_then_wait)

    def attempt(patient_id: int, user_id: int) -> None:
        with app.app_context():
            try:
                user, patient = db.session.get(User, user_id), db.session.get(Patient, patient_id)
                appointment = booking.book(user, patient, choice)
                results.append(("booked", str(appointment.id)))
            except Conflict as exc:
                results.append(("conflict", str(exc.message)))
            except Exception as exc:  # pragma: no cover - reported by the assertion below
                results.append(("error", repr(exc)))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=pair) for pair in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(kind for kind, _ in results) == ["booked", "conflict"], results
    assert dict(results)["conflict"] == "That time was just taken. Please pick another."
    with db.engine().connect() as conn:
        count = conn.execute(select(func.count()).select_from(Appointment).where(
            Appointment.provider_id == provider.id, Appointment.starts_at == starts_at,
            Appointment.status != AppointmentStatus.CANCELLED)).scalar_one()
    assert count == 1


def test_cleanup_left_nothing_behind(app, committed_session):
    """The race test's rows are gone (its practice slug would otherwise still be there)."""
    leftovers = db.session.scalar(select(func.count()).select_from(Location).where(Location.name == "Race Street"))
    assert leftovers == 0


def _time_off_race_world(made):
    """A committed practice with a provider, a visit type, a patient and an admin; returns their ids."""
    from hearth.models import StaffRole
    from tests.factories import make_staff

    practice = make_practice(timezone="America/New_York", phone="555-0100")
    made["practice"].append(practice.id)
    location = Location(practice_id=practice.id, name="Race Street")
    db.session.add(location)
    db.session.flush()
    provider = make_provider(practice=practice)
    add_hours(provider, location, start=time(9), end=time(12))
    visit = make_visit_type(practice, providers=[provider])
    patient = make_patient(practice=practice)
    boss = make_staff(practice=practice, role=StaffRole.ADMIN)
    made["user"].extend([provider.user_id, patient.user_id, boss.id])
    db.session.commit()
    starts_at = local(future_day(6), 10)
    world = {"practice": practice.id, "provider": provider.id, "patient": patient.id, "user": patient.user_id,
             "admin": boss.id, "choice": SlotChoice(visit.id, provider.id, starts_at, location.id),
             "off": {"provider_id": provider.id, "kind": "time_off", "starts_at": local(future_day(6), 9),
                     "ends_at": local(future_day(6), 12)}}
    db.session.remove()
    return world


def _book(w) -> int:
    return booking.book(db.session.get(User, w["user"]), db.session.get(Patient, w["patient"]), w["choice"]).id


def _run(app, target, results, name):
    def body():
        with app.app_context():
            try:
                results[name] = ("ok", target())
            except Exception as exc:  # noqa: BLE001 - the assertions read what happened
                results[name] = (type(exc).__name__, str(getattr(exc, "message", exc)))
            finally:
                db.session.remove()
    return threading.Thread(target=body)


def test_a_booking_racing_new_time_off_waits_and_is_refused(app, committed_session, monkeypatch):
    from hearth.services.scheduling import admin_hours

    w = _time_off_race_world(committed_session)
    locked, results = threading.Event(), {}
    saved = admin_hours._saved

    def hold_the_lock(*args, **kwargs):
        locked.set()  # the admin holds the provider's lock, the time off not yet committed
        threading.Event().wait(0.5)
        return saved(*args, **kwargs)

    monkeypatch.setattr(admin_hours, "_saved", hold_the_lock)

    def add():
        return admin_hours.add_exception(db.session.get(User, w["admin"]), w["practice"], dict(w["off"])).booked


    admin = _run(app, add, results, "admin")
    admin.start()
    assert locked.wait(10)
    patient = _run(app, lambda: _book(w), results, "patient")
    patient.start()
    admin.join(30)
    patient.join(30)
    assert results["admin"] == ("ok", 0)
    assert results["patient"] == ("Invalid", "That time is not available."), results
    with db.engine().connect() as conn:
        assert conn.execute(select(func.count()).select_from(Appointment).where(
            Appointment.provider_id == w["provider"])).scalar_one() == 0


def test_time_off_racing_a_booking_waits_and_cancels_it(app, committed_session, monkeypatch):
    from hearth.services.scheduling import admin_hours

    w = _time_off_race_world(committed_session)
    checked, results = threading.Event(), {}
    check_slot = booking._check_slot

    def check_then_wait(*args, **kwargs):
        found = check_slot(*args, **kwargs)  # the booking holds the provider's lock, shared
        checked.set()
        threading.Event().wait(0.5)
        return found

    monkeypatch.setattr(booking, "_check_slot", check_then_wait)


    def add():
        row = admin_hours.add_exception(db.session.get(User, w["admin"]), w["practice"], dict(w["off"]),
                                        cancel_booked=True)
        return row.cancelled

    patient = _run(app, lambda: _book(w), results, "patient")
    patient.start()
    assert checked.wait(10)
    admin = _run(app, add, results, "admin")
    admin.start()
    patient.join(30)
    admin.join(30)
    assert results["patient"][0] == "ok", results
    assert results["admin"] == ("ok", 1), results  # it saw the booking that won the race, and cancelled it
    with db.engine().connect() as conn:
        status = conn.execute(select(Appointment.status).where(Appointment.id == results["patient"][1])).scalar_one()
    assert status == AppointmentStatus.CANCELLED
