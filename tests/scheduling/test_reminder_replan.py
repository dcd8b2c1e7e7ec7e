"""Reminders follow the visit and the practice's rules: moved back, offsets changed, sent ones kept."""

from datetime import timedelta

from sqlalchemy import select

from hearth import db
from hearth.models import AppointmentStatus, Notification, NotificationStatus
from hearth.services.scheduling import admin, booking, reminders
from tests.scheduling.conftest import future_day, local, place
from tests.scheduling.test_reminders_waitlist import book, reminder_rows


def by_offset(appointment_id):
    rows = reminder_rows(appointment_id)
    return {(int(r.idempotency_key.split(":")[2]), r.due_at): r.status for r in rows}


def pending_offsets(appointment_id):
    return sorted(int(r.idempotency_key.split(":")[2]) for r in reminder_rows(appointment_id)
                  if r.status == NotificationStatus.PENDING)


def test_moving_a_visit_away_and_back_queues_its_reminders_again(clinic):
    start = local(future_day(10), 10)
    appt = book(clinic, start)
    booking.reschedule(clinic.patient.user, clinic.patient, appt.id, local(future_day(12), 11))
    booking.reschedule(clinic.patient.user, clinic.patient, appt.id, start)
    rows = reminder_rows(appt.id)
    here = [r for r in rows if r.idempotency_key.endswith(start.isoformat())]
    assert len(here) == 3 and {r.status for r in here} == {NotificationStatus.PENDING}
    assert len([r for r in rows if r.status == NotificationStatus.PENDING]) == 3
    assert all(r.attempts == 0 and r.params.get("confirm_url") for r in here)


def test_changing_offsets_replans_coming_visits_and_keeps_what_was_sent(clinic, practice_admin):
    soon = book(clinic, local(future_day(10), 10))
    later = book(clinic, local(future_day(20), 11))
    past = place(clinic, local(future_day(-2), 10), status=AppointmentStatus.COMPLETED)
    cancelled = book(clinic, local(future_day(15), 9))
    booking.cancel(clinic.patient.user, clinic.patient, cancelled.id)
    week_row = next(r for r in reminder_rows(soon.id) if ":10080:" in r.idempotency_key)
    week_row.status = NotificationStatus.SENT  # the week-ahead reminder already went out
    db.session.commit()

    admin.update_scheduling_settings(practice_admin, clinic.practice.id, {"reminder_offsets": [2880, 1440, 60]})

    assert pending_offsets(soon.id) == [60, 1440, 2880]
    assert pending_offsets(later.id) == [60, 1440, 2880]
    statuses = {int(r.idempotency_key.split(":")[2]): r.status for r in reminder_rows(soon.id)}
    assert statuses[10080] == NotificationStatus.SENT and statuses[120] == NotificationStatus.CANCELLED
    assert reminder_rows(past.id) == []
    assert pending_offsets(cancelled.id) == []
    new = next(r for r in reminder_rows(later.id) if ":60:" in r.idempotency_key)
    assert new.due_at == later.starts_at - timedelta(minutes=60)


def test_saving_the_same_offsets_changes_nothing(clinic, practice_admin):
    appt = book(clinic, local(future_day(10), 10))
    before = by_offset(appt.id)
    admin.update_scheduling_settings(practice_admin, clinic.practice.id, {"reminder_offsets": [120, 1440, 10080]})
    assert by_offset(appt.id) == before


def test_planning_a_closed_visit_cancels_its_reminders(clinic):
    appt = book(clinic, local(future_day(10), 10))
    appt.status = AppointmentStatus.NO_SHOW
    assert reminders.plan(appt) == []
    assert pending_offsets(appt.id) == []


def test_replan_practice_counts_only_coming_booked_visits(clinic):
    for day in (5, 6, 7):
        place(clinic, local(future_day(day), 10))
    place(clinic, local(future_day(8), 10), status=AppointmentStatus.CANCELLED)
    place(clinic, local(future_day(-1), 10), status=AppointmentStatus.COMPLETED)
    db.session.commit()
    assert reminders.replan_practice(clinic.practice.id) == 3
    assert db.session.scalar(select(Notification.id).limit(1)) is not None
