"""Weekly hours (order, overlaps, effective dates) and time off or extra hours (local times, booked visits)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from hearth import db
from hearth.errors import Forbidden, Invalid, NotFound
from hearth.models import ExceptionKind, Location, ProviderSchedule, ScheduleException, StaffRole
from hearth.services.scheduling import admin_hours
from hearth.services.scheduling.availability import open_slots
from tests.factories import make_practice, make_provider, make_staff
from tests.scheduling.conftest import future_day, local, place


def hours(clinic, **changes):
    return {"provider_id": clinic.provider.id, "location_id": clinic.location.id, "weekday": 0,
            "start_time": time(18), "end_time": time(20), "effective_from": None, "effective_until": None} | changes


def fresh_provider(clinic):
    provider = make_provider(practice=clinic.practice, given_name="Grace", family_name="Hopper")
    db.session.commit()
    return provider


def test_add_hours_makes_slots(clinic, practice_admin):
    provider = fresh_provider(clinic)
    clinic.visit.providers.append(provider)
    db.session.commit()
    day = future_day(7)
    admin_hours.add_hours(practice_admin, clinic.practice.id, hours(clinic, provider_id=provider.id,
                                                                     weekday=day.weekday()))
    slots = open_slots(clinic.visit, day, day, provider_id=provider.id)
    assert [s.starts_at for s in slots] == [local(day, 18), local(day, 18, 30), local(day, 19), local(day, 19, 30)]


def test_end_must_follow_start(clinic, practice_admin):
    with pytest.raises(Invalid) as exc:
        admin_hours.add_hours(practice_admin, clinic.practice.id, hours(clinic, start_time=time(12), end_time=time(12)))
    assert set(exc.value.fields) == {"end_time"}
    with pytest.raises(Invalid) as exc:
        admin_hours.add_hours(practice_admin, clinic.practice.id, hours(
            clinic, effective_from=date(2031, 5, 2), effective_until=date(2031, 5, 1)))
    assert set(exc.value.fields) == {"effective_until"}


def test_no_overlap_for_one_provider_and_weekday_at_any_location(clinic, practice_admin):
    other_place = Location(practice_id=clinic.practice.id, name="Annex")
    db.session.add(other_place)
    db.session.commit()
    with pytest.raises(Invalid) as exc:  # the clinic fixture has 9:00–17:00 every day at Main Street
        admin_hours.add_hours(practice_admin, clinic.practice.id, hours(
            clinic, location_id=other_place.id, start_time=time(16), end_time=time(18)))
    assert "9:00" in str(exc.value.fields["start_time"][0]) or "09:00" in str(exc.value.fields["start_time"][0])
    # Touching is not overlapping; another weekday or another provider is fine.
    admin_hours.add_hours(practice_admin, clinic.practice.id, hours(clinic, start_time=time(17), end_time=time(19)))
    provider = fresh_provider(clinic)
    admin_hours.add_hours(practice_admin, clinic.practice.id, hours(clinic, provider_id=provider.id,
                                                                     start_time=time(9), end_time=time(12)))


def test_overlapping_times_with_separate_effective_dates_are_allowed(clinic, practice_admin):
    provider = fresh_provider(clinic)
    pid = clinic.practice.id
    admin_hours.add_hours(practice_admin, pid, hours(clinic, provider_id=provider.id,
                                                     effective_until=date(2031, 3, 31)))
    admin_hours.add_hours(practice_admin, pid, hours(clinic, provider_id=provider.id, start_time=time(19),
                                                     end_time=time(21), effective_from=date(2031, 4, 1)))
    with pytest.raises(Invalid):
        admin_hours.add_hours(practice_admin, pid, hours(clinic, provider_id=provider.id,
                                                         effective_from=date(2031, 3, 31)))


def test_update_checks_the_whole_row_and_ignores_itself(clinic, practice_admin):
    provider = fresh_provider(clinic)
    pid = clinic.practice.id
    early = admin_hours.add_hours(practice_admin, pid, hours(clinic, provider_id=provider.id, start_time=time(8),
                                                             end_time=time(10)))
    late = admin_hours.add_hours(practice_admin, pid, hours(clinic, provider_id=provider.id))
    admin_hours.update_hours(practice_admin, pid, late.id, {"end_time": time(21)})  # only itself is in the way
    with pytest.raises(Invalid):
        admin_hours.update_hours(practice_admin, pid, late.id, {"start_time": time(9)})
    with pytest.raises(Invalid) as exc:
        admin_hours.update_hours(practice_admin, pid, early.id, {"end_time": time(7)})
    assert set(exc.value.fields) == {"end_time"}
    db.session.expire_all()
    assert db.session.get(ProviderSchedule, late.id).start_time == time(18)
    admin_hours.delete_hours(practice_admin, pid, early.id)
    assert db.session.get(ProviderSchedule, early.id) is None


def test_hours_refuse_other_practices_ids_and_non_admins(clinic, practice_admin):
    stranger = make_provider(practice=make_practice())
    db.session.commit()
    with pytest.raises(Invalid) as exc:
        admin_hours.add_hours(practice_admin, clinic.practice.id, hours(clinic, provider_id=stranger.id))
    assert set(exc.value.fields) == {"provider_id"}
    with pytest.raises(Forbidden):
        admin_hours.add_hours(clinic.staff, clinic.practice.id, hours(clinic))
    row = db.session.scalars(select(ProviderSchedule).where(ProviderSchedule.provider_id == clinic.provider.id)
                             .limit(1)).one()
    other_admin = make_staff(practice=make_practice(), role=StaffRole.ADMIN)
    db.session.commit()
    with pytest.raises(NotFound):  # another practice's row, through one's own practice
        admin_hours.update_hours(other_admin, other_admin.memberships[0].practice_id, row.id, {})
    assert len(admin_hours.hours(clinic.staff, clinic.practice.id)) == 7


def test_time_off_is_read_in_the_practice_zone_and_counts_booked_visits(clinic, practice_admin):
    clinic.practice.timezone = "America/Los_Angeles"
    db.session.commit()
    la = ZoneInfo("America/Los_Angeles")
    day = future_day(6)
    booked = place(clinic, datetime.combine(day, time(10), tzinfo=la).astimezone(UTC))
    db.session.commit()
    row = admin_hours.add_exception(practice_admin, clinic.practice.id, {
        "provider_id": clinic.provider.id, "kind": "time_off", "location_id": clinic.location.id,
        "starts_at": datetime.combine(day, time(8)), "ends_at": datetime.combine(day, time(12)), "reason": "Course"})
    assert row.exception.starts_at == datetime.combine(day, time(8), tzinfo=la).astimezone(UTC)
    assert row.exception.location_id is None  # time off blocks the provider everywhere
    assert (row.timezone, row.booked) == ("America/Los_Angeles", 1)
    assert booked.status.value == "booked"  # not cancelled by the time off
    # An offset given with the time wins over the zone.
    end = datetime.combine(day + timedelta(days=1), time(12), tzinfo=UTC)
    moved = admin_hours.update_exception(practice_admin, clinic.practice.id, row.exception.id, {"ends_at": end})
    assert moved.exception.ends_at == end and moved.booked == 1


def test_extra_hours_need_a_location_and_use_its_zone(clinic, practice_admin):
    west = Location(practice_id=clinic.practice.id, name="West", timezone="America/Denver")
    db.session.add(west)
    db.session.commit()
    start = datetime.combine(future_day(5), time(18))
    data = {"provider_id": clinic.provider.id, "kind": "extra_hours", "location_id": None, "starts_at": start,
            "ends_at": start + timedelta(hours=2), "reason": None}
    with pytest.raises(Invalid) as exc:
        admin_hours.add_exception(practice_admin, clinic.practice.id, data)
    assert set(exc.value.fields) == {"location_id"}
    row = admin_hours.add_exception(practice_admin, clinic.practice.id, data | {"location_id": west.id})
    assert row.exception.starts_at == start.replace(tzinfo=ZoneInfo("America/Denver")).astimezone(UTC)
    assert row.timezone == "America/Denver" and row.exception.kind == ExceptionKind.EXTRA_HOURS
    with pytest.raises(Invalid) as exc:
        admin_hours.add_exception(practice_admin, clinic.practice.id, data | {"location_id": west.id,
                                                                              "ends_at": start})
    assert set(exc.value.fields) == {"ends_at"}


def test_exception_list_pages_and_skips_the_past(clinic, practice_admin, monkeypatch):
    monkeypatch.setattr(admin_hours, "PAGE_SIZE", 3)
    now = datetime.now(UTC).replace(microsecond=0)
    for n in range(-2, 5):
        db.session.add(ScheduleException(provider_id=clinic.provider.id, kind=ExceptionKind.TIME_OFF,
                                         starts_at=now + timedelta(days=n), ends_at=now + timedelta(days=n, hours=1)))
    db.session.commit()
    first, more = admin_hours.exceptions(clinic.staff, clinic.practice.id, 1)
    second, no_more = admin_hours.exceptions(clinic.staff, clinic.practice.id, 2)
    assert more and not no_more
    assert [r.exception.starts_at for r in first + second] == [now + timedelta(days=n) for n in range(0, 5)]
    with pytest.raises(Forbidden):
        admin_hours.delete_exception(clinic.staff, clinic.practice.id, first[0].exception.id)
    admin_hours.delete_exception(practice_admin, clinic.practice.id, first[0].exception.id)
    assert db.session.get(ScheduleException, first[0].exception.id) is None
