"""/api/v1 secure messages: the patient's and caregiver's flows, files, urgent words, bounded reads."""

import io

import pytest
from sqlalchemy import func, select

from hearth import db
from hearth.models import MessageThread, ThreadPriority
from hearth.services.messages import post_message
from tests.api.test_staff import bearer
from tests.factories import make_grant, make_user
from tests.messages.files import EXECUTABLE, GPS_IFD, exif_of, heic, jpeg_with_gps
from tests.messages.helpers import make_clinic, start
from tests.querycount import count_queries


@pytest.fixture(autouse=True)
def _storage(app, tmp_path):
    app.config["FILE_STORAGE_DIR"] = str(tmp_path / "uploads")
    yield
    app.config.pop("FILE_STORAGE_DIR", None)


def new_thread(**kw):
    data = {"reason": "medical_question", "subject": "Rash", "body": "Itchy for a week."}
    data.update(kw)
    return data


def test_reasons_with_reply_by(client):
    c = make_clinic()
    r = client.get(f"/api/v1/patients/{c.patient.id}/messages/reasons", headers=bearer(client, c.patient.user))
    assert r.status_code == 200
    by_reason = {o["reason"]: o for o in r.json}
    assert by_reason["billing"]["pool_name"] == "Billing" and by_reason["billing"]["reply_target_business_days"] == 3
    assert by_reason["medical_question"]["reply_by"].endswith("+00:00")


def test_patient_flow_start_upload_reply_read_close(client):
    c = make_clinic()
    auth = bearer(client, c.patient.user)
    base = f"/api/v1/patients/{c.patient.id}/messages/threads"
    r = client.post(base, headers=auth, json=new_thread())
    assert r.status_code == 201, r.json
    thread_id, message_id = r.json["id"], r.json["messages"][0]["id"]
    assert r.json["status"] == "open" and r.json["reply_by"] and r.json["messages"][0]["author_relation"] == "self"
    up = client.post(f"{base}/{thread_id}/messages/{message_id}/files", headers=auth,
                     data={"files": [(io.BytesIO(jpeg_with_gps()), "IMG_1.jpg"), (io.BytesIO(heic()), "IMG_2.heic")]},
                     content_type="multipart/form-data")
    assert up.status_code == 201, up.json
    assert [f["content_type"] for f in up.json] == ["image/jpeg", "image/jpeg"]
    file = client.get(up.json[0]["download_url"], headers=auth)
    assert file.status_code == 200 and file.headers["Content-Disposition"].startswith("attachment;")
    assert file.headers["X-Content-Type-Options"] == "nosniff" and GPS_IFD not in exif_of(file.data)
    post_message(c.nurse, thread_id, "Please come in.")
    post_message(c.nurse, thread_id, "Secret staff note", internal=True)
    db.session.commit()
    listed = client.get(base, headers=auth).json
    assert listed["total"] == 1 and listed["items"][0]["unread"] is True
    got = client.get(f"{base}/{thread_id}", headers=auth)
    assert "Secret staff note" not in got.get_data(as_text=True)
    assert [m["from_care_team"] for m in got.json["messages"]] == [False, True]
    assert got.json["messages"][0]["read_by_care_team_at"] is not None  # replying reads it
    read = client.post(f"{base}/{thread_id}/read", headers=auth)
    assert read.status_code == 200 and read.json["unread"] is False
    reply = client.post(f"{base}/{thread_id}/messages", headers=auth, json={"body": "Thanks, see you."})
    assert reply.status_code == 201 and reply.json["body"] == "Thanks, see you."
    closed = client.post(f"{base}/{thread_id}/close", headers=auth)
    assert closed.status_code == 200 and closed.json["status"] == "closed"
    late = client.post(f"{base}/{thread_id}/messages", headers=auth, json={"body": "late"})
    assert late.status_code == 409 and late.mimetype == "application/problem+json"


def test_caregiver_writes_for_the_patient(client):
    c = make_clinic()
    daughter = make_user(name="Ana Lopez")
    make_grant(patient=c.patient, caregiver=daughter, scopes=("messages",))
    db.session.commit()
    r = client.post(f"/api/v1/patients/{c.patient.id}/messages/threads", headers=bearer(client, daughter),
                    json=new_thread())
    assert r.status_code == 201
    assert r.json["messages"][0]["author_name"] == f"Ana Lopez for {c.patient.full_name}"
    other = make_user()
    make_grant(patient=c.patient, caregiver=other, scopes=("billing",))
    db.session.commit()
    r = client.get(f"/api/v1/patients/{c.patient.id}/messages/threads", headers=bearer(client, other))
    assert r.status_code == 404


