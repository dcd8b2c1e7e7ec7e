"""Notify-specific fixtures; the database, app and fakes come from tests/conftest.py."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from firebase_admin import messaging
from sqlalchemy import func, select

from hearth import db
from hearth.models import Device, Notification, NotificationAttempt, User
from hearth.notify.channels import Channels, build_channels
from hearth.notify.channels.fcm import FcmChannel
from hearth.security.tokens import token_hash

_seq = itertools.count(1)
CHANNEL_ENV = (
    "FCM_PROJECT_ID",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "SMS_API_BASE",
    "SMS_ACCOUNT_SID",
    "SMS_AUTH_TOKEN",
    "SMS_FROM",
)


@pytest.fixture(autouse=True)
def _channels_only_from_test_settings(monkeypatch):
    """Channels read FCM and SMS settings from the environment too: keep a developer's real ones out."""
    for name in CHANNEL_ENV:
        monkeypatch.delenv(name, raising=False)


def make_device(*, user: User, token: str | None = None, platform: str = "android", **kw: Any) -> Device:
    token = token or f"tok-{user.id}-{next(_seq)}"
    device = Device(user_id=user.id, fcm_token=token, token_hash=token_hash(token), platform=platform, **kw)
    db.session.add(device)
    db.session.flush()
    return device


def attempts_of(row: Notification) -> list[NotificationAttempt]:
    return list(
        db.session.scalars(
            select(NotificationAttempt)
            .where(NotificationAttempt.notification_id == row.id)
            .order_by(NotificationAttempt.id)
        )
    )


def reload(row: Notification) -> Notification:
    db.session.refresh(row)
    return row


def count_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(Notification)) or 0


@pytest.fixture(scope="session")
def _push_adapters() -> Iterator[dict]:
    """FCM adapters shared by the session: starting firebase-admin's messaging service costs ~0.5 s."""
    cache: dict[tuple[str, str], FcmChannel] = {}
    yield cache
    for adapter in cache.values():
        adapter.close()


@pytest.fixture
def make_channels(_push_adapters) -> Iterator:
    """Build channel adapters from settings dicts (merged left to right); closed after the test."""
    made: list[Channels] = []

    def _make(*settings: dict[str, Any]) -> Channels:
        merged: dict[str, Any] = {}
        for part in settings:
            merged.update(part)
        channels = build_channels({k: v for k, v in merged.items() if not k.startswith("FCM_")})
        if merged.get("FCM_PROJECT_ID"):
            key = (merged["FCM_PROJECT_ID"], messaging._MessagingService.FCM_URL)
            if key not in _push_adapters:
                _push_adapters[key] = FcmChannel.from_settings(merged)
            channels.push = _push_adapters[key]
        made.append(channels)
        return channels

    yield _make
    for channels in made:
        channels.push = None  # shared, closed with the session
        channels.close()
