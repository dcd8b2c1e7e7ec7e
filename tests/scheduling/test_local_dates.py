""""Today" and slot times follow the practice's (or location's) zone, not the app-wide PRACTICE_TIMEZONE."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select

from hearth import db, timefmt
from hearth.models import Appointment, Location, ProviderSchedule
from hearth.services.scheduling import availability, common
from tests.conftest import login
from tests.scheduling.conftest import add_hours, place
from tests.scheduling.test_api import auth

LA, AUCKLAND, HONOLULU = ZoneInfo("America/Los_Angeles"), ZoneInfo("Pacific/Auckland"), ZoneInfo("Pacific/Honolulu")


def freeze(monkeypatch, now: datetime) -> None:
    for module in (availability, common):
        monkeypatch.setattr(module, "utcnow", lambda: now)


def at(day, hour, zone, minute=0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


@pytest.fixture
def la_clinic(clinic):
    """The clinic moved to Los Angeles, open 9:00–22:00 local every day."""
    clinic.practice.timezone = "America/Los_Angeles"
    add_hours(clinic.provider, clinic.location, start=time(17), end=time(22))
    db.session.commit()
    return clinic


def test_slot_search_starts_today_in_the_practice_zone(client, la_clinic, monkeypatch):
    day = datetime.now(UTC).date() + timedelta(days=3)
    now = datetime.combine(day + timedelta(days=1), time(1, 45), tzinfo=UTC)  # the evening before, in Los Angeles
    assert now.astimezone(LA).date() == day and now.date() == day + timedelta(days=1)
    freeze(monkeypatch, now)
    local_now = now.astimezone(LA)
    grid = [datetime.combine(day, time(9), tzinfo=LA) + timedelta(minutes=30 * k) for k in range(26)]
    expected_first = next(t for t in grid if t > local_now)
    login(client, la_clinic.patient.user)
    page = client.get("/appointments/find/days", query_string={"visit_type_id": la_clinic.visit.id})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"day={day.isoformat()}" in html  # the first day offered is LA's today
    # The first available time on the clinic's clock (the viewer is in the clinic's zone: no zone name).
    assert timefmt.when(expected_first, "en", zone="America/Los_Angeles") in html
    slots = client.get(f"/api/v1/patients/{la_clinic.patient.id}/slots", headers=auth(client, la_clinic.patient.user),
                       query_string={"visit_type_id": la_clinic.visit.id}).json
    assert datetime.fromisoformat(slots[0]["starts_at"]) == expected_first.astimezone(UTC)
    assert slots[0]["timezone"] == "America/Los_Angeles"


def test_a_location_in_another_zone_shows_its_own_wall_clock(client, clinic):
    west = Location(practice_id=clinic.practice.id, name="West", timezone="America/Los_Angeles")
    db.session.add(west)
    db.session.commit()
    day = datetime.now(UTC).date() + timedelta(days=5)
    db.session.execute(delete(ProviderSchedule).where(ProviderSchedule.provider_id == clinic.provider.id))
    add_hours(clinic.provider, west, weekdays=[day.weekday()], start=time(9), end=time(10))
    db.session.commit()
    login(client, clinic.patient.user)
    html = client.get("/appointments/find/times", query_string={"visit_type_id": clinic.visit.id,
                                                                "day": day.isoformat()}).get_data(as_text=True)
    nine = datetime.combine(day, time(9), tzinfo=LA)
    pacific = timefmt.zone_label(nine, "en")
    assert pacific in ("PST", "PDT")
    # The viewer's zone is the practice's (New York): West's times carry their short zone name.
    assert f"9:00 AM {pacific}" in html
    assert "Eastern" not in html and "America/" not in html


def test_staff_schedule_today_is_today_at_the_practice(client, clinic, monkeypatch):
    clinic.practice.timezone = "Pacific/Auckland"
    db.session.commit()
    real_today = datetime.now(UTC).date()
    now = datetime.combine(real_today + timedelta(days=2), time(12, 30), tzinfo=UTC)
    auckland_today = now.astimezone(AUCKLAND).date()
    assert auckland_today == now.date() + timedelta(days=1)  # ahead of both UTC and New York
    freeze(monkeypatch, now)
    place(clinic, at(auckland_today, 9, AUCKLAND))
    place(clinic, at(now.date(), 9, AUCKLAND))  # "today" in UTC and New York: not shown
    db.session.commit()
    login(client, clinic.staff)
    html = client.get("/schedule").get_data(as_text=True)
    assert f'name="date" value="{auckland_today.isoformat()}"' in html
    assert html.count(clinic.patient.full_name) == 1 and "Days and times are in New Zealand Time." in html
    assert "Pacific/Auckland" not in html.split("<main", 1)[1].split("<form", 1)[0]  # a zone for people, not its id
    assert ">9:00 AM</th>" in html  # the Auckland wall clock, not New York's
    api = client.get(f"/api/v1/practices/{clinic.practice.id}/schedule", headers=auth(client, clinic.staff)).json
    assert api["start"] == auckland_today.isoformat() and api["timezone"] == "Pacific/Auckland"
    assert len(api["days"][0]["appointments"]) == 1


def test_schedule_filtered_by_location_uses_the_locations_zone(client, clinic, monkeypatch):
    island = Location(practice_id=clinic.practice.id, name="Island", timezone="Pacific/Honolulu")
    db.session.add(island)
    db.session.commit()
    now = datetime.combine(datetime.now(UTC).date() + timedelta(days=2), time(8), tzinfo=UTC)
    freeze(monkeypatch, now)
    h = auth(client, clinic.staff)
    url = f"/api/v1/practices/{clinic.practice.id}/schedule"
    everywhere = client.get(url, headers=h).json
    there = client.get(url, query_string={"location_id": island.id}, headers=h).json
    assert everywhere["start"] == now.astimezone(ZoneInfo("America/New_York")).date().isoformat()
    assert there["start"] == now.astimezone(HONOLULU).date().isoformat() == (now.date() - timedelta(days=1)).isoformat()
    assert there["timezone"] == "Pacific/Honolulu"


def test_booking_for_a_patient_returns_to_the_day_of_the_visit_there(client, clinic):
    clinic.practice.timezone = "Pacific/Auckland"
    db.session.commit()
    day = datetime.now(AUCKLAND).date() + timedelta(days=4)
    starts = at(day, 9, AUCKLAND)
    assert starts.date() != day  # the evening before in UTC (and in New York)
    login(client, clinic.staff)
    r = client.post("/schedule/book", data={"patient_id": clinic.patient.id, "visit_type_id": clinic.visit.id,
                                            "slot": f"{clinic.provider.id}|{clinic.location.id}|{starts.isoformat()}"})
    assert r.status_code == 302 and f"date={day.isoformat()}" in r.headers["Location"]
    assert db.session.scalar(select(Appointment.starts_at).where(Appointment.patient_id == clinic.patient.id)) == starts
