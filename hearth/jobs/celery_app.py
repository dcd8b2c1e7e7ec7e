"""The Celery app: Redis broker, late acks, and beat sending due notifications every ~10 seconds.

Tasks are short and idempotent; nothing is scheduled with a long ETA. A reminder for next week is
an outbox row with a `due_at`, and beat's `dispatch_due` picks it up when the time comes.
Run workers with `celery -A hearth.jobs.celery_app worker` and exactly one scheduler with
`celery -A hearth.jobs.celery_app beat --scheduler hearth.jobs.beat:SingleBeatScheduler` (the lock makes
a second one a no-op). Workers retry the broker for as long as it is down, one log line per attempt.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import worker_process_init

from hearth.jobs import signals  # noqa: F401  (logging and request ids in every Celery process)

DISPATCH_EVERY_SECONDS = float(os.environ.get("NOTIFY_DISPATCH_EVERY", "10"))

celery_app = Celery(
    "hearth",
    broker=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
    include=["hearth.jobs.tasks"],
)
celery_app.conf.update(
    task_acks_late=True,  # a task lost with its worker runs again; every task here is idempotent
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_ignore_result=True,
    timezone="UTC",
    enable_utc=True,
    broker_connection_retry_on_startup=True,
    broker_connection_max_retries=None,  # keep trying for as long as Redis is down (default: give up after 100)
    worker_hijack_root_logger=False,
    # On a lost broker connection, stop the task in hand: its claim fences it, and the next run resends.
    worker_cancel_long_running_tasks_on_connection_loss=True,
    beat_schedule={
        "notify-dispatch-due": {
            "task": "hearth.jobs.tasks.dispatch_due",
            "schedule": DISPATCH_EVERY_SECONDS,
            # A tick nobody ran before the next one is useless: let it expire instead of piling up.
            "options": {"expires": DISPATCH_EVERY_SECONDS},
        },
        # Refill-due reminders: one per fill whatever the number of runs (outbox keys), so hourly is plenty.
        "refill-reminders": {"task": "hearth.jobs.tasks.refill_reminders", "schedule": 3600.0,
                             "options": {"expires": 3600.0}},
    },
)


@worker_process_init.connect
def _init_worker_process(**_kwargs) -> None:
    """Each forked worker process opens its own database engine."""
    from hearth.jobs.tasks import ensure_db

    ensure_db(force=True)
