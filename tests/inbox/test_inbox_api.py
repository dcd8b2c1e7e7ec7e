from datetime import timedelta

from sqlalchemy import select

from hearth import db
from hearth.models import Message
from tests.api.test_staff import bearer
from tests.factories import make_patient, make_practice
from tests.inbox.helpers import make_thread
from tests.inbox.test_inbox_portal import setup_clinic
from tests.portal.test_staff import enrolled_staff
from tests.querycount import count_queries


def test_list_counts_and_filters(client):
    practice, nurse, doctor, pool, desk, ana = setup_clinic()
    late = make_thread(patient=ana, pool=pool, subject="Late", due_in=-timedelta(minutes=1))
    make_thread(patient=ana, pool=desk, subject="Bill")
    auth = bearer(client, nurse)
    r = client.get(f"/api/v1/practices/{practice.id}/inbox", headers=auth)
    assert r.status_code == 200
    assert [row["thread"]["subject"] for row in r.json["items"]] == ["Late", "Bill"]
    assert r.json["items"][0]["overdue"] and r.json["items"][0]["unread"]
    assert r.json["items"][0]["thread"]["patient"]["given_name"] == "Ana"
    assert (r.json["page"], r.json["per_page"], r.json["total"]) == (1, 25, 2)
    only = client.get(f"/api/v1/practices/{practice.id}/inbox?pool_id={desk.id}&q=bill", headers=auth).json
    assert [row["thread"]["subject"] for row in only["items"]] == ["Bill"]
    counts = client.get(f"/api/v1/practices/{practice.id}/inbox/counts", headers=auth).json
    assert counts["unread_total"] == 2
    bad = client.get(f"/api/v1/practices/{practice.id}/inbox?view=all&per_page=500", headers=auth)
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"view", "per_page"}
    assert client.get(f"/api/v1/practices/{practice.id}/inbox", headers=bearer(client, ana.user)).status_code == 403
    assert client.get(f"/api/v1/practices/{practice.id}/inbox/threads/{late.id}",
                      headers=bearer(client, ana.user)).status_code == 404


def test_claim_reply_note_assign_status_over_the_api(client):
    practice, nurse, doctor, pool, desk, ana = setup_clinic()
    thread = make_thread(patient=ana, pool=pool, body="Help")
    auth = bearer(client, doctor)
    base = f"/api/v1/practices/{practice.id}/inbox/threads/{thread.id}"
    claimed = client.post(base + "/claim", headers=auth)
    assert claimed.status_code == 200 and claimed.json["owner"]["display_name"] == "Dr Grey"
    assert client.post(base + "/claim", headers=bearer(client, nurse)).status_code == 409
    sent = client.post(base + "/messages", json={"body": "Come in today."}, headers=auth)
    assert sent.status_code == 201 and sent.json["internal"] is False and sent.json["read_by_patient_at"] is None
    note = client.post(base + "/messages", json={"body": "Seen her last week", "internal": True}, headers=auth)
    assert note.status_code == 201 and note.json["internal"] is True
    assert client.post(base + "/messages", json={"body": ""}, headers=auth).status_code == 422
    assert client.put(base + "/assignee", json={"assignee_id": nurse.id}, headers=auth).json["owner"]["id"] == nurse.id
    assert client.put(base + "/assignee", json={"assignee_id": ana.user_id}, headers=auth).status_code == 422
    assert client.put(base + "/status", json={"status": "closed"}, headers=auth).json["status"] == "closed"
    assert client.put(base + "/priority", json={"priority": "urgent"}, headers=auth).json["priority"] == "urgent"
    assert client.put(base + "/pool", json={"pool_id": desk.id}, headers=auth).json["pool"]["id"] == desk.id
    view = client.get(base, headers=auth).json
    assert [m["body"] for m in view["messages"]] == ["Help", "Come in today.", "Seen her last week"]
    assert view["messages"][0]["read_by_staff_at"] is not None
    assert [h["kind"] for h in view["history"]] == ["claimed", "assigned", "status", "priority", "pool", "unassigned"]
    assert view["thread"]["first_staff_reply_at"] is not None


def test_notes_never_reach_the_patients_api(client):
    practice, nurse, doctor, pool, desk, ana = setup_clinic()
    thread = make_thread(patient=ana, pool=pool, body="Help")
    auth = bearer(client, nurse)
    base = f"/api/v1/practices/{practice.id}/inbox/threads/{thread.id}"
    client.post(base + "/messages", json={"body": "SECRET-NOTE-123", "internal": True}, headers=auth)
    client.post(base + "/messages", json={"body": "Visible reply"}, headers=auth)
    patient_auth = bearer(client, ana.user)
    seen = ""
    for path in (f"/api/v1/patients/{ana.id}/messages/threads",
                 f"/api/v1/patients/{ana.id}/messages/threads/{thread.id}"):
        response = client.get(path, headers=patient_auth)
        assert response.status_code == 200
        seen += response.get_data(as_text=True)
    assert "Visible reply" in seen and "SECRET-NOTE-123" not in seen
    assert db.session.scalar(select(Message.internal).where(Message.body == "SECRET-NOTE-123")) is True


