"""Caregiver (proxy) grants: who may act for a patient, in which scopes, until when."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hearth.clock import utcnow
from hearth.models.base import Base, UTCDateTime, str_enum
from hearth.models.patient import Patient
from hearth.models.user import User


class Scope(enum.StrEnum):
    APPOINTMENTS = "appointments"
    MESSAGES = "messages"
    MEDICATIONS = "medications"
    RESULTS = "results"
    BILLING = "billing"


ALL_SCOPES: tuple[str, ...] = tuple(s.value for s in Scope)


class GrantKind(enum.StrEnum):
    PROXY = "proxy"  # an adult patient invited this caregiver
    GUARDIAN = "guardian"  # staff granted a parent or guardian access to a minor


class GrantStatus(enum.StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REVOKED = "revoked"
    DECLINED = "declined"


class CaregiverGrant(Base):
    __tablename__ = "caregiver_grant"
    __table_args__ = (Index("ix_caregiver_grant_caregiver_status", "caregiver_user_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    caregiver_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    invited_email: Mapped[str] = mapped_column(String(254))
    relationship_label: Mapped[str | None] = mapped_column(String(60))
    kind: Mapped[GrantKind] = mapped_column(str_enum(GrantKind))
    status: Mapped[GrantStatus] = mapped_column(str_enum(GrantStatus), default=GrantStatus.PENDING)
    # Comma-separated values of Scope.
    scopes: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    invite_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    invite_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    teen_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    patient: Mapped[Patient] = relationship(lazy="joined", innerjoin=True)
    caregiver: Mapped[User | None] = relationship(foreign_keys=[caregiver_user_id])

    @property
    def scope_list(self) -> list[str]:
        return [s for s in self.scopes.split(",") if s]
