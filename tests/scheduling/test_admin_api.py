"""/api/v1/practices/<id>/visit-types, /hours, /exceptions and /scheduling-settings."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hearth import db
from tests.querycount import count_queries
from tests.scheduling.conftest import future_day, make_visit_type, place
from tests.scheduling.test_api import auth


def test_visit_types_read_by_staff_written_by_admins(client, clinic, practice_admin):
    base = f"/api/v1/practices/{clinic.practice.id}/visit-types"
    staff_h, admin_h = auth(client, clinic.staff), auth(client, practice_admin)
    listed = client.get(base, headers=staff_h)
    assert listed.status_code == 200
    assert [v["name"] for v in listed.json] == ["Check-up", "Video chat"]
    assert listed.json[0]["providers"][0]["id"] == clinic.provider.id and listed.json[0]["active"] is True
    body = {"name": "Flu shot", "duration_minutes": 10, "mode": "in_person", "provider_ids": [clinic.provider.id],
            "questionnaire": [{"text": "Fever today?", "type": "yes_no", "required": True}]}
    refused = client.post(base, json=body, headers=staff_h)
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    made = client.post(base, json=body, headers=admin_h)
    assert made.status_code == 201, made.json
    vid = made.json["id"]
    assert made.json["questionnaire"][0]["text"] == "Fever today?" and made.json["questionnaire"][0]["id"]
    patched = client.patch(f"{base}/{vid}", json={"self_schedulable": False, "instructions": "Eat first."},
                           headers=admin_h)
    assert patched.status_code == 200 and patched.json["self_schedulable"] is False
    assert patched.json["questionnaire"] == made.json["questionnaire"]  # untouched when not sent
    added = client.post(f"{base}/{vid}/questions", json={"text": "Egg allergy?", "type": "yes_no"}, headers=admin_h)
    assert added.status_code == 201 and [q["text"] for q in added.json] == ["Fever today?", "Egg allergy?"]
    qid = added.json[0]["id"]
    assert client.delete(f"{base}/{vid}/questions/{qid}", headers=admin_h).status_code == 204
    assert client.delete(f"{base}/{vid}/questions/{qid}", headers=admin_h).status_code == 404
    assert client.delete(f"{base}/{vid}", headers=admin_h).status_code == 204
    assert client.get(f"{base}/{vid}", headers=staff_h).status_code == 404


def test_visit_type_bad_input_and_used_type_answers(client, clinic, practice_admin):
    base = f"/api/v1/practices/{clinic.practice.id}/visit-types"
    h = auth(client, practice_admin)
    bad = client.post(base, json={"name": "", "duration_minutes": 7, "mode": "phone"}, headers=h)
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert {"name", "duration_minutes", "mode"} <= set(bad.json["errors"])
    place(clinic, datetime.now(UTC).replace(microsecond=0) + timedelta(days=3))
    db.session.commit()
    used = client.delete(f"{base}/{clinic.visit.id}", headers=h)
    assert used.status_code == 409 and "inactive" in used.json["detail"]


def test_visit_type_list_runs_bounded_queries(client, clinic, practice_admin):
    h = auth(client, practice_admin)
    url = f"/api/v1/practices/{clinic.practice.id}/visit-types"
    with count_queries() as few:
        assert client.get(url, headers=h).status_code == 200
    for n in range(8):
        make_visit_type(clinic.practice, name=f"Type {n}", providers=[clinic.provider])
    db.session.commit()
    with count_queries() as many:
        assert len(client.get(url, headers=h).json) == 10
    assert many.count <= few.count, many.statements


def test_hours_validation_and_changes(client, clinic, practice_admin):
    base = f"/api/v1/practices/{clinic.practice.id}/hours"
    h = auth(client, practice_admin)
    listed = client.get(base, headers=auth(client, clinic.staff))
    assert listed.status_code == 200 and len(listed.json) == 7
    assert listed.json[0]["start_time"] == "09:00:00" and listed.json[0]["location"]["name"] == "Main Street"
    body = {"provider_id": clinic.provider.id, "location_id": clinic.location.id, "weekday": 2,
            "start_time": "19:00", "end_time": "18:00"}
    backwards = client.post(base, json=body, headers=h)
    assert backwards.status_code == 422 and set(backwards.json["errors"]) == {"end_time"}
    overlap = client.post(base, json=body | {"start_time": "16:30", "end_time": "18:00"}, headers=h)
    assert overlap.status_code == 422 and set(overlap.json["errors"]) == {"start_time"}
    made = client.post(base, json=body | {"start_time": "17:00", "end_time": "19:00"}, headers=h)
    assert made.status_code == 201, made.json
    hid = made.json["id"]
    moved = client.patch(f"{base}/{hid}", json={"end_time": "20:00"}, headers=h)
    assert moved.status_code == 200 and moved.json["end_time"] == "20:00:00"
    assert client.patch(f"{base}/{hid}", json={"start_time": "21:00"}, headers=h).status_code == 422
    assert client.delete(f"{base}/{hid}", headers=h).status_code == 204


def test_exceptions_in_local_time_with_paging(client, clinic, practice_admin):
    base = f"/api/v1/practices/{clinic.practice.id}/exceptions"
    h = auth(client, practice_admin)
    day = future_day(9)
    made = client.post(base, json={"provider_id": clinic.provider.id, "starts_at": f"{day}T13:00:00",
                                   "ends_at": f"{day}T17:00:00", "reason": "Conference"}, headers=h)
    assert made.status_code == 201, made.json
    ny = ZoneInfo("America/New_York")
    expected = datetime.combine(day, time(13), tzinfo=ny).astimezone(UTC)
    assert datetime.fromisoformat(made.json["starts_at"]) == expected
    assert made.json["timezone"] == "America/New_York" and made.json["booked_appointments"] == 0
    eid = made.json["id"]
    listed = client.get(base, headers=auth(client, clinic.staff))
    assert listed.status_code == 200 and [i["id"] for i in listed.json["items"]] == [eid]
    assert listed.json["has_next"] is False and listed.json["page"] == 1
    bad = client.patch(f"{base}/{eid}", json={"ends_at": f"{day}T12:00:00"}, headers=h)
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"ends_at"}
    extra = client.patch(f"{base}/{eid}", json={"kind": "extra_hours"}, headers=h)
    assert extra.status_code == 422 and set(extra.json["errors"]) == {"location_id"}
    assert client.delete(f"{base}/{eid}", headers=h).status_code == 204
    assert client.get(base, query_string={"page": 0}, headers=h).status_code == 422


def test_scheduling_settings(client, clinic, practice_admin):
    url = f"/api/v1/practices/{clinic.practice.id}/scheduling-settings"
    h = auth(client, practice_admin)
    got = client.get(url, headers=auth(client, clinic.staff))
    assert got.status_code == 200
    assert got.json["reminder_offsets"] == [10080, 1440, 120] and got.json["cancel_cutoff_hours"] == 24
    bad = client.patch(url, json={"video_url_template": "https://video.example/room", "reminder_offsets": [0, -5],
                                  "checkin_opens_hours": 0}, headers=h)
    assert bad.status_code == 422
    assert set(bad.json["errors"]) == {"reminder_offsets", "checkin_opens_hours"}
    bad_link = client.patch(url, json={"video_url_template": "https://video.example/room"}, headers=h)
    assert bad_link.status_code == 422 and set(bad_link.json["errors"]) == {"video_url_template"}
    saved = client.patch(url, json={"video_url_template": "https://meet.example/{appointment_id}",
                                    "reminder_offsets": [30, 1440], "video_join_minutes_before": 5}, headers=h)
    assert saved.status_code == 200, saved.json
    assert saved.json["reminder_offsets"] == [1440, 30] and saved.json["video_join_minutes_before"] == 5
    assert client.patch(url, json={"cancel_cutoff_hours": 2}, headers=auth(client, clinic.staff)).status_code == 403


def test_the_openapi_document_lists_the_setup_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/practices/{practice_id}/visit-types", "/api/v1/practices/{practice_id}/hours/{hours_id}",
                 "/api/v1/practices/{practice_id}/exceptions", "/api/v1/practices/{practice_id}/scheduling-settings",
                 "/api/v1/patients/{patient_id}/waitlist/{entry_id}/book"):
        assert path in paths, path
    assert paths["/api/v1/practices/{practice_id}/visit-types"]["post"]["security"] == [{"bearerAuth": []}]
