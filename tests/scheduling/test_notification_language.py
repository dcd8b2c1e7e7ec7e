"""The notification centre renders each notification from its template and parameters in the viewer's
current language (dates too), under the right heading; the worker sends in the recipient's language of
the moment."""

from babel.dates import format_date, format_time

from hearth import db
from hearth.clock import utcnow
from hearth.models import NotificationStatus
from hearth.notify import outbox
from hearth.notify.channels import build_channels
from hearth.notify.dispatcher import dispatch
from hearth.services.scheduling import practice_cancel, reminders
from tests.api.test_staff import bearer
from tests.conftest import login
from tests.scheduling.conftest import NY, future_day, local, place


def _cancellation_sent_in_english(clinic):
    user = clinic.patient.user
    user.locale = "en"
    visit = place(clinic, local(future_day(6), 10, 30))
    row = outbox.enqueue(key=practice_cancel.notification_key(visit), kind=practice_cancel.KIND,
                         template=practice_cancel.TEMPLATE, params=reminders.when_params(visit), user=user,
                         patient=clinic.patient)
    row.status, row.sent_at = NotificationStatus.SENT, utcnow()
    db.session.commit()
    return visit, row


def test_centre_reads_wholly_in_the_current_language_under_appointment_changes(client, clinic):
    visit, row = _cancellation_sent_in_english(clinic)
    assert "date" not in row.params and row.params["starts_at"]  # queued as a moment, not as English words
    login(client, clinic.patient.user)
    english = client.get("/notifications").get_data(as_text=True)
    assert "Appointment cancelled" in english and "Appointment changes" in english
    assert "Appointment reminders" not in english
    clinic.patient.user.locale = "es"  # she switches to Spanish
    db.session.commit()
    spanish = client.get("/notifications").get_data(as_text=True)
    local_start = visit.starts_at.astimezone(NY)
    assert "Cita cancelada" in spanish
    assert format_date(local_start.date(), "full", locale="es") in spanish
    assert format_time(local_start.time(), "short", locale="es") in spanish
    assert format_date(local_start.date(), "full", locale="en") not in spanish  # no English date left
    assert "Cambios en sus citas" in spanish and "Recordatorios de citas" not in spanish


def test_api_centre_follows_accept_language_and_gives_the_topic(client, clinic):
    visit, _row = _cancellation_sent_in_english(clinic)
    auth = bearer(client, clinic.patient.user)
    [item] = client.get("/api/v1/notifications", headers={**auth, "Accept-Language": "es"}).json["items"]
    assert item["title"] == "Cita cancelada" and item["topic"] == "appointment" and item["kind"] == "appointment"
    assert format_date(visit.starts_at.astimezone(NY).date(), "full", locale="es") in item["body"]


def test_worker_renders_in_the_recipients_language_at_send_time(clinic, smtp_server):
    visit, row = _cancellation_sent_in_english(clinic)
    row.status, row.sent_at = NotificationStatus.PENDING, None  # still waiting in the outbox
    clinic.patient.user.locale = "es"  # she switched after it was queued
    db.session.commit()
    channels = build_channels(smtp_server.settings)
    try:
        assert dispatch(channels, "w1").sent == 1
    finally:
        channels.close()
    [mail] = smtp_server.messages
    assert mail["Subject"] == "Cita cancelada"
    assert format_date(visit.starts_at.astimezone(NY).date(), "full", locale="es") in mail.get_body(
        ("plain",)).get_content()
