"""Notification email a mail app reads right: one-click unsubscribe (RFC 8058) on reminders and notices, never on
account mail; times naming their zone when the reader's differs; links in words; an HTML part for phones."""

from __future__ import annotations

import re

from hearth import db, notify
from hearth.models import NotificationPreference
from hearth.notify.dispatcher import dispatch
from hearth.notify.templates import render
from tests.factories import make_patient, make_user

BASE = "https://hearth.test"
START = "2026-12-02T14:00:00+00:00"  # 9:00 AM in New York, 8:00 AM in Chicago
LINKS = {"confirm_url": f"{BASE}/r/confirm-token-that-is-rather-long?lang=en",
         "cancel_url": f"{BASE}/r/cancel-token-that-is-rather-long?lang=en"}


def _channels(app, make_channels, smtp_server):
    return make_channels(smtp_server.settings, {"BASE_URL": BASE, "SECRET_KEY": app.config["SECRET_KEY"]})


def _emailed_patient(zone: str | None = None, locale: str = "en"):
    patient = make_patient(preferred_channels="email")
    patient.user.timezone = zone
    patient.user.locale = locale
    db.session.flush()
    return patient


def _reminder(patient, key="reminder:1:24h", **params):
    return notify.enqueue(key=key, kind="reminder", template="appointment_reminder", user=patient.user,
                          patient=patient, params={"starts_at": START, "zone": "America/New_York", **params})


def test_reminder_email_has_one_click_unsubscribe_and_worded_links(app, smtp_server, make_channels):
    patient = _emailed_patient()
    _reminder(patient, **LINKS)
    assert dispatch(_channels(app, make_channels, smtp_server), "w1").sent == 1
    [msg] = smtp_server.to(patient.user.email)
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(rf"<{BASE}/notifications/unsubscribe/[\w.-]+>", msg["List-Unsubscribe"])
    html = msg.get_body(("html",)).get_content()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    anchors = re.findall(r"<a href=\"([^\"]+)\"[^>]*>([^<]+)</a>", html)
    assert [words for _, words in anchors] == ["Confirm the appointment", "Cancel the appointment",
                                               "Stop these emails"]
    assert all(not words.startswith("http") for _, words in anchors)
    assert anchors[2][0] == msg["List-Unsubscribe"].strip("<>")
    text = msg.get_body(("plain",)).get_content()
    assert "9:00 AM" in text and "EST" not in text  # the reader's zone is the practice's
    assert "\u202f" not in text and "\u202f" not in html


def test_account_mail_has_no_unsubscribe(app, smtp_server, make_channels):
    user = make_user(email="reset@example.test")
    notify.enqueue(key="password-reset:x", kind="account", template="password_reset", user=user,
                   params={"url": f"{BASE}/reset/" + "t" * 90, "minutes": 60})
    dispatch(_channels(app, make_channels, smtp_server), "w1")
    [msg] = smtp_server.to("reset@example.test")
    assert msg["List-Unsubscribe"] is None and msg["List-Unsubscribe-Post"] is None
    html = msg.get_body(("html",)).get_content()
    assert ">Reset your password</a>" in html and "t" * 90 + "</a>" not in html
    assert "Stop these emails" not in html


def test_times_name_the_zone_when_the_reader_lives_elsewhere(app, smtp_server, make_channels):
    patient = _emailed_patient(zone="America/Chicago")
    _reminder(patient)
    dispatch(_channels(app, make_channels, smtp_server), "w1")
    [msg] = smtp_server.to(patient.user.email)
    assert "at 9:00 AM EST." in msg.get_body(("plain",)).get_content()
    same = render("appointment_reminder", "en", {"starts_at": START, "zone": "America/New_York"},
                  reader_zone="America/New_York")
    assert "9:00 AM." in same.body


def test_one_click_post_stops_that_kind_of_email_without_sign_in(app, client, smtp_server, make_channels):
    patient = _emailed_patient()
    _reminder(patient)
    channels = _channels(app, make_channels, smtp_server)
    dispatch(channels, "w1")
    [msg] = smtp_server.to(patient.user.email)
    path = msg["List-Unsubscribe"].strip("<>").removeprefix(BASE)

    page = client.get(path)  # opening the link (a mail scanner) changes nothing
    assert page.status_code == 200 and b"Stop these emails" in page.data
    assert db.session.query(NotificationPreference).filter_by(user_id=patient.user.id).count() == 0

    done = client.post(path, data="List-Unsubscribe=One-Click",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert done.status_code == 200
    assert client.post(path, data="List-Unsubscribe=One-Click").status_code == 200  # twice: the same
    prefs = {p.kind: p.channel_list for p in db.session.query(NotificationPreference).filter_by(
        user_id=patient.user.id)}
    assert prefs == {"reminder": ["push"]}  # email was the only way: the app and its notification centre

    _reminder(patient, key="reminder:2:24h")
    notify.enqueue(key="message:9", kind="message", template="new_message", user=patient.user, patient=patient)
    dispatch(channels, "w2")
    subjects = [m["Subject"] for m in smtp_server.to(patient.user.email)]
    assert subjects == ["Appointment reminder", "New message from your care team"]  # other kinds still emailed


def test_forged_or_foreign_tokens_change_nothing(client):
    assert client.post("/notifications/unsubscribe/not-a-token").status_code == 404
    assert client.get("/notifications/unsubscribe/not-a-token").status_code == 404