def test_urgent_words_need_the_warning_first(client):
    c = make_clinic()
    auth = bearer(client, c.patient.user)
    base = f"/api/v1/patients/{c.patient.id}/messages/threads"
    r = client.post(base, headers=auth, json=new_thread(body="I can't breathe"))
    assert r.status_code == 409 and "911" in r.json["detail"] and "warning_shown" in r.json["errors"]
    assert db.session.scalar(select(func.count()).select_from(MessageThread)) == 0
    r = client.post(base, headers=auth, json=new_thread(body="I can't breathe", warning_shown=True))
    assert r.status_code == 201
    thread = db.session.get(MessageThread, r.json["id"])
    assert thread.priority == ThreadPriority.URGENT and thread.urgent_warning_at is not None


@pytest.mark.parametrize(("payload", "field"), [
    (new_thread(body=""), "body"),
    (new_thread(body="x" * 5000), "body"),
    (new_thread(subject="s" * 81), "subject"),
    (new_thread(reason="gossip"), "reason"),
])
def test_bad_input_is_a_422_with_field_errors(client, payload, field):
    c = make_clinic()
    r = client.post(f"/api/v1/patients/{c.patient.id}/messages/threads", headers=bearer(client, c.patient.user),
                    json=payload)
    assert r.status_code == 422 and field in r.json["errors"]
    assert db.session.scalar(select(func.count()).select_from(MessageThread)) == 0


def test_bad_files_and_other_peoples_messages(client):
    c = make_clinic()
    thread = start(c.patient.user, c.patient)
    reply = post_message(c.nurse, thread.id, "hello")
    db.session.commit()
    auth = bearer(client, c.patient.user)
    base = f"/api/v1/patients/{c.patient.id}/messages/threads/{thread.id}/messages"
    own = thread.messages[0].id
    r = client.post(f"{base}/{own}/files", headers=auth, data={"files": [(io.BytesIO(EXECUTABLE), "x.pdf")]},
                    content_type="multipart/form-data")
    assert r.status_code == 422 and "x.pdf" in r.json["errors"]["files"][0]
    big = io.BytesIO(b"%PDF-" + b"0" * (30 * 1024 * 1024))
    r = client.post(f"{base}/{own}/files", headers=auth, data={"files": [(big, "big.pdf")]},
                    content_type="multipart/form-data")
    assert r.status_code == 422 and "10 MB" in r.json["errors"]["files"][0]
    r = client.post(f"{base}/{reply.id}/files", headers=auth, data={"files": [(io.BytesIO(b"%PDF-1"), "a.pdf")]},
                    content_type="multipart/form-data")
    assert r.status_code == 403
    stranger = make_clinic()
    r = client.get(f"/api/v1/patients/{c.patient.id}/messages/threads/{thread.id}",
                   headers=bearer(client, stranger.patient.user))
    assert r.status_code == 404
    r = client.post(f"/api/v1/patients/{stranger.patient.id}/messages/threads/{thread.id}/messages",
                    headers=bearer(client, stranger.patient.user), json={"body": "hi"})
    assert r.status_code == 404


def test_thread_list_and_thread_read_in_bounded_statements(client):
    c = make_clinic()
    first = start(c.patient.user, c.patient)
    db.session.commit()
    auth = bearer(client, c.patient.user)
    base = f"/api/v1/patients/{c.patient.id}/messages/threads"
    with count_queries() as few:
        client.get(base, headers=auth)
    with count_queries() as one:
        client.get(f"{base}/{first.id}", headers=auth)
    for i in range(6):
        start(c.patient.user, c.patient, subject=f"Q{i}")
        post_message(c.nurse, first.id, f"answer {i}")
    db.session.commit()
    with count_queries() as many:
        assert len(client.get(base, headers=auth).json["items"]) == 7
    with count_queries() as long:
        assert len(client.get(f"{base}/{first.id}", headers=auth).json["messages"]) == 7
    assert many.count == few.count and long.count == one.count
