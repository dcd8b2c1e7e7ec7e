"""The patient's Messages pages: list, reason, compose, urgent page, send with files, thread, reply, close."""

import io
import re

import pytest
from sqlalchemy import func, select

from hearth import db
from hearth.models import GrantKind, Message, MessageThread, ThreadPriority, ThreadStatus
from hearth.services.messages import post_message
from tests.conftest import login
from tests.factories import make_grant, make_user
from tests.messages.files import EXECUTABLE, GPS_IFD, exif_of, jpeg_with_gps
from tests.messages.helpers import make_clinic, start
from tests.querycount import count_queries


@pytest.fixture(autouse=True)
def _storage(app, tmp_path):
    app.config["FILE_STORAGE_DIR"] = str(tmp_path / "uploads")
    yield
    app.config.pop("FILE_STORAGE_DIR", None)


def threads_count():
    return db.session.scalar(select(func.count()).select_from(MessageThread))


def form(**kw):
    data = {"reason": "medical_question", "subject": "Rash", "body": "Itchy for a week.", "client_key": "k1"}
    data.update(kw)
    return data


def test_reason_first_then_compose_shows_reply_by_and_emergency_notice(client):
    c = make_clinic()
    login(client, c.patient.user)
    page = client.get("/messages/new").get_data(as_text=True)
    assert "What is your message about?" in page and "Billing or insurance" in page
    assert "call 911" in page and "988" in page
    page = client.get("/messages/new/compose?reason=billing").get_data(as_text=True)
    assert "You can expect a reply by" in page and re.search(r"(Monday|Tuesday|Wednesday|Thursday|Friday), ", page)
    assert 'maxlength="4000"' in page and "Up to 4,000 characters." in page and 'maxlength="80"' in page
    assert 'enctype="multipart/form-data"' in page
    response = client.get("/messages/new/compose?reason=nonsense")
    assert response.status_code == 422 and "Choose a reason from the list." in response.get_data(as_text=True)


