"""Medications, a patient's saved pharmacies and refill requests.

`Medication` follows FHIR R4 `MedicationRequest` so an import/export maps one to one:
`medicationCodeableConcept.text` = name (+ strength and form), `dosageInstruction[0].text` =
instructions, `requester` = prescriber, `dispenseRequest.quantity` = quantity,
`dispenseRequest.numberOfRepeatsAllowed` = refills left, `dispenseRequest.expectedSupplyDuration`
(days) = supply days, `status` active | stopped. `last_filled_on` + `supply_days` gives
`runs_out_on`, kept in step on every ORM write so the refill-due job reads one indexed column.

A refill request is one request (pharmacy, note, one status) with one line per medication. A
medication has at most one pending line: the partial unique index `uq_refill_line_pending` settles
parallel requests at the database level (the service also locks the patient row first).
"""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta

from sqlalchemy import Date, ForeignKey, Index, String, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hearth.clock import utcnow
from hearth.models.base import Base, UTCDateTime, str_enum
from hearth.models.patient import Patient, Provider
from hearth.models.user import User


class MedicationStatus(enum.StrEnum):
    ACTIVE = "active"
    STOPPED = "stopped"


class ControlledSchedule(enum.StrEnum):
    """DEA controlled-substance schedules a practice may prescribe from (I has no accepted medical use)."""

    II = "II"
    III = "III"
    IV = "IV"
    V = "V"


class RefillStatus(enum.StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    DENIED = "denied"
    NEEDS_VISIT = "needs_visit"


class Medication(Base):
    __tablename__ = "medication"
    __table_args__ = (
        Index("ix_medication_patient_status", "patient_id", "status"),
        Index("ix_medication_runs_out_on", "runs_out_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    strength: Mapped[str | None] = mapped_column(String(60))  # "10 mg"
    form: Mapped[str | None] = mapped_column(String(60))  # "tablet"
    instructions: Mapped[str | None] = mapped_column(String(1000))  # dosageInstruction text
    prescriber_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id", ondelete="SET NULL"), index=True)
    quantity: Mapped[int | None] = mapped_column()  # units per fill
    refills_left: Mapped[int] = mapped_column(default=0)  # numberOfRepeatsAllowed still unused
    last_filled_on: Mapped[date | None] = mapped_column(Date)
    supply_days: Mapped[int | None] = mapped_column()  # expectedSupplyDuration of one fill, in days
    runs_out_on: Mapped[date | None] = mapped_column(Date)  # last_filled_on + supply_days (kept in step)
    controlled_schedule: Mapped[ControlledSchedule | None] = mapped_column(str_enum(ControlledSchedule))
    status: Mapped[MedicationStatus] = mapped_column(str_enum(MedicationStatus), default=MedicationStatus.ACTIVE)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    patient: Mapped[Patient] = relationship()
    prescriber: Mapped[Provider | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.status == MedicationStatus.ACTIVE

    @property
    def is_controlled(self) -> bool:
        return self.controlled_schedule is not None

    @property
    def label(self) -> str:
        """Name, strength and form as one line ("Lisinopril 10 mg tablet")."""
        return " ".join(p for p in (self.name, self.strength, self.form) if p)


@event.listens_for(Medication, "before_insert")
@event.listens_for(Medication, "before_update")
def _runs_out(mapper, connection, target: Medication) -> None:
    if target.last_filled_on is not None and target.supply_days:
        target.runs_out_on = target.last_filled_on + timedelta(days=target.supply_days)
    else:
        target.runs_out_on = None


class Pharmacy(Base):
    """A pharmacy the patient saved; at most one is `preferred` (kept so by the service, under a patient lock)."""

    __tablename__ = "pharmacy"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(40))  # E.164, see hearth.phones
    preferred: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RefillRequest(Base):
    __tablename__ = "refill_request"
    __table_args__ = (
        Index("ix_refill_request_patient_created", "patient_id", "created_at"),
        Index("ix_refill_request_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    pharmacy_id: Mapped[int | None] = mapped_column(ForeignKey("pharmacy.id", ondelete="SET NULL"), index=True)
    note: Mapped[str | None] = mapped_column(String(500))  # the patient's words: never in a notification
    status: Mapped[RefillStatus] = mapped_column(str_enum(RefillStatus), default=RefillStatus.REQUESTED)
    requested_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    by_caregiver: Mapped[bool] = mapped_column(default=False)  # requested by a caregiver acting for the patient
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    denial_reason: Mapped[str | None] = mapped_column(String(500))  # shown to the patient

    patient: Mapped[Patient] = relationship()
    pharmacy: Mapped[Pharmacy | None] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_user_id])
    lines: Mapped[list[RefillRequestLine]] = relationship(back_populates="request", order_by="RefillRequestLine.id",
                                                          cascade="all, delete-orphan")

    @property
    def is_pending(self) -> bool:
        return self.status == RefillStatus.REQUESTED

    @property
    def requested_by_name(self) -> str | None:
        return self.requested_by.display_name if self.requested_by is not None else None

    @property
    def is_renewal(self) -> bool:
        return any(line.renewal for line in self.lines)


class RefillRequestLine(Base):
    """One medication of a request, with what the prescriber needs: the last fill date, whether it is a renewal."""

    __tablename__ = "refill_request_line"
    __table_args__ = (
        Index("uq_refill_line_pending", "medication_id", unique=True,
              sqlite_where=text("pending"), postgresql_where=text("pending")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("refill_request.id", ondelete="CASCADE"), index=True)
    medication_id: Mapped[int] = mapped_column(ForeignKey("medication.id", ondelete="CASCADE"), index=True)
    last_filled_on: Mapped[date | None] = mapped_column(Date)  # carried for the prescriber
    renewal: Mapped[bool] = mapped_column(default=False)  # no refills were left: a new prescription is asked for
    pending: Mapped[bool] = mapped_column(default=True)  # cleared when the request is decided
    approved_quantity: Mapped[int | None] = mapped_column()
    approved_refills: Mapped[int | None] = mapped_column()

    request: Mapped[RefillRequest] = relationship(back_populates="lines")
    medication: Mapped[Medication] = relationship()
