"""A patient's coverage (FHIR R4 Coverage): insurance with its benefits, or self-pay.

One current coverage per patient (the primary one); money in integer cents, coinsurance in basis
points (2000 = 20 %). Card photos live in `hearth.files` storage (outside the web root) under the
keys kept here, and are served only through an authorized route.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hearth.clock import utcnow
from hearth.models.base import Base, UTCDateTime, str_enum
from hearth.models.user import User


class CoverageKind(enum.StrEnum):
    INSURANCE = "insurance"
    SELF_PAY = "self_pay"


class SubscriberRelationship(enum.StrEnum):
    """FHIR subscriber-relationship codes (the ones a patient portal needs)."""

    SELF = "self"
    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    OTHER = "other"


class Coverage(Base):
    __tablename__ = "coverage"
    __table_args__ = (
        CheckConstraint("coinsurance_bp >= 0 AND coinsurance_bp <= 10000", name="coinsurance_range"),
        CheckConstraint("deductible_cents >= 0 AND deductible_met_cents >= 0 AND oop_met_cents >= 0",
                        name="amounts_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[CoverageKind] = mapped_column(str_enum(CoverageKind), default=CoverageKind.INSURANCE)
    payer_name: Mapped[str | None] = mapped_column(String(120))
    plan_name: Mapped[str | None] = mapped_column(String(120))
    member_id: Mapped[str | None] = mapped_column(String(40))
    group_id: Mapped[str | None] = mapped_column(String(40))
    subscriber_name: Mapped[str | None] = mapped_column(String(200))
    subscriber_relationship: Mapped[SubscriberRelationship | None] = mapped_column(str_enum(SubscriberRelationship))
    # card photos: storage keys of hearth.files and their content types
    card_front_key: Mapped[str | None] = mapped_column(String(120))
    card_front_type: Mapped[str | None] = mapped_column(String(60))
    card_back_key: Mapped[str | None] = mapped_column(String(120))
    card_back_type: Mapped[str | None] = mapped_column(String(60))
    # benefits (in-network, individual)
    deductible_cents: Mapped[int] = mapped_column(default=0)
    coinsurance_bp: Mapped[int] = mapped_column(default=0)
    copays: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)  # {ServiceCategory value: cents}
    copay_counts_toward_deductible: Mapped[bool] = mapped_column(default=False)
    uncovered_categories: Mapped[list[str]] = mapped_column(JSON, default=list)  # kinds of service the plan excludes
    oop_max_cents: Mapped[int | None] = mapped_column()
    deductible_met_cents: Mapped[int] = mapped_column(default=0)
    oop_met_cents: Mapped[int] = mapped_column(default=0)
    benefits_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # staff verification; any change by the patient clears it
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_user_id])
