"""Two waitlisted patients press "Book this time" for one freed slot at the same moment: one gets it, the
other a clear Conflict, and nobody deadlocks. PostgreSQL only (see test_concurrency for the harness)."""

from __future__ import annotations

import threading
from datetime import time, timedelta

from sqlalchemy import func, select

from hearth import db
from hearth.errors import Conflict
from hearth.models import Appointment, AppointmentStatus, Location, Patient, User, WaitlistEntry, WaitlistStatus
from hearth.services.scheduling import booking, waitlist
from tests.factories import make_patient, make_practice, make_provider
from tests.scheduling.conftest import add_hours, future_day, local, make_visit_type
from tests.scheduling.test_concurrency import committed_session  # noqa: F401  (fixture)


def test_two_patients_book_one_offer_at_once(app, committed_session, monkeypatch):  # noqa: F811
    made = committed_session
    practice = make_practice(timezone="America/New_York", phone="555-0100")
    made["practice"].append(practice.id)
    location = Location(practice_id=practice.id, name="Offer Street")
    db.session.add(location)
    db.session.flush()
    provider = make_provider(practice=practice)
    made["user"].append(provider.user_id)
    add_hours(provider, location, start=time(9), end=time(12))
    visit = make_visit_type(practice, providers=[provider])
    canceller, *waiting = [make_patient(practice=practice) for _ in range(3)]
    made["user"].extend(p.user_id for p in (canceller, *waiting))
    db.session.commit()
    day = future_day(6)
    taken = booking.book(canceller.user, canceller, booking.SlotChoice(visit.id, provider.id, local(day, 10),
                                                                       location.id))
    entries = [waitlist.join(p.user, p, visit.id, day - timedelta(days=1), day + timedelta(days=1))
               for p in waiting]
    booking.cancel(canceller.user, canceller, taken.id)
    pairs = [(p.id, p.user_id, e.id) for p, e in zip(waiting, entries, strict=True)]
    db.session.remove()

    barrier = threading.Barrier(2, timeout=10)
    results: list[tuple[str, str]] = []
    check_slot = booking._check_slot

    def check_then_wait(*args, **kwargs):
        found = check_slot(*args, **kwargs)
        barrier.wait()
        return found

    monkeypatch.setattr(booking, "_check_slot", check_then_wait)

    def attempt(patient_id: int, user_id: int, entry_id: int) -> None:
        with app.app_context():
            try:
                user, patient = db.session.get(User, user_id), db.session.get(Patient, patient_id)
                results.append(("booked", str(booking.book_offer(user, patient, entry_id).id)))
            except Conflict as exc:
                results.append(("conflict", str(exc.message)))
            except Exception as exc:  # pragma: no cover - a deadlock would land here
                results.append(("error", repr(exc)))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(kind for kind, _ in results) == ["booked", "conflict"], results
    assert dict(results)["conflict"] == "That time was just taken. Please pick another."
    with db.engine().connect() as conn:
        booked = conn.execute(select(func.count()).select_from(Appointment).where(
            Appointment.provider_id == provider.id, Appointment.starts_at == local(day, 10),
            Appointment.status == AppointmentStatus.BOOKED)).scalar_one()
        statuses = sorted(conn.execute(select(WaitlistEntry.status).where(
            WaitlistEntry.id.in_([e for _, _, e in pairs]))).scalars())
    assert booked == 1
    assert statuses == sorted([WaitlistStatus.BOOKED, WaitlistStatus.WAITING])  # the winner withdrew the offer
