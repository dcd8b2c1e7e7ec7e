"""Celery tasks: thin wrappers that call the domain, safe to run twice or side by side."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from hearth import config, db
from hearth.jobs.celery_app import celery_app
from hearth.notify.channels import Channels, build_channels
from hearth.notify.worker import run_once

log = logging.getLogger("hearth.jobs")

INSTANCE_PATH = Path(__file__).resolve().parent.parent.parent / "instance"

_settings: dict[str, Any] | None = None
_channels: Channels | None = None


def configure(settings: Mapping[str, Any] | None) -> None:
    """Use `settings` (an app's config) instead of reading the environment; None resets."""
    global _settings, _channels
    if _channels is not None:
        _channels.close()
    _settings = dict(settings) if settings is not None else None
    _channels = None


def settings() -> dict[str, Any]:
    global _settings
    if _settings is None:
        _settings = config.load(INSTANCE_PATH)
    return _settings


def channels() -> Channels:
    """The channel adapters, built once per worker process."""
    global _channels
    if _channels is None:
        _channels = build_channels(settings())
    return _channels


def ensure_db(*, force: bool = False) -> None:
    """Bind the session to DATABASE_URL unless something (the app, a test) already did."""
    try:
        db.engine()
    except RuntimeError:
        force = True
    if force:
        db.configure(settings()["DATABASE_URL"])


@celery_app.task(name="hearth.jobs.tasks.dispatch_due", ignore_result=True)
def dispatch_due() -> dict[str, int]:
    """Send every due notification; rows are claimed, so overlapping runs never double-send."""
    ensure_db()
    try:
        summary = run_once(settings(), channels=channels())
        # An idle tick (every NOTIFY_DISPATCH_EVERY seconds) is DEBUG; work done is INFO.
        log.log(logging.INFO if summary.claimed else logging.DEBUG, "notifications: %s", summary)
        return asdict(summary)
    finally:
        db.session.remove()


@celery_app.task(name="hearth.jobs.tasks.refill_reminders", ignore_result=True)
def refill_reminders() -> int:
    """Queue refill-due reminders (a week before a medication runs out); idempotent per fill."""
    from hearth.services.medications.reminders import plan_due

    ensure_db()
    try:
        count = plan_due(base_url=settings().get("BASE_URL", ""))
        log.log(logging.INFO if count else logging.DEBUG, "refill reminders: %d due", count)
        return count
    finally:
        db.session.remove()
