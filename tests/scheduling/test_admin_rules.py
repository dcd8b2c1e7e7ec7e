"""Setup rules (issue 7 §7, §8): past time off refused, unique visit-type names, video links with placeholders only."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from hearth import db
from hearth.clock import utcnow
from hearth.errors import Conflict, Invalid
from hearth.models import PracticeSchedulingSettings, ScheduleException, VisitType
from hearth.services.scheduling import admin, admin_hours, booking
from tests.conftest import login
from tests.factories import make_practice
from tests.scheduling.conftest import future_day, local, make_visit_type, place
from tests.scheduling.test_admin_portal import RULES
from tests.scheduling.test_api import auth

PAST_MESSAGE = "This time is already over. Enter a time that ends in the future."
NAME_MESSAGE = "Another visit type of this practice already has this name. Choose a different name."
ATTACK = "https://video.example/{appointment_id.__class__.__mro__}"


# Time off entirely in the past


def test_issue_example_time_off_in_the_past_is_refused(clinic, practice_admin):
    """Issue: time off entirely in the past said "Saved" and was nowhere to be seen. Expected: clear refusal."""
    day = future_day(-3)
    with pytest.raises(Invalid) as refused:
        admin_hours.add_exception(practice_admin, clinic.practice.id, {
            "provider_id": clinic.provider.id, "kind": "time_off", "starts_at": local(day, 9),
            "ends_at": local(day, 12)})
    assert refused.value.fields == {"ends_at": [PAST_MESSAGE]}
    assert db.session.scalar(select(ScheduleException.id)) is None


def test_time_off_under_way_is_accepted(clinic, practice_admin):
    now = utcnow()
    row = admin_hours.add_exception(practice_admin, clinic.practice.id, {
        "provider_id": clinic.provider.id, "kind": "time_off", "starts_at": now - timedelta(hours=1),
        "ends_at": now + timedelta(hours=1)})
    assert row.exception.id


def test_api_and_portal_refuse_past_time_off_with_the_message(client, clinic, practice_admin):
    day = future_day(-3).isoformat()
    body = {"provider_id": clinic.provider.id, "kind": "time_off", "starts_at": f"{day}T09:00:00",
            "ends_at": f"{day}T12:00:00"}
    r = client.post(f"/api/v1/practices/{clinic.practice.id}/exceptions", json=body,
                    headers=auth(client, practice_admin))
    assert r.status_code == 422 and r.json["errors"] == {"ends_at": [PAST_MESSAGE]}
    login(client, practice_admin)
    page = client.post(f"/settings/scheduling/{clinic.practice.id}/exceptions",
                       data=body | {"starts_at": f"{day}T09:00", "ends_at": f"{day}T12:00", "reason": "Holiday"})
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and PAST_MESSAGE in html and 'value="Holiday"' in html
    assert db.session.scalar(select(ScheduleException.id)) is None


# Visit-type names


def test_issue_example_two_visit_types_with_the_same_name_are_refused(clinic, practice_admin):
    """Issue: two visit types with the same name were accepted. Expected: refused, whatever the case."""
    for name in ("Check-up", "CHECK-UP", "  check-up "):
        with pytest.raises(Invalid) as refused:
            admin.create_visit_type(practice_admin, clinic.practice.id, {"name": name, "duration_minutes": 30})
        assert refused.value.fields == {"name": [NAME_MESSAGE]}
    renamed = admin.create_visit_type(practice_admin, clinic.practice.id, {"name": "Flu shot", "duration_minutes": 10})
    with pytest.raises(Invalid):
        admin.update_visit_type(practice_admin, clinic.practice.id, renamed.id, {"name": "video CHAT"})
    same = admin.update_visit_type(practice_admin, clinic.practice.id, renamed.id, {"name": "Flu Shot"})
    assert same.name == "Flu Shot"  # its own name in another case is fine
    other = make_practice()
    assert make_visit_type(other, name="Check-up").id  # another practice may use it


def test_the_database_refuses_a_twin_that_slipped_past_the_check(clinic, practice_admin, monkeypatch):
    """Two admins saving the same name at once: the unique key turns the second into the same message."""
    monkeypatch.setattr(admin, "_check_name", lambda *args: None)
    with pytest.raises(Invalid) as refused:
        admin.create_visit_type(practice_admin, clinic.practice.id, {"name": "check-UP", "duration_minutes": 30})
    assert refused.value.fields == {"name": [NAME_MESSAGE]}
    names = db.session.scalars(select(VisitType.name).where(VisitType.practice_id == clinic.practice.id)).all()
    assert sorted(names) == ["Check-up", "Video chat"]


def test_api_and_portal_refuse_a_duplicate_name(client, clinic, practice_admin):
    r = client.post(f"/api/v1/practices/{clinic.practice.id}/visit-types",
                    json={"name": "check-up", "duration_minutes": 30}, headers=auth(client, practice_admin))
    assert r.status_code == 422 and r.json["errors"] == {"name": [NAME_MESSAGE]}
    login(client, practice_admin)
    page = client.post(f"/settings/scheduling/{clinic.practice.id}/visit-types/new",
                       data={"name": "CHECK-UP", "duration_minutes": "30", "mode": "in_person"})
    assert page.status_code == 422 and NAME_MESSAGE in page.get_data(as_text=True)


# The video link


def test_issue_example_attribute_access_in_the_video_link_is_refused_on_save(clinic, practice_admin):
    """Issue: the template accepted {appointment_id.__class__.__mro__}. Expected: refused with a clear message."""
    with pytest.raises(Invalid) as refused:
        admin.update_scheduling_settings(practice_admin, clinic.practice.id, {"video_url_template": ATTACK})
    assert refused.value.fields == {"video_url_template": [
        "Only {appointment_id} or {appointment_uid} can go in braces, exactly as written here; remove "
        "{appointment_id.__class__.__mro__}."]}
    for bad in ("https://v.example/{appointment_id[0]}", "https://v.example/{appointment_id!r}",
                "https://v.example/{appointment_id:>9}", "https://v.example/{0}", "https://v.example/{}",
                "https://v.example/{patient}/{appointment_id}", "https://v.example/{appointment_id"):
        with pytest.raises(Invalid):
            admin.update_scheduling_settings(practice_admin, clinic.practice.id, {"video_url_template": bad})
    assert db.session.get(PracticeSchedulingSettings, clinic.practice.id) is None
    ok = admin.update_scheduling_settings(practice_admin, clinic.practice.id, {
        "video_url_template": "https://v.example/{{room}}/{appointment_uid}?n={appointment_id}"})
    assert ok.video_url_template.endswith("{appointment_uid}?n={appointment_id}")


def test_api_and_portal_refuse_the_attack_template(client, clinic, practice_admin):
    r = client.patch(f"/api/v1/practices/{clinic.practice.id}/scheduling-settings",
                     json={"video_url_template": ATTACK}, headers=auth(client, practice_admin))
    assert r.status_code == 422 and "remove {appointment_id.__class__.__mro__}" in r.json["errors"][
        "video_url_template"][0]
    login(client, practice_admin)
    page = client.post(f"/settings/scheduling/{clinic.practice.id}/rules", data=RULES | {"video_url_template": ATTACK})
    assert page.status_code == 422 and "remove {appointment_id.__class__.__mro__}" in page.get_data(as_text=True)


def test_rendering_never_evaluates_attribute_access(clinic):
    """A template stored before the check (or by hand) is refused at join time, not evaluated."""
    start = utcnow() + timedelta(minutes=5)
    appt = place(clinic, start.replace(second=0, microsecond=0), visit=clinic.video)
    db.session.add(PracticeSchedulingSettings(practice_id=clinic.practice.id, video_url_template=ATTACK))
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        booking.join_link(clinic.patient.user, clinic.patient, appt.id)
    assert str(refused.value.message) == "The video link is not set up correctly. Please call the practice."
    settings = db.session.get(PracticeSchedulingSettings, clinic.practice.id)
    settings.video_url_template = "https://v.example/{appointment_uid}/{appointment_id}"
    db.session.commit()
    assert booking.join_link(clinic.patient.user, clinic.patient, appt.id) == (
        f"https://v.example/{appt.uid}/{appt.id}")


def test_notification_texts_fill_named_placeholders_only():
    """The same rule where Hearth fills its own notification texts."""
    from hearth.notify import templates
    from hearth.placeholders import PlaceholderError, fill

    rendered = templates.render("appointment_cancelled", "en", {"date": "{date.__class__}", "time": "10:00"})
    assert "{date.__class__}" in rendered.body  # a value is text, never read as a placeholder
    with pytest.raises(PlaceholderError):
        fill("Hi {name.__class__.__mro__}", {"name": "x"})
    with pytest.raises(PlaceholderError):
        fill("Hi {name[0]}", {"name": "x"})
    assert fill("{{literal}} {name}", {"name": "Ana"}) == "{literal} Ana"
