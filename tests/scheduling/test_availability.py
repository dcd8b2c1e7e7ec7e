"""Open slots: weekly hours in local time, across DST, minus time off and bookings, future only."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from hearth import db
from hearth.errors import Invalid, NotFound
from hearth.models import ExceptionKind, ScheduleException
from hearth.services.scheduling.availability import SlotQuery, find_slots, open_slots
from tests.factories import make_grant, make_patient, make_user
from tests.scheduling.conftest import future_day, local, make_visit_type, place


def test_weekly_hours_make_grid_slots(clinic):
    day = future_day(7)
    slots = open_slots(clinic.visit, day, day)
    assert len(slots) == 16  # 9:00-17:00 in 30-minute slots
    assert slots[0].starts_at == local(day, 9) and slots[-1].ends_at == local(day, 17)
    assert {s.location_id for s in slots} == {clinic.location.id}
    assert slots[0].provider_name == clinic.provider.display_name


def test_dst_week_keeps_local_hours():
    """New York springs forward on Sunday 8 March 2026: 9:00 local is 14:00 UTC before, 13:00 UTC after."""
    from tests.scheduling.conftest import Location, add_hours, make_practice, make_provider

    practice = make_practice(timezone="America/New_York")
    location = Location(practice_id=practice.id, name="Clinic")
    db.session.add(location)
    db.session.flush()
    provider = make_provider(practice=practice)
    add_hours(provider, location, start=time(9), end=time(10))
    visit = make_visit_type(practice, minutes=60, providers=[provider])
    now = datetime(2026, 3, 1, tzinfo=UTC)
    slots = open_slots(visit, date(2026, 3, 6), date(2026, 3, 10), now=now)
    starts = {s.starts_at.date(): s.starts_at.time() for s in slots}
    assert starts[date(2026, 3, 6)] == time(14)  # Friday, EST (UTC-5)
    assert starts[date(2026, 3, 7)] == time(14)  # Saturday, EST
    assert starts[date(2026, 3, 8)] == time(13)  # Sunday: the change happened at 2:00, EDT (UTC-4)
    assert starts[date(2026, 3, 9)] == time(13)
    assert len(slots) == 5


def test_location_timezone_wins_over_practice(clinic):
    clinic.location.timezone = "America/Los_Angeles"
    db.session.flush()
    day = future_day(7)
    slots = open_slots(clinic.visit, day, day)
    from zoneinfo import ZoneInfo

    assert slots[0].starts_at.astimezone(ZoneInfo("America/Los_Angeles")).time() == time(9)


def test_time_off_and_bookings_are_removed_extra_hours_added(clinic):
    day = future_day(7)
    place(clinic, local(day, 9))
    db.session.add(ScheduleException(provider_id=clinic.provider.id, kind=ExceptionKind.TIME_OFF,
                                     starts_at=local(day, 12), ends_at=local(day, 14), reason="Lunch meeting"))
    db.session.add(ScheduleException(provider_id=clinic.provider.id, location_id=clinic.location.id,
                                     kind=ExceptionKind.EXTRA_HOURS, starts_at=local(day, 18),
                                     ends_at=local(day, 19)))
    db.session.flush()
    starts = [s.starts_at for s in open_slots(clinic.visit, day, day)]
    assert local(day, 9) not in starts and local(day, 9, 30) in starts
    assert not any(local(day, 12) <= s < local(day, 14) for s in starts)
    assert local(day, 18) in starts and local(day, 18, 30) in starts
    assert len(starts) == 16 - 1 - 4 + 2


def test_a_booked_longer_visit_blocks_every_overlapping_slot(clinic):
    day = future_day(7)
    long_visit = make_visit_type(clinic.practice, name="Long", minutes=60, providers=[clinic.provider])
    place(clinic, local(day, 10), visit=long_visit)
    starts = [s.starts_at for s in open_slots(clinic.visit, day, day)]
    assert local(day, 10) not in starts and local(day, 10, 30) not in starts and local(day, 11) in starts


def test_only_future_slots(clinic):
    day = future_day(7)
    now = local(day, 12, 10)
    starts = [s.starts_at for s in open_slots(clinic.visit, day, day, now=now)]
    assert starts[0] == local(day, 12, 30)


def test_find_slots_checks_access_and_range(clinic):
    user = clinic.patient.user
    day = future_day(3)
    assert find_slots(user, clinic.patient, SlotQuery(clinic.visit.id, start=day, end=day))
    with pytest.raises(Invalid):
        find_slots(user, clinic.patient, SlotQuery(clinic.visit.id, start=day, end=day + timedelta(days=40)))
    with pytest.raises(NotFound):
        find_slots(make_user(), clinic.patient, SlotQuery(clinic.visit.id, start=day, end=day))
    caregiver = make_user()
    make_grant(patient=clinic.patient, caregiver=caregiver, scopes=("messages",))
    other_type = make_visit_type(make_patient().practice)
    db.session.commit()
    with pytest.raises(NotFound):
        find_slots(caregiver, clinic.patient, SlotQuery(clinic.visit.id, start=day, end=day))
    with pytest.raises(NotFound):
        find_slots(user, clinic.patient, SlotQuery(other_type.id, start=day, end=day))


def test_staff_only_visit_types_are_not_offered_to_patients(clinic):
    clinic.visit.self_schedulable = False
    db.session.commit()
    day = future_day(3)
    with pytest.raises(Invalid):
        find_slots(clinic.patient.user, clinic.patient, SlotQuery(clinic.visit.id, start=day, end=day))
    assert find_slots(clinic.staff, clinic.patient, SlotQuery(clinic.visit.id, start=day, end=day))
