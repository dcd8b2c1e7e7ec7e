"""Parallel requests on separate connections: a double-submitted message is one message, and many
readers and repliers keep the thread's counters exact. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hearth import db
from hearth.models import Message, MessageThread
from tests.api.test_staff import bearer
from tests.messages.helpers import make_clinic, start
from tests.parallel import committed, race, sqlite_writer_begin  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("committed", "sqlite_writer_begin")
RACERS = 6


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_same_new_message_sent_6_times_at_once_is_one_thread(app):
    c = make_clinic()
    db.session.commit()
    auth = {}
    with app.test_client() as client:
        auth = bearer(client, c.patient.user)
    body = {"reason": "medical_question", "subject": "Rash", "body": "Itchy", "client_key": "tap-1"}
    url = f"/api/v1/patients/{c.patient.id}/messages/threads"
    results = race(app, RACERS, lambda i, client: client.post(url, headers=auth, json=body))
    assert sorted(r.status_code for r in results) == [201] * RACERS, [getattr(r, "json", r) for r in results]
    assert len({r.json["id"] for r in results}) == 1
    assert _count(MessageThread) == 1 and _count(Message) == 1


def test_replies_at_once_each_count_once(app):
    c = make_clinic()
    thread = start(c.patient.user, c.patient)
    db.session.commit()
    with app.test_client() as client:
        auth = bearer(client, c.patient.user)
    url = f"/api/v1/patients/{c.patient.id}/messages/threads/{thread.id}/messages"
    results = race(app, RACERS, lambda i, client: client.post(url, headers=auth, json={"body": f"more {i}"}))
    assert sorted(r.status_code for r in results) == [201] * RACERS
    db.session.expire_all()
    assert db.session.get(MessageThread, thread.id).message_count == RACERS + 1
