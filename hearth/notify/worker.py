"""The notification worker loop, run by `flask notify-worker`, the run script and the Celery task."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from hearth import db
from hearth.notify.channels import Channels, build_channels
from hearth.notify.dispatcher import Summary, dispatch, reclaim_stuck

log = logging.getLogger("hearth.notify")

DEFAULTS = {
    "NOTIFY_BATCH_SIZE": 100,  # rows claimed per batch: bounds memory and the length of a claim
    "NOTIFY_MAX_BATCHES": 50,  # batches per run, so one run cannot go on forever
    "NOTIFY_SENDING_TIMEOUT": 300,  # seconds without a claim renewal before a "sending" row is put back
}


def _setting(settings: Mapping[str, Any], key: str) -> int:
    return int(settings.get(key) or DEFAULTS[key])


def new_worker_id() -> str:
    """Unique per worker, readable in the `claimed_by` column: host, process and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def run_once(
    settings: Mapping[str, Any], *, channels: Channels | None = None, worker_id: str | None = None
) -> Summary:
    """Put stuck rows back, then send everything due in bounded batches; returns the counts."""
    own_channels = channels is None
    channels = channels if channels is not None else build_channels(settings)
    try:
        timeout = timedelta(seconds=_setting(settings, "NOTIFY_SENDING_TIMEOUT"))
        reclaim_stuck(timeout)
        return dispatch(
            channels,
            worker_id or new_worker_id(),
            batch=_setting(settings, "NOTIFY_BATCH_SIZE"),
            max_batches=_setting(settings, "NOTIFY_MAX_BATCHES"),
            sending_timeout=timeout,  # the claim is renewed every third of it while a batch is sent
        )
    finally:
        if own_channels:
            channels.close()


def _periodic_work(settings: Mapping[str, Any]) -> None:
    """Other capabilities' periodic work, run by the same loop when Celery beat is not used."""
    from hearth.services.billing import events as billing_events  # Stripe webhooks stored by the web

    try:
        billing_events.run_once(settings)
    except Exception:
        log.exception("billing: processing Stripe events failed; trying again next round")
        db.session.rollback()


def run_forever(
    settings: Mapping[str, Any], interval: float = 10.0, *, stop: threading.Event | None = None
) -> None:
    """Run `run_once` every `interval` seconds until `stop` is set (or the process is interrupted)."""
    stop = stop or threading.Event()
    channels = build_channels(settings)
    worker_id = new_worker_id()
    log.info("notification worker %s started (every %.1f s)", worker_id, interval)
    try:
        while not stop.is_set():
            try:
                summary = run_once(settings, channels=channels, worker_id=worker_id)
                if summary.claimed:
                    log.info("notifications: %s", summary)
                _periodic_work(settings)
            except Exception:
                log.exception("notification run failed; trying again in %.1f s", interval)
                db.session.rollback()
            finally:
                db.session.remove()
            stop.wait(interval)
    except KeyboardInterrupt:
        log.info("notification worker %s stopped", worker_id)
    finally:
        channels.close()
