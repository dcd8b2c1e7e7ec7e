"""Good Faith Estimates (No Surprises Act, 45 CFR 149.610) for uninsured and self-pay patients.

A GFE is a document: everything it says (patient, providers with NPI/TIN, items, charges) is copied
at issue time, so later changes to the fee schedule or the practice never change an issued estimate.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hearth.clock import utcnow
from hearth.models.base import Base, UTCDateTime, str_enum


class GfeReason(enum.StrEnum):
    BOOKING = "booking"  # a self-pay patient booked 3+ business days out
    REQUEST = "request"  # the patient (or staff for her) asked


class GfeSettings(Base):
    """What a practice's GFEs say about it as the convening provider/facility: TIN, state, NPI."""

    __tablename__ = "gfe_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id", ondelete="CASCADE"), unique=True)
    tin: Mapped[str | None] = mapped_column(String(10))  # EIN, 9 digits as "12-3456789"
    npi: Mapped[str | None] = mapped_column(String(10))  # the group's (type 2) NPI
    state: Mapped[str | None] = mapped_column(String(2))  # USPS code
    contact: Mapped[str | None] = mapped_column(String(300))  # whom to ask about the estimate


class GoodFaithEstimate(Base):
    __tablename__ = "good_faith_estimate"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id", ondelete="CASCADE"))
    # One estimate per booked visit at most (a unique index); on request there may be none.
    appointment_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointment.id", ondelete="SET NULL"), unique=True)
    reason: Mapped[GfeReason] = mapped_column(str_enum(GfeReason))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    due_by: Mapped[date | None] = mapped_column(Date)  # the rule's deadline (business days), for the record
    patient_name: Mapped[str] = mapped_column(String(210))
    patient_birth_date: Mapped[date] = mapped_column(Date)
    primary_service: Mapped[str] = mapped_column(String(300))
    primary_service_code: Mapped[str | None] = mapped_column(String(20))
    scheduled_on: Mapped[date | None] = mapped_column(Date)
    diagnosis_codes: Mapped[str | None] = mapped_column(String(200))  # ICD-10-CM, comma-separated
    separately_scheduled: Mapped[str | None] = mapped_column(Text)  # items to be scheduled separately
    contact: Mapped[str | None] = mapped_column(String(300))
    total_cents: Mapped[int] = mapped_column(Integer)
    issued_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    providers: Mapped[list[GfeProvider]] = relationship(
        cascade="all, delete-orphan", order_by="GfeProvider.position")


class GfeProvider(Base):
    """The convening provider (position 0) or a co-provider/facility, with its items."""

    __tablename__ = "gfe_provider"

    id: Mapped[int] = mapped_column(primary_key=True)
    estimate_id: Mapped[int] = mapped_column(ForeignKey("good_faith_estimate.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    convening: Mapped[bool] = mapped_column(default=True)
    name: Mapped[str] = mapped_column(String(200))
    npi: Mapped[str | None] = mapped_column(String(10))
    tin: Mapped[str | None] = mapped_column(String(10))
    state: Mapped[str | None] = mapped_column(String(2))
    location: Mapped[str | None] = mapped_column(String(300))

    items: Mapped[list[GfeItem]] = relationship(cascade="all, delete-orphan", order_by="GfeItem.position")


class GfeItem(Base):
    __tablename__ = "gfe_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("gfe_provider.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    code: Mapped[str | None] = mapped_column(String(20))  # CPT/HCPCS
    code_type: Mapped[str | None] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(String(300))
    diagnosis_codes: Mapped[str | None] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    charge_cents: Mapped[int] = mapped_column(Integer)  # expected charge for the quantity
