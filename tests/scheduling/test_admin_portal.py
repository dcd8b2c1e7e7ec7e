"""Scheduling setup pages: admins change, staff look, others are refused; errors keep the values."""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from hearth import db
from hearth.models import (
    ExceptionKind,
    PracticeSchedulingSettings,
    ProviderSchedule,
    ScheduleException,
    StaffRole,
    VisitType,
)
from tests.conftest import login
from tests.factories import make_practice, make_provider, make_staff
from tests.querycount import count_queries
from tests.scheduling.conftest import future_day, make_visit_type

RULES = {"cancel_cutoff_hours": "12", "checkin_opens_hours": "48", "checkin_closes_minutes": "10",
         "video_url_template": "https://meet.example/{appointment_id}", "video_join_minutes_before": "10",
         "reminder_offsets": "1440, 60", "booking_horizon_days": "60"}


def page(client, url, **kw):
    r = client.get(url, **kw)
    return r.status_code, r.get_data(as_text=True)


def test_index_opens_the_visit_types_of_the_admins_practice(client, clinic, practice_admin):
    login(client, practice_admin)
    r = client.get("/settings/scheduling")
    assert r.status_code == 302
    assert r.headers["Location"].endswith(f"/settings/scheduling/{clinic.practice.id}/visit-types")
    status, html = page(client, r.headers["Location"])
    assert status == 200 and "Check-up" in html and "Add a visit type" in html and "Video chat" in html


def test_staff_see_the_setup_without_forms_and_cannot_post(client, clinic):
    login(client, clinic.staff)
    pid = clinic.practice.id
    status, html = page(client, f"/settings/scheduling/{pid}/visit-types/{clinic.visit.id}")
    assert status == 200 and "only practice admins can change it" in html
    assert '<fieldset class="usa-fieldset" disabled>' in html
    assert "Save visit type" not in html and "Add question" not in html
    status, html = page(client, f"/settings/scheduling/{pid}/hours")
    assert status == 200 and "Add hours" not in html and "Lovelace" in html
    r = client.post(f"/settings/scheduling/{pid}/rules", data=RULES)
    assert r.status_code == 403
    assert db.session.get(PracticeSchedulingSettings, pid) is None


def test_patients_and_other_practices_are_refused(client, clinic):
    login(client, clinic.patient.user)
    assert client.get("/settings/scheduling").status_code == 403
    assert client.get(f"/settings/scheduling/{clinic.practice.id}/hours").status_code == 403
    client.post("/logout")
    other = make_staff(practice=make_practice(), role=StaffRole.ADMIN)
    db.session.commit()
    login(client, other)
    assert client.get(f"/settings/scheduling/{clinic.practice.id}/visit-types").status_code == 403


def test_add_and_edit_a_visit_type(client, clinic, practice_admin):
    login(client, practice_admin)
    pid = clinic.practice.id
    bad = client.post(f"/settings/scheduling/{pid}/visit-types/new", data={
        "name": "Allergy test", "duration_minutes": "7", "mode": "in_person", "provider_ids": [clinic.provider.id]})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Use a multiple of 5 minutes." in html and 'value="Allergy test"' in html
    assert f'value="{clinic.provider.id}" checked' in html
    r = client.post(f"/settings/scheduling/{pid}/visit-types/new", data={
        "name": "Allergy test", "duration_minutes": "45", "mode": "video", "active": "1",
        "instructions": "No antihistamines for 3 days."})
    assert r.status_code == 302
    vt = db.session.scalar(select(VisitType).where(VisitType.name == "Allergy test"))
    assert (vt.duration_minutes, vt.mode.value, vt.self_schedulable, vt.active) == (45, "video", False, True)
    assert vt.providers == [] and vt.instructions == "No antihistamines for 3 days."
    r = client.post(f"/settings/scheduling/{pid}/visit-types/{vt.id}", data={
        "name": "Allergy testing", "duration_minutes": "60", "mode": "in_person", "self_schedulable": "1",
        "provider_ids": [clinic.provider.id]})
    assert r.status_code == 302
    db.session.expire_all()
    vt = db.session.get(VisitType, vt.id)
    assert (vt.name, vt.duration_minutes, vt.self_schedulable, vt.active) == ("Allergy testing", 60, True, False)
    assert [p.id for p in vt.providers] == [clinic.provider.id]


def test_questions_editor(client, clinic, practice_admin):
    login(client, practice_admin)
    base = f"/settings/scheduling/{clinic.practice.id}/visit-types/{clinic.visit.id}"
    empty = client.post(f"{base}/questions", data={"text": "  ", "type": "yes_no"})
    assert empty.status_code == 422 and "This field is required." in empty.get_data(as_text=True)
    assert client.post(f"{base}/questions", data={"text": "Recent travel?", "type": "yes_no",
                                                  "required": "1"}).status_code == 302
    db.session.expire_all()
    added = db.session.get(VisitType, clinic.visit.id).questionnaire[-1]
    assert (added["text"], added["type"], added["required"]) == ("Recent travel?", "yes_no", True)
    html = page(client, base)[1]
    assert "Recent travel?" in html and "Remove question 4" in html
    assert client.post(f"{base}/questions/{added['id']}/delete").status_code == 302
    db.session.expire_all()
    assert [q["id"] for q in db.session.get(VisitType, clinic.visit.id).questionnaire] == ["meds", "mood", "notes"]


