"""Arrival only on the visit's day, reverting clears what it undoes, cancelled visits are not upcoming (issue 7 §8)."""

from datetime import timedelta

import pytest

from hearth import db
from hearth.errors import Conflict
from hearth.models import AppointmentStatus
from hearth.services.scheduling import booking, staff
from tests.conftest import login
from tests.scheduling.conftest import future_day, local, place
from tests.scheduling.test_api import auth

S = AppointmentStatus


def test_issue_example_arrived_a_week_before_is_refused(clinic):
    """Issue: staff could mark a visit "Arrived" a week before it. Expected: only on the visit's day."""
    start = local(future_day(7), 10)
    appt = place(clinic, start)
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        staff.set_status(clinic.staff, clinic.practice.id, appt.id, S.ARRIVED, now=start - timedelta(days=7))
    assert "only on the day of the visit" in str(refused.value.message)
    db.session.expire_all()
    assert appt.status == S.BOOKED and appt.arrived_at is None
    # The day after is refused too; on the day, early in the morning (clinic time), it works.
    with pytest.raises(Conflict):
        staff.set_status(clinic.staff, clinic.practice.id, appt.id, S.ARRIVED, now=start + timedelta(days=1))
    early = local(future_day(7), 0, 5)
    done = staff.set_status(clinic.staff, clinic.practice.id, appt.id, S.ARRIVED, now=early)
    assert done.status == S.ARRIVED and done.arrived_at == early


def test_issue_example_reverting_to_booked_clears_arrived_at(clinic):
    """Issue: reverting to "Booked" left arrived_at set. Expected: cleared."""
    start = local(future_day(0), 23, 30)
    appt = place(clinic, start)
    db.session.commit()
    now = local(future_day(0), 0, 1)
    staff.set_status(clinic.staff, clinic.practice.id, appt.id, S.ARRIVED, now=now)
    back = staff.set_status(clinic.staff, clinic.practice.id, appt.id, S.BOOKED, now=now)
    assert back.status == S.BOOKED and back.arrived_at is None
    assert back.roomed_at is None and back.seen_at is None and back.completed_at is None


def test_no_show_then_arrived_clears_the_no_show_time(clinic):
    start = local(future_day(0), 0, 5)
    appt = place(clinic, start)
    db.session.commit()
    late = start + timedelta(minutes=20)
    staff.set_status(clinic.staff, clinic.practice.id, appt.id, S.NO_SHOW, now=late)
    came = staff.set_status(clinic.staff, clinic.practice.id, appt.id, S.ARRIVED, now=late + timedelta(minutes=5))
    assert came.no_show_at is None and came.arrived_at == late + timedelta(minutes=5)
    staff.set_status(clinic.staff, clinic.practice.id, appt.id, S.BOOKED, now=late + timedelta(minutes=6))
    assert came.arrived_at is None and came.no_show_at is None


def test_reverting_to_booked_plans_the_reminders_still_ahead(clinic):
    from sqlalchemy import select

    from hearth.models import Notification, NotificationStatus

    start = local(future_day(0), 23, 30)
    appt = place(clinic, start)
    db.session.commit()
    now = local(future_day(0), 0, 1)  # the 2-hour reminder (21:30) is still ahead
    staff.set_status(clinic.staff, clinic.practice.id, appt.id, S.ARRIVED, now=now)

    def pending():
        return db.session.scalars(select(Notification.due_at).where(
            Notification.patient_id == clinic.patient.id, Notification.status == NotificationStatus.PENDING)).all()

    assert pending() == []
    staff.set_status(clinic.staff, clinic.practice.id, appt.id, S.BOOKED, now=now)
    assert pending() == [start - timedelta(hours=2)]


def test_schedule_offers_arrived_only_on_the_day(clinic):
    today = place(clinic, local(future_day(0), 23, 30))
    later = place(clinic, local(future_day(7), 10))
    db.session.commit()
    now = local(future_day(0), 0, 1)
    assert S.ARRIVED in staff.next_statuses(today, now) and S.ARRIVED not in staff.next_statuses(later, now)
    assert staff.next_statuses(later, now) == []  # no-show only after the start


def test_api_arrival_a_week_early_is_409(client, clinic):
    appt = place(clinic, local(future_day(7), 10))
    db.session.commit()
    r = client.post(f"/api/v1/practices/{clinic.practice.id}/appointments/{appt.id}/status",
                    json={"status": "arrived"}, headers=auth(client, clinic.staff))
    assert r.status_code == 409 and "only on the day of the visit" in r.json["detail"]


def test_issue_example_cancelled_visits_are_not_upcoming(clinic):
    """Issue: cancelled visits stayed under "Upcoming". Expected: not upcoming (listed with the past)."""
    kept = place(clinic, local(future_day(3), 10))
    dropped = place(clinic, local(future_day(4), 10))
    booking.cancel(clinic.patient.user, clinic.patient, dropped.id)
    upcoming, past = booking.list_for_patient(clinic.patient.user, clinic.patient)
    assert [a.id for a in upcoming] == [kept.id]
    assert [a.id for a in past] == [dropped.id]


def test_api_and_portal_do_not_list_cancelled_visits_as_upcoming(client, clinic):
    kept = place(clinic, local(future_day(3), 10))
    dropped = place(clinic, local(future_day(4), 11))
    db.session.commit()
    booking.cancel(clinic.patient.user, clinic.patient, dropped.id)
    r = client.get(f"/api/v1/patients/{clinic.patient.id}/appointments", headers=auth(client, clinic.patient.user))
    assert [a["id"] for a in r.json["upcoming"]] == [kept.id]
    assert [(a["id"], a["status"]) for a in r.json["past"]] == [(dropped.id, "cancelled")]
    login(client, clinic.patient.user)
    html = client.get("/appointments").get_data(as_text=True)
    # The upcoming section alone: cancelled visits still ahead have a section of their own.
    upcoming_part = html.split('id="upcoming-h"')[1].split('</section>')[0]
    assert f"/appointments/{kept.id}" in upcoming_part and f"/appointments/{dropped.id}" not in upcoming_part
