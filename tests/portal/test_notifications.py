"""The notification centre page: what was sent to the signed-in person, in pages, bounded queries."""

from datetime import UTC, datetime, timedelta

from hearth import db, notify
from hearth.clock import utcnow
from hearth.models import Notification, NotificationStatus
from tests.conftest import login
from tests.factories import make_grant, make_patient, make_user
from tests.querycount import count_queries

ITEM = '<li class="notification">'


def sent(user, key, *, at=None, minutes_ago=5, template="new_message", kind="message", patient=None,
         status=NotificationStatus.SENT, channel=None) -> Notification:
    """An outbox row as the dispatcher leaves it once it has gone out (or failed for good)."""
    row = notify.enqueue(key=key, kind=kind, template=template, user=user, patient=patient)
    row.status = status
    when = at or utcnow() - timedelta(minutes=minutes_ago)
    if status == NotificationStatus.SENT:
        row.sent_at = when
    else:
        row.due_at = when
    if channel:
        row.channel = channel
    db.session.flush()
    return row


def test_the_centre_lists_my_notifications_newest_first(client):
    patient = make_patient(given_name="Ana")
    sent(patient.user, "old", minutes_ago=60, template="bill_ready", kind="bill", channel="sms")
    sent(patient.user, "new", minutes_ago=1, template="appointment_reminder", kind="reminder", channel="push")
    sent(patient.user, "lost", minutes_ago=30, status=NotificationStatus.FAILED)
    notify.enqueue(key="later", kind="message", template="new_message", user=patient.user,
                   due_at=utcnow() + timedelta(days=1))  # not sent yet: not listed
    login(client, patient.user)
    response = client.get("/notifications")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.index("Appointment reminder") < body.index("New message from your care team") \
        < body.index("New statement")
    assert "Appointment reminders" in body and "By App notification" in body
    assert "Bills and statements" in body and "By Text message (SMS)" in body
    assert "Could not be delivered" in body and body.count(">Sent<") == 2
    assert body.count(ITEM) == 3
    assert 'href="/notifications/preferences"' in body


def test_times_are_in_the_viewer_zone_and_texts_in_her_language(client):
    user = make_user(locale="es", timezone="Europe/Madrid")
    sent(user, "es1", at=datetime(2030, 1, 15, 12, 0, tzinfo=UTC), template="bill_ready", kind="bill")
    login(client, user)
    body = client.get("/notifications").get_data(as_text=True)
    assert "Nuevo estado de cuenta" in body and "New statement" not in body
    assert "mar, 15 ene 2030 · 13:00" in body and "· 12:00" not in body  # 12:00 UTC is 13:00 in Madrid in January
    assert 'datetime="2030-01-15T12:00:00+00:00"' in body


def test_a_caregiver_sees_her_own_notifications_not_the_patients(client):
    patient = make_patient(given_name="Ana")
    carer = make_user(name="Maria")
    make_grant(patient=patient, caregiver=carer)
    sent(patient.user, "to-ana", template="result_available", kind="result")
    sent(carer, "to-maria", template="appointment_reminder", kind="reminder", patient=patient)
    login(client, carer)
    body = client.get("/notifications").get_data(as_text=True)
    assert "Appointment reminder" in body
    assert "New information in Hearth" not in body
    assert body.count(ITEM) == 1


def test_pages_and_a_bounded_number_of_queries(client):
    user = make_user()
    for i in range(3):
        sent(user, f"few{i}", minutes_ago=i)
    login(client, user)
    with count_queries() as few:
        assert client.get("/notifications").status_code == 200
    for i in range(3, 45):
        sent(user, f"many{i}", minutes_ago=i)
    with count_queries() as many:
        first = client.get("/notifications")
    assert first.status_code == 200
    assert many.count == few.count
    body = first.get_data(as_text=True)
    assert body.count(ITEM) == 20 and "Page 1 of 3" in body and 'rel="next"' in body
    last = client.get("/notifications?page=3").get_data(as_text=True)
    assert last.count(ITEM) == 5 and 'rel="prev"' in last
    # A page number that is not one falls back to the first page, never an error.
    assert client.get("/notifications?page=abc").status_code == 200
    assert "Nothing has been sent to you yet." in client.get("/notifications?page=9").get_data(as_text=True)


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get("/notifications")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/notifications/preferences").status_code == 302


def test_the_nav_links_to_the_centre(client):
    user = make_user()
    login(client, user)
    body = client.get("/notifications").get_data(as_text=True)
    assert 'href="/notifications"' in body and 'aria-current="page"' in body
