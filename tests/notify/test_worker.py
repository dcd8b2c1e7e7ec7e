"""The entry points: run_once / run_forever, `flask notify-worker` and the Celery task."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select

from hearth import db, notify
from hearth.clock import utcnow
from hearth.jobs import tasks
from hearth.jobs.celery_app import celery_app
from hearth.models import Notification, NotificationStatus
from hearth.notify.dispatcher import claim_due
from hearth.notify.worker import run_forever, run_once
from tests.factories import make_user


def _status(key: str) -> NotificationStatus:
    return db.session.scalar(select(Notification.status).where(Notification.idempotency_key == key))


class _OneRound(threading.Event):
    """A stop event that ends run_forever after its first round instead of sleeping."""

    def wait(self, timeout=None) -> bool:
        self.set()
        return True


def test_run_once_reclaims_then_sends(smtp_server):
    user = make_user()
    notify.enqueue(key="stuck", kind="message", template="new_message", user=user)
    claim_due(10, "dead-worker", now=utcnow() - timedelta(minutes=10))  # claimed long ago, never finished
    notify.enqueue(key="fresh", kind="message", template="new_message", user=user)
    summary = run_once(smtp_server.settings)
    assert (summary.claimed, summary.sent) == (2, 2)
    assert _status("stuck") == _status("fresh") == NotificationStatus.SENT


def test_run_forever_runs_rounds_until_stopped(smtp_server):
    user = make_user()
    notify.enqueue(key="loop", kind="message", template="new_message", user=user)
    run_forever(smtp_server.settings, interval=0.01, stop=_OneRound())
    assert _status("loop") == NotificationStatus.SENT
    assert len(smtp_server.messages) == 1


def test_flask_notify_worker_once(app, smtp_server, monkeypatch):
    for key, value in smtp_server.settings.items():
        monkeypatch.setitem(app.config, key, value)
    user = make_user()
    notify.enqueue(key="cli", kind="message", template="new_message", user=user)
    result = app.test_cli_runner().invoke(args=["notify-worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "claimed=1 sent=1" in result.output
    assert _status("cli") == NotificationStatus.SENT


def test_celery_beat_dispatches_every_ten_seconds_with_late_acks():
    entry = celery_app.conf.beat_schedule["notify-dispatch-due"]
    assert entry["task"] == "hearth.jobs.tasks.dispatch_due"
    assert entry["schedule"] <= 10
    assert celery_app.conf.task_acks_late is True
    assert "hearth.jobs.tasks.dispatch_due" in celery_app.tasks


def test_dispatch_due_task_sends_and_is_safe_to_repeat(smtp_server):
    user = make_user()
    notify.enqueue(key="celery", kind="message", template="new_message", user=user)
    tasks.configure(smtp_server.settings)
    try:
        first = tasks.dispatch_due.apply().get()
        second = tasks.dispatch_due.apply().get()
    finally:
        tasks.configure(None)
    assert (first["sent"], second["claimed"]) == (1, 0)
    assert _status("celery") == NotificationStatus.SENT
    assert len(smtp_server.messages) == 1