def test_templates_and_outreach(client):
    practice, nurse, doctor, pool, desk, ana = setup_clinic()
    auth = bearer(client, nurse)
    base = f"/api/v1/practices/{practice.id}/inbox"
    made = client.post(base + "/templates", json={"title": "Call", "body": "Hi {first_name}, call {practice_phone}",
                                                  "body_es": "Hola {first_name}"}, headers=auth)
    assert made.status_code == 201 and made.json["body_es"] == "Hola {first_name}"
    assert client.post(base + "/templates", json={"title": "call", "body": "x"}, headers=auth).status_code == 409
    bad = client.post(base + "/templates", json={"title": "Bad", "body": "{x[0]}"}, headers=auth)
    assert bad.status_code == 422 and "body" in bad.json["errors"]
    tid = made.json["id"]
    assert client.put(f"{base}/templates/{tid}", json={"title": "Call us", "body": "Hi {first_name}"},
                      headers=auth).json["title"] == "Call us"
    started = client.post(base + "/outreach", json={"patient_id": ana.id, "pool_id": pool.id, "subject": "Hello",
                                                    "body": "Flu shots are here"}, headers=auth)
    assert started.status_code == 201 and started.json["status"] == "waiting"
    filled = client.get(f"{base}/threads/{started.json['id']}/templates/{tid}", headers=auth)
    assert filled.json == {"body": "Hi Ana"}
    assert len(client.get(base + "/templates", headers=auth).json) == 1
    assert client.delete(f"{base}/templates/{tid}", headers=auth).status_code == 204
    assert client.get(base + "/templates", headers=auth).json == []
    other = make_patient(practice=make_practice())
    db.session.commit()
    assert client.post(base + "/outreach", json={"patient_id": other.id, "pool_id": pool.id, "subject": "x",
                                                 "body": "y"}, headers=auth).status_code == 404
    chart = client.get(f"/api/v1/practices/{practice.id}/patients/{ana.id}/threads", headers=auth)
    assert [row["thread"]["subject"] for row in chart.json] == ["Hello"]


def test_api_list_statements_are_bounded(client):
    practice, nurse, doctor, pool, desk, ana = setup_clinic()
    make_thread(patient=ana, pool=pool)
    auth = bearer(client, nurse)
    url = f"/api/v1/practices/{practice.id}/inbox?view=open"
    client.get(url, headers=auth)
    with count_queries() as few:
        client.get(url, headers=auth)
    other_staff = enrolled_staff(practice=practice)
    for i in range(10):
        thread = make_thread(patient=make_patient(practice=practice), pool=pool, subject=f"s{i}")
        thread.owner_user_id = other_staff.id if i % 2 else None
    db.session.commit()
    with count_queries() as many:
        assert len(client.get(url, headers=auth).json["items"]) == 11
    assert many.count <= few.count + 1  # + the owners' memberships, loaded once for every owner


def test_files_on_a_reply_over_the_api(client, app, tmp_path, monkeypatch):
    import io

    from tests.inbox.test_inbox_portal import _png

    monkeypatch.setitem(app.config, "FILE_STORAGE_DIR", str(tmp_path))
    practice, nurse, doctor, pool, desk, ana = setup_clinic()
    thread = make_thread(patient=ana, pool=pool)
    auth = bearer(client, nurse)
    base = f"/api/v1/practices/{practice.id}/inbox/threads/{thread.id}"
    sent = client.post(base + "/messages", json={"body": "See the attached form"}, headers=auth).json
    up = client.post(f"{base}/messages/{sent['id']}/files", headers=auth, content_type="multipart/form-data",
                     data={"files": [(io.BytesIO(_png()), "form.png")]})
    assert up.status_code == 201 and up.json[0]["content_type"] == "image/png"
    got = client.get(f"{base}/files/{up.json[0]['id']}", headers=auth)
    assert got.status_code == 200 and got.headers["Content-Disposition"].startswith("attachment")
    doctor_auth = bearer(client, doctor)
    assert client.get(f"{base}/files/{up.json[0]['id']}", headers=doctor_auth).status_code == 200
    other = client.post(f"{base}/messages/{sent['id']}/files", headers=doctor_auth,
                        content_type="multipart/form-data", data={"files": [(io.BytesIO(_png()), "x.png")]})
    assert other.status_code == 403
