"""Celery process wiring: Hearth's log format, and the request id carried from a request into its tasks."""

from __future__ import annotations

from celery.signals import before_task_publish, setup_logging, task_postrun, task_prerun

from hearth import logs

HEADER = "hearth_request_id"


@setup_logging.connect
def _logging(**_kwargs) -> None:
    """Use Hearth's format (LOG_FORMAT, request ids, redaction) instead of Celery's own."""
    logs.configure()
    import logging

    for name in ("celery.app.trace", "celery.worker.strategy"):
        logging.getLogger(name).addFilter(logs.QuietTicks("hearth.jobs.tasks.dispatch_due"))


@before_task_publish.connect
def _carry_request_id(headers=None, **_kwargs) -> None:
    if headers is not None and logs.request_id() != "-":
        headers[HEADER] = logs.request_id()


@task_prerun.connect
def _adopt_request_id(task=None, **_kwargs) -> None:
    rid = getattr(task.request, HEADER, None) if task is not None else None
    if rid is None and task is not None:
        rid = (task.request.headers or {}).get(HEADER) if isinstance(task.request.headers, dict) else None
    logs.set_request_id(rid)


@task_postrun.connect
def _forget_request_id(**_kwargs) -> None:
    logs.clear_request_id()
