"""enqueue: idempotency, recipients and channel order, quiet hours, cancellation."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from hearth import db, notify
from hearth.clock import utcnow
from hearth.models import Notification, NotificationPreference, NotificationStatus
from hearth.notify.dispatcher import dispatch
from hearth.notify.outbox import shift_out_of_quiet_hours
from tests.factories import make_patient, make_practice, make_user
from tests.notify.conftest import count_rows


def _pref(user, kind, channels, start=None, end=None):
    db.session.add(
        NotificationPreference(
            user_id=user.id, kind=kind, channels=channels, quiet_hours_start=start, quiet_hours_end=end
        )
    )
    db.session.flush()


def test_same_key_twice_makes_one_row():
    user = make_user()
    first = notify.enqueue(key="message:1:to:1", kind="message", template="new_message", user=user)
    again = notify.enqueue(
        key="message:1:to:1", kind="message", template="new_message", user=user, params={"ref": "other"}
    )
    assert again.id == first.id
    assert again.params == {}
    assert count_rows() == 1


def test_duplicate_key_from_another_transaction_is_ignored():
    """The unique key holds across transactions: a retried job enqueues nothing new."""
    user = make_user()
    notify.enqueue(key="reminder:7:24h", kind="reminder", template="appointment_reminder", user=user)
    db.session.commit()  # the harness turns this into a savepoint release
    db.session.expunge_all()
    row = notify.enqueue(key="reminder:7:24h", kind="reminder", template="appointment_reminder", user=user)
    assert row.status == NotificationStatus.PENDING
    assert count_rows() == 1


def test_enqueue_is_part_of_the_callers_transaction():
    user = make_user()
    db.session.commit()
    notify.enqueue(key="message:rollback", kind="message", template="new_message", user=user)
    db.session.rollback()
    assert count_rows() == 0


@pytest.mark.parametrize(
    "params", [{"diagnosis": "flu"}, {"ref": "1", "result": "positive"}, {"ref": {"x": 1}}]
)
def test_params_outside_the_template_are_refused(params):
    """Templates accept only their own non-health parameters, so nothing clinical reaches a payload."""
    user = make_user()
    with pytest.raises(ValueError):
        notify.enqueue(key="k", kind="result", template="result_available", user=user, params=params)


def test_unknown_kind_template_and_naive_times_are_refused():
    user = make_user()
    with pytest.raises(ValueError):
        notify.enqueue(key="k1", kind="gossip", template="new_message", user=user)
    with pytest.raises(ValueError):
        notify.enqueue(key="k2", kind="message", template="nope", user=user)
    with pytest.raises(ValueError):
        notify.enqueue(
            key="k3", kind="message", template="new_message", user=user, due_at=datetime(2030, 1, 1)
        )
    with pytest.raises(ValueError):
        notify.enqueue(key="k4", kind="message", template="new_message")


def test_channel_order_follows_the_preference_for_the_kind():
    patient = make_patient(phone="+15551230000", preferred_channels="email")
    _pref(patient.user, "message", "sms,push,email")
    row = notify.enqueue(key="m1", kind="message", template="new_message", user=patient.user, patient=patient)
    assert (row.channel, row.to_address, row.fallback_channels) == ("sms", "+15551230000", "push,email")


def test_channel_order_falls_back_to_the_patient_record_then_email():
    patient = make_patient(preferred_channels="push,email")
    row = notify.enqueue(key="m2", kind="message", template="new_message", user=patient.user)
    assert (row.channel, row.to_address, row.fallback_channels) == ("push", None, "email")

    stranger = make_user()  # no patient record, no preference
    row = notify.enqueue(key="m3", kind="message", template="new_message", user=stranger)
    assert (row.channel, row.to_address, row.fallback_channels) == ("email", stranger.email, "")


def test_unreachable_channels_are_dropped():
    """SMS needs a phone on the recipient's own record; push needs an account."""
    patient = make_patient(preferred_channels="sms,push,email", phone=None)
    row = notify.enqueue(key="m4", kind="message", template="new_message", user=patient.user)
    assert (row.channel, row.fallback_channels) == ("push", "email")

    no_account = make_patient(
        user=None, phone="+15550001111", preferred_channels="push,sms,email", preferred_language="es"
    )
    no_account.email = "walkin@example.test"
    row = notify.enqueue(key="m5", kind="reminder", template="appointment_reminder", patient=no_account)
    assert (row.channel, row.to_address, row.fallback_channels, row.locale) == (
        "sms",
        "+15550001111",
        "email",
        "es",
    )
    assert row.recipient_user_id is None and row.patient_id == no_account.id


