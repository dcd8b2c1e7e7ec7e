from datetime import timedelta

from sqlalchemy import select

from hearth import db
from hearth.clock import utcnow
from hearth.models import Message, StaffRole, ThreadStatus
from hearth.services.messages import inbox_templates
from tests.factories import make_patient, make_practice
from tests.inbox.helpers import make_pool, make_thread
from tests.portal.test_staff import enrolled_staff, sign_in
from tests.querycount import count_queries


def setup_clinic():
    practice = make_practice(name="Oak Clinic", phone="+12025550143")
    nurse = enrolled_staff(practice=practice, name="Nora Nurse")
    doctor = enrolled_staff(practice=practice, role=StaffRole.PROVIDER, name="Dr Grey")
    pool = make_pool(practice=practice, name="Nurse line")
    desk = make_pool(practice=practice, name="Front desk")
    ana = make_patient(practice=practice, given_name="Ana", family_name="Lopez")
    db.session.commit()
    return practice, nurse, doctor, pool, desk, ana


def test_staff_land_on_the_workspace_with_messages_and_today(client):
    practice, nurse, _doctor, pool, _desk, ana = setup_clinic()
    make_thread(patient=ana, pool=pool, subject="Late", due_in=-timedelta(hours=1))
    response = sign_in(client, nurse)
    assert response.headers["Location"] == "/workspace"
    body = client.get("/workspace").get_data(as_text=True)
    assert "Workspace" in body and "Oak Clinic" in body
    assert "1 unread conversation" in body and "1 past its reply target" in body
    assert "Nurse line" in body and "1 overdue" in body
    assert "Today&#39;s schedule" in body or "Today's schedule" in body
    assert "Late" not in body  # no subjects on the workspace
    nav = client.get("/workspace").get_data(as_text=True)
    assert 'data-badge-url="/inbox/counts"' in nav and "js/inbox_counts.js" in nav


def test_patients_get_no_workspace_nor_inbox(client):
    practice, *_rest, ana = setup_clinic()
    sign_in(client, ana.user)
    assert client.get("/workspace").status_code == 403
    assert client.get("/inbox").status_code == 404
    assert client.get("/inbox/counts").status_code == 404


def test_counts_endpoint(client):
    practice, nurse, _d, pool, desk, ana = setup_clinic()
    make_thread(patient=ana, pool=pool)
    make_thread(patient=ana, pool=pool, due_in=-timedelta(minutes=1))
    sign_in(client, nurse)
    data = client.get("/inbox/counts").get_json()
    assert data["unread_total"] == 2
    assert {p["name"]: (p["unread"], p["overdue"]) for p in data["pools"]} == {"Nurse line": (2, 1),
                                                                              "Front desk": (0, 0)}
    assert "Ana" not in str(data)


def test_provider_works_a_thread_claim_reply_note_and_history(client):
    practice, nurse, doctor, pool, desk, ana = setup_clinic()
    thread = make_thread(patient=ana, pool=pool, subject="Rash", body="I have a rash")
    sign_in(client, doctor)
    page = client.get("/inbox?view=unassigned").get_data(as_text=True)
    assert "Rash" in page and "Ana Lopez" in page and "Unread" in page
    opened = client.get(f"/inbox/threads/{thread.id}").get_data(as_text=True)
    assert "I have a rash" in opened and "Claim" in opened
    assert client.post(f"/inbox/threads/{thread.id}/claim").status_code == 302
    assert "You claimed this conversation." in client.get(f"/inbox/threads/{thread.id}").get_data(as_text=True)
    assert "Rash" in client.get("/inbox?view=mine").get_data(as_text=True)
    client.post(f"/inbox/threads/{thread.id}/reply", data={"body": "Send a photo, please.", "status": "waiting"})
    client.post(f"/inbox/threads/{thread.id}/reply", data={"body": "Looks like eczema", "internal": "1"})
    client.post(f"/inbox/threads/{thread.id}/assign", data={"assignee_id": str(nurse.id)})
    client.post(f"/inbox/threads/{thread.id}/status", data={"status": "closed"})
    page = client.get(f"/inbox/threads/{thread.id}").get_data(as_text=True)
    assert "Internal note: the patient does not see this" in page
    assert "Not read by the patient yet" in page
    assert "claimed the conversation" in page and "assigned it to Nora Nurse" in page
    assert "changed the status from Waiting on the patient to Closed" in page
    bodies = db.session.scalars(select(Message.body).where(Message.thread_id == thread.id)
                                .order_by(Message.id)).all()
    assert bodies == ["I have a rash", "Send a photo, please.", "Looks like eczema"]
    db.session.refresh(thread)
    assert thread.status == ThreadStatus.CLOSED and thread.first_staff_reply_at is not None


