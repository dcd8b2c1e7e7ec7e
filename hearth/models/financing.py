"""Patient financing offers a practice makes (CareCredit, Sunbit, Cherry...) and the clicks on their links.

The practice pastes its own prequalification/application link; Hearth never asks, stores or sends
anything about a patient's credit. Clicks are counted per offer, place and day only (no patient id).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hearth.clock import utcnow
from hearth.models.base import Base, UTCDateTime, str_enum


class PromotionKind(enum.StrEnum):
    DEFERRED = "deferred"  # "no interest if paid in full within N months" (deferred interest)
    FIXED_APR = "fixed_apr"  # a fixed APR over N months, amortized


class FinancingOffer(Base):
    __tablename__ = "financing_offer"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(20))  # a key of hearth.services.financing.providers.PROVIDERS
    link: Mapped[str] = mapped_column(String(500))  # opaque https URL on one of the provider's hosts
    disclosure: Mapped[str] = mapped_column(Text)  # the provider's required disclosure, shown verbatim
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    promotions: Mapped[list[FinancingPromotion]] = relationship(
        cascade="all, delete-orphan", order_by="FinancingPromotion.position")


class FinancingPromotion(Base):
    """One promotion: deferred interest for `months`, or a fixed APR (hundredths of a percent) over `months`."""

    __tablename__ = "financing_promotion"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("financing_offer.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[PromotionKind] = mapped_column(str_enum(PromotionKind))
    months: Mapped[int] = mapped_column(Integer)
    apr_bp: Mapped[int | None] = mapped_column(Integer)  # 14.90 % → 1490; None for deferred interest
    min_amount_cents: Mapped[int] = mapped_column(Integer)


class FinancingClick(Base):
    """How many times an offer's link was followed from one place on one day (UTC)."""

    __tablename__ = "financing_click"
    __table_args__ = (UniqueConstraint("offer_id", "place", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("financing_offer.id", ondelete="CASCADE"))
    place: Mapped[str] = mapped_column(String(20))
    day: Mapped[date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(Integer, default=0)