def test_caregiver_does_not_inherit_the_childs_phone():
    child = make_patient(user=None, phone="+15559990000", preferred_channels="sms")
    parent = make_user(locale="es")
    row = notify.enqueue(key="m6", kind="result", template="result_available", user=parent, patient=child)
    assert (row.channel, row.to_address, row.locale, row.patient_id) == (
        "email",
        parent.email,
        "es",
        child.id,
    )


def test_no_reachable_channel_is_decided_when_sent(fake_sms, make_channels):
    patient = make_patient(user=None, preferred_channels="sms", phone=None)
    row = notify.enqueue(key="m7", kind="reminder", template="appointment_reminder", patient=patient)
    late = notify.enqueue(key="m8", kind="reminder", template="appointment_reminder", patient=patient,
                          due_at=utcnow() + timedelta(days=1))
    assert row.status == late.status == NotificationStatus.PENDING
    assert row.last_error == "no reachable channel when queued"
    channels = make_channels(fake_sms.settings())
    assert dispatch(channels, "w1").failed == 1  # still nobody to reach when it is due
    db.session.refresh(row)
    assert (row.status, row.last_error) == (NotificationStatus.FAILED, "no reachable channel")
    patient.phone = "+15550100777"  # added before the second one is due: it goes
    db.session.flush()
    assert dispatch(channels, "w1", now=utcnow() + timedelta(days=1)).sent == 1
    assert [m["To"] for m in fake_sms.messages] == ["+15550100777"]


def test_account_mail_goes_by_email_and_invitations_to_the_given_address():
    user = make_user(locale="es")
    _pref(user, "message", "push")  # preferences do not apply to account mail
    reset = notify.enqueue(
        key="reset:abc",
        kind="account",
        template="password_reset",
        user=user,
        params={"url": "https://h.test/r/abc", "minutes": 60},
    )
    assert (reset.channel, reset.to_address, reset.locale) == ("email", user.email, "es")
    invite = notify.enqueue(
        key="invite:1",
        kind="account",
        template="caregiver_invitation",
        to_email="helper@example.test",
        locale="en",
        params={"inviter": "Ana", "url": "https://h.test/i/1", "days": 7},
    )
    assert (invite.channel, invite.to_address, invite.recipient_user_id) == (
        "email",
        "helper@example.test",
        None,
    )


# Quiet hours


def _utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (_utc(2030, 1, 15, 4, 0), _utc(2030, 1, 15, 12, 0)),  # 23:00 New York -> 07:00 next morning
        (_utc(2030, 1, 15, 11, 0), _utc(2030, 1, 15, 12, 0)),  # 06:00 -> 07:00 same morning
        (_utc(2030, 1, 15, 15, 0), _utc(2030, 1, 15, 15, 0)),  # 10:00 is outside the quiet hours
        (_utc(2030, 1, 15, 3, 0), _utc(2030, 1, 15, 12, 0)),  # 22:00 exactly is inside
        (_utc(2030, 1, 15, 12, 0), _utc(2030, 1, 15, 12, 0)),  # 07:00 exactly is outside
    ],
)
def test_shift_wrapping_midnight(due, expected):
    assert shift_out_of_quiet_hours(due, "America/New_York", time(22, 0), time(7, 0)) == expected


def test_shift_same_day_window_and_no_window():
    due = _utc(2030, 6, 1, 12, 30)  # 13:30 in Madrid (UTC+2 in June)
    assert shift_out_of_quiet_hours(due, "Europe/Madrid", time(13, 0), time(15, 0)) == _utc(2030, 6, 1, 13, 0)
    assert shift_out_of_quiet_hours(due, "Europe/Madrid", None, None) == due
    assert shift_out_of_quiet_hours(due, "Europe/Madrid", time(9, 0), time(9, 0)) == due


def test_shift_keeps_the_time_when_latest_at_would_pass():
    due = _utc(2030, 1, 15, 4, 0)  # 23:00 New York, quiet until 07:00 (12:00 UTC)
    assert (
        shift_out_of_quiet_hours(due, "America/New_York", time(22), time(7), latest_at=_utc(2030, 1, 15, 6))
        == due
    )
    assert shift_out_of_quiet_hours(
        due, "America/New_York", time(22), time(7), latest_at=_utc(2030, 1, 15, 13)
    ) == _utc(2030, 1, 15, 12)