def test_send_with_a_photo_then_read_the_thread(client):
    c = make_clinic()
    login(client, c.patient.user)
    data = form(files=(io.BytesIO(jpeg_with_gps()), "IMG_0001.jpg"))
    response = client.post("/messages/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    thread = db.session.scalar(select(MessageThread))
    assert thread.subject == "Rash"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your message was sent. You can expect a reply by" in page
    assert "IMG_0001.jpg" in page and "Not read yet" in page
    (att,) = thread.messages[0].attachments
    download = client.get(f"/messages/{thread.id}/files/{att.id}")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert GPS_IFD not in exif_of(download.data)


def test_a_double_submit_sends_once(client):
    c = make_clinic()
    login(client, c.patient.user)
    client.post("/messages/new", data=form())
    client.post("/messages/new", data=form())
    assert threads_count() == 1


@pytest.mark.parametrize(("data", "says"), [
    (form(body=""), "Write your message."),
    (form(body="x" * 5000), "Your message is too long: use 4,000 characters or fewer."),
    (form(subject="s" * 81), "The subject is too long"),
    (form(files=(io.BytesIO(EXECUTABLE), "invoice.pdf")), "invoice.pdf: Please send a PDF or a photo"),
    (form(files=(io.BytesIO(b"\xff\xd8\xff" + b"0" * (30 * 1024 * 1024)), "huge.jpg")), "up to 10 MB"),
])
def test_bad_input_is_explained_on_the_form_and_sends_nothing(client, data, says):
    c = make_clinic()
    login(client, c.patient.user)
    response = client.post("/messages/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert says in page and "Please correct the highlighted fields." in page
    assert threads_count() == 0
    if data["body"] and len(data["body"]) < 4001:
        assert data["body"] in page  # what was typed is kept


def test_urgent_words_show_the_911_988_page_and_can_still_be_sent(client):
    c = make_clinic()
    login(client, c.patient.user)
    data = form(body="I have been having suicidal thoughts", files=(io.BytesIO(jpeg_with_gps()), "a.jpg"))
    response = client.post("/messages/new", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and threads_count() == 0
    assert "Is this an emergency?" in page and 'href="tel:988"' in page and 'href="tel:911"' in page
    staged = re.search(r'name="staged" value="([^"]+)"', page).group(1)
    # "Send anyway": the same form back, with the files already checked
    response = client.post("/messages/new", data=form(body="I have been having suicidal thoughts",
                                                      warning_shown="true", staged=staged))
    assert response.status_code == 302
    thread = db.session.scalar(select(MessageThread))
    assert thread.priority == ThreadPriority.URGENT and thread.urgent_warning_at is not None
    assert [a.filename for a in thread.messages[0].attachments] == ["a.jpg"]


def test_caregiver_writes_for_her_mother_and_sees_receipts(client):
    c = make_clinic()
    daughter = make_user(name="Ana Lopez")
    make_grant(patient=c.patient, caregiver=daughter, scopes=("messages",))
    db.session.commit()
    login(client, daughter)
    assert client.get("/messages").status_code == 200
    client.post("/messages/new", data=form())
    thread = db.session.scalar(select(MessageThread))
    post_message(c.nurse, thread.id, "Please come in. See https://example.org/rash <b>x</b>")
    page = client.get(f"/messages/{thread.id}").get_data(as_text=True)
    assert f"Ana Lopez for {c.patient.full_name}" in page
    assert "Read by your care team at" in page and "Nurse Joy" in page
    assert '<a href="https://example.org/rash" rel="nofollow noopener noreferrer">' in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page


def test_caregiver_without_messages_scope_sees_no_messages(client):
    c = make_clinic()
    other = make_user()
    make_grant(patient=c.patient, caregiver=other, scopes=("appointments",))
    thread = start(c.patient.user, c.patient)
    db.session.commit()
    login(client, other)
    assert client.get("/messages").status_code == 404
    assert client.get(f"/messages/{thread.id}").status_code == 404
    assert "/messages" not in client.get("/more").get_data(as_text=True)


def test_reply_close_and_no_reply_after_closing(client):
    c = make_clinic()
    thread = start(c.patient.user, c.patient)
    db.session.commit()
    login(client, c.patient.user)
    assert client.post(f"/messages/{thread.id}/reply", data={"body": "More details"}).status_code == 302
    assert client.post(f"/messages/{thread.id}/reply", data={"body": ""}).status_code == 422
    client.post(f"/messages/{thread.id}/close")
    db.session.expire_all()
    assert db.session.get(MessageThread, thread.id).status == ThreadStatus.CLOSED
    page = client.get(f"/messages/{thread.id}").get_data(as_text=True)
    assert "This conversation is closed." in page and "Send reply" not in page
    response = client.post(f"/messages/{thread.id}/reply", data={"body": "late"}, follow_redirects=True)
    assert "This conversation is closed. Start a new message instead." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Message)) == 2


def test_teen_private_thread_not_listed_for_guardian(client):
    from hearth.clock import utcnow
    from tests.messages.helpers import make_teen

    c = make_clinic()
    teen = make_teen(c.practice, utcnow().date())
    mother = make_user()
    make_grant(patient=teen, caregiver=mother, kind=GrantKind.GUARDIAN)
    db.session.commit()
    login(client, teen.user)
    assert "Keep this message private" in client.get("/messages/new/compose?reason=other").get_data(as_text=True)
    client.post("/messages/new", data=form(reason="other", confidential="true"))
    thread = db.session.scalar(select(MessageThread))
    assert thread.confidential
    client.post("/logout")
    login(client, mother)
    assert "Rash" not in client.get("/messages").get_data(as_text=True)
    assert client.get(f"/messages/{thread.id}").status_code == 404


def test_list_and_home_card(client):
    c = make_clinic()
    first = start(c.patient.user, c.patient, subject="First question")
    post_message(c.nurse, first.id, "Answer")
    db.session.commit()
    login(client, c.patient.user)
    with count_queries() as few:
        page = client.get("/messages").get_data(as_text=True)
    assert "First question" in page and "New" in page
    for i in range(8):
        start(c.patient.user, c.patient, subject=f"Question {i}")
    db.session.commit()
    with count_queries() as many:
        client.get("/messages")
    assert many.count == few.count
    home = client.get("/").get_data(as_text=True)
    assert "You have 1 new message from your care team" in home
