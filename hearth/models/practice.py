"""A practice (clinic), its locations and its staff memberships."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hearth.clock import utcnow
from hearth.models.base import Base, UTCDateTime, str_enum


class Practice(Base):
    __tablename__ = "practice"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="America/New_York")
    phone: Mapped[str | None] = mapped_column(String(40))  # E.164
    # ISO 3166 code: the default region of phone numbers typed without +country code.
    country: Mapped[str] = mapped_column(String(2), default="US", server_default="US")
    # The language the practice writes its own texts in (visit types, locations, questions); the
    # other languages' versions are optional translations (hearth.texts).
    default_language: Mapped[str] = mapped_column(String(10), default="en")
    # Guardian access tiers for minors: full access below this age, then limited (no confidential
    # items unless the teen agrees), ending by itself at `adult_age`.
    minor_full_access_below: Mapped[int] = mapped_column(default=12)
    adult_age: Mapped[int] = mapped_column(default=18)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    locations: Mapped[list[Location]] = relationship(back_populates="practice", order_by="Location.name")


class Location(Base):
    __tablename__ = "location"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(40))  # E.164
    timezone: Mapped[str | None] = mapped_column(String(64))
    # The name in languages other than the practice's default (hearth.texts): {"es": {"name": "..."}}
    translations: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)

    practice: Mapped[Practice] = relationship(back_populates="locations")


class StaffRole(enum.StrEnum):
    PROVIDER = "provider"
    STAFF = "staff"
    ADMIN = "admin"


class Membership(Base):
    """A user's role at a practice; one user may hold several (a nurse who is also an admin)."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "practice_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id", ondelete="CASCADE"), index=True)
    role: Mapped[StaffRole] = mapped_column(str_enum(StaffRole))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    practice: Mapped[Practice] = relationship()
