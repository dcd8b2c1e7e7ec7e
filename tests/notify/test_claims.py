"""Claims with an owner (issue 7, section 4): a worker that lost its claim neither sends nor marks, every
attempt is on record before its send, and a retry after a 429 is held past the quiet hours."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select, update

from hearth import db, notify
from hearth.clock import utcnow
from hearth.models import AttemptOutcome, Notification, NotificationAttempt, NotificationStatus
from hearth.notify.channels import Channels
from hearth.notify.channels.sms import SmsChannel
from hearth.notify.dispatcher import claim_due, dispatch, process, reclaim_stuck
from tests.factories import make_patient, make_user
from tests.notify.conftest import attempts_of, reload
from tests.notify.test_outbox import _pref


def _messages(user, n, prefix="m"):
    return [notify.enqueue(key=f"{prefix}:{i}", kind="message", template="new_message", user=user) for i in range(n)]


def test_a_worker_that_lost_its_claim_neither_sends_nor_marks(smtp_server, make_channels):
    user = make_user()
    rows = _messages(user, 2)
    first = claim_due(10, "w1")
    # w1 stalls past the sending timeout; the rows go back to the queue and w2 takes them.
    assert reclaim_stuck(timedelta(minutes=5), now=utcnow() + timedelta(minutes=6)) == 2
    second = claim_due(10, "w2")
    assert sorted(second) == sorted(first) == sorted(r.id for r in rows)
    channels = make_channels(smtp_server.settings)
    late = process(first, channels)
    assert (late.sent, late.lost) == (0, 2)
    assert smtp_server.messages == []
    assert all(reload(r).status == NotificationStatus.SENDING and r.claimed_by == "w2" for r in rows)
    assert process(second, channels).sent == 2
    assert len(smtp_server.messages) == 2
    assert [a.worker_id for r in rows for a in attempts_of(r)] == ["w2", "w2"]


class _StealingSms(SmsChannel):
    """Like another worker reclaiming the batch while the first text is with the provider."""

    def send(self, to: str, body: str):
        db.session.execute(update(Notification).where(Notification.status == NotificationStatus.SENDING)
                           .values(claim_token="someone-else", claimed_by="w2"))
        return super().send(to, body)


def test_a_claim_lost_mid_batch_stops_the_sending_at_the_next_message(fake_sms):
    user = make_patient(phone="+15550100123", preferred_channels="sms").user
    rows = _messages(user, 3)
    channels = Channels(sms=_StealingSms.from_settings(fake_sms.settings()))
    summary = process(claim_due(10, "w1"), channels)
    assert (summary.sent, summary.lost) == (0, 3)  # the first went out but could not be marked; the rest never
    assert len(fake_sms.messages) == 1
    assert [reload(r).status for r in rows] == [NotificationStatus.SENDING] * 3  # w2's to finish
    [attempt] = attempts_of(rows[0])
    assert (attempt.outcome, attempt.worker_id) == (AttemptOutcome.SENT, "w1")  # what happened stays on record
    assert attempts_of(rows[1]) == attempts_of(rows[2]) == []


class _WatchingSms(SmsChannel):
    """Looks at the attempts table at the moment the provider is called."""

    seen: list[tuple[int, str, AttemptOutcome | None, str | None]]

    def send(self, to: str, body: str):
        self.seen.extend(db.session.execute(
            select(NotificationAttempt.notification_id, NotificationAttempt.channel, NotificationAttempt.outcome,
                   NotificationAttempt.worker_id)).all())
        return super().send(to, body)


def test_every_attempt_is_recorded_before_its_send(fake_sms):
    user = make_patient(phone="+15550100123", preferred_channels="sms").user
    [row] = _messages(user, 1)
    sms = _WatchingSms.from_settings(fake_sms.settings())
    sms.seen = []
    assert process(claim_due(10, "w1"), Channels(sms=sms)).sent == 1
    assert sms.seen == [(row.id, "sms", None, "w1")]  # in flight: started, no outcome yet
    [attempt] = attempts_of(row)
    assert attempt.outcome == AttemptOutcome.SENT and attempt.finished_at >= attempt.at


def test_reclaiming_a_dead_workers_rows_closes_its_in_flight_attempts_as_unknown():
    user = make_user()
    [row] = _messages(user, 1)
    claim_due(10, "killed-worker")
    db.session.add(NotificationAttempt(notification_id=row.id, channel="email", outcome=None,
                                       worker_id="killed-worker"))
    db.session.flush()
    assert reclaim_stuck(timedelta(minutes=5), now=utcnow() + timedelta(minutes=6)) == 1
    [attempt] = attempts_of(row)
    assert attempt.outcome == AttemptOutcome.UNKNOWN and "may have reached" in attempt.error
    assert reload(row).status == NotificationStatus.PENDING and row.claim_token is None


def _new_york(y, m, d, hh, mm) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(y, m, d, hh, mm, tzinfo=ZoneInfo("America/New_York")).astimezone(UTC)


def test_a_retry_after_a_429_at_2059_is_held_to_0800_not_2101(fake_sms, make_channels):
    patient = make_patient(phone="+15550100123")
    user = patient.user
    user.timezone = "America/New_York"
    _pref(user, "message", "sms", time(21, 0), time(8, 0))
    at = _new_york(2030, 1, 15, 20, 59)
    row = notify.enqueue(key="late", kind="message", template="new_message", user=user, due_at=at)
    fake_sms.behave("+15550100123", "rate_limited", "ok")  # 429 with Retry-After: 90
    summary = dispatch(make_channels(fake_sms.settings()), "w1", now=at)
    assert summary.retrying == 1
    row = reload(row)
    assert row.status == NotificationStatus.PENDING
    assert row.next_attempt_at == _new_york(2030, 1, 16, 8, 0)  # not 21:00:30, inside the quiet hours
    assert dispatch(make_channels(fake_sms.settings()), "w1", now=_new_york(2030, 1, 15, 21, 1)).claimed == 0
    assert dispatch(make_channels(fake_sms.settings()), "w1", now=_new_york(2030, 1, 16, 8, 0)).sent == 1
    assert len(fake_sms.messages) == 1
