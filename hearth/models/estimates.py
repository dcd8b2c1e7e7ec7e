"""Saved patient cost estimates: what was estimated, from which inputs, when, and for which visit.

Money in integer cents. `inputs` keeps everything the engine was given (lines with codes and the
source of each amount, the plan's rules, the remaining deductible and out-of-pocket maximum) and
`lines` its answer per line, so an estimate can be explained later even after prices change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from hearth.clock import utcnow
from hearth.models.base import Base, UTCDateTime


class CostEstimate(Base):
    __tablename__ = "cost_estimate"
    __table_args__ = (Index("ix_cost_estimate_patient_created", "patient_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    visit_type_id: Mapped[int | None] = mapped_column(ForeignKey("visit_type.id", ondelete="SET NULL"))
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id", ondelete="SET NULL"),
                                                       index=True)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    self_pay: Mapped[bool] = mapped_column(default=False)
    allowed_cents: Mapped[int] = mapped_column()
    patient_cents: Mapped[int] = mapped_column()
    plan_cents: Mapped[int] = mapped_column()
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
