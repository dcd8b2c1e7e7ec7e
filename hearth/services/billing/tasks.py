"""The billing worker's Celery task: process stored Stripe events, then reconcile (beat, every ~30 s).

Safe to run twice or side by side: each event is finished under its row lock, and every effect is a
conditional UPDATE on the payment (see hearth.services.billing.events).
"""

from __future__ import annotations

import logging

from hearth import db
from hearth.jobs.celery_app import celery_app
from hearth.jobs.tasks import ensure_db, settings
from hearth.services.billing import events

log = logging.getLogger("hearth.billing")


@celery_app.task(name="hearth.services.billing.tasks.stripe_events", ignore_result=True)
def stripe_events() -> dict[str, int]:
    """Process pending Stripe events and reconcile stale Checkout Sessions."""
    ensure_db()
    try:
        run, reconciled = events.run_once(settings())
        if run.processed or run.failed or reconciled:
            log.info("stripe events: %d processed, %d failed, %d reconciled", run.processed, run.failed,
                     len(reconciled))
        return {"processed": run.processed, "failed": run.failed, "reconciled": len(reconciled)}
    finally:
        db.session.remove()