def test_bad_reply_shows_the_form_again_and_changes_nothing(client):
    practice, nurse, doctor, pool, desk, ana = setup_clinic()
    thread = make_thread(patient=ana, pool=pool)
    sign_in(client, nurse)
    response = client.post(f"/inbox/threads/{thread.id}/reply", data={"body": "x" * 4001})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    empty = client.post(f"/inbox/threads/{thread.id}/reply", data={"body": "   "})
    assert empty.status_code == 422
    assert db.session.scalars(select(Message).where(Message.thread_id == thread.id)).all().__len__() == 1
    bad_assign = client.post(f"/inbox/threads/{thread.id}/assign", data={"assignee_id": str(ana.user_id)},
                             follow_redirects=True)
    assert "Choose someone of the care team." in bad_assign.get_data(as_text=True)
    assert client.post(f"/inbox/threads/{thread.id}/status", data={"status": "nope"},
                       follow_redirects=True).status_code == 200


def test_saved_reply_is_inserted_without_javascript(client):
    practice, nurse, doctor, pool, desk, ana = setup_clinic()
    thread = make_thread(patient=ana, pool=pool)
    sign_in(client, nurse)
    created = client.post("/inbox/templates",
                          data={"title": "Call us", "body": "Hi {first_name}, call {practice_phone}."})
    assert created.status_code == 302
    bad = client.post("/inbox/templates", data={"title": "Bad", "body": "{x.__class__}"})
    assert bad.status_code == 422 and "remove {x.__class__}" in bad.get_data(as_text=True)
    tpl = inbox_templates.active_templates(practice.id)[0]
    page = client.get(f"/inbox/threads/{thread.id}?template_id={tpl.id}").get_data(as_text=True)
    assert ">Hi Ana, call (202) 555-0143.</textarea>" in page


def test_outreach_from_the_form(client):
    practice, nurse, doctor, pool, desk, ana = setup_clinic()
    sign_in(client, nurse)
    form = client.get(f"/inbox/new?patient_id={ana.id}").get_data(as_text=True)
    assert "Write to Ana Lopez" in form
    response = client.post("/inbox/new", data={"patient_id": ana.id, "pool_id": pool.id, "subject": "Flu shots",
                                                "body": "Flu shots are here."})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Flu shots are here." in page
    bad = client.post("/inbox/new", data={"patient_id": ana.id, "pool_id": pool.id, "subject": "", "body": ""})
    assert bad.status_code == 422


def test_inbox_page_statements_are_bounded(client):
    practice, nurse, doctor, pool, desk, ana = setup_clinic()
    make_thread(patient=ana, pool=pool)
    sign_in(client, nurse)
    client.get("/inbox?view=open")
    with count_queries() as few:
        client.get("/inbox?view=open")
    for i in range(12):
        make_thread(patient=make_patient(practice=practice), pool=desk if i % 2 else pool, subject=f"s{i}",
                    at=utcnow() - timedelta(minutes=i))
    with count_queries() as many:
        body = client.get("/inbox?view=open").get_data(as_text=True)
    assert body.count("usa-collection__item") == 13
    assert many.count == few.count


