"""Issue 9's "Done when" flows over /api/v1 only: the same journeys the browser tests walk at phone width.

A patient writes with a photo and a provider working the pool inbox answers (read receipts both ways); a
caregiver does the same "for" her mother; an urgent word is refused (409) until the warning was shown; a
refill goes request -> approve -> a notification row is queued; a released result shows its comment and
trend; a teen's confidential thread stays invisible to her guardian.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hearth import db
from hearth.clock import utcnow
from hearth.models import GrantKind, MessageThread, Notification, RefillRequest, StaffRole, ThreadPriority
from tests.api.test_staff import bearer
from tests.factories import make_grant, make_user
from tests.medications.helpers import make_world
from tests.messages.files import GPS_IFD, exif_of, jpeg_with_gps
from tests.messages.helpers import make_clinic, make_teen
from tests.portal.test_staff import enrolled_staff
from tests.results.helpers import clinic, glucose, record


@pytest.fixture(autouse=True)
def _storage(app, tmp_path):
    app.config["FILE_STORAGE_DIR"] = str(tmp_path / "uploads")
    yield
    app.config.pop("FILE_STORAGE_DIR", None)


def _new(**kw) -> dict:
    return {"reason": "medical_question", "subject": "Rash on my arm", "body": "It has been itchy for a week.", **kw}


def _clinic_with_provider():
    c = make_clinic()
    doctor = enrolled_staff(practice=c.practice, role=StaffRole.PROVIDER, name="Dr Grey")
    db.session.commit()
    return c, doctor


def _write_with_photo(client, auth, patient_id) -> tuple[int, list[dict]]:
    base = f"/api/v1/patients/{patient_id}/messages/threads"
    started = client.post(base, headers=auth, json=_new())
    assert started.status_code == 201, started.json
    thread_id, message_id = started.json["id"], started.json["messages"][0]["id"]
    up = client.post(f"{base}/{thread_id}/messages/{message_id}/files", headers=auth,
                     data={"files": [(io.BytesIO(jpeg_with_gps()), "IMG_0001.jpg")]},
                     content_type="multipart/form-data")
    assert up.status_code == 201, up.json
    return thread_id, up.json


def _provider_answers(client, practice_id, auth, thread_id, body="Please send another photo tomorrow."):
    inbox = client.get(f"/api/v1/practices/{practice_id}/inbox", headers=auth)
    assert inbox.status_code == 200
    row = next(r for r in inbox.json["items"] if r["thread"]["id"] == thread_id)
    assert row["unread"]
    base = f"/api/v1/practices/{practice_id}/inbox/threads/{thread_id}"
    assert client.post(base + "/claim", headers=auth).json["owner"]["display_name"] == "Dr Grey"
    seen = client.get(base, headers=auth).json
    sent = client.post(base + "/messages", headers=auth, json={"body": body})
    assert sent.status_code == 201 and sent.json["internal"] is False
    return seen


def test_patient_sends_a_photo_and_the_pool_inbox_replies(client):
    c, doctor = _clinic_with_provider()
    me = bearer(client, c.patient.user)
    thread_id, files = _write_with_photo(client, me, c.patient.id)
    photo = client.get(files[0]["download_url"], headers=me)
    assert photo.status_code == 200 and GPS_IFD not in exif_of(photo.data)

    doctor_auth = bearer(client, doctor)  # once: a one-time code is never taken twice
    seen = _provider_answers(client, c.practice.id, doctor_auth, thread_id)
    assert seen["messages"][0]["body"] == "It has been itchy for a week."

    base = f"/api/v1/patients/{c.patient.id}/messages/threads"
    listed = client.get(base, headers=me).json
    assert listed["items"][0]["unread"] is True
    got = client.get(f"{base}/{thread_id}", headers=me).json
    assert [m["from_care_team"] for m in got["messages"]] == [False, True]
    assert got["messages"][0]["read_by_care_team_at"] is not None  # "Read by your care team at ..."
    assert client.post(f"{base}/{thread_id}/read", headers=me).json["unread"] is False
    staff_view = client.get(f"/api/v1/practices/{c.practice.id}/inbox/threads/{thread_id}",
                            headers=doctor_auth).json
    assert staff_view["messages"][1]["read_by_patient_at"] is not None  # and the other way round
    told = db.session.scalars(select(Notification.recipient_user_id).where(Notification.kind == "message")).all()
    assert told == [c.patient.user.id]


def test_caregiver_writes_for_her_mother_and_reads_the_reply(client):
    c, doctor = _clinic_with_provider()
    daughter = make_user(name="Sarah Mitchell")
    make_grant(patient=c.patient, caregiver=daughter, scopes=("messages",))
    db.session.commit()
    auth = bearer(client, daughter)
    thread_id, _ = _write_with_photo(client, auth, c.patient.id)
    seen = _provider_answers(client, c.practice.id, bearer(client, doctor), thread_id)
    assert seen["messages"][0]["author_name"] == f"Sarah Mitchell for {c.patient.full_name}"

    got = client.get(f"/api/v1/patients/{c.patient.id}/messages/threads/{thread_id}", headers=auth).json
    assert got["messages"][0]["author_name"] == f"Sarah Mitchell for {c.patient.full_name}"
    assert got["messages"][1]["from_care_team"] and got["messages"][0]["read_by_care_team_at"] is not None
    told = set(db.session.scalars(select(Notification.recipient_user_id).where(Notification.kind == "message")))
    assert told == {c.patient.user.id, daughter.id}


def test_urgent_words_are_refused_until_the_warning_was_shown(client):
    c = make_clinic()
    me = bearer(client, c.patient.user)
    base = f"/api/v1/patients/{c.patient.id}/messages/threads"
    refused = client.post(base, headers=me, json=_new(body="Since this morning I have chest pain"))
    assert refused.status_code == 409 and "911" in refused.json["detail"] and "988" in refused.json["detail"]
    assert db.session.scalar(select(func.count(MessageThread.id))) == 0
    sent = client.post(base, headers=me, json=_new(body="Since this morning I have chest pain", warning_shown=True))
    assert sent.status_code == 201
    thread = db.session.get(MessageThread, sent.json["id"])
    assert thread.priority == ThreadPriority.URGENT and thread.urgent_warning_at is not None


def test_refill_request_approved_and_the_patient_notified(client):
    w = make_world()
    staff = enrolled_staff(practice=w.practice, role=StaffRole.PROVIDER)
    db.session.commit()
    me, them = bearer(client, w.patient.user), bearer(client, staff)
    base = f"/api/v1/patients/{w.patient.id}"
    made = client.post(base + "/refill-requests", headers=me,
                       json={"medication_ids": [w.med.id], "pharmacy_id": w.pharmacy.id, "note": "Running low"})
    assert made.status_code == 201 and made.json["status"] == "requested"
    queue = client.get(f"/api/v1/practices/{w.practice.id}/refill-requests", headers=them).json
    assert [row["request"]["id"] for row in queue["items"]] == [made.json["id"]]
    ok = client.post(f"{base}/refill-requests/{made.json['id']}/approve", headers=them,
                     json={"lines": [{"medication_id": w.med.id, "quantity": 60, "refills": 2}]})
    assert ok.status_code == 200 and ok.json["status"] == "approved"
    assert client.get(base + "/refill-requests", headers=me).json["items"][0]["status"] == "approved"
    notes = db.session.scalars(select(Notification).where(Notification.kind == "refill")).all()
    assert [n.recipient_user_id for n in notes] == [w.patient.user.id]
    assert "Lisinopril" not in repr(notes[0].params)  # never a drug name in a notification


def test_refill_of_another_patients_medication_or_pharmacy_changes_nothing(client):
    w, other = make_world(), make_world()
    me = bearer(client, w.patient.user)
    url = f"/api/v1/patients/{w.patient.id}/refill-requests"
    for body, field in (({"medication_ids": [other.med.id], "pharmacy_id": w.pharmacy.id}, "medication_ids"),
                        ({"medication_ids": [w.med.id], "pharmacy_id": other.pharmacy.id}, "pharmacy_id")):
        r = client.post(url, headers=me, json=body)
        assert r.status_code == 422 and field in r.json["errors"]
    assert db.session.scalar(select(func.count(RefillRequest.id))) == 0


def test_released_result_shows_its_comment_and_trend(client):
    c = clinic()
    for days, value in ((90, "101"), (60, "110")):
        record(c, days_ago=days, observations=[glucose(value)])
    staff = bearer(client, c.clinician)
    now = utcnow()
    made = client.post(f"/api/v1/patients/{c.patient.id}/results", headers=staff, json={
        "category": "lab", "name": "Glucose", "performer": "City Lab", "client_key": "journey-1",
        "effective_at": (now - timedelta(days=1)).isoformat(), "issued_at": (now - timedelta(hours=2)).isoformat(),
        "observations": [{"name": "Glucose", "loinc_code": "2345-7", "value_quantity": 124, "unit": "mg/dL",
                          "range_low": 70, "range_high": 99}]})
    assert made.status_code == 201, made.json
    report_id = made.json["report"]["id"]
    comment = client.put(f"/api/v1/patients/{c.patient.id}/results/{report_id}/comment", headers=staff,
                         json={"comment": "Your sugar is a little high. Let us talk at your visit."})
    assert comment.status_code == 200
    me = bearer(client, c.patient.user)
    listing = client.get(f"/api/v1/patients/{c.patient.id}/results", headers=me).json
    assert listing["total"] == 3
    detail = client.get(f"/api/v1/patients/{c.patient.id}/results/{report_id}", headers=me).json
    assert detail["report"]["comment"].startswith("Your sugar is a little high")
    assert detail["observations"][0]["interpretation"] == "H" and detail["observations"][0]["out_of_range"]
    trend = client.get(f"/api/v1/patients/{c.patient.id}/result-trends/2345-7?unit=mg/dL", headers=me)
    assert trend.status_code == 200 and [p["value"] for p in trend.json["points"]] == [101, 110, 124]


def test_teens_confidential_thread_is_invisible_to_her_guardian(client):
    c = make_clinic()
    teen = make_teen(c.practice, utcnow().date())
    mother = make_user(name="David Nguyen")
    make_grant(patient=teen, caregiver=mother, kind=GrantKind.GUARDIAN)
    db.session.commit()
    base = f"/api/v1/patients/{teen.id}/messages/threads"
    teen_auth, mother_auth = bearer(client, teen.user), bearer(client, mother)
    secret = client.post(base, headers=teen_auth, json=_new(subject="Private question", confidential=True))
    assert secret.status_code == 201 and secret.json["confidential"] is True
    plain = client.post(base, headers=teen_auth, json=_new(subject="School form", reason="forms"))
    assert plain.status_code == 201
    listed = client.get(base, headers=mother_auth)
    assert listed.status_code == 200 and [t["id"] for t in listed.json["items"]] == [plain.json["id"]]
    assert "Private question" not in listed.get_data(as_text=True)
    assert client.get(f"{base}/{secret.json['id']}", headers=mother_auth).status_code == 404
    assert client.post(f"{base}/{secret.json['id']}/messages", headers=mother_auth,
                       json={"body": "hello?"}).status_code == 404
    refused = client.post(base, headers=mother_auth, json=_new(confidential=True))
    assert refused.status_code in (403, 422)
