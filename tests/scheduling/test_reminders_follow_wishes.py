"""A reminder queued weeks ahead follows the person's wishes as they are when it is sent (issue 7, section 5).

Channels, quiet hours, language and phone are read at sending time; offsets in days are calendar
days in the practice's zone, so a 9:00 visit's 7-day reminder goes at 9:00 across a DST change.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import select, update

from hearth import db
from hearth.models import Notification, NotificationStatus
from hearth.notify.channels import build_channels
from hearth.notify.dispatcher import dispatch
from hearth.services import notifications
from hearth.services.scheduling import booking, reminders
from hearth.services.scheduling.booking import SlotChoice
from tests.scheduling.conftest import future_day, local, place

PHONE = "+15550100123"


@pytest.fixture
def channels(smtp_server, fake_sms):
    built = build_channels({**smtp_server.settings, **fake_sms.settings()})
    yield built
    built.close()


def _book(clinic, starts_at):
    """Book, and set the booking's own confirmation aside: these tests count the reminders."""
    patient = clinic.patient
    visit = booking.book(patient.user, patient,
                         SlotChoice(clinic.visit.id, clinic.provider.id, starts_at, clinic.location.id))
    db.session.execute(update(Notification).where(Notification.kind == "appointment")
                       .values(status=NotificationStatus.CANCELLED))
    db.session.commit()
    return visit


def _reminder(appointment, offset: int) -> Notification:
    return db.session.scalar(select(Notification).where(
        Notification.idempotency_key == f"reminder:{appointment.id}:{offset}:{appointment.starts_at.isoformat()}"))


def _reachable_patient(clinic):
    clinic.patient.phone = PHONE
    clinic.patient.user.timezone = "America/New_York"
    db.session.commit()
    return clinic.patient


def test_the_issue_example_queued_by_email_at_7_goes_by_sms_at_8(clinic, channels, smtp_server, fake_sms):
    patient = _reachable_patient(clinic)
    day = future_day(10)
    visit = _book(clinic, local(day, 9))
    two_hours = _reminder(visit, 120)
    assert (two_hours.channel, two_hours.due_at) == ("email", local(day, 7))  # as queued at booking
    # Afterwards she asks for reminders by SMS then email, and quiet hours 21:00-08:00.
    notifications.set_preference(patient.user, "reminder", channels=["sms", "email"],
                                 quiet_hours_start=time(21, 0), quiet_hours_end=time(8, 0))
    for earlier in (_reminder(visit, 10080), _reminder(visit, 1440)):  # 9:00 a week and a day before
        dispatch(channels, "w1", now=earlier.due_at)
    assert len(fake_sms.messages) == 2

    at_seven = dispatch(channels, "w1", now=local(day, 7))
    assert (at_seven.held, at_seven.sent) == (1, 0)
    db.session.refresh(two_hours)
    assert two_hours.status == NotificationStatus.PENDING and two_hours.next_attempt_at == local(day, 8)
    assert dispatch(channels, "w1", now=local(day, 7, 59)).claimed == 0

    assert dispatch(channels, "w1", now=local(day, 8)).sent == 1
    db.session.refresh(two_hours)
    assert (two_hours.status, two_hours.channel, two_hours.to_address) == (NotificationStatus.SENT, "sms", PHONE)
    assert two_hours.sent_at == local(day, 8)
    assert [m["To"] for m in fake_sms.messages] == [PHONE] * 3
    assert smtp_server.messages == []  # nothing by email, the channel she no longer puts first


def test_a_visit_booked_after_the_change_gets_8_00_by_sms_too(clinic, channels, smtp_server, fake_sms):
    patient = _reachable_patient(clinic)
    notifications.set_preference(patient.user, "reminder", channels=["sms", "email"],
                                 quiet_hours_start=time(21, 0), quiet_hours_end=time(8, 0))
    day = future_day(10)
    visit = _book(clinic, local(day, 9))
    two_hours = _reminder(visit, 120)
    assert two_hours.due_at == local(day, 7)  # the wanted time; quiet hours are applied when it is sent
    for earlier in (_reminder(visit, 10080), _reminder(visit, 1440)):
        dispatch(channels, "w1", now=earlier.due_at)
    assert dispatch(channels, "w1", now=local(day, 7)).held == 1
    assert dispatch(channels, "w1", now=local(day, 8)).sent == 1
    db.session.refresh(two_hours)
    assert (two_hours.channel, two_hours.sent_at) == ("sms", local(day, 8))
    assert len(fake_sms.messages) == 3 and smtp_server.messages == []


def test_language_and_phone_are_read_when_the_reminder_is_sent(clinic, channels, fake_sms):
    patient = _reachable_patient(clinic)
    notifications.set_preference(patient.user, "reminder", channels=["sms"])
    day = future_day(10)
    visit = _book(clinic, local(day, 9))
    row = _reminder(visit, 120)
    assert row.locale == "en" and row.to_address == PHONE
    patient.user.locale = "es"
    patient.phone = "+15550100999"
    db.session.commit()
    assert dispatch(channels, "w1", now=local(day, 7)).sent == 3  # the 7-day, 1-day and 2-hour reminders
    for text in fake_sms.messages:
        assert text["To"] == "+15550100999"
        assert text["Body"].startswith("Tiene una cita el ") and "9:00" in text["Body"]
        assert "?lang=es" in text["Body"] and "?lang=en" not in text["Body"]
    db.session.refresh(row)
    assert (row.locale, row.to_address) == ("es", "+15550100999")


@pytest.mark.parametrize("visit_day", [date(2027, 3, 16), date(2027, 11, 9)], ids=["spring-forward", "fall-back"])
def test_the_7_day_reminder_of_a_9_oclock_visit_goes_at_9_across_dst(clinic, visit_day):
    visit = place(clinic, local(visit_day, 9))
    reminders.plan(visit)
    week, day, two_hours = (_reminder(visit, m) for m in (10080, 1440, 120))
    assert week.due_at == local(visit_day - timedelta(days=7), 9)  # 9:00 New York time, not 8:00 or 10:00
    assert day.due_at == local(visit_day - timedelta(days=1), 9)
    assert two_hours.due_at == visit.starts_at - timedelta(hours=2)  # hours stay exact
    # The naive subtraction would have landed an hour off.
    assert week.due_at - (visit.starts_at - timedelta(days=7)) in (timedelta(hours=1), timedelta(hours=-1))