def test_the_chart_lists_the_patients_conversations(client):
    practice, nurse, doctor, pool, desk, ana = setup_clinic()
    make_thread(patient=ana, pool=pool, subject="Knee pain", due_in=-timedelta(minutes=5))
    make_thread(patient=make_patient(practice=practice, given_name="Zed"), pool=pool, subject="Not hers")
    sign_in(client, nurse)
    page = client.get(f"/staff/patients/{ana.id}").get_data(as_text=True)
    assert "Knee pain" in page and "Overdue" in page and "Not hers" not in page
    assert f"/inbox/new?practice_id={practice.id}&amp;patient_id={ana.id}" in page


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "PNG")
    return out.getvalue()


def test_reply_with_a_file_and_download_it(client, tmp_path, app, monkeypatch):
    import io

    monkeypatch.setitem(app.config, "FILE_STORAGE_DIR", str(tmp_path))
    practice, nurse, doctor, pool, desk, ana = setup_clinic()
    thread = make_thread(patient=ana, pool=pool)
    sign_in(client, nurse)
    response = client.post(f"/inbox/threads/{thread.id}/reply", content_type="multipart/form-data",
                           data={"body": "Here is the form", "files": (io.BytesIO(_png()), "form.png")})
    assert response.status_code == 302
    page = client.get(f"/inbox/threads/{thread.id}").get_data(as_text=True)
    import re

    link = re.search(r'href="(/inbox/threads/\d+/files/\d+)"', page).group(1)
    download = client.get(link)
    assert download.status_code == 200 and download.headers["Content-Disposition"].startswith("attachment")
    bad = client.post(f"/inbox/threads/{thread.id}/reply", content_type="multipart/form-data",
                      data={"body": "exe", "files": (io.BytesIO(b"MZ" + b"\0" * 100), "report.pdf")})
    assert bad.status_code == 422 and 'id="e-files"' in bad.get_data(as_text=True)


def test_take_over_a_colleagues_thread(client):
    practice, nurse, doctor, pool, desk, ana = setup_clinic()
    thread = make_thread(patient=ana, pool=pool)
    from hearth.services.messages import inbox_actions

    inbox_actions.claim(doctor, thread.id)
    sign_in(client, nurse)
    page = client.get(f"/inbox/threads/{thread.id}").get_data(as_text=True)
    assert "Take over" in page and ">Claim<" not in page
    client.post(f"/inbox/threads/{thread.id}/assign", data={"assignee_id": str(nurse.id)})
    db.session.refresh(thread)
    assert thread.owner_user_id == nurse.id


def test_pool_names_are_in_the_staff_members_language():
    """The practice names its pools in English and Spanish; a Spanish-speaking nurse read "Nurse line" everywhere."""
    from flask import current_app

    from tests.messages.helpers import make_clinic, start

    c = make_clinic()
    nurse = enrolled_staff(practice=c.practice, name="Nora Nurse")
    nurse.locale = "es"
    db.session.commit()
    thread = start(c.patient.user, c.patient)
    db.session.commit()
    client = current_app.test_client()
    sign_in(client, nurse)
    for url in ("/workspace", "/inbox?view=open", f"/inbox/threads/{thread.id}",
                f"/staff/patients/{c.patient.id}"):
        body = client.get(url).get_data(as_text=True)
        assert "Línea de enfermería" in body and "Nurse line" not in body, url


def test_outreach_points_to_the_button_the_chart_has(client):
    """The page named a "Write to the patient" button; the chart's button says "Write to Ana"."""
    practice, nurse, _doctor, _pool, _desk, ana = setup_clinic()
    sign_in(client, nurse)
    page = client.get(f"/inbox/new?practice_id={practice.id}").get_data(as_text=True)
    assert "“Write to” and the patient&#39;s name" in page or "“Write to” and the patient's name" in page
    assert "Write to the patient" not in page
    chart = client.get(f"/staff/patients/{ana.id}").get_data(as_text=True)
    assert "Write to Ana" in chart
