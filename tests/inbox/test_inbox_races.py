"""Parallel requests on separate connections: of several staff claiming one thread at once, exactly one wins;
a double-submitted claim, assignment or status change is recorded once. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hearth import db
from hearth.models import MessageThread, MessageThreadEvent
from tests.api.test_staff import bearer
from tests.inbox.helpers import make_thread
from tests.inbox.test_inbox_portal import setup_clinic
from tests.parallel import committed, race, sqlite_writer_begin  # noqa: F401  (fixtures)
from tests.portal.test_staff import enrolled_staff

pytestmark = pytest.mark.usefixtures("committed", "sqlite_writer_begin")
RACERS = 4


def _events(thread_id: int) -> list[tuple[str, str | None]]:
    db.session.expire_all()
    return [(e.kind.value, e.to_value) for e in db.session.scalars(
        select(MessageThreadEvent).where(MessageThreadEvent.thread_id == thread_id).order_by(MessageThreadEvent.id))]


def test_one_of_four_staff_claiming_at_once_wins(app):
    practice, nurse, doctor, pool, desk, ana = setup_clinic()
    others = [enrolled_staff(practice=practice) for _ in range(RACERS - 2)]
    thread = make_thread(patient=ana, pool=pool)
    db.session.commit()
    staff = [nurse, doctor, *others]
    with app.test_client() as client:
        auths = [bearer(client, user) for user in staff]
    url = f"/api/v1/practices/{practice.id}/inbox/threads/{thread.id}/claim"
    results = race(app, RACERS, lambda i, client: client.post(url, headers=auths[i]))
    codes = sorted(r.status_code for r in results)
    assert codes == [200] + [409] * (RACERS - 1), [getattr(r, "json", r) for r in results]
    winner = staff[[r.status_code for r in results].index(200)]
    db.session.expire_all()
    assert db.session.get(MessageThread, thread.id).owner_user_id == winner.id
    assert _events(thread.id) == [("claimed", str(winner.id))]


def test_double_submits_are_recorded_once(app):
    practice, nurse, doctor, pool, desk, ana = setup_clinic()
    thread = make_thread(patient=ana, pool=pool)
    db.session.commit()
    with app.test_client() as client:
        auth = bearer(client, nurse)
    base = f"/api/v1/practices/{practice.id}/inbox/threads/{thread.id}"
    for method, path, body in (("post", "/claim", None), ("put", "/assignee", {"assignee_id": doctor.id}),
                               ("put", "/status", {"status": "closed"})):
        results = race(app, RACERS, lambda i, client, m=method, p=path, b=body:
                       getattr(client, m)(base + p, headers=auth, json=b))
        assert [r.status_code for r in results] == [200] * RACERS, [getattr(r, "json", r) for r in results]
    assert _events(thread.id) == [("claimed", str(nurse.id)), ("assigned", str(doctor.id)), ("status", "closed")]
    assert db.session.scalar(select(func.count()).select_from(MessageThreadEvent)) >= 3
