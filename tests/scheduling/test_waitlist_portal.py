"""The waitlist on the appointments page: join, leave, and book a freed time first come, first served."""

from datetime import timedelta

from sqlalchemy import select

from hearth import db
from hearth.clock import utcnow
from hearth.models import (
    Appointment,
    AppointmentStatus,
    Notification,
    NotificationStatus,
    WaitlistEntry,
    WaitlistStatus,
)
from hearth.services.scheduling import booking, waitlist
from tests.conftest import login
from tests.factories import make_grant, make_patient, make_user
from tests.querycount import count_queries
from tests.scheduling.conftest import future_day, local, make_visit_type, place

TAKEN = "That time was just taken. Please pick another."


def join_form(clinic, start, end, **extra):
    return {"visit_type_id": clinic.visit.id, "window_start": start.isoformat(), "window_end": end.isoformat()} | extra


def entry_of(patient) -> WaitlistEntry:
    return db.session.scalar(select(WaitlistEntry).where(WaitlistEntry.patient_id == patient.id))


def free_a_slot(clinic, day, hour=10):
    """Someone cancels: the time is offered to the matching waitlist."""
    appointment = place(clinic, local(day, hour), patient=make_patient(practice=clinic.practice))
    db.session.commit()
    booking.cancel(appointment.patient.user, appointment.patient, appointment.id)
    return local(day, hour)


def test_join_and_leave_from_the_appointments_page(client, clinic):
    login(client, clinic.patient.user)
    page = client.get("/appointments").get_data(as_text=True)
    assert "Join the waitlist for an earlier time" in page and "You are not on any waitlist." in page
    assert f'name="window_start" type="date" value="{future_day(0).isoformat()}"' in page  # today at the practice
    day = future_day(10)
    r = client.post("/appointments/waitlist", data=join_form(clinic, day - timedelta(days=5), day,
                                                             provider_id=clinic.provider.id))
    assert r.status_code == 302
    entry = entry_of(clinic.patient)
    assert (entry.status, entry.provider_id, entry.window_end) == (WaitlistStatus.WAITING, clinic.provider.id, day)
    html = client.get("/appointments").get_data(as_text=True)
    assert "Waiting for an earlier time" in html and "Leave the waitlist for Check-up" in html
    again = client.post("/appointments/waitlist", data=join_form(clinic, day, day, provider_id=clinic.provider.id),
                        follow_redirects=True)
    assert "You are already on the waitlist for this visit type." in again.get_data(as_text=True)
    assert client.post(f"/appointments/waitlist/{entry.id}/leave").status_code == 302
    db.session.expire_all()
    assert entry_of(clinic.patient).status == WaitlistStatus.REMOVED
    assert "You are not on any waitlist." in client.get("/appointments").get_data(as_text=True)


def test_join_errors_are_422_with_values_kept(client, clinic):
    login(client, clinic.patient.user)
    backwards = client.post("/appointments/waitlist", data=join_form(clinic, future_day(9), future_day(3)))
    html = backwards.get_data(as_text=True)
    assert backwards.status_code == 422 and "The end date must be after the start date." in html
    assert f'value="{future_day(3).isoformat()}"' in html
    assert f'<option value="{clinic.visit.id}" selected>' in html
    past = client.post("/appointments/waitlist", data=join_form(clinic, future_day(-9), future_day(-3)))
    assert past.status_code == 422 and "already passed" in past.get_data(as_text=True)
    procedure = make_visit_type(clinic.practice, name="Procedure", self_schedulable=False)
    db.session.commit()
    staff_only = client.post("/appointments/waitlist", data=join_form(clinic, future_day(1), future_day(3),
                                                                      visit_type_id=procedure.id))
    assert staff_only.status_code == 422 and "cannot be booked online" in staff_only.get_data(as_text=True)
    assert client.post("/appointments/waitlist", data={"window_start": "soon"}).status_code == 422
    assert db.session.scalar(select(WaitlistEntry.id)) is None


def test_first_come_first_served_offer(client, clinic):
    day = future_day(6)
    first, second = make_patient(practice=clinic.practice), make_patient(practice=clinic.practice)
    db.session.commit()
    for p in (first, second):
        waitlist.join(p.user, p, clinic.visit.id, day - timedelta(days=2), day + timedelta(days=2))
    freed = free_a_slot(clinic, day)
    login(client, first.user)
    html = client.get("/appointments").get_data(as_text=True)
    assert "An earlier time is available:" in html and "Book this time" in html and "Lovelace" in html
    first_entry = entry_of(first)
    r = client.post(f"/appointments/waitlist/{first_entry.id}/book")
    assert r.status_code == 302 and "/appointments/" in r.headers["Location"]
    made = db.session.scalar(select(Appointment).where(Appointment.patient_id == first.id))
    assert made.starts_at == freed and made.location_id == clinic.location.id
    db.session.expire_all()
    assert entry_of(first).status == WaitlistStatus.BOOKED
    # The second patient still has the page with the button: a clear message, and she keeps waiting.
    client.post("/logout")
    login(client, second.user)
    late = client.post(f"/appointments/waitlist/{entry_of(second).id}/book", follow_redirects=True)
    html = late.get_data(as_text=True)
    assert TAKEN in html and "Waiting for an earlier time" in html and "Book this time" not in html
    db.session.expire_all()
    assert (entry_of(second).status, entry_of(second).offer_starts_at) == (WaitlistStatus.WAITING, None)
    offers = db.session.scalars(select(Notification).where(Notification.template == "waitlist_offer",
                                                           Notification.patient_id == second.id)).all()
    assert [o.status for o in offers] == [NotificationStatus.CANCELLED]


