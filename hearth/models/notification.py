"""The notification outbox: one row per message to send, its attempts, and people's channel choices.

A feature commits a `Notification` row in its own transaction; the dispatcher sends it later, so a
rolled-back write never sends anything and a crash never loses a message. The unique
`idempotency_key` is what makes "never send the same reminder twice" hold.
"""

from __future__ import annotations

import enum
from datetime import datetime, time
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hearth.clock import utcnow
from hearth.models.base import Base, UTCDateTime, str_enum
from hearth.models.patient import Patient


class NotificationStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Channel(enum.StrEnum):
    PUSH = "push"
    EMAIL = "email"
    SMS = "sms"


class AttemptOutcome(enum.StrEnum):
    SENT = "sent"
    TRANSIENT = "transient"  # try the same channel again later
    PERMANENT = "permanent"  # this channel will not work for this row: fall back
    SKIPPED = "skipped"  # the channel is off (not configured) or has no address
    UNKNOWN = "unknown"  # the worker was lost during the send: it may or may not have reached the person


class Notification(Base):
    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_status_due_at", "status", "due_at"),
        Index("ix_notification_recipient_created_at", "recipient_user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    # Who the notification is about (a caregiver's child, say); kept when the row outlives the patient.
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    # Comma-separated channels still to try, in order, when `channel` fails for good.
    fallback_channels: Mapped[str] = mapped_column(String(40), default="")
    template: Mapped[str] = mapped_column(String(60))
    # Template parameters: never health details (the template decides which keys are allowed).
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    locale: Mapped[str] = mapped_column(String(10), default="en")
    to_address: Mapped[str | None] = mapped_column(String(254))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[NotificationStatus] = mapped_column(
        str_enum(NotificationStatus), default=NotificationStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)  # tries on the current channel
    last_error: Mapped[str | None] = mapped_column(String(500))
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    # Proves the claim is still this worker's: every write of a claimed row checks it (the fence).
    claim_token: Mapped[str | None] = mapped_column(String(32))
    # A reminder may be held by quiet hours up to this moment, no later (then it keeps its time).
    latest_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Comma-separated channels already given up on for this row (failed for good or too many tries).
    spent_channels: Mapped[str] = mapped_column(String(40), default="", server_default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    patient: Mapped[Patient | None] = relationship()

    @property
    def fallbacks(self) -> list[str]:
        return [c for c in self.fallback_channels.split(",") if c]

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.template} {self.channel} {self.status}>"


class NotificationAttempt(Base):
    """One try on one channel (one per device for push): the delivery history support looks at.

    The row is written and committed *before* the provider is called (`outcome` None: in flight) and
    completed afterwards, so a worker killed mid-send leaves a visible trace of what it was sending.
    """

    __tablename__ = "notification_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notification.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)  # when the try started
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    outcome: Mapped[AttemptOutcome | None] = mapped_column(str_enum(AttemptOutcome))  # None: in flight
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    worker_id: Mapped[str | None] = mapped_column(String(100))
    device_id: Mapped[int | None] = mapped_column()  # push: the device tried (no FK: devices get deleted)
    error: Mapped[str | None] = mapped_column(String(500))
    provider_message_id: Mapped[str | None] = mapped_column(String(200))


class NotificationPreference(Base):
    """A person's channels (in order) and quiet hours for one kind of notification."""

    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    # Comma-separated channels in order of preference, e.g. "push,email".
    channels: Mapped[str] = mapped_column(String(40))
    # Local times in the user's time zone; the window may wrap midnight (22:00-07:00).
    quiet_hours_start: Mapped[time | None] = mapped_column(Time)
    quiet_hours_end: Mapped[time | None] = mapped_column(Time)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @property
    def channel_list(self) -> list[str]:
        return [c for c in self.channels.split(",") if c]
