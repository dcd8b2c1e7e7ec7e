"""The practice's fee schedule: the services it bills (CPT/HCPCS), their self-pay prices, the services
each visit type usually involves, and the allowed (contracted) amounts per payer and plan.

Money is integer US cents. Source: issue 10 "Fee schedule and coverage"; import layout: the CMS
hospital standard-charges "tall" CSV (DOMAIN.md).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hearth.clock import utcnow
from hearth.models.base import Base, UTCDateTime, str_enum
from hearth.models.practice import Practice


class CodeType(enum.StrEnum):
    CPT = "CPT"
    HCPCS = "HCPCS"


class ServiceCategory(enum.StrEnum):
    """Kinds of service a plan may give a copay for (the plan's copays are keyed by these values)."""

    OFFICE_VISIT = "office_visit"
    PREVENTIVE = "preventive"
    SPECIALIST = "specialist"
    MENTAL_HEALTH = "mental_health"
    LAB = "lab"
    IMAGING = "imaging"
    PROCEDURE = "procedure"


class FeeScheduleItem(Base):
    """One billable service of a practice, with the description patients read."""

    __tablename__ = "fee_schedule_item"
    __table_args__ = (
        UniqueConstraint("practice_id", "code_type", "code"),
        CheckConstraint("self_pay_cents >= 0", name="self_pay_nonneg"),
        CheckConstraint("gross_charge_cents IS NULL OR gross_charge_cents >= 0", name="gross_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id", ondelete="CASCADE"), index=True)
    code_type: Mapped[CodeType] = mapped_column(str_enum(CodeType))
    code: Mapped[str] = mapped_column(String(12))
    # plain language, in the practice's default language; others in translations {"es": {"description": ...}}
    description: Mapped[str] = mapped_column(String(300))
    translations: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)
    category: Mapped[ServiceCategory] = mapped_column(str_enum(ServiceCategory))
    self_pay_cents: Mapped[int] = mapped_column()  # the discounted cash price
    gross_charge_cents: Mapped[int | None] = mapped_column()  # the list price, when known
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    practice: Mapped[Practice] = relationship()
    allowed_amounts: Mapped[list[AllowedAmount]] = relationship(
        back_populates="item",
        cascade="all, delete-orphan",
        order_by="[AllowedAmount.payer_name, AllowedAmount.plan_name]",
    )


class VisitTypeService(Base):
    """A service a visit type usually involves, in the order the estimate applies them."""

    __tablename__ = "visit_type_service"
    __table_args__ = (
        UniqueConstraint("visit_type_id", "fee_item_id"),
        CheckConstraint("quantity >= 1", name="quantity_min"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_type_id: Mapped[int] = mapped_column(ForeignKey("visit_type.id", ondelete="CASCADE"), index=True)
    fee_item_id: Mapped[int] = mapped_column(ForeignKey("fee_schedule_item.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[int] = mapped_column(default=1)
    position: Mapped[int] = mapped_column(default=0)

    item: Mapped[FeeScheduleItem] = relationship()


class AllowedAmount(Base):
    """The contracted amount a payer (and plan, or every plan of the payer when `plan_key` is "") allows."""

    __tablename__ = "allowed_amount"
    __table_args__ = (
        UniqueConstraint("fee_item_id", "payer_key", "plan_key"),
        CheckConstraint("allowed_cents >= 0", name="allowed_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fee_item_id: Mapped[int] = mapped_column(ForeignKey("fee_schedule_item.id", ondelete="CASCADE"), index=True)
    payer_name: Mapped[str] = mapped_column(String(120))
    payer_key: Mapped[str] = mapped_column(String(120))  # search_key(payer_name): matching ignores case/accents
    plan_name: Mapped[str] = mapped_column(String(120), default="")
    plan_key: Mapped[str] = mapped_column(String(120), default="")
    allowed_cents: Mapped[int] = mapped_column()

    item: Mapped[FeeScheduleItem] = relationship(back_populates="allowed_amounts")
