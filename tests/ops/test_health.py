"""/healthz and /readyz: public, unaudited, say only ok/failing, and notice an outbox nobody sends."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import func, select

from hearth import db, health, notify
from hearth.clock import utcnow
from hearth.models import AuditEvent, Notification
from tests.factories import make_user


def _audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def test_healthz_answers_without_touching_anything(client):
    before = _audit_count()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    assert _audit_count() == before


def test_readyz_reports_each_check_and_no_versions(client):
    response = client.get("/readyz")
    body = response.get_json()
    assert response.status_code == 200, body
    assert body == {"status": "ok", "checks": {"database": "ok", "migrations": "ok", "notifications": "ok"}}
    assert "version" not in response.get_data(as_text=True).lower()


def test_readyz_fails_when_due_notifications_wait_too_long(client, app, monkeypatch, caplog):
    user = make_user()
    notify.enqueue(key="stale", kind="message", template="new_message", user=user)
    row = db.session.scalar(select(Notification).where(Notification.idempotency_key == "stale"))
    row.due_at = utcnow() - timedelta(minutes=30)
    db.session.commit()
    monkeypatch.setitem(app.config, "READY_MAX_BACKLOG_SECONDS", 600)
    with caplog.at_level(logging.WARNING, logger="hearth.health"):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["notifications"] == "failing"
    assert "is a notification worker running?" in caplog.text


def test_readyz_fails_when_the_broker_is_unreachable(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["broker"] == "failing"


def test_readyz_checks_a_reachable_broker(client, app, monkeypatch, redis_url):
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"]["broker"] == "ok"


def test_backlog_watch_warns_at_most_once_per_period(caplog):
    user = make_user()
    notify.enqueue(key="old", kind="message", template="new_message", user=user)
    db.session.scalar(select(Notification).where(Notification.idempotency_key == "old")).due_at = (
        utcnow() - timedelta(hours=1))
    db.session.flush()
    watch = health.BacklogWatch(every=3600, max_seconds=60)
    with caplog.at_level(logging.WARNING, logger="hearth.health"):
        watch.tick()
        watch.tick()
    warnings = [r for r in caplog.records if "nobody sending them" in r.getMessage()]
    assert len(warnings) == 1


def test_backlog_watch_is_quiet_when_nothing_waits(caplog):
    watch = health.BacklogWatch(every=1, max_seconds=60)
    with caplog.at_level(logging.WARNING, logger="hearth.health"):
        watch.tick()
    assert not caplog.records