def _send_at(now, smtp_server, make_channels):
    return dispatch(make_channels(smtp_server.settings), "w1", now=now)


def test_quiet_hours_hold_a_notification_when_it_is_sent_not_when_queued(smtp_server, make_channels):
    user = make_user(timezone="America/Los_Angeles")
    due = _utc(2030, 3, 1, 6, 0)  # 22:00 in Los Angeles
    row = notify.enqueue(key="r1", kind="reminder", template="appointment_reminder", user=user, due_at=due)
    urgent = notify.enqueue(key="r2", kind="reminder", template="appointment_reminder", user=user, due_at=due,
                            latest_at=_utc(2030, 3, 1, 9, 0))
    assert row.due_at == due and urgent.latest_at == _utc(2030, 3, 1, 9, 0)  # the wanted time is kept
    _pref(user, "reminder", "email", time(21, 0), time(8, 0))  # chosen after queueing: still obeyed
    summary = _send_at(due, smtp_server, make_channels)
    assert (summary.held, summary.sent) == (1, 1)  # the urgent one cannot wait past its latest time
    db.session.refresh(row)
    assert row.status == NotificationStatus.PENDING and row.next_attempt_at == _utc(2030, 3, 1, 16, 0)  # 08:00
    assert _send_at(_utc(2030, 3, 1, 15, 59), smtp_server, make_channels).claimed == 0
    assert _send_at(_utc(2030, 3, 1, 16, 0), smtp_server, make_channels).sent == 1
    assert len(smtp_server.to(user.email)) == 2


def test_quiet_hours_use_the_practice_zone_when_the_user_has_none(smtp_server, make_channels):
    practice = make_practice(timezone="Europe/Madrid")
    patient = make_patient(practice=practice)
    _pref(patient.user, "message", "email", time(22, 0), time(7, 0))
    due = _utc(2030, 1, 10, 22, 30)  # 23:30 in Madrid
    row = notify.enqueue(key="q1", kind="message", template="new_message", user=patient.user, due_at=due)
    assert _send_at(due, smtp_server, make_channels).held == 1
    db.session.refresh(row)
    assert row.next_attempt_at == _utc(2030, 1, 11, 6, 0)


def test_account_mail_ignores_quiet_hours(smtp_server, make_channels):
    user = make_user(timezone="UTC")
    _pref(user, "reminder", "email", time(0, 0), time(23, 59))
    now = utcnow()
    row = notify.enqueue(
        key="reset:q",
        kind="account",
        template="password_reset",
        user=user,
        params={"url": "https://h.test/r", "minutes": 30},
        due_at=now,
    )
    assert row.due_at == now
    assert _send_at(now, smtp_server, make_channels).sent == 1


# Cancellation


def test_cancel_by_key_prefix_and_ids_leaves_other_rows_alone():
    user = make_user()
    keep_sent = notify.enqueue(
        key="appointment:5:1h", kind="reminder", template="appointment_reminder", user=user
    )
    keep_sent.status = NotificationStatus.SENT
    a = notify.enqueue(key="appointment:5:24h", kind="reminder", template="appointment_reminder", user=user)
    b = notify.enqueue(key="appointment:50:24h", kind="reminder", template="appointment_reminder", user=user)
    c = notify.enqueue(key="appointment_5:24h", kind="reminder", template="appointment_reminder", user=user)
    db.session.flush()
    assert notify.cancel(key_prefix="appointment:5:") == 1
    assert notify.cancel(key_prefix="appointment%") == 0  # LIKE wildcards are taken literally
    assert notify.cancel(ids=[c.id]) == 1
    statuses = dict(db.session.execute(select(Notification.id, Notification.status)).all())
    assert statuses[a.id] == NotificationStatus.CANCELLED
    assert statuses[b.id] == NotificationStatus.PENDING
    assert statuses[c.id] == NotificationStatus.CANCELLED
    assert statuses[keep_sent.id] == NotificationStatus.SENT
    with pytest.raises(ValueError):
        notify.cancel()


def test_cancelled_key_stays_taken():
    user = make_user()
    notify.enqueue(
        key="appointment:9:24h",
        kind="reminder",
        template="appointment_reminder",
        user=user,
        due_at=utcnow() + timedelta(days=1),
    )
    notify.cancel(key_prefix="appointment:9:")
    again = notify.enqueue(
        key="appointment:9:24h", kind="reminder", template="appointment_reminder", user=user
    )
    assert again.status == NotificationStatus.CANCELLED
