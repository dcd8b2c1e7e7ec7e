"""Email through smtplib to a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

from hearth import notify
from hearth.models import AttemptOutcome, NotificationStatus
from hearth.notify.channels.email import Email, EmailChannel
from hearth.notify.dispatcher import dispatch
from hearth.notify.templates import render
from tests.factories import make_user
from tests.notify.conftest import attempts_of, reload


def test_password_reset_arrives_in_spanish_with_text_and_html(smtp_server, make_channels):
    user = make_user(locale="es", email="lucia@example.test")
    row = notify.enqueue(
        key="password-reset:tok1",
        kind="account",
        template="password_reset",
        user=user,
        params={"url": "https://hearth.test/reset/tok1?x=1&y=2", "minutes": 60},
    )
    assert dispatch(make_channels(smtp_server.settings), "w1").sent == 1
    [msg] = smtp_server.to("lucia@example.test")
    assert msg["Subject"] == "Restablezca su contraseña de Hearth"
    assert msg["From"] == "Hearth <no-reply@hearth.test>"
    assert msg["Content-Language"] == "es"
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "https://hearth.test/reset/tok1?x=1&y=2" in text and "60 minutos" in text
    assert '<a href="https://hearth.test/reset/tok1?x=1&amp;y=2"' in html and 'lang="es"' in html
    assert ">Restablezca su contraseña</a>" in html  # the link in words, not the raw address
    assert smtp_server.envelopes[0].rcpt_tos == ["lucia@example.test"]
    assert reload(row).status == NotificationStatus.SENT
    assert attempts_of(row)[0].provider_message_id == msg["Message-ID"]


def test_caregiver_invitation_goes_to_the_invited_address(smtp_server, make_channels):
    notify.enqueue(
        key="caregiver-invite:7",
        kind="account",
        template="caregiver_invitation",
        to_email="helper@example.test",
        locale="en",
        params={"inviter": "Ana <script>", "url": "https://hearth.test/invite/7", "days": 7},
    )
    dispatch(make_channels(smtp_server.settings), "w1")
    [msg] = smtp_server.to("helper@example.test")
    assert msg["Subject"] == "You are invited to Hearth"
    assert "Ana <script> invited you" in msg.get_body(("plain",)).get_content()
    assert "Ana &lt;script&gt;" in msg.get_body(("html",)).get_content()


def test_message_email_says_nothing_clinical(smtp_server, make_channels):
    user = make_user()
    notify.enqueue(
        key="message:77:to:1", kind="message", template="new_message", user=user, params={"ref": "77"}
    )
    dispatch(make_channels(smtp_server.settings), "w1")
    [msg] = smtp_server.to(user.email)
    assert msg.get_body(("plain",)).get_content().strip() == (
        "You have a new message from your care team. Open Hearth to read it."
    )


def test_refused_recipient_is_permanent_and_others_in_the_batch_still_go(smtp_server):
    smtp_server.reject["gone@example.test"] = "550 5.1.1 mailbox unavailable"
    smtp_server.reject["full@example.test"] = "452 4.2.2 mailbox full"
    channel = EmailChannel.from_settings(smtp_server.settings)
    rendered = render("new_message", "en", {})
    results = channel.send_many(
        [Email(a, rendered) for a in ("gone@example.test", "ok@example.test", "full@example.test")]
    )
    assert [r.outcome for r in results] == [
        AttemptOutcome.PERMANENT,
        AttemptOutcome.SENT,
        AttemptOutcome.TRANSIENT,
    ]
    assert "550" in results[0].error
    assert [m["To"] for m in smtp_server.messages] == ["ok@example.test"]


def test_unreachable_server_is_transient():
    channel = EmailChannel.from_settings({"MAIL_HOST": "127.0.0.1", "MAIL_PORT": 1, "MAIL_TIMEOUT": 2})
    [result] = channel.send_many([Email("a@example.test", render("new_message", "en", {}))])
    assert result.outcome == AttemptOutcome.TRANSIENT and "smtp connect" in result.error


def test_no_host_means_email_is_off():
    assert EmailChannel.from_settings({"MAIL_HOST": ""}) is None


def test_server_dropping_the_connection_retries_the_rest(smtp_server):
    smtp_server.hang_up_on.add("p1@example.test")
    channel = EmailChannel.from_settings(smtp_server.settings)
    rendered = render("bill_ready", "en", {})
    results = channel.send_many([Email(f"p{i}@example.test", rendered) for i in range(3)])
    assert [r.outcome for r in results] == [
        AttemptOutcome.SENT,
        AttemptOutcome.TRANSIENT,
        AttemptOutcome.TRANSIENT,
    ]
    assert [m["To"] for m in smtp_server.messages] == ["p0@example.test"]
