"""Online check-in: within the practice's window, confirm contact and insurance, answer the questions."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hearth import db, policy
from hearth.clock import utcnow
from hearth.errors import Conflict, Invalid
from hearth.i18n import _l
from hearth.models import Appointment, AppointmentStatus, Patient, User, VisitType
from hearth.services.scheduling.common import load_appointment, settings_for

SCOPE = "appointments"
MAX_TEXT = 1000


def window(appointment: Appointment) -> tuple[datetime, datetime]:
    """When check-in opens and closes for this appointment."""
    settings = settings_for(appointment.patient.practice_id)
    return (appointment.starts_at - timedelta(hours=settings.checkin_opens_hours),
            appointment.starts_at + timedelta(minutes=settings.checkin_closes_minutes))


def is_open(appointment: Appointment, now: datetime | None = None) -> bool:
    if appointment.status != AppointmentStatus.BOOKED or appointment.checked_in_at is not None:
        return False
    opens, closes = window(appointment)
    return opens <= (now or utcnow()) < closes


@db.transactional
def check_in(user: User, patient: Patient, appointment_id: int, *, contact_confirmed: bool,
             insurance_confirmed: bool, answers: dict[str, Any], now: datetime | None = None) -> Appointment:
    """Record the check-in. Raises Conflict outside the window, Invalid for missing or bad answers."""
    policy.authorize(user, patient, SCOPE, "check_in", "appointment", appointment_id)
    appointment = load_appointment(patient, appointment_id, for_update=True)  # checked in once, however many taps
    now = now or utcnow()
    if appointment.status != AppointmentStatus.BOOKED:
        raise Conflict(_l("This appointment can no longer be checked in."))
    if appointment.checked_in_at is not None:
        raise Conflict(_l("You have already checked in."))
    opens, closes = window(appointment)
    if now < opens:
        hours = settings_for(patient.practice_id).checkin_opens_hours
        raise Conflict(_l("Check-in opens %(hours)s hours before your appointment.", hours=hours))
    if now >= closes:
        raise Conflict(_l("Check-in has closed for this appointment. Please see the front desk."))
    errors: dict[str, list] = {}
    if not contact_confirmed:
        errors["contact_confirmed"] = [_l("Please confirm your contact details.")]
    if not insurance_confirmed:
        errors["insurance_confirmed"] = [_l("Please confirm your insurance.")]
    clean, answer_errors = validate_answers(appointment.visit_type, answers)
    errors.update(answer_errors)
    if errors:
        raise Invalid(_l("Please correct the highlighted answers."), fields=errors)
    appointment.checked_in_at = now
    appointment.questionnaire_answers = clean
    return appointment


def validate_answers(visit_type: VisitType, answers: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list]]:
    """Answers checked against the visit type's questions: (clean answers, errors by `answers.<id>`)."""
    clean: dict[str, Any] = {}
    errors: dict[str, list] = {}
    known = {q.get("id") for q in visit_type.questionnaire or []}
    for extra in set(answers) - known:
        errors[f"answers.{extra}"] = [_l("Unknown question.")]
    for question in visit_type.questionnaire or []:
        qid, kind = question.get("id"), question.get("type", "text")
        field = f"answers.{qid}"
        value = answers.get(qid)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            if question.get("required"):
                errors[field] = [_l("Please answer this question.")]
            continue
        if kind == "yes_no":
            if value in (True, "yes", "true", "on"):
                value = True
            elif value in (False, "no", "false"):
                value = False
            else:
                errors[field] = [_l("Answer yes or no.")]
                continue
        elif kind == "choice":
            if value not in question.get("options", []):
                errors[field] = [_l("Choose one of the options.")]
                continue
        elif not isinstance(value, str) or len(value) > MAX_TEXT:
            errors[field] = [_l("Keep your answer under %(n)s characters.", n=MAX_TEXT)]
            continue
        clean[qid] = value
    return clean, errors
