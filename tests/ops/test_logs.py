"""Logs an operator can use: request ids in and out, JSON lines, tokens masked, no patient details."""

from __future__ import annotations

import json
import logging

from gunicorn.config import Config

from hearth import logs
from hearth.notify.worker import run_once
from tests.factories import PASSWORD, make_patient
from tests.scheduling.conftest import clinic, future_day  # noqa: F401  (fixture)


def test_request_id_is_generated_and_returned(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert len(first.headers["X-Request-Id"]) == 32
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]


def test_a_callers_request_id_is_kept_when_plain_and_replaced_when_not(client):
    assert client.get("/healthz", headers={"X-Request-Id": "lb-1234.abc"}).headers["X-Request-Id"] == "lb-1234.abc"
    odd = client.get("/healthz", headers={"X-Request-Id": "x" * 65}).headers["X-Request-Id"]
    assert odd != "x" * 65 and len(odd) == 32
    assert client.get("/healthz", headers={"X-Request-Id": "a b<c>"}).headers["X-Request-Id"] != "a b<c>"


def _format(record_msg: str, fmt: str, *args) -> str:
    record = logging.LogRecord("hearth.test", logging.WARNING, __file__, 1, record_msg, args, None)
    logs.ContextFilter().filter(record)
    return logs.formatter(fmt).format(record)


def test_text_lines_have_time_level_process_and_request_id():
    logs.set_request_id("req-42")
    try:
        line = _format("hello %s", "text", "world")
    finally:
        logs.clear_request_id()
    assert " WARNING [" in line and "[req-42] hearth.test: hello world" in line
    assert line[:4].isdigit()  # starts with the timestamp


def test_json_lines_when_asked():
    logs.set_request_id("req-43")
    try:
        line = _format("sent %s", "json", "/r/IjQyIg.aGVsbG8.c2lnbmF0dXJlMTIz")
    finally:
        logs.clear_request_id()
    data = json.loads(line)
    assert data["level"] == "WARNING" and data["request_id"] == "req-43" and data["name"] == "hearth.test"
    assert data["message"] == "sent /r/[redacted]" and "time" in data and isinstance(data["process"], int)


def test_tokens_in_urls_are_redacted_but_routes_are_not():
    assert logs.redact("GET /r/IjQyIg.aGVsbG8.c2lnbmF0dXJlMTIz HTTP/1.1") == "GET /r/[redacted] HTTP/1.1"
    assert logs.redact("/reset-password/eyJ1IjoxfQ.ZzYxNw.AbCdEfGhIjKl") == "/reset-password/[redacted]"
    assert logs.redact("/caregivers/accept/Zm9vYmFyYmF6cXV4cXV1eA") == "/caregivers/accept/[redacted]"
    assert logs.redact("/login?next=/&token=abc123") == "/login?next=/&token=[redacted]"
    kept = "/api/v1/patients/12/appointments/notification-preferences"
    assert logs.redact(kept) == kept


def test_gunicorn_access_log_masks_tokens():
    logger = logs.GunicornLogger(Config())

    class Response:
        status, sent, headers = "200 OK", 12, [("X-Request-Id", "abc")]

    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/r/IjQyIg.aGVsbG8.c2lnbmF0dXJlMTIz?lang=es",
               "PATH_INFO": "/r/IjQyIg.aGVsbG8.c2lnbmF0dXJlMTIz", "QUERY_STRING": "lang=es",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1"}
    from datetime import timedelta

    atoms = logger.atoms(Response(), {}, environ, timedelta(milliseconds=5))
    assert atoms["r"] == "GET /r/[redacted]?lang=es HTTP/1.1" and atoms["U"] == "/r/[redacted]"


def test_a_journey_leaves_no_patient_details_in_the_logs(client, clinic, caplog, smtp_server):  # noqa: F811
    """Distinctive name, email, phone and visit reason: none may appear in any log record."""
    secrets = ["Zephyrine", "Quillbottom", "zq.private@example.test", "5550142987", "Strange-rash-on-elbow"]
    patient = make_patient(practice=clinic.practice, given_name="Zephyrine", family_name="Quillbottom",
                           phone="+15550142987")
    patient.user.email = patient.email = "zq.private@example.test"
    from hearth import db

    db.session.commit()
    with caplog.at_level(logging.DEBUG):
        bad = client.post("/api/v1/auth/token", json={"email": "zq.private@example.test", "password": "wrong"})
        assert bad.status_code == 401
        token = client.post("/api/v1/auth/token", json={"email": "zq.private@example.test", "password": PASSWORD})
        h = {"Authorization": f"Bearer {token.json['access_token']}"}
        base = f"/api/v1/patients/{patient.id}"
        assert client.get("/api/v1/me", headers=h).status_code == 200
        day = future_day(5).isoformat()
        slots = client.get(f"{base}/slots", query_string={"visit_type_id": clinic.visit.id, "start": day, "end": day},
                           headers=h).json
        body = {k: slots[0][k] for k in ("visit_type_id", "provider_id", "location_id", "starts_at")}
        made = client.post(f"{base}/appointments", json=body | {"reason": "Strange-rash-on-elbow"}, headers=h)
        assert made.status_code == 201, made.json
        client.post(f"{base}/appointments/{made.json['id']}/cancel", json={"reason": "Strange-rash-on-elbow"},
                    headers=h)
        run_once(smtp_server.settings)
    # Everything the app and its libraries logged; not the test's own fake mail server (aiosmtpd's
    # "mail.log" is the receiving side, which of course sees the recipient).
    records = [r for r in caplog.records if not r.name.startswith("mail.log")]
    text = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in records)
    assert any(r.name.startswith("hearth") for r in records), "Hearth logged nothing: the check would prove nothing"
    leaked = [s for s in secrets if s.lower() in text.lower()]
    assert not leaked, f"patient details in the logs: {leaked}\n{text[:2000]}"
