"""Check-in window and questionnaire, staff schedule and status transitions, the .ics file."""

from datetime import date, timedelta

import pytest
from icalendar import Calendar

from hearth import db
from hearth.errors import Conflict, Forbidden, Invalid, NotFound
from hearth.models import AppointmentStatus
from hearth.services.scheduling import calendar, checkin, staff
from hearth.services.scheduling.booking import SlotChoice
from tests.factories import make_patient, make_practice, make_staff
from tests.scheduling.conftest import future_day, local, place

GOOD = {"meds": "no", "mood": "good", "notes": "  fine  "}


def test_check_in_window(clinic):
    start = local(future_day(5), 10)
    appt = place(clinic, start)
    db.session.commit()
    user = clinic.patient.user
    kw = {"contact_confirmed": True, "insurance_confirmed": True, "answers": GOOD}
    with pytest.raises(Conflict, match="72 hours"):
        checkin.check_in(user, clinic.patient, appt.id, now=start - timedelta(hours=73), **kw)
    with pytest.raises(Conflict, match="closed"):
        checkin.check_in(user, clinic.patient, appt.id, now=start + timedelta(minutes=15), **kw)
    done = checkin.check_in(user, clinic.patient, appt.id, now=start - timedelta(hours=2), **kw)
    assert done.checked_in_at == start - timedelta(hours=2)
    assert done.questionnaire_answers == {"meds": False, "mood": "good", "notes": "fine"}
    with pytest.raises(Conflict, match="already"):
        checkin.check_in(user, clinic.patient, appt.id, now=start - timedelta(hours=1), **kw)


def test_check_in_validates_confirmations_and_answers(clinic):
    start = local(future_day(5), 10)
    appt = place(clinic, start)
    db.session.commit()
    with pytest.raises(Invalid) as info:
        checkin.check_in(clinic.patient.user, clinic.patient, appt.id, contact_confirmed=False,
                         insurance_confirmed=False, answers={"mood": "meh", "notes": "x" * 1001, "bogus": 1},
                         now=start - timedelta(hours=1))
    assert set(info.value.fields) == {"contact_confirmed", "insurance_confirmed", "answers.meds", "answers.mood",
                                      "answers.notes", "answers.bogus"}
    assert appt.checked_in_at is None


def test_staff_schedule_groups_by_local_day(clinic):
    day = future_day(5)
    a1 = place(clinic, local(day, 9))
    a2 = place(clinic, local(day + timedelta(days=1), 16, 30), patient=make_patient(practice=clinic.practice))
    place(clinic, local(day, 11), status=AppointmentStatus.CANCELLED)
    result = staff.schedule(clinic.staff, clinic.practice.id, day, days=2)
    assert [a.id for a in result.by_day[day]] == [a1.id]
    assert [a.id for a in result.by_day[day + timedelta(days=1)]] == [a2.id]
    assert result.providers == [clinic.provider] and result.locations == [clinic.location]


def test_schedule_is_for_the_practice_staff_only(clinic):
    outsider = make_staff(practice=make_practice())
    db.session.commit()
    with pytest.raises(Forbidden):
        staff.schedule(outsider, clinic.practice.id, date.today())
    with pytest.raises(Forbidden):
        staff.schedule(clinic.patient.user, clinic.practice.id, date.today())


def test_status_transitions_with_timestamps(clinic):
    start = local(future_day(-1), 10)
    appt = place(clinic, start)
    db.session.commit()
    now = start + timedelta(minutes=1)
    for status, stamp in [(AppointmentStatus.ARRIVED, "arrived_at"), (AppointmentStatus.ROOMED, "roomed_at"),
                          (AppointmentStatus.SEEN, "seen_at"), (AppointmentStatus.COMPLETED, "completed_at")]:
        staff.set_status(clinic.staff, clinic.practice.id, appt.id, status, now=now)
        assert appt.status == status and getattr(appt, stamp) == now
    with pytest.raises(Conflict, match="cannot go from"):
        staff.set_status(clinic.staff, clinic.practice.id, appt.id, AppointmentStatus.ARRIVED)


def test_no_show_only_after_start_and_not_for_other_practices(clinic):
    start = local(future_day(3), 10)
    appt = place(clinic, start)
    outsider = make_staff(practice=make_practice())
    db.session.commit()
    with pytest.raises(Conflict, match="no-show"):
        staff.set_status(clinic.staff, clinic.practice.id, appt.id, AppointmentStatus.NO_SHOW,
                         now=start - timedelta(minutes=5))
    done = staff.set_status(clinic.staff, clinic.practice.id, appt.id, AppointmentStatus.NO_SHOW,
                            now=start + timedelta(minutes=20))
    assert done.no_show_at == start + timedelta(minutes=20)
    with pytest.raises(Forbidden):
        staff.set_status(outsider, clinic.practice.id, appt.id, AppointmentStatus.ARRIVED)


def test_staff_books_for_a_patient_even_non_self_schedulable(clinic):
    clinic.visit.self_schedulable = False
    other = make_patient(practice=make_practice())
    db.session.commit()
    day = future_day(4)
    appt = staff.book_for_patient(clinic.staff, clinic.practice.id, clinic.patient.id,
                                  SlotChoice(clinic.visit.id, clinic.provider.id, local(day, 9), clinic.location.id))
    assert appt.booked_by_user_id == clinic.staff.id
    with pytest.raises(NotFound):
        staff.book_for_patient(clinic.staff, clinic.practice.id, other.id,
                               SlotChoice(clinic.visit.id, clinic.provider.id, local(day, 9), clinic.location.id))


def test_ics_has_time_place_and_no_health_details(clinic):
    appt = place(clinic, local(future_day(5), 10))
    appt.reason = "Chest pain"
    db.session.commit()
    data = calendar.ics(clinic.patient.user, clinic.patient, appt.id)
    event = Calendar.from_ical(data).walk("VEVENT")[0]
    assert event.decoded("dtstart") == appt.starts_at and event.decoded("dtend") == appt.ends_at
    assert str(event["summary"]) == f"Appointment at {clinic.practice.name}"  # the visit type only if chosen
    assert str(event["location"]) == "Main Street, 1 Main St"
    assert str(event["uid"]) == appt.uid
    assert b"Chest pain" not in data and b"Family medicine" not in data and b"Check-up" not in data


def test_demo_seed_is_idempotent(clinic):
    from sqlalchemy import func, select

    from hearth.models import Appointment, Location, ProviderSchedule, VisitType
    from hearth.services.scheduling.demo import seed_scheduling
    from tests.factories import make_provider

    practice = make_practice()
    db.session.add(Location(practice_id=practice.id, name="Demo"))
    make_provider(practice=practice)
    make_patient(practice=practice)
    seed_scheduling(practice)
    seed_scheduling(practice)
    count = db.session.scalar(select(func.count()).select_from(VisitType).where(VisitType.practice_id == practice.id))
    assert count == 4
    assert db.session.scalar(select(func.count()).select_from(ProviderSchedule)) >= 10
    booked = db.session.scalars(select(Appointment).join(Appointment.patient).where(
        Appointment.patient.has(practice_id=practice.id))).all()
    assert len(booked) == 1
