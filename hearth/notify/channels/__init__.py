"""Delivery channels (push, email, SMS) behind small adapters, built once from settings.

A channel without configuration is "off": it is logged once and its rows fall back to the next
channel in their list, so a dev install without SMTP or FCM still works.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hearth.models.notification import AttemptOutcome

if TYPE_CHECKING:
    from hearth.notify.channels.email import EmailChannel
    from hearth.notify.channels.fcm import FcmChannel
    from hearth.notify.channels.sms import SmsChannel

log = logging.getLogger("hearth.notify")
_reported_off: set[str] = set()


@dataclass(frozen=True)
class Result:
    """What one send produced; `drop_token` names why a push token is dead (the device is disabled)."""

    outcome: AttemptOutcome
    error: str | None = None
    provider_id: str | None = None
    retry_after: float | None = None
    drop_token: str | None = None

    @classmethod
    def sent(cls, provider_id: str | None) -> Result:
        return cls(AttemptOutcome.SENT, provider_id=provider_id)

    @classmethod
    def transient(cls, error: str, retry_after: float | None = None) -> Result:
        return cls(AttemptOutcome.TRANSIENT, error=error[:500], retry_after=retry_after)

    @classmethod
    def permanent(cls, error: str, drop_token: str | None = None) -> Result:
        return cls(AttemptOutcome.PERMANENT, error=error[:500], drop_token=drop_token)

    @classmethod
    def skipped(cls, error: str) -> Result:
        return cls(AttemptOutcome.SKIPPED, error=error[:500])


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (the HTTP-date form is rare from these APIs and ignored)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def report_off(name: str) -> None:
    """Log once per process that a channel is not configured."""
    if name not in _reported_off:
        _reported_off.add(name)
        log.warning("notification channel %s is off (not configured); its rows fall back", name)


@dataclass
class Channels:
    """The configured adapters; None means the channel is off."""

    push: FcmChannel | None = None
    email: EmailChannel | None = None
    sms: SmsChannel | None = None

    def get(self, name: str) -> Any:
        adapter = getattr(self, str(name), None)
        if adapter is None:
            report_off(str(name))
        return adapter

    def close(self) -> None:
        for adapter in (self.push, self.email, self.sms):
            if adapter is not None:
                adapter.close()


def build_channels(settings: Mapping[str, Any]) -> Channels:
    """Adapters for every configured channel; see each adapter's `from_settings` for the keys."""
    from hearth.notify.channels.email import EmailChannel
    from hearth.notify.channels.fcm import FcmChannel
    from hearth.notify.channels.sms import SmsChannel

    return Channels(
        push=FcmChannel.from_settings(settings),
        email=EmailChannel.from_settings(settings),
        sms=SmsChannel.from_settings(settings),
    )
