"""Status history of a visit: one row per change (booked, arrived, roomed, ..., cancelled), with who and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hearth.clock import utcnow
from hearth.models.base import Base, UTCDateTime, str_enum
from hearth.models.scheduling import AppointmentStatus
from hearth.models.user import User


class AppointmentStatusChange(Base):
    """The visit went from `from_status` (None when it was booked) to `to_status` at `at`, by `by_user`."""

    __tablename__ = "appointment_status_change"
    __table_args__ = (Index("ix_appointment_status_change_appointment_at", "appointment_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointment.id", ondelete="CASCADE"))
    from_status: Mapped[AppointmentStatus | None] = mapped_column(str_enum(AppointmentStatus))
    to_status: Mapped[AppointmentStatus] = mapped_column(str_enum(AppointmentStatus))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Who made the change; None for a signed reminder link without an account or a system job.
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    by_user: Mapped[User | None] = relationship()
