"""Booking, rescheduling and cancelling: slots on offer only, no double booking, the cancel cutoff."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hearth import db
from hearth.clock import utcnow
from hearth.errors import Conflict, Invalid, NotFound
from hearth.models import AppointmentSlotLock, AppointmentStatus, AuditEvent
from hearth.services.scheduling import booking
from hearth.services.scheduling.booking import SlotChoice
from tests.factories import make_grant, make_patient, make_user
from tests.scheduling.conftest import future_day, local, make_visit_type, place


def choice(clinic, starts_at, **kw):
    return SlotChoice(clinic.visit.id, clinic.provider.id, starts_at, clinic.location.id, **kw)


def locks(appointment_id=None):
    stmt = select(func.count()).select_from(AppointmentSlotLock)
    if appointment_id:
        stmt = stmt.where(AppointmentSlotLock.appointment_id == appointment_id)
    return db.session.scalar(stmt)


def test_book_an_offered_slot(clinic):
    day = future_day(5)
    appt = booking.book(clinic.patient.user, clinic.patient, choice(clinic, local(day, 10), reason="Sore knee"))
    assert appt.status == AppointmentStatus.BOOKED
    assert appt.ends_at - appt.starts_at == timedelta(minutes=30)
    assert appt.booked_by_user_id == clinic.patient.user.id and appt.reason == "Sore knee"
    assert locks(appt.id) == 6  # six 5-minute cells
    events = db.session.scalars(select(AuditEvent.action).where(AuditEvent.patient_id == clinic.patient.id)).all()
    assert "book" in events


def test_the_same_slot_cannot_be_booked_twice(clinic):
    day = future_day(5)
    other = make_patient(practice=clinic.practice)
    db.session.commit()
    booking.book(clinic.patient.user, clinic.patient, choice(clinic, local(day, 10)))
    with pytest.raises(Conflict, match="That time was just taken"):
        booking.book(other.user, other, choice(clinic, local(day, 10)))


def test_database_refuses_overlapping_locks_even_off_grid(clinic):
    """Even when the check is bypassed, the slot-lock key stops an overlapping booking."""
    day = future_day(5)
    place(clinic, local(day, 10))
    db.session.commit()
    with pytest.raises(Conflict, match="That time was just taken"):
        place(clinic, local(day, 10, 15), patient=make_patient(practice=clinic.practice))


def test_off_grid_or_out_of_hours_is_invalid(clinic):
    day = future_day(5)
    with pytest.raises(Invalid) as info:
        booking.book(clinic.patient.user, clinic.patient, choice(clinic, local(day, 10, 10)))
    assert "starts_at" in info.value.fields
    with pytest.raises(Invalid):
        booking.book(clinic.patient.user, clinic.patient, choice(clinic, local(day, 20)))


def test_in_person_needs_a_location_video_has_none(clinic):
    day = future_day(5)
    with pytest.raises(Invalid) as info:
        booking.book(clinic.patient.user, clinic.patient,
                     SlotChoice(clinic.visit.id, clinic.provider.id, local(day, 10), None))
    assert "location_id" in info.value.fields
    appt = booking.book(clinic.patient.user, clinic.patient,
                        SlotChoice(clinic.video.id, clinic.provider.id, local(day, 9, 20), clinic.location.id))
    assert appt.location_id is None and appt.ends_at == local(day, 9, 40)


def test_provider_not_allowed_for_visit_type(clinic):
    from tests.factories import make_provider

    stranger = make_provider(practice=clinic.practice)
    db.session.commit()
    with pytest.raises(Invalid):
        booking.book(clinic.patient.user, clinic.patient,
                     SlotChoice(clinic.visit.id, stranger.id, local(future_day(5), 10), clinic.location.id))


def test_caregiver_needs_the_appointments_scope(clinic):
    with_scope, without = make_user(), make_user()
    make_grant(patient=clinic.patient, caregiver=with_scope, scopes=("appointments",))
    make_grant(patient=clinic.patient, caregiver=without, scopes=("messages", "results"))
    db.session.commit()
    day = future_day(5)
    appt = booking.book(with_scope, clinic.patient, choice(clinic, local(day, 11)))
    assert appt.booked_by_user_id == with_scope.id
    with pytest.raises(NotFound):
        booking.cancel(without, clinic.patient, appt.id)


def test_reschedule_moves_and_frees_the_old_time(clinic):
    day = future_day(5)
    appt = booking.book(clinic.patient.user, clinic.patient, choice(clinic, local(day, 10)))
    moved = booking.reschedule(clinic.patient.user, clinic.patient, appt.id, local(day, 10, 30))
    assert moved.id == appt.id and moved.starts_at == local(day, 10, 30) and moved.ends_at == local(day, 11)
    assert locks(appt.id) == 6
    other = make_patient(practice=clinic.practice)
    db.session.commit()
    assert booking.book(other.user, other, choice(clinic, local(day, 10))).starts_at == local(day, 10)


def test_reschedule_into_a_taken_slot_conflicts(clinic):
    day = future_day(5)
    place(clinic, local(day, 14), patient=make_patient(practice=clinic.practice))
    appt = place(clinic, local(day, 10))
    db.session.commit()
    with pytest.raises(Conflict, match="just taken"):
        booking.reschedule(clinic.patient.user, clinic.patient, appt.id, local(day, 14))


def test_cancel_frees_the_slot(clinic):
    day = future_day(5)
    appt = booking.book(clinic.patient.user, clinic.patient, choice(clinic, local(day, 10)))
    cancelled = booking.cancel(clinic.patient.user, clinic.patient, appt.id, reason="Feeling better")
    assert cancelled.status == AppointmentStatus.CANCELLED and cancelled.cancelled_at is not None
    assert cancelled.cancel_reason == "Feeling better"
    assert locks(appt.id) == 0
    with pytest.raises(Conflict):
        booking.cancel(clinic.patient.user, clinic.patient, appt.id)


def test_cancel_after_cutoff_asks_to_call(clinic):
    appt = place(clinic, utcnow().replace(second=0, microsecond=0) + timedelta(hours=3))
    db.session.commit()
    with pytest.raises(Conflict, match="It is too late to cancel online; please call us at 555-0100"):
        booking.cancel(clinic.patient.user, clinic.patient, appt.id)
    with pytest.raises(Conflict, match="too late"):
        booking.reschedule(clinic.patient.user, clinic.patient, appt.id, local(future_day(5), 10))
    # The practice may still cancel.
    assert booking.cancel(clinic.staff, clinic.patient, appt.id).status == AppointmentStatus.CANCELLED


def test_someone_elses_appointment_is_not_found(clinic):
    appt = place(clinic, local(future_day(5), 10))
    other = make_patient(practice=clinic.practice)
    db.session.commit()
    with pytest.raises(NotFound):
        booking.cancel(other.user, other, appt.id)


def test_join_link_opens_shortly_before_a_video_visit(clinic):
    start = local(future_day(5), 10)
    video = place(clinic, start, visit=clinic.video)
    in_person = place(clinic, local(future_day(5), 14))
    db.session.commit()
    user = clinic.patient.user
    with pytest.raises(Conflict, match="15 minutes before"):
        booking.join_link(user, clinic.patient, video.id, now=start - timedelta(minutes=16))
    url = booking.join_link(user, clinic.patient, video.id, now=start - timedelta(minutes=15))
    assert url == f"https://video.example/{video.id}"
    assert booking.join_link(user, clinic.patient, video.id, now=start + timedelta(minutes=19))
    with pytest.raises(Conflict, match="no longer open"):
        booking.join_link(user, clinic.patient, video.id, now=start + timedelta(minutes=20))
    with pytest.raises(Conflict, match="not a video visit"):
        booking.join_link(user, clinic.patient, in_person.id, now=start)


def test_list_for_patient_splits_upcoming_and_past(clinic):
    future = place(clinic, local(future_day(5), 10))
    past = place(clinic, local(future_day(-5), 10))
    make_visit_type(clinic.practice, name="Follow-up")
    upcoming, before = booking.list_for_patient(clinic.patient.user, clinic.patient)
    assert [a.id for a in upcoming] == [future.id] and [a.id for a in before] == [past.id]
