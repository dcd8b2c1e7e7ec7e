"""The care team's view of one visit: why the patient is coming, check-in answers, status history,
how to reach the patient and her caregivers, and what can be done next."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hearth import db, policy
from hearth.errors import NotFound
from hearth.models import Appointment, AppointmentStatus, AppointmentStatusChange, Patient, User
from hearth.policy import CLINICAL_ROLES
from hearth.services.patients import CaregiverView, caregiver_views
from hearth.services.scheduling import booking, history
from hearth.services.scheduling.common import zone_for
from hearth.services.scheduling.staff import next_statuses


@dataclass(frozen=True)
class Answer:
    """One check-in question with the patient's answer (True/False for yes-or-no questions)."""

    question_id: str
    question: str
    answer: Any


@dataclass
class StaffAppointment:
    appointment: Appointment
    timezone: str  # the clinic's zone: the visit's wall-clock time
    answers: list[Answer] = field(default_factory=list)
    history: list[AppointmentStatusChange] = field(default_factory=list)
    caregivers: list[CaregiverView] = field(default_factory=list)
    next_statuses: list[AppointmentStatus] = field(default_factory=list)
    can_cancel: bool = False

    @property
    def patient(self) -> Patient:
        return self.appointment.patient


def answers_of(appointment: Appointment) -> list[Answer]:
    """The check-in answers in the questionnaire's order; answers to questions removed since come last."""
    given = dict(appointment.questionnaire_answers or {})
    result = []
    for question in appointment.visit_type.questionnaire or []:
        qid = str(question.get("id", ""))
        if qid in given:
            result.append(Answer(qid, str(question.get("text", qid)), given.pop(qid)))
    result += [Answer(qid, qid, value) for qid, value in given.items()]
    return result


@db.transactional
def appointment_detail(user: User, practice_id: int, appointment_id: int, *,
                       now: datetime | None = None) -> StaffAppointment:
    """One visit of a patient of the practice, for its providers, staff and admins (audited as
    view/appointment). Raises Forbidden (not staff there) or NotFound (no such visit at the practice)."""
    policy.require_practice_role(user, practice_id, CLINICAL_ROLES)
    appointment = db.session.scalar(
        select(Appointment).join(Appointment.patient)
        .where(Appointment.id == appointment_id, Patient.practice_id == practice_id)
        .options(selectinload(Appointment.patient).selectinload(Patient.primary_provider),
                 selectinload(Appointment.visit_type), selectinload(Appointment.provider),
                 selectinload(Appointment.location))
    )
    if appointment is None:
        raise NotFound()
    policy.authorize(user, appointment.patient, booking.SCOPE, "view", "appointment", appointment.id)
    return StaffAppointment(
        appointment=appointment,
        timezone=zone_for(appointment.patient.practice, appointment.location),
        answers=answers_of(appointment),
        history=history.for_appointment(appointment.id),
        caregivers=caregiver_views(appointment.patient),
        next_statuses=next_statuses(appointment, now),
        can_cancel=appointment.status == AppointmentStatus.BOOKED,
    )


@db.transactional
def cancel_visit(user: User, practice_id: int, appointment_id: int, reason: str | None = None) -> Appointment:
    """Staff cancel a booked visit of a patient of their practice (any time: the online cutoff is the
    patient's rule). Raises Forbidden, NotFound, Conflict (no longer booked)."""
    policy.require_practice_role(user, practice_id, CLINICAL_ROLES)
    patient = db.session.scalar(
        select(Patient).join(Appointment, Appointment.patient_id == Patient.id)
        .where(Appointment.id == appointment_id, Patient.practice_id == practice_id)
    )
    if patient is None:
        raise NotFound()
    return booking.cancel(user, patient, appointment_id, reason)
