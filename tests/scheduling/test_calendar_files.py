"""Calendar files (issue 12): one UID per visit from every route, SEQUENCE and METHOD follow changes, neutral title."""

from datetime import timedelta
from uuid import UUID

from alembic import command
from icalendar import Calendar
from sqlalchemy import create_engine, text

from hearth import db
from hearth.services.scheduling import booking
from hearth.services.scheduling.booking import SlotChoice
from tests.conftest import alembic_config, login
from tests.factories import make_grant
from tests.scheduling.conftest import future_day, local, place
from tests.scheduling.test_api import auth


def parse(data: bytes):
    cal = Calendar.from_ical(data)
    return cal, cal.walk("VEVENT")[0]


def test_issue_example_one_uid_from_the_portal_and_the_api(client, clinic):
    """Issue: API `appointment-1@hearth.localhost`, portal `appointment-1@127.0.0.1`. Expected: one stable UID."""
    appt = place(clinic, local(future_day(5), 10))
    other = place(clinic, local(future_day(5), 11))
    db.session.commit()
    api = client.get(f"/api/v1/patients/{clinic.patient.id}/appointments/{appt.id}/calendar.ics",
                     headers=auth(client, clinic.patient.user))
    login(client, clinic.patient.user)
    portal = client.get(f"/appointments/{appt.id}/calendar.ics")
    _, from_api = parse(api.data)
    _, from_portal = parse(portal.data)
    assert str(from_api["uid"]) == str(from_portal["uid"]) == appt.uid
    assert UUID(appt.uid).version == 4 and appt.uid != other.uid  # random: unique across visits and installs
    assert b"localhost" not in api.data and b"localhost" not in portal.data  # no host in it at all


def test_reschedule_and_cancel_supersede_the_event(clinic):
    day = future_day(5)
    user, patient = clinic.patient.user, clinic.patient
    appt = booking.book(user, patient, SlotChoice(clinic.visit.id, clinic.provider.id, local(day, 10),
                                                  clinic.location.id))
    cal, event = parse(booking_ics(user, patient, appt.id))
    uid, booked_at = str(event["uid"]), event.decoded("last-modified")
    assert (str(cal["method"]), event["sequence"], str(event["status"])) == ("PUBLISH", 0, "CONFIRMED")
    booking.reschedule(user, patient, appt.id, local(day, 11))
    cal, event = parse(booking_ics(user, patient, appt.id))
    assert str(event["uid"]) == uid and event["sequence"] == 1 and str(cal["method"]) == "PUBLISH"
    assert event.decoded("dtstart") == local(day, 11) and event.decoded("last-modified") >= booked_at
    booking.cancel(user, patient, appt.id)
    cal, event = parse(booking_ics(user, patient, appt.id))
    assert str(event["uid"]) == uid and event["sequence"] == 2
    assert (str(cal["method"]), str(event["status"])) == ("CANCEL", "CANCELLED")
    assert abs(event.decoded("last-modified") - appt.cancelled_at) < timedelta(seconds=1)  # when it changed


def booking_ics(user, patient, appointment_id):
    from hearth.services.scheduling import calendar

    return calendar.ics(user, patient, appointment_id)


def test_a_cancelled_visit_from_the_api_is_method_cancel(client, clinic):
    appt = place(clinic, local(future_day(5), 10))
    db.session.commit()
    h = auth(client, clinic.patient.user)
    base = f"/api/v1/patients/{clinic.patient.id}/appointments/{appt.id}"
    assert client.post(f"{base}/cancel", json={}, headers=h).status_code == 200
    r = client.get(f"{base}/calendar.ics", headers=h)
    cal, event = parse(r.data)
    assert str(cal["method"]) == "CANCEL" and str(event["status"]) == "CANCELLED" and event["sequence"] == 1
    listed = client.get(base, headers=h).json
    assert listed["calendar_uid"] == appt.uid and listed["calendar_sequence"] == 1


