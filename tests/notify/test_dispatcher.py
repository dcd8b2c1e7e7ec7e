"""The dispatcher: claiming, sending, backoff, fallback, reclaiming and bounded batches."""

from __future__ import annotations

import logging
import socket
from datetime import timedelta

from sqlalchemy import select

from hearth import db, notify
from hearth.clock import utcnow
from hearth.models import AttemptOutcome, Notification, NotificationStatus
from hearth.notify import dispatcher
from hearth.notify.dispatcher import backoff, claim_due, dispatch, process, reclaim_stuck
from tests.factories import make_patient, make_user
from tests.notify.conftest import attempts_of, reload


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _message_for(user, key="message:1", **kw):
    return notify.enqueue(key=key, kind="message", template="new_message", user=user, **kw)


def test_due_email_is_sent_and_recorded(smtp_server, make_channels):
    user = make_user()
    row = _message_for(user)
    summary = dispatch(make_channels(smtp_server.settings), "w1")
    assert (summary.claimed, summary.sent) == (1, 1)
    row = reload(row)
    assert row.status == NotificationStatus.SENT and row.sent_at is not None and row.attempts == 1
    [attempt] = attempts_of(row)
    assert attempt.outcome == AttemptOutcome.SENT and attempt.provider_message_id.startswith("<")
    assert len(smtp_server.to(user.email)) == 1
    # Nothing is due any more: a second run sends nothing.
    assert dispatch(make_channels(smtp_server.settings), "w1").claimed == 0
    assert len(smtp_server.messages) == 1


def test_future_and_backed_off_rows_wait(smtp_server, make_channels):
    user = make_user()
    later = _message_for(user, key="later", due_at=utcnow() + timedelta(hours=1))
    backed_off = _message_for(user, key="backed-off")
    backed_off.next_attempt_at = utcnow() + timedelta(minutes=5)
    cancelled = _message_for(user, key="cancelled")
    notify.cancel(ids=[cancelled.id])
    db.session.flush()
    assert claim_due(10, "w1") == []
    assert sorted(claim_due(10, "w1", now=utcnow() + timedelta(hours=2))) == sorted([later.id, backed_off.id])


def test_claimed_rows_are_not_claimed_again():
    user = make_user()
    rows = [_message_for(user, key=f"k{i}") for i in range(3)]
    first = claim_due(2, "w1")
    second = claim_due(5, "w2")
    assert len(first) == 2 and len(second) == 1
    assert set(first) | set(second) == {r.id for r in rows}
    claimed = dict(db.session.execute(select(Notification.id, Notification.claimed_by)).all())
    assert {claimed[i] for i in first} == {"w1"} and {claimed[i] for i in second} == {"w2"}


def test_transient_failure_backs_off_exponentially(make_channels):
    user = make_user()
    row = _message_for(user)
    down = make_channels({"MAIL_HOST": "127.0.0.1", "MAIL_PORT": _closed_port(), "MAIL_TIMEOUT": 2})
    start = utcnow()
    assert dispatch(down, "w1").retrying == 1
    row = reload(row)
    assert row.status == NotificationStatus.PENDING and row.attempts == 1 and "smtp connect" in row.last_error
    assert start + timedelta(seconds=29) <= row.next_attempt_at <= utcnow() + timedelta(seconds=31)
    process(claim_due(10, "w1", now=utcnow() + timedelta(minutes=2)), down, "w1")
    row = reload(row)
    assert row.attempts == 2
    assert row.next_attempt_at >= start + timedelta(seconds=59)
    assert [a.outcome for a in attempts_of(row)] == [AttemptOutcome.TRANSIENT] * 2


def test_backoff_grows_caps_and_honours_retry_after():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(20) == timedelta(hours=1)
    assert backoff(1, retry_after=120) == timedelta(seconds=120)
    assert backoff(3, retry_after=5) == timedelta(seconds=120)


def test_too_many_transient_failures_fall_back_then_fail(smtp_server, make_channels):
    patient = make_patient(preferred_channels="sms,email", phone="+15550102030")
    row = _message_for(patient.user)
    assert (row.channel, row.fallback_channels) == ("sms", "email")
    dead_sms = make_channels(
        smtp_server.settings,
        {
            "SMS_API_BASE": f"http://127.0.0.1:{_closed_port()}",
            "SMS_ACCOUNT_SID": "AC1",
            "SMS_AUTH_TOKEN": "t",
            "SMS_FROM": "+1555",
        },
    )
    later = utcnow()
    for _ in range(dispatcher.MAX_ATTEMPTS):
        later += timedelta(hours=2)
        process(claim_due(10, "w1", now=later), dead_sms, "w1")
    row = reload(row)
    assert row.status == NotificationStatus.PENDING and row.channel == "email" and row.attempts == 0
    process(claim_due(10, "w1", now=later), dead_sms, "w1")
    assert reload(row).status == NotificationStatus.SENT
    assert len(smtp_server.to(patient.user.email)) == 1
    outcomes = [a.outcome for a in attempts_of(row)]
    assert outcomes == [AttemptOutcome.TRANSIENT] * dispatcher.MAX_ATTEMPTS + [AttemptOutcome.SENT]


