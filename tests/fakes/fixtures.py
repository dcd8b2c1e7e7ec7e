"""Pytest fixtures for the third-party fakes: FCM, SMTP (aiosmtpd) and SMS.

Use from a conftest with ``pytest_plugins = ["tests.fakes.fixtures"]``.
"""

from __future__ import annotations

import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from firebase_admin import messaging
from google.auth.credentials import AnonymousCredentials
from urllib3.util.retry import Retry

from tests.fakes.fcm import FakeFcm
from tests.fakes.sms import FakeSms

# The SDK's retry policy for 500/503 without the waiting, so "unavailable" tests take milliseconds.
ZERO_BACKOFF_RETRY = Retry(
    connect=1,
    read=1,
    status=4,
    status_forcelist=[500, 503],
    backoff_factor=0,
    raise_on_status=False,
    respect_retry_after_header=False,
    allowed_methods=None,
)


@pytest.fixture(scope="session")
def _fcm_server():
    """One fake FCM server per test session: firebase-admin binds its endpoint when a service starts."""
    fake = FakeFcm().start()
    fake.settings = {  # type: ignore[attr-defined]
        "FCM_PROJECT_ID": "hearth-test",
        "FCM_CREDENTIAL": AnonymousCredentials(),
        "FCM_RETRY": ZERO_BACKOFF_RETRY,
    }
    yield fake
    fake.stop()


@pytest.fixture
def fake_fcm(_fcm_server, monkeypatch):
    """The fake FCM, emptied; the SDK's endpoint points at it. `fake_fcm.settings` configures push."""
    _fcm_server.reset()
    monkeypatch.setattr(messaging._MessagingService, "FCM_URL", _fcm_server.url_template)
    yield _fcm_server
    _fcm_server.reset()


class SmtpSink:
    """Collects what the aiosmtpd server accepts, parsed as `EmailMessage`s."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[Any] = []
        self.reject: dict[str, str] = {}  # recipient -> SMTP reply, e.g. "550 5.1.1 no such user"
        self.hang_up_on: set[str] = set()  # recipients at which the server drops the connection
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.hang_up_on:
            server.transport.close()
            return "421 closing connection"
        if address in self.reject:
            return self.reject[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.envelopes.append(envelope)
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if m["To"] == address]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on 127.0.0.1; `smtp_server.settings` configures the email channel."""
    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    sink.settings = {  # type: ignore[attr-defined]
        "MAIL_HOST": "127.0.0.1",
        "MAIL_PORT": controller.port,
        "MAIL_USE_TLS": False,
        "MAIL_FROM": "Hearth <no-reply@hearth.test>",
    }
    yield sink
    controller.stop()


@pytest.fixture
def fake_sms():
    """A running fake Twilio-compatible API; `fake_sms.settings()` configures the SMS channel."""
    fake = FakeSms().start()
    yield fake
    fake.stop()
