"""Reminders planned through the outbox, moved on reschedule, cancelled on cancel; waitlist offers."""

from datetime import timedelta

from sqlalchemy import select

from hearth import db
from hearth.models import Notification, NotificationStatus, WaitlistStatus
from hearth.services.scheduling import booking, reminders, waitlist
from hearth.services.scheduling.booking import SlotChoice
from tests.factories import make_patient
from tests.scheduling.conftest import future_day, local, make_visit_type, place


def reminder_rows(appointment_id):
    return db.session.scalars(
        select(Notification).where(Notification.idempotency_key.startswith(f"reminder:{appointment_id}:"))
        .order_by(Notification.due_at)
    ).all()


def book(clinic, starts_at, patient=None):
    patient = patient or clinic.patient
    return booking.book(patient.user, patient,
                        SlotChoice(clinic.visit.id, clinic.provider.id, starts_at, clinic.location.id))


def test_booking_plans_one_reminder_per_offset(clinic):
    start = local(future_day(10), 10)
    appt = book(clinic, start)
    rows = reminder_rows(appt.id)
    assert [r.due_at for r in rows] == [start - timedelta(minutes=m) for m in (10080, 1440, 120)]
    assert {r.idempotency_key for r in rows} == {f"reminder:{appt.id}:{m}:{start.isoformat()}"
                                                 for m in (10080, 1440, 120)}
    assert all(r.status == NotificationStatus.PENDING and r.kind == "reminder" for r in rows)
    assert all(r.template == "appointment_reminder" and r.recipient_user_id == clinic.patient.user_id for r in rows)
    for row in rows:  # no visit type, reason or specialty in what goes out
        text = str(row.params)
        assert "Check-up" not in text and "Family medicine" not in text
    # Planning again adds nothing (idempotency keys).
    reminders.plan(appt)
    assert len(reminder_rows(appt.id)) == 3


def test_reminders_already_due_are_skipped(clinic):
    appt = book(clinic, local(future_day(3), 10))
    offsets = sorted(r.idempotency_key.split(":")[2] for r in reminder_rows(appt.id))
    assert offsets == ["120", "1440"]


def test_reschedule_cancels_old_reminders_and_plans_new(clinic):
    start, new_start = local(future_day(10), 10), local(future_day(12), 11)
    appt = book(clinic, start)
    booking.reschedule(clinic.patient.user, clinic.patient, appt.id, new_start)
    rows = reminder_rows(appt.id)
    old = [r for r in rows if r.idempotency_key.endswith(start.isoformat())]
    new = [r for r in rows if r.idempotency_key.endswith(new_start.isoformat())]
    assert len(old) == 3 and all(r.status == NotificationStatus.CANCELLED for r in old)
    assert len(new) == 3 and all(r.status == NotificationStatus.PENDING for r in new)


def test_cancel_cancels_pending_reminders(clinic):
    appt = book(clinic, local(future_day(10), 10))
    booking.cancel(clinic.patient.user, clinic.patient, appt.id)
    assert {r.status for r in reminder_rows(appt.id)} == {NotificationStatus.CANCELLED}


def test_cancel_offers_the_slot_to_matching_waitlisted_patients(clinic):
    day = future_day(10)
    appt = place(clinic, local(day, 10))
    early, late, wrong_type, out_of_window = (make_patient(practice=clinic.practice) for _ in range(4))
    other_type = make_visit_type(clinic.practice, name="Other", providers=[clinic.provider])
    db.session.commit()
    e1 = waitlist.join(early.user, early, clinic.visit.id, day - timedelta(days=3), day + timedelta(days=3))
    e2 = waitlist.join(late.user, late, clinic.visit.id, day, day, provider_id=clinic.provider.id)
    e3 = waitlist.join(wrong_type.user, wrong_type, other_type.id, day, day)
    e4 = waitlist.join(out_of_window.user, out_of_window, clinic.visit.id, day + timedelta(days=1),
                       day + timedelta(days=5))
    booking.cancel(clinic.patient.user, clinic.patient, appt.id)
    assert (e1.status, e2.status) == (WaitlistStatus.OFFERED, WaitlistStatus.OFFERED)
    assert (e3.status, e4.status) == (WaitlistStatus.WAITING, WaitlistStatus.WAITING)
    offers = db.session.scalars(select(Notification).where(Notification.template == "waitlist_offer")).all()
    assert {o.patient_id for o in offers} == {early.id, late.id}
    assert all(set(o.params) <= {"ref"} for o in offers)
    # First come, first served: the first to book gets the slot and leaves the waitlist.
    booking.book(late.user, late, SlotChoice(clinic.visit.id, clinic.provider.id, local(day, 10), clinic.location.id))
    assert e2.status == WaitlistStatus.BOOKED
    assert waitlist.entries(early.user, early)[0].id == e1.id
