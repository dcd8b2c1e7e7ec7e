"""SMS through requests against the local Twilio-compatible fake."""

from __future__ import annotations

from datetime import timedelta

from hearth import notify
from hearth.clock import utcnow
from hearth.models import AttemptOutcome, NotificationStatus
from hearth.notify.channels.sms import SmsChannel
from hearth.notify.dispatcher import dispatch
from tests.factories import make_patient
from tests.notify.conftest import attempts_of, reload


def _texter(phone="+15557654321", channels="sms,email", **kw):
    patient = make_patient(phone=phone, preferred_channels=channels, **kw)
    return patient


def test_reminder_text_is_delivered_with_basic_auth(fake_sms, make_channels):
    patient = _texter(preferred_language="es")
    patient.user.locale = "es"
    row = notify.enqueue(
        key="appointment:1:24h",
        kind="reminder",
        template="appointment_reminder",
        user=patient.user,
        patient=patient,
    )
    assert dispatch(make_channels(fake_sms.settings()), "w1").sent == 1
    [sms] = fake_sms.messages
    assert sms == {
        "To": "+15557654321",
        "From": "+15550000000",
        "Body": "Tiene una cita proximamente. Abra Hearth para ver los detalles.",  # GSM-7 (hearth.notify.gsm)
    }
    assert attempts_of(reload(row))[0].provider_message_id.startswith("SM")


def test_reminder_with_date_and_time_uses_the_detailed_text(fake_sms, make_channels):
    patient = _texter()
    notify.enqueue(
        key="appointment:2:24h",
        kind="reminder",
        template="appointment_reminder",
        user=patient.user,
        params={"date": "Tuesday, March 3, 2026", "time": "10:00 AM", "ref": "appointment:2"},
    )
    dispatch(make_channels(fake_sms.settings()), "w1")
    assert fake_sms.messages[0]["Body"] == (
        "You have an appointment on Tuesday, March 3, 2026 at 10:00 AM. Open Hearth to see the details."
    )


def test_invalid_number_is_permanent_and_falls_back_to_email(fake_sms, smtp_server, make_channels):
    patient = _texter(phone="+1000")
    fake_sms.behave("+1000", "invalid_number")
    row = notify.enqueue(key="message:5", kind="message", template="new_message", user=patient.user)
    summary = dispatch(make_channels(fake_sms.settings(), smtp_server.settings), "w1")
    assert (summary.fell_back, summary.sent) == (1, 1)
    row = reload(row)
    assert row.channel == "email" and row.status == NotificationStatus.SENT
    assert "21211" in attempts_of(row)[0].error
    assert fake_sms.messages == [] and len(smtp_server.to(patient.user.email)) == 1


def test_rate_limit_and_outage_are_transient(fake_sms, make_channels):
    limited = _texter(phone="+1111", channels="sms")
    down = _texter(phone="+2222", channels="sms")
    fake_sms.behave("+1111", "rate_limited")
    fake_sms.behave("+2222", "unavailable")
    a = notify.enqueue(key="m:a", kind="message", template="new_message", user=limited.user)
    b = notify.enqueue(key="m:b", kind="message", template="new_message", user=down.user)
    before = utcnow()
    assert dispatch(make_channels(fake_sms.settings()), "w1").retrying == 2
    a, b = reload(a), reload(b)
    assert a.status == b.status == NotificationStatus.PENDING
    assert a.next_attempt_at >= before + timedelta(seconds=90)  # Retry-After
    assert before + timedelta(seconds=29) <= b.next_attempt_at <= utcnow() + timedelta(seconds=31)
    assert attempts_of(a)[0].outcome == AttemptOutcome.TRANSIENT and "429" in a.last_error


def test_wrong_credentials_are_permanent(fake_sms):
    settings = fake_sms.settings() | {"SMS_AUTH_TOKEN": "wrong"}
    result = SmsChannel.from_settings(settings).send("+15551112222", "Hello")
    assert result.outcome == AttemptOutcome.PERMANENT and "401" in result.error


def test_sms_is_off_without_full_configuration():
    assert SmsChannel.from_settings({"SMS_API_BASE": "http://127.0.0.1:1", "SMS_ACCOUNT_SID": "AC"}) is None
