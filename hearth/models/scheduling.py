"""Scheduling: visit types, providers' weekly hours and exceptions, appointments, the waitlist.

Double booking is impossible at the database level: every active appointment holds one
`AppointmentSlotLock` row per 5-minute cell it covers, keyed by (provider_id, slot_start), so two
overlapping bookings for one provider cannot both commit, whatever their start times.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import JSON, Column, Date, ForeignKey, Index, String, Table, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from hearth.clock import utcnow
from hearth.models.base import Base, UTCDateTime, str_enum
from hearth.models.patient import Patient, Provider
from hearth.models.practice import Location, Practice

LOCK_CELL_MINUTES = 5


class VisitMode(enum.StrEnum):
    IN_PERSON = "in_person"
    VIDEO = "video"


class AppointmentStatus(enum.StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    ARRIVED = "arrived"
    ROOMED = "roomed"
    SEEN = "seen"
    COMPLETED = "completed"
    NO_SHOW = "no_show"


# A visit in one of these states is still to happen (or under way): "Upcoming" lists, overlap checks.
UPCOMING_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED, AppointmentStatus.ROOMED,
                     AppointmentStatus.SEEN)


class ExceptionKind(enum.StrEnum):
    TIME_OFF = "time_off"
    EXTRA_HOURS = "extra_hours"


class WaitlistStatus(enum.StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"
    BOOKED = "booked"
    REMOVED = "removed"


visit_type_provider = Table(
    "visit_type_provider",
    Base.metadata,
    Column("visit_type_id", ForeignKey("visit_type.id", ondelete="CASCADE"), primary_key=True),
    Column("provider_id", ForeignKey("provider.id", ondelete="CASCADE"), primary_key=True),
)


class PracticeSchedulingSettings(Base):
    """One practice's scheduling rules; a practice without a row uses the column defaults."""

    __tablename__ = "practice_scheduling_settings"

    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id", ondelete="CASCADE"), primary_key=True)
    cancel_cutoff_hours: Mapped[int] = mapped_column(default=24)
    checkin_opens_hours: Mapped[int] = mapped_column(default=72)  # before the start
    checkin_closes_minutes: Mapped[int] = mapped_column(default=15)  # after the start
    video_url_template: Mapped[str] = mapped_column(String(300), default="https://video.example/{appointment_id}")
    video_join_minutes_before: Mapped[int] = mapped_column(default=15)
    reminder_offsets: Mapped[str] = mapped_column(String(100), default="10080,1440,120")  # minutes before
    booking_horizon_days: Mapped[int] = mapped_column(default=90)

    @property
    def offsets(self) -> list[int]:
        return sorted({int(x) for x in self.reminder_offsets.split(",") if x.strip().isdigit()}, reverse=True)


def name_key(name: str | None) -> str:
    """A visit-type name as compared for uniqueness: case and runs of spaces ignored."""
    return " ".join((name or "").split()).casefold()[:120]


class VisitType(Base):
    __tablename__ = "visit_type"
    # Two visit types of one practice cannot share a name, whatever its case ("Check-up" = "check-up").
    __table_args__ = (UniqueConstraint("practice_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    name_key: Mapped[str] = mapped_column(String(120))  # kept in step with `name` (see name_key())
    duration_minutes: Mapped[int] = mapped_column(default=30)
    mode: Mapped[VisitMode] = mapped_column(str_enum(VisitMode), default=VisitMode.IN_PERSON)
    self_schedulable: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)
    instructions: Mapped[str | None] = mapped_column(Text)
    # [{"id": "q1", "text": "...", "type": "text|yes_no|choice", "required": true, "options": [...],
    #   "translations": {"es": "..."}}]
    questionnaire: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # name and instructions in languages other than the practice's default (hearth.texts):
    # {"es": {"name": "...", "instructions": "..."}}
    translations: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)

    practice: Mapped[Practice] = relationship()
    providers: Mapped[list[Provider]] = relationship(secondary=visit_type_provider, order_by="Provider.family_name")

    @validates("name")
    def _keep_key(self, _key: str, value: str) -> str:
        self.name_key = name_key(value)
        return value


