"""The email-change link opened 10 times at once: the address changes once, the old address is told once.

Real threads on separate connections, on PostgreSQL and SQLite alike. The test commits real rows
(the race needs transactions that see each other's commits) and deletes them at the end.
"""

from __future__ import annotations

import threading
from urllib.parse import urlsplit

import pytest
from sqlalchemy import delete, func, select

from hearth import db
from hearth.errors import Invalid
from hearth.models import Notification, User
from hearth.services import email_change
from hearth.services.auth import LoginPolicy
from tests.factories import PASSWORD, make_user

RACERS = 10


@pytest.fixture
def committed(app):
    """Bind the session to the engine itself for this test, and delete what it made afterwards."""
    db.session.rollback()
    db.session.remove()
    db.SessionFactory.configure(bind=db.engine(), join_transaction_mode="conditional_savepoint")
    made: list[int] = []
    try:
        yield made
    finally:
        db.session.remove()
        with db.engine().begin() as conn:
            conn.execute(delete(Notification).where(Notification.recipient_user_id.in_(made)))
            conn.execute(delete(User).where(User.id.in_(made)))


def test_ten_clicks_at_once_change_the_email_once(app, committed):
    settings = email_change.EmailChangeSettings.from_config(app.config)
    user = make_user(email="racer@example.test")
    db.session.commit()
    committed.append(user.id)
    email_change.request_change(user, None, email="racer.new@example.test", settings=settings,
                                policy=LoginPolicy(), current_password=PASSWORD)
    link = db.session.scalar(select(Notification).where(Notification.recipient_user_id == user.id,
                                                        Notification.template == "email_change_confirm"))
    token = urlsplit(link.params["url"]).path.rsplit("/", 1)[1]
    db.session.remove()

    barrier = threading.Barrier(RACERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def click():
        with app.app_context():
            barrier.wait()
            try:
                email_change.confirm(token, settings)
                outcome = "changed"
            except Invalid:
                outcome = "refused"
            except Exception as exc:  # noqa: BLE001 - any other error is what this test is looking for
                outcome = f"error: {type(exc).__name__}: {exc}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=click) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sorted(outcomes) == ["changed"] + ["refused"] * (RACERS - 1)
    assert db.session.get(User, user.id).email == "racer.new@example.test"
    notices = db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.recipient_user_id == user.id, Notification.template == "email_changed"))
    assert notices == 1
