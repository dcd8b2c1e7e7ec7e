"""Logging an operator can use: timestamp, level, process, request id; JSON lines on request; no secrets.

- Every record carries `request_id` (from `X-Request-Id` or generated per request, carried into Celery
  tasks the request queues) so one request's lines can be found across app servers and workers.
- `LOG_FORMAT=json` writes one JSON object per line (python-json-logger); otherwise plain text.
- Tokens that travel in URLs (reminder links `/r/<token>`, password resets, invitations, email
  confirmations) are secrets: `redact()` masks any long token-like path segment or `token=` value in
  every log line, the werkzeug and gunicorn access logs included.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from contextvars import ContextVar

_request_id: ContextVar[str] = ContextVar("hearth_request_id", default="-")

# A path segment of 20+ URL-safe characters with a digit, or with both cases: signed tokens
# (itsdangerous: base64 parts joined by dots) and random url-safe tokens; route names are lower-case words.
_SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9_.~-]{20,}")
_TOKEN_PARAM = re.compile(r"(?i)\b(token|code|key|signature|sig)=[^&\s\"]+")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
REDACTED = "[redacted]"

TEXT_FORMAT = "%(asctime)s %(levelname)s [%(process)d] [%(request_id)s] %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(process)d %(request_id)s %(name)s %(message)s"


def redact(text: str) -> str:
    """`text` with URL tokens masked: `/r/abc.def...` → `/r/[redacted]`, `?token=x` → `?token=[redacted]`."""
    text = _SEGMENT.sub(lambda m: REDACTED if _tokenish(m.group(0)) else m.group(0), text)
    return _TOKEN_PARAM.sub(lambda m: f"{m.group(1)}={REDACTED}", text)


def _tokenish(segment: str) -> bool:
    return any(c.isdigit() for c in segment) or (segment.lower() != segment and segment.upper() != segment)


def request_id() -> str:
    """The current request's (or task's) id, "-" outside one."""
    return _request_id.get()


def set_request_id(value: str | None) -> str:
    """Adopt a caller's id when it is a short plain token, else make one; returns the id in force."""
    rid = value if value and _REQUEST_ID.match(value) else os.urandom(16).hex()  # as uuid4().hex, ~4x cheaper
    _request_id.set(rid)
    return rid


def clear_request_id() -> None:
    _request_id.set("-")


class ContextFilter(logging.Filter):
    """Adds `request_id` to every record and masks URL tokens in its message (a handler filter)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        if record.args:
            try:
                record.msg = record.getMessage()
                record.args = None
            except (TypeError, ValueError):
                return True
        if isinstance(record.msg, str):  # one record, one line: no forged lines from values in messages
            record.msg = redact(record.msg).replace("\r", " ").replace("\n", " ")
        return True


class BrokerRetryFilter(logging.Filter):
    """One line per broker reconnection attempt, not a traceback each (Celery's consumer logs one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None and _is_connection_error(record.exc_info[1]):
            record.msg = f"{record.getMessage()} ({type(record.exc_info[1]).__name__}: {record.exc_info[1]})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


class QuietTicks(logging.Filter):
    """Demote Celery's "received"/"succeeded" lines of the periodic dispatch to DEBUG: a worker that
    has nothing to send logs nothing at INFO (the task itself logs what it sent)."""

    def __init__(self, task_name: str) -> None:
        super().__init__()
        self.task_name = task_name

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO and self.task_name in str(record.msg) + str(record.args):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return True


def _is_connection_error(exc: BaseException) -> bool:
    names = {cls.__name__ for cls in type(exc).__mro__}
    return bool(names & {"ConnectionError", "OperationalError", "TimeoutError", "ConnectionRefusedError"})


def formatter(fmt: str | None = None) -> logging.Formatter:
    """The formatter for LOG_FORMAT (`json` or text)."""
    if (fmt or os.environ.get("LOG_FORMAT", "text")).lower() == "json":
        from pythonjsonlogger.json import JsonFormatter

        return JsonFormatter(JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level"})
    return logging.Formatter(TEXT_FORMAT)


def configure(*, fmt: str | None = None, level: str | None = None) -> None:
    """Set up the root logger once per process (idempotent): one stderr handler with our filters."""
    root = logging.getLogger()
    for handler in root.handlers:
        if getattr(handler, "_hearth", False):
            return
    handler = logging.StreamHandler(sys.stderr)
    handler._hearth = True  # type: ignore[attr-defined]
    handler.setFormatter(formatter(fmt))
    handler.addFilter(ContextFilter())
    handler.addFilter(BrokerRetryFilter())
    root.addHandler(handler)
    root.setLevel((level or os.environ.get("LOG_LEVEL", "INFO")).upper())
    handler.setLevel(root.level)  # so records demoted on their way (QuietTicks) are dropped here
    logging.getLogger("werkzeug").propagate = True


try:  # the gunicorn access log: same format and redaction (used by deploy/gunicorn.conf.py)
    from gunicorn.glogging import Logger as _GunicornLogger

    class GunicornLogger(_GunicornLogger):
        """Gunicorn's logger with the request line, path, query and referrer tokens masked."""

        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            for key in ("r", "U", "q", "f", "{raw_uri}e", "{path_info}e", "{query_string}e"):
                if isinstance(atoms.get(key), str):
                    atoms[key] = redact(atoms[key])
            atoms["{x-request-id}o"] = atoms.get("{x-request-id}o", "-")
            return atoms

except ImportError:  # pragma: no cover - gunicorn is in requirements.txt
    GunicornLogger = None  # type: ignore[assignment,misc]