class ProviderSchedule(Base):
    """Weekly hours: one provider at one location on one weekday (0 = Monday), in local time."""

    __tablename__ = "provider_schedule"
    __table_args__ = (Index("ix_provider_schedule_provider_weekday", "provider_id", "weekday"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id", ondelete="CASCADE"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column()
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    effective_from: Mapped[date | None] = mapped_column(Date)
    effective_until: Mapped[date | None] = mapped_column(Date)

    provider: Mapped[Provider] = relationship()
    location: Mapped[Location] = relationship()


class ScheduleException(Base):
    """Time off (no slots) or extra hours (more slots, at `location_id`) between two UTC times."""

    __tablename__ = "schedule_exception"
    __table_args__ = (Index("ix_schedule_exception_provider_starts_at", "provider_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id", ondelete="CASCADE"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"))
    kind: Mapped[ExceptionKind] = mapped_column(str_enum(ExceptionKind), default=ExceptionKind.TIME_OFF)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(String(200))

    provider: Mapped[Provider] = relationship()
    location: Mapped[Location | None] = relationship()


class Appointment(Base):
    __tablename__ = "appointment"
    __table_args__ = (
        Index("ix_appointment_provider_starts_at", "provider_id", "starts_at"),
        Index("ix_appointment_patient_starts_at", "patient_id", "starts_at"),
        # the staff schedule: a practice's day across all providers is a range of starts_at
        Index("ix_appointment_starts_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id", ondelete="CASCADE"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id", ondelete="SET NULL"))
    visit_type_id: Mapped[int] = mapped_column(ForeignKey("visit_type.id", ondelete="RESTRICT"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[AppointmentStatus] = mapped_column(str_enum(AppointmentStatus), default=AppointmentStatus.BOOKED)
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    roomed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    no_show_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(String(300))
    booked_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The patient said they will come (reminder link, portal or app); cleared when the visit moves.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    questionnaire_answers: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Health detail in the patient's words: shown to the care team, never put in a notification.
    reason: Mapped[str | None] = mapped_column(Text)
    # Staff booked this visit over another of the patient's visits at the same time: why (shown to staff).
    overlap_reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The calendar event (.ics): one random UID for the visit's life, whatever the route or install, a
    # SEQUENCE that grows with each change the patient's calendar must follow (moved, cancelled) and
    # when that last happened (LAST-MODIFIED).
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))
    calendar_sequence: Mapped[int] = mapped_column(default=0)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    patient: Mapped[Patient] = relationship()
    provider: Mapped[Provider] = relationship()
    location: Mapped[Location | None] = relationship()
    visit_type: Mapped[VisitType] = relationship()

    @property
    def is_active(self) -> bool:
        return self.status != AppointmentStatus.CANCELLED

    @property
    def is_confirmed(self) -> bool:
        """Booked and confirmed by the patient (a visit under way or over needs no badge)."""
        return self.confirmed_at is not None and self.status == AppointmentStatus.BOOKED

    @property
    def is_video(self) -> bool:
        return self.visit_type.mode == VisitMode.VIDEO

    @property
    def is_upcoming_status(self) -> bool:
        """Still to happen or under way (not cancelled, completed or missed)."""
        return self.status in UPCOMING_STATUSES

    def calendar_changed(self, now: datetime | None = None) -> None:
        """Record a change calendar apps must follow (a new time or place, a cancellation)."""
        self.calendar_sequence = (self.calendar_sequence or 0) + 1
        self.changed_at = now or utcnow()


class AppointmentSlotLock(Base):
    """One 5-minute cell of a provider's time held by an active appointment (the anti-double-booking key)."""

    __tablename__ = "appointment_slot_lock"

    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id", ondelete="CASCADE"), primary_key=True)
    slot_start: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointment.id", ondelete="CASCADE"), index=True)


class WaitlistEntry(Base):
    """A patient who wants an earlier visit of a type (optionally with one provider) within a window."""

    __tablename__ = "waitlist_entry"
    __table_args__ = (Index("ix_waitlist_entry_visit_type_status", "visit_type_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    visit_type_id: Mapped[int] = mapped_column(ForeignKey("visit_type.id", ondelete="CASCADE"))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id", ondelete="CASCADE"))
    window_start: Mapped[date] = mapped_column(Date)
    window_end: Mapped[date] = mapped_column(Date)
    status: Mapped[WaitlistStatus] = mapped_column(str_enum(WaitlistStatus), default=WaitlistStatus.WAITING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The freed slot last offered (first come, first served); cleared when someone else books it.
    offer_provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id", ondelete="SET NULL"))
    offer_location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id", ondelete="SET NULL"))
    offer_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    patient: Mapped[Patient] = relationship()
    visit_type: Mapped[VisitType] = relationship()
    provider: Mapped[Provider | None] = relationship(foreign_keys=[provider_id])
    offer_provider: Mapped[Provider | None] = relationship(foreign_keys=[offer_provider_id])
    offer_location: Mapped[Location | None] = relationship(foreign_keys=[offer_location_id])

    @property
    def open_offer(self) -> WaitlistOffer | None:
        """The slot on offer, while it is offered and still in the future."""
        if (self.status != WaitlistStatus.OFFERED or self.offer_starts_at is None or self.offer_provider is None
                or self.offer_starts_at <= utcnow()):
            return None
        ends_at = self.offer_starts_at + timedelta(minutes=self.visit_type.duration_minutes)
        return WaitlistOffer(self.offer_provider, self.offer_location, self.offer_starts_at, ends_at)


@dataclass(frozen=True)
class WaitlistOffer:
    provider: Provider
    location: Location | None
    starts_at: datetime
    ends_at: datetime
