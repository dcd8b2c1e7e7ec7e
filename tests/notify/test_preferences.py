"""Notification preferences and the notification centre (hearth.services.notifications)."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import event

from hearth import db, notify
from hearth.clock import utcnow
from hearth.errors import Invalid
from hearth.models import NotificationStatus
from hearth.services import notifications
from tests.factories import make_patient, make_user


def test_defaults_come_from_the_patient_record():
    patient = make_patient(preferred_channels="push,email")
    views = notifications.get_preferences(patient.user)
    assert [v.kind for v in views] == ["reminder", "appointment", "message", "result", "bill", "waitlist", "refill"]
    assert all(v.channels == ["push", "email"] and v.is_default for v in views)
    assert notifications.get_preferences(make_user())[0].channels == ["email"]


def test_set_preference_is_saved_and_used_by_enqueue():
    patient = make_patient(phone="+15550100")
    view = notifications.set_preference(
        patient.user,
        "reminder",
        channels=["sms", "email"],
        quiet_hours_start=time(21, 30),
        quiet_hours_end=time(7, 0),
    )
    assert view.channels == ["sms", "email"] and not view.is_default
    again = notifications.set_preference(patient.user, "reminder", channels=["email"])
    assert again.quiet_hours_start is None
    stored = {v.kind: v for v in notifications.get_preferences(patient.user)}
    assert stored["reminder"].channels == ["email"] and not stored["reminder"].is_default
    assert stored["message"].is_default
    row = notify.enqueue(key="rem:1", kind="reminder", template="appointment_reminder", user=patient.user)
    assert row.channel == "email"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "gossip", "channels": ["email"]}, "kind"),
        ({"kind": "account", "channels": ["email"]}, "kind"),  # security mail cannot be silenced
        ({"kind": "message", "channels": []}, "channels"),
        ({"kind": "message", "channels": ["email", "fax"]}, "channels"),
        ({"kind": "message", "channels": ["email", "email"]}, "channels"),
        ({"kind": "message", "channels": ["email"], "quiet_hours_start": time(22, 0)}, "quiet_hours_end"),
        (
            {
                "kind": "message",
                "channels": ["email"],
                "quiet_hours_start": time(8),
                "quiet_hours_end": time(8),
            },
            "quiet_hours_end",
        ),
        (
            {
                "kind": "message",
                "channels": ["email"],
                "quiet_hours_start": "22:00",
                "quiet_hours_end": time(7),
            },
            "quiet_hours_start",
        ),
    ],
)
def test_invalid_preferences_are_refused(kwargs, field):
    user = make_user()
    kind = kwargs.pop("kind")
    with pytest.raises(Invalid) as err:
        notifications.set_preference(user, kind, **kwargs)
    assert field in err.value.fields


def _sent(user, key, *, minutes_ago, template="new_message", kind="message", params=None):
    row = notify.enqueue(key=key, kind=kind, template=template, user=user, params=params)
    row.status = NotificationStatus.SENT
    row.sent_at = utcnow() - timedelta(minutes=minutes_ago)
    return row


def test_centre_lists_what_was_sent_newest_first_in_pages():
    user = make_user(locale="es")
    other = make_user()
    old = _sent(user, "a", minutes_ago=30)
    new = _sent(user, "b", minutes_ago=1, template="bill_ready", kind="bill")
    middle = _sent(user, "c", minutes_ago=10)
    notify.enqueue(key="d", kind="message", template="new_message", user=user)  # still pending: not listed
    _sent(other, "e", minutes_ago=2)
    db.session.flush()
    page = notifications.list_for_user(user, page=1, per_page=2)
    assert [i.id for i in page.items] == [new.id, middle.id]
    assert (page.total, page.has_next) == (3, True)
    assert page.items[0].title == "Nuevo estado de cuenta"
    page2 = notifications.list_for_user(user, page=2, per_page=2)
    assert [i.id for i in page2.items] == [old.id] and not page2.has_next


def test_centre_runs_two_queries_whatever_the_page_length():
    user = make_user()
    for i in range(30):
        _sent(user, f"n{i}", minutes_ago=i)
    db.session.flush()
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine()
    event.listen(engine, "before_cursor_execute", count)
    try:
        page = notifications.list_for_user(user, per_page=25)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(page.items) == 25
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2