def test_an_offer_taken_by_a_regular_booking_is_withdrawn_and_the_next_cancellation_is_offered(client, clinic):
    day = future_day(6)
    waiting = make_patient(practice=clinic.practice)
    db.session.commit()
    entry = waitlist.join(waiting.user, waiting, clinic.visit.id, day, day)
    freed = free_a_slot(clinic, day, 10)
    assert entry_of(waiting).open_offer.starts_at == freed
    other = make_patient(practice=clinic.practice)
    db.session.commit()
    booking.book(other.user, other, booking.SlotChoice(clinic.visit.id, clinic.provider.id, freed, clinic.location.id))
    db.session.expire_all()
    assert entry_of(waiting).status == WaitlistStatus.WAITING
    later = free_a_slot(clinic, day, 14)
    db.session.expire_all()
    assert entry_of(waiting).open_offer.starts_at == later and entry_of(waiting).id == entry.id


def test_a_passed_offer_is_not_shown_and_the_entry_can_be_offered_again(client, clinic):
    day = future_day(6)
    waiting = make_patient(practice=clinic.practice)
    db.session.commit()
    entry = waitlist.join(waiting.user, waiting, clinic.visit.id, day, day)
    entry.status, entry.offer_provider_id = WaitlistStatus.OFFERED, clinic.provider.id
    entry.offer_starts_at, entry.offer_location_id = utcnow() - timedelta(hours=1), clinic.location.id
    entry.offered_at = utcnow() - timedelta(days=1)
    db.session.commit()
    login(client, waiting.user)
    html = client.get("/appointments").get_data(as_text=True)
    assert "Book this time" not in html and "Waiting for an earlier time" in html
    gone = client.post(f"/appointments/waitlist/{entry.id}/book", follow_redirects=True)
    assert "This offer is no longer available." in gone.get_data(as_text=True)
    freed = free_a_slot(clinic, day)
    db.session.expire_all()
    assert entry_of(waiting).open_offer.starts_at == freed


def test_caregiver_needs_the_appointments_scope(client, clinic):
    allowed, refused = make_user(), make_user()
    make_grant(patient=clinic.patient, caregiver=allowed, scopes=("appointments",))
    make_grant(patient=clinic.patient, caregiver=refused, scopes=("messages",))
    db.session.commit()
    day = future_day(8)
    login(client, allowed)
    assert client.post("/appointments/waitlist", data=join_form(clinic, day, day)).status_code == 302
    entry = entry_of(clinic.patient)
    client.post("/logout")
    login(client, refused)
    assert client.post("/appointments/waitlist", data=join_form(clinic, day, day)).status_code == 404
    assert client.post(f"/appointments/waitlist/{entry.id}/leave").status_code == 404
    assert client.post(f"/appointments/waitlist/{entry.id}/book").status_code == 404


def test_someone_elses_entry_is_not_found(client, clinic):
    other = make_patient(practice=clinic.practice)
    db.session.commit()
    entry = waitlist.join(other.user, other, clinic.visit.id, future_day(3), future_day(5))
    login(client, clinic.patient.user)
    assert client.post(f"/appointments/waitlist/{entry.id}/book").status_code == 404
    assert client.post(f"/appointments/waitlist/{entry.id}/leave").status_code == 404


def test_index_with_waitlist_entries_and_offers_runs_bounded_queries(client, clinic):
    day = future_day(9)
    place(clinic, local(day, 9))
    waitlist.join(clinic.patient.user, clinic.patient, clinic.visit.id, day, day)
    free_a_slot(clinic, day, 11)
    login(client, clinic.patient.user)
    with count_queries() as few:
        assert client.get("/appointments").status_code == 200
    for n in range(5):
        extra = make_visit_type(clinic.practice, name=f"Extra {n}", providers=[clinic.provider])
        db.session.commit()
        waitlist.join(clinic.patient.user, clinic.patient, extra.id, day, day)
        appointment = place(clinic, local(day, 12 + n), visit=extra, patient=make_patient(practice=clinic.practice))
        db.session.commit()
        booking.cancel(appointment.patient.user, appointment.patient, appointment.id)
    with count_queries() as many:
        html = client.get("/appointments").get_data(as_text=True)
    assert html.count("Book this time") == 6
    assert many.count <= few.count, many.statements
    assert db.session.scalar(select(Appointment.status).where(Appointment.patient_id == clinic.patient.id)) == (
        AppointmentStatus.BOOKED)


def test_moving_a_visit_into_an_offered_time_withdraws_the_offer_and_offers_the_old_time(clinic):
    day = future_day(6)
    waiting = make_patient(practice=clinic.practice)
    mover = make_patient(practice=clinic.practice)
    db.session.commit()
    moving = place(clinic, local(day + timedelta(days=1), 9), patient=mover)
    db.session.commit()
    waitlist.join(waiting.user, waiting, clinic.visit.id, day, day + timedelta(days=1))
    freed = free_a_slot(clinic, day, 10)
    assert entry_of(waiting).open_offer.starts_at == freed
    booking.reschedule(mover.user, mover, moving.id, freed)
    db.session.expire_all()
    # The offered time is gone; the mover's old time (in the window) is offered instead.
    assert entry_of(waiting).open_offer.starts_at == local(day + timedelta(days=1), 9)