def test_channel_off_falls_back_and_is_logged_once(smtp_server, make_channels, caplog):
    patient = make_patient(preferred_channels="push,sms,email", phone="+15550001")
    rows = [_message_for(patient.user, key=f"off{i}") for i in range(3)]
    channels = make_channels(smtp_server.settings)  # no FCM, no SMS configured
    from hearth.notify.channels import _reported_off

    _reported_off.clear()
    with caplog.at_level(logging.WARNING, logger="hearth.notify"):
        summary = dispatch(channels, "w1")
    assert summary.sent == 3
    assert all(reload(r).status == NotificationStatus.SENT and r.channel == "email" for r in rows)
    off_logs = [r.getMessage() for r in caplog.records if r.getMessage().startswith("notification channel")]
    assert len(off_logs) == 2  # push once, sms once
    assert [a.outcome for a in attempts_of(rows[0])] == [AttemptOutcome.SKIPPED] * 2 + [AttemptOutcome.SENT]


def test_permanent_failure_without_fallback_fails(smtp_server, make_channels):
    smtp_server.reject["nobody@example.test"] = "550 5.1.1 No such user"
    row = notify.enqueue(
        key="invite:x",
        kind="account",
        template="caregiver_invitation",
        to_email="nobody@example.test",
        params={"inviter": "Ana", "url": "https://h.test/i", "days": 7},
    )
    assert dispatch(make_channels(smtp_server.settings), "w1").failed == 1
    row = reload(row)
    assert row.status == NotificationStatus.FAILED and "550" in row.last_error
    assert smtp_server.messages == []


def test_stuck_rows_are_reclaimed_after_the_timeout(smtp_server, make_channels):
    user = make_user()
    row = _message_for(user)
    assert claim_due(10, "crashed-worker") == [row.id]
    assert reclaim_stuck(timedelta(minutes=5)) == 0
    assert reclaim_stuck(timedelta(minutes=5), now=utcnow() + timedelta(minutes=6)) == 1
    assert reload(row).status == NotificationStatus.PENDING and row.claimed_by is None
    assert dispatch(make_channels(smtp_server.settings), "w2").sent == 1


def test_a_worker_only_processes_its_own_claims(smtp_server, make_channels):
    user = make_user()
    row = _message_for(user)
    ids = claim_due(10, "w1")
    assert process(ids, make_channels(smtp_server.settings), "someone-else").sent == 0
    assert reload(row).status == NotificationStatus.SENDING


def test_batches_are_bounded(smtp_server, make_channels):
    user = make_user()
    for i in range(7):
        _message_for(user, key=f"b{i}")
    channels = make_channels(smtp_server.settings)
    summary = dispatch(channels, "w1", batch=3, max_batches=2)
    assert (summary.claimed, summary.sent) == (6, 6)
    assert dispatch(channels, "w1", batch=3).sent == 1
    assert len(smtp_server.messages) == 7


def test_failures_and_fallbacks_are_logged_per_message_id_without_addresses(smtp_server, make_channels, caplog):
    smtp_server.reject["nobody@example.test"] = "550 5.1.1 No such user nobody@example.test"
    row = notify.enqueue(key="invite:log", kind="account", template="caregiver_invitation",
                         to_email="nobody@example.test",
                         params={"inviter": "Ana", "url": "https://h.test/i", "days": 7})
    patient = make_patient(preferred_channels="push,email")
    fell = _message_for(patient.user, key="log:fallback")
    with caplog.at_level(logging.INFO, logger="hearth.notify"):
        dispatch(make_channels(smtp_server.settings), "w1")
    lines = [r.getMessage() for r in caplog.records if r.name == "hearth.notify"]
    assert any(line.startswith(f"notification {row.id}: email failed") and "no channel left" in line
               for line in lines), lines
    assert any(line.startswith(f"notification {fell.id}: push failed") and "falling back to email" in line
               for line in lines), lines
    assert not any("nobody@example.test" in line or patient.user.email in line for line in lines)
