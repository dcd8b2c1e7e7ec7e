"""Push through Firebase Cloud Messaging with the real firebase-admin SDK (HTTP v1, `send_each`).

Each adapter owns a named firebase app, so tests and several workers never share global state.
Per-message errors are sorted the way FCM documents them: a dead token (UNREGISTERED,
SENDER_ID_MISMATCH) is final and disables the device; INVALID_ARGUMENT is a bad *message* (final for
this message, the device stays); quota, availability, internal and credential errors are transient.
Each message carries a collapse key (Android `collapse_key`, APNs `apns-collapse-id`), so a repeat of
the same notification after a crash replaces the first on the phone. 429's Retry-After is honoured by the outbox rather
than by sleeping inside the SDK, so one throttled batch does not stall the worker.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import firebase_admin
import google.auth.transport.requests
import requests.adapters
from firebase_admin import credentials, exceptions, messaging
from google.auth.exceptions import GoogleAuthError
from urllib3.util.retry import Retry

from hearth.notify.channels import Result, log, parse_retry_after

MAX_BATCH = 500  # send_each refuses more

# The SDK's own retry (500/503 with backoff), minus sleeping on Retry-After: the outbox reschedules instead.
DEFAULT_RETRY = Retry(
    connect=1,
    read=1,
    status=4,
    status_forcelist=[500, 503],
    backoff_factor=0.5,
    raise_on_status=False,
    respect_retry_after_header=False,
    allowed_methods=None,
)

DEAD_TOKEN_ERRORS: tuple[tuple[type[Exception], str], ...] = (
    (messaging.UnregisteredError, "unregistered"),
    (messaging.SenderIdMismatchError, "sender_id_mismatch"),
)


@dataclass(frozen=True)
class Push:
    token: str
    title: str
    body: str
    data: dict[str, str] = field(default_factory=dict)
    collapse_key: str | None = None  # stable per notification (at most 64 bytes for APNs)


def chunks(items: Sequence[Any], size: int = MAX_BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class FcmChannel:
    name = "push"

    def __init__(self, project_id: str, credential: Any, *, retry: Retry | None = None, timeout: float = 30,
                 api_base: str | None = None):
        """Start a firebase app for `project_id`; `credential` is a firebase or google.auth credential.

        `api_base` (FCM_API_BASE) replaces https://fcm.googleapis.com for an emulator or a staging fake.
        """
        self.app = firebase_admin.initialize_app(
            credential,
            {"projectId": project_id, "httpTimeout": timeout},
            name=f"hearth-fcm-{uuid.uuid4().hex}",
        )
        self.batch_sizes: list[int] = []  # sizes of the send_each calls made, for metrics and tests
        service = messaging._get_messaging_service(self.app)  # noqa: SLF001 - the documented endpoint seam
        if api_base:
            service._fcm_url = f"{api_base.rstrip('/')}/v1/projects/{project_id}/messages:send"  # noqa: SLF001
        self._token_lock = threading.Lock()
        self._mount_retry(retry or DEFAULT_RETRY)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> FcmChannel | None:
        """FCM_PROJECT_ID plus FCM_CREDENTIAL (an object, for tests) or GOOGLE_APPLICATION_CREDENTIALS."""
        project_id = settings.get("FCM_PROJECT_ID") or os.environ.get("FCM_PROJECT_ID")
        credential = settings.get("FCM_CREDENTIAL")
        key_file = settings.get("GOOGLE_APPLICATION_CREDENTIALS") or os.environ.get(
            "GOOGLE_APPLICATION_CREDENTIALS"
        )
        if not project_id or (credential is None and not key_file):
            return None
        if credential is None:
            try:
                credential = _certificate(key_file, settings.get("FCM_TOKEN_URI") or os.environ.get("FCM_TOKEN_URI"))
            except (OSError, ValueError) as exc:
                log.error("push is off: cannot read the FCM service account %s: %s", key_file, exc)
                return None
        return cls(
            project_id,
            credential,
            retry=settings.get("FCM_RETRY"),
            timeout=float(settings.get("FCM_TIMEOUT") or 30),
            api_base=settings.get("FCM_API_BASE") or os.environ.get("FCM_API_BASE") or None,
        )

    def _mount_retry(self, retry: Retry) -> None:
        """Use `retry` for the FCM endpoint. firebase-admin has no public hook for this, so the adapter
        is mounted on the messaging service's own requests session (the SDK's request code is untouched)."""
        service = messaging._get_messaging_service(self.app)  # noqa: SLF001 - the documented endpoint seam
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(service._fcm_url))  # noqa: SLF001
        adapter = requests.adapters.HTTPAdapter(pool_connections=100, pool_maxsize=100, max_retries=retry)
        service._client.session.mount(origin, adapter)  # noqa: SLF001

    def send(self, pushes: Sequence[Push]) -> list[Result]:
        """Send every push, at most 500 per `send_each`; one Result per push, in order."""
        results: list[Result] = []
        for chunk in chunks(pushes):
            self.batch_sizes.append(len(chunk))
            results.extend(self._send_chunk(chunk))
        return results

    def _fresh_token(self) -> None:
        """Fetch the OAuth access token once, before send_each's threads each find it missing and fetch
        their own (one token request per message of a new process's first batch); reused until it expires."""
        credential = self.app.credential.get_credential()
        with self._token_lock:
            if not credential.valid:
                credential.refresh(google.auth.transport.requests.Request())

    def _send_chunk(self, chunk: Sequence[Push]) -> list[Result]:
        messages = [_message(p) for p in chunk]
        try:
            self._fresh_token()
            batch = messaging.send_each(messages, app=self.app)
        except (exceptions.FirebaseError, GoogleAuthError) as exc:
            # Credential failures (google.auth TransportError/RefreshError) fail the whole chunk; the SDK
            # wraps them in UnknownError, so name the cause.
            cause = getattr(exc, "cause", None) or exc.__cause__
            detail = f"{type(cause).__name__}: {cause}" if isinstance(cause, GoogleAuthError) else str(exc)
            return [Result.transient(f"fcm: {type(exc).__name__}: {detail}") for _ in chunk]
        return [_result(r) for r in batch.responses]

    def close(self) -> None:
        firebase_admin.delete_app(self.app)


def _certificate(key_file: str, token_uri: str | None) -> credentials.Certificate:
    """The service account in `key_file`, with its OAuth token endpoint replaced by FCM_TOKEN_URI if set."""
    if not token_uri:
        return credentials.Certificate(key_file)
    with open(key_file, encoding="utf-8") as f:
        info = json.load(f)
    return credentials.Certificate({**info, "token_uri": token_uri})


def _message(push: Push) -> messaging.Message:
    with warnings.catch_warnings():
        # 7.x deprecates `token` for `fid`; devices register FCM registration tokens, which `token` carries.
        warnings.simplefilter("ignore", DeprecationWarning)
        return messaging.Message(
            token=push.token,
            notification=messaging.Notification(title=push.title, body=push.body),
            data=push.data,
            android=messaging.AndroidConfig(priority="high", collapse_key=push.collapse_key),
            apns=messaging.APNSConfig(headers={"apns-collapse-id": push.collapse_key}) if push.collapse_key else None,
        )


def _result(response: messaging.SendResponse) -> Result:
    if response.success:
        return Result.sent(response.message_id)
    exc = response.exception
    error = f"fcm: {type(exc).__name__}: {exc}"
    for error_type, reason in DEAD_TOKEN_ERRORS:
        if isinstance(exc, error_type):
            return Result.permanent(error, drop_token=reason)
    if isinstance(exc, exceptions.InvalidArgumentError):
        return Result.permanent(error)  # the message is malformed: sending it again fails the same way
    http_response = getattr(exc, "http_response", None)
    retry_after = (
        parse_retry_after(http_response.headers.get("Retry-After")) if http_response is not None else None
    )
    # QuotaExceeded, Unavailable, Internal, DeadlineExceeded, Unknown, third-party auth: try again later.
    return Result.transient(error, retry_after)