def test_title_is_neutral_unless_the_patient_chooses_the_visit_type(client, clinic):
    appt = place(clinic, local(future_day(5), 10))
    db.session.commit()
    h = auth(client, clinic.patient.user)
    pref = f"/api/v1/patients/{clinic.patient.id}/calendar-preference"
    ics = f"/api/v1/patients/{clinic.patient.id}/appointments/{appt.id}/calendar.ics"
    assert client.get(pref, headers=h).json == {"include_visit_type": False}
    assert str(parse(client.get(ics, headers=h).data)[1]["summary"]) == f"Appointment at {clinic.practice.name}"
    r = client.put(pref, json={"include_visit_type": True}, headers=h)
    assert r.status_code == 200 and r.json == {"include_visit_type": True}
    assert str(parse(client.get(ics, headers=h).data)[1]["summary"]) == f"Check-up at {clinic.practice.name}"
    assert client.put(pref, json={}, headers=h).status_code == 422
    staff = client.put(pref, json={"include_visit_type": False}, headers=auth(client, clinic.staff))
    assert staff.status_code == 403  # the patient's choice
    db.session.expire_all()
    assert clinic.patient.calendar_shows_visit_type is True


def test_portal_preference_page_for_the_patient_and_a_caregiver(client, clinic):
    grant = make_grant(patient=clinic.patient)
    db.session.commit()
    login(client, clinic.patient.user)
    page = client.get("/appointments/calendar-files")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f"Appointment at {clinic.practice.name}" in html
    assert 'value="0" checked' in html
    saved = client.post("/appointments/calendar-files", data={"include_visit_type": "1"}, follow_redirects=True)
    assert "Saved." in saved.get_data(as_text=True) and 'value="1" checked' in saved.get_data(as_text=True)
    db.session.expire_all()
    assert clinic.patient.calendar_shows_visit_type is True
    client.post("/logout")
    login(client, grant.caregiver)
    client.post("/acting", data={"patient_id": clinic.patient.id})
    client.post("/appointments/calendar-files", data={"include_visit_type": "0"})
    db.session.expire_all()
    assert clinic.patient.calendar_shows_visit_type is False


def test_migration_gives_existing_visits_a_uid_and_renames_duplicate_visit_types(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    cfg = alembic_config()
    stamp = "'2026-01-01 00:00:00'"
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0006_patient_search_name")
        conn.execute(text(f"INSERT INTO practice (id, name, slug, timezone, adult_age, minor_full_access_below, "
                          f"created_at) VALUES (1, 'P', 'p', 'UTC', 18, 12, {stamp})"))
        conn.execute(text(f"INSERT INTO patient (id, practice_id, mrn, given_name, family_name, date_of_birth, "
                          f"preferred_language, preferred_channels, created_at) VALUES "
                          f"(1, 1, 'M1', 'Ana', 'Ruiz', '1990-01-01', 'es', 'email', {stamp})"))
        conn.execute(text("INSERT INTO provider (id, practice_id, given_name, family_name, specialty) "
                          "VALUES (1, 1, 'Ada', 'L', 'GP')"))
        for vid, name in ((1, "Check-up"), (2, "check-up"), (3, "Flu shot")):
            conn.execute(text(f"INSERT INTO visit_type (id, practice_id, name, duration_minutes, mode, "
                              f"self_schedulable, active, questionnaire) VALUES "
                              f"({vid}, 1, '{name}', 30, 'in_person', 1, 1, '[]')"))
        for aid, status in ((1, "booked"), (2, "cancelled")):
            conn.execute(text(f"INSERT INTO appointment (id, patient_id, provider_id, visit_type_id, starts_at, "
                              f"ends_at, status, created_at, cancelled_at) VALUES ({aid}, 1, 1, 1, {stamp}, "
                              f"{stamp}, '{status}', {stamp}, "
                              f"{'NULL' if status == 'booked' else chr(39) + '2026-01-02 00:00:00' + chr(39)})"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        rows = conn.execute(text("SELECT id, uid, calendar_sequence, changed_at FROM appointment ORDER BY id")).all()
        names = conn.execute(text("SELECT name, name_key FROM visit_type ORDER BY id")).all()
        shows = conn.execute(text("SELECT calendar_shows_visit_type FROM patient")).scalar_one()
    engine.dispose()
    assert len({r.uid for r in rows}) == 2 and all(UUID(r.uid).version == 4 for r in rows)
    assert [r.calendar_sequence for r in rows] == [0, 1]
    assert [str(r.changed_at)[:10] for r in rows] == ["2026-01-01", "2026-01-02"]
    assert [tuple(n) for n in names] == [("Check-up", "check-up"), ("check-up (2)", "check-up (2)"),
                                         ("Flu shot", "flu shot")]
    assert not shows
