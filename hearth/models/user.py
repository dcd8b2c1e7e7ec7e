"""People who sign in, and their sessions (portal cookies and API token families alike)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hearth.clock import utcnow
from hearth.models.base import Base, UTCDateTime, str_enum
from hearth.models.practice import Membership


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # A new sign-in email waiting for its owner to open the link sent to it (services.email_change).
    pending_email: Mapped[str | None] = mapped_column(String(254))
    pending_email_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    password_hash: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(10), default="en")
    timezone: Mapped[str | None] = mapped_column(String(64))
    is_active: Mapped[bool] = mapped_column(default=True)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None] = mapped_column()
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    notifications_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the centre last opened
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def totp_enabled(self) -> bool:
        return self.totp_enabled_at is not None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class SignInThrottle(Base):
    """Failed sign-ins for an email address that has no account, counted like an account's.

    So that a locked account and an unknown address answer alike (429 with Retry-After after the
    same number of tries), the address gets the same counter and lock. Only a hash of the normalized
    address is kept, never the address typed.
    """

    __tablename__ = "sign_in_throttle"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class SessionKind(enum.StrEnum):
    WEB = "web"
    API = "api"


class UserSession(Base):
    """One signed-in device: a portal cookie session or an API refresh-token family.

    Revoking the row ends it on the next request, which is what "sign out everywhere" does.
    """

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[SessionKind] = mapped_column(str_enum(SessionKind))
    # SHA-256 of the random session id kept in the portal cookie; API families use the row id.
    sid_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reauth_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    device_label: Mapped[str | None] = mapped_column(String(120))
    acting_for_patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship()


class RefreshToken(Base):
    """A rotating refresh token; presenting a used one revokes its whole family (session)."""

    __tablename__ = "refresh_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("user_session.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    session: Mapped[UserSession] = relationship()


class Device(Base):
    """A mobile app install that receives push notifications through FCM.

    `session_id` is the API sign-in that registered it: when that session ends (sign-out, refresh
    token reuse, "sign out everywhere", a password change, expiry) the device gets no more pushes.
    """

    __tablename__ = "device"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("user_session.id", ondelete="SET NULL"), index=True)
    fcm_token: Mapped[str] = mapped_column(String(4096))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    platform: Mapped[str] = mapped_column(String(20))
    label: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disabled_reason: Mapped[str | None] = mapped_column(String(60))

    session: Mapped[UserSession | None] = relationship()

    @property
    def active(self) -> bool:
        """Gets pushes: not disabled, and its sign-in (if any) neither ended nor expired."""
        if self.disabled_at is not None:
            return False
        row = self.session
        return row is None or (row.revoked_at is None and row.expires_at > utcnow())