def test_delete_a_used_visit_type_explains(client, clinic, practice_admin):
    from tests.scheduling.conftest import local, place

    place(clinic, local(future_day(4), 10))
    db.session.commit()
    login(client, practice_admin)
    r = client.post(f"/settings/scheduling/{clinic.practice.id}/visit-types/{clinic.visit.id}/delete",
                    follow_redirects=True)
    assert "Make it inactive instead." in r.get_data(as_text=True)


def test_hours_page_adds_and_refuses_overlaps_with_values_kept(client, clinic, practice_admin):
    login(client, practice_admin)
    url = f"/settings/scheduling/{clinic.practice.id}/hours"
    form = {"provider_id": clinic.provider.id, "location_id": clinic.location.id, "weekday": "3",
            "start_time": "16:00", "end_time": "18:30"}
    bad = client.post(url, data=form)
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "overlap" in html and 'value="18:30"' in html
    assert '<option value="3" selected>Thursday</option>' in html
    assert client.post(url, data=form | {"start_time": "17:00"}).status_code == 302
    row = db.session.scalar(select(ProviderSchedule).where(ProviderSchedule.start_time == time(17)))
    assert (row.weekday, row.end_time) == (3, time(18, 30))
    edit = f"{url}/{row.id}"
    status, html = page(client, edit)
    assert status == 200 and 'value="17:00"' in html
    assert client.post(edit, data=form | {"start_time": "17:00", "end_time": "20:00",
                                          "effective_until": "2031-01-31"}).status_code == 302
    db.session.expire_all()
    row = db.session.get(ProviderSchedule, row.id)
    assert row.end_time == time(20) and row.effective_until.isoformat() == "2031-01-31"
    assert client.post(f"{edit}/delete").status_code == 302
    assert db.session.get(ProviderSchedule, row.id) is None


def test_time_off_page_in_the_practice_zone_warns_about_booked_visits(client, clinic, practice_admin):
    from tests.scheduling.conftest import local, place

    day = future_day(8)
    place(clinic, local(day, 10))
    db.session.commit()
    login(client, practice_admin)
    url = f"/settings/scheduling/{clinic.practice.id}/exceptions"
    bad = client.post(url, data={"provider_id": clinic.provider.id, "kind": "time_off",
                                 "starts_at": f"{day}T12:00", "ends_at": f"{day}T09:00", "reason": "Dentist"})
    assert bad.status_code == 422 and 'value="Dentist"' in bad.get_data(as_text=True)
    r = client.post(url, data={"provider_id": clinic.provider.id, "kind": "time_off",
                               "starts_at": f"{day}T09:00", "ends_at": f"{day}T12:00", "reason": "Dentist"},
                    follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "1 booked visits fall in this time off" in html and "Dentist" in html and "(still booked)" in html
    row = db.session.scalar(select(ScheduleException).where(ScheduleException.reason == "Dentist"))
    assert row.starts_at == local(day, 9) and row.kind == ExceptionKind.TIME_OFF


def test_rules_page_saves_and_explains_bad_values(client, clinic, practice_admin):
    login(client, practice_admin)
    url = f"/settings/scheduling/{clinic.practice.id}/rules"
    status, html = page(client, url)
    assert status == 200 and 'value="10080, 1440, 120"' in html
    form = RULES
    bad = client.post(url, data=form | {"video_url_template": "meet.example/x", "reminder_offsets": "1 day"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'value="1 day"' in html and "whole number of minutes" in html
    assert db.session.get(PracticeSchedulingSettings, clinic.practice.id) is None
    link = client.post(url, data=form | {"video_url_template": "meet.example/{appointment_id}"})
    assert link.status_code == 422 and "https://" in link.get_data(as_text=True)
    assert client.post(url, data=form).status_code == 302
    saved = db.session.get(PracticeSchedulingSettings, clinic.practice.id)
    assert (saved.cancel_cutoff_hours, saved.reminder_offsets, saved.booking_horizon_days) == (12, "1440,60", 60)


def add_rows(clinic, numbers) -> None:
    """A provider with a visit type, weekly hours and a coming time off, per number."""
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    for n in numbers:
        provider = make_provider(practice=clinic.practice, family_name=f"Doc{n}")
        make_visit_type(clinic.practice, name=f"Type {n}", providers=[provider, clinic.provider])
        db.session.add(ProviderSchedule(provider_id=provider.id, location_id=clinic.location.id, weekday=n % 7,
                                        start_time=time(9), end_time=time(12)))
        db.session.add(ScheduleException(provider_id=provider.id, starts_at=start + timedelta(days=n),
                                         ends_at=start + timedelta(days=n, hours=2)))
    db.session.commit()


def test_list_pages_run_bounded_queries(client, clinic, practice_admin):
    login(client, practice_admin)
    pid = clinic.practice.id
    urls = [f"/settings/scheduling/{pid}/{name}" for name in ("visit-types", "hours", "exceptions")]
    add_rows(clinic, [0])
    with count_queries() as few:
        for url in urls:
            assert client.get(url).status_code == 200
    add_rows(clinic, range(1, 9))
    with count_queries() as many:
        for url in urls:
            assert client.get(url).status_code == 200
    assert many.count <= few.count, many.statements


def test_forms_carry_the_csrf_token(app, client, clinic, practice_admin):
    import re

    login(client, practice_admin)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        url = f"/settings/scheduling/{clinic.practice.id}/rules"
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)
        assert client.post(url, data=RULES).status_code == 400
        assert client.post(url, data=RULES | {"csrf_token": token}).status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
