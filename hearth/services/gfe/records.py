"""Reading a patient's Good Faith Estimates, and the practice's GFE settings (TIN, NPI, state, contact)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hearth import db, policy
from hearth.clock import utcnow
from hearth.errors import NotFound
from hearth.models import (
    Appointment,
    AppointmentStatus,
    GfeProvider,
    GfeSettings,
    GoodFaithEstimate,
    Patient,
    StaffRole,
    User,
    VisitType,
    VisitTypeService,
)
from hearth.services.estimates import pricing

log = logging.getLogger(__name__)
SCOPE = "billing"
ADMINS = frozenset({StaffRole.ADMIN})
SETTINGS_FIELDS = ("tin", "npi", "state", "contact")
_FULL = selectinload(GoodFaithEstimate.providers).selectinload(GfeProvider.items)


@db.transactional
def list_for_patient(user: User, patient: Patient) -> list[GoodFaithEstimate]:
    """The patient's GFEs, latest first (at most 100), with providers and items loaded."""
    policy.authorize(user, patient, SCOPE, "list", "good_faith_estimate")
    return list(db.session.scalars(
        select(GoodFaithEstimate).where(GoodFaithEstimate.patient_id == patient.id).options(_FULL)
        .order_by(GoodFaithEstimate.issued_at.desc(), GoodFaithEstimate.id.desc()).limit(100)))


@db.transactional
def get(user: User, patient: Patient, estimate_id: int, *, action: str = "view") -> GoodFaithEstimate:
    """One of the patient's GFEs (audited as `action`: view or download); NotFound otherwise."""
    policy.authorize(user, patient, SCOPE, action, "good_faith_estimate", estimate_id)
    gfe = db.session.scalar(select(GoodFaithEstimate).where(
        GoodFaithEstimate.id == estimate_id, GoodFaithEstimate.patient_id == patient.id).options(_FULL))
    if gfe is None:
        raise NotFound()
    return gfe


def _row(practice_id: int) -> GfeSettings | None:
    return db.session.scalar(select(GfeSettings).where(GfeSettings.practice_id == practice_id))


@db.transactional
def settings(user: User, practice_id: int) -> GfeSettings:
    """The practice's GFE settings (an unsaved blank row when none); Forbidden unless an admin."""
    policy.require_practice_role(user, practice_id, ADMINS)
    return _row(practice_id) or GfeSettings(practice_id=practice_id)


@db.transactional
def save_settings(user: User, practice_id: int, data: dict[str, Any]) -> GfeSettings:
    """Change the TIN, group NPI, state and contact GFEs state (GfeSettingsInputSchema data); Forbidden for
    non-admins. Estimates already issued keep what they said."""
    policy.require_practice_role(user, practice_id, ADMINS)
    row = _row(practice_id)
    if row is None:
        row = GfeSettings(practice_id=practice_id)
        db.session.add(row)
    for key in SETTINGS_FIELDS:
        if key in data:
            setattr(row, key, data[key])
    db.session.flush()
    db.after_commit(lambda: log.info("GFE settings of practice %s changed by user %s", practice_id, user.id))
    return row


@dataclass(frozen=True)
class RequestOptions:
    """What a GFE can be asked for: upcoming visits without one, and the practice's priced visit types."""

    eligible: bool
    appointments: list[Appointment]
    visit_types: list[VisitType]


@db.transactional
def request_options(user: User, patient: Patient) -> RequestOptions:
    """The choices of the "Ask for a Good Faith Estimate" form (billing scope; NotFound otherwise)."""
    policy.authorize(user, patient, SCOPE, "list", "good_faith_estimate")
    eligible = pricing.compute(patient, [], None).basis != pricing.INSURANCE
    has_gfe = select(GoodFaithEstimate.appointment_id).where(GoodFaithEstimate.appointment_id.is_not(None))
    appointments = list(db.session.scalars(
        select(Appointment).where(Appointment.patient_id == patient.id, Appointment.status == AppointmentStatus.BOOKED,
                                  Appointment.starts_at > utcnow(), Appointment.id.not_in(has_gfe))
        .options(selectinload(Appointment.visit_type)).order_by(Appointment.starts_at).limit(20)))
    priced = select(VisitTypeService.visit_type_id)
    visit_types = list(db.session.scalars(
        select(VisitType).where(VisitType.practice_id == patient.practice_id, VisitType.active.is_(True),
                                VisitType.id.in_(priced)).order_by(VisitType.name)))
    return RequestOptions(eligible, appointments, visit_types)
