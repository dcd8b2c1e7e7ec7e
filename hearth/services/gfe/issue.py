"""Issuing Good Faith Estimates: automatically when a self-pay patient books 3+ business days out, or on request.

The estimate copies everything it states at issue time (45 CFR 149.610(c)): the patient's name and
birth date, the primary service and its date, each item with its code and expected charge (the
practice's self-pay price, from the fee schedule via hearth.services.estimates.pricing), grouped under
the convening provider with its NPI, TIN, state and location, and items scheduled separately.
"""

from __future__ import annotations

import logging
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select

from hearth import claims, db, policy
from hearth.clock import utcnow
from hearth.errors import Conflict, Invalid, NotFound
from hearth.i18n import _l
from hearth.models import (
    Appointment,
    AppointmentStatus,
    GfeItem,
    GfeProvider,
    GfeReason,
    GfeSettings,
    GoodFaithEstimate,
    Location,
    Patient,
    User,
    VisitType,
)
from hearth.services.estimates import pricing
from hearth.services.gfe import timing
from hearth.texts import localized

log = logging.getLogger(__name__)
SCOPE = "billing"


def local_date(moment, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()


def practice_settings(practice_id: int) -> GfeSettings | None:
    return db.session.scalar(select(GfeSettings).where(GfeSettings.practice_id == practice_id))


def _location_text(location: Location | None, practice) -> str | None:
    if location is not None:
        return ", ".join(p for p in (location.name, location.address) if p)
    first = practice.locations[0] if practice.locations else None
    return ", ".join(p for p in (first.name, first.address) if p) if first else None


def _zone(patient: Patient, location: Location | None) -> str:
    return (location.timezone if location and location.timezone else None) or patient.practice.timezone


def build(patient: Patient, visit_type: VisitType, appointment: Appointment | None, reason: GfeReason,
          user: User | None, *, diagnosis_codes: str | None = None, separately_scheduled: str | None = None
          ) -> GoodFaithEstimate:
    """A new GFE (added and flushed) for the visit type's usual services at the patient's self-pay prices."""
    language = patient.preferred_language
    estimate = pricing.estimate_for_visit_type(patient, visit_type)
    settings = practice_settings(patient.practice_id)
    practice = patient.practice
    location = appointment.location if appointment is not None else None
    zone = _zone(patient, location)
    today = local_date(utcnow(), zone)
    scheduled_on = local_date(appointment.starts_at, zone) if appointment is not None else None
    if reason == GfeReason.BOOKING and scheduled_on is not None:
        due = timing.due_after_scheduling(today, scheduled_on)
    else:
        due = timing.due_after_request(today)
    provider = appointment.provider if appointment is not None else None
    convening = GfeProvider(
        position=0, convening=True,
        name=(f"{provider.display_name} ({practice.name})" if provider else practice.name)[:200],
        npi=(provider.npi if provider and provider.npi else (settings.npi if settings else None)),
        tin=settings.tin if settings else None, state=settings.state if settings else None,
        location=(_location_text(location, practice) or "")[:300] or None,
        items=[GfeItem(position=i, code=line.code, code_type=line.code_type, description=line.text(language)[:300],
                       diagnosis_codes=diagnosis_codes, quantity=line.quantity, charge_cents=line.amount_cents)
               for i, line in enumerate(estimate.lines)],
    )
    first = estimate.lines[0] if estimate.lines else None
    gfe = GoodFaithEstimate(
        patient_id=patient.id, practice_id=patient.practice_id,
        appointment_id=appointment.id if appointment is not None else None, reason=reason, issued_at=utcnow(),
        due_by=due, patient_name=patient.full_name[:210], patient_birth_date=patient.date_of_birth,
        primary_service=(localized(visit_type, "name", language) or visit_type.name)[:300],
        primary_service_code=first.code if first else None, scheduled_on=scheduled_on,
        diagnosis_codes=diagnosis_codes, separately_scheduled=separately_scheduled,
        contact=(settings.contact if settings and settings.contact else practice.phone),
        total_cents=sum(line.amount_cents for line in estimate.lines),
        issued_by_user_id=user.id if user else None, providers=[convening],
    )
    db.session.add(gfe)
    db.session.flush()
    gfe_id, patient_id = gfe.id, patient.id
    db.after_commit(lambda: log.info("good faith estimate %s issued for patient %s (%s)", gfe_id, patient_id,
                                     reason.value))
    return gfe


def self_pay(patient: Patient) -> bool:
    """The patient chose self-pay in her coverage (the automatic GFE; uninsured patients may request one)."""
    return pricing.compute(patient, [], None).basis == pricing.SELF_PAY


def _existing(appointment_id: int) -> GoodFaithEstimate | None:
    return db.session.scalar(select(GoodFaithEstimate).where(GoodFaithEstimate.appointment_id == appointment_id))


def on_booked(appointment: Appointment) -> GoodFaithEstimate | None:
    """Called by the booking service (inside its transaction): issue the GFE a self-pay patient is owed.

    Owed when the visit is 3 or more business days after today (the practice's zone) and the
    visit type has priced services; at most one per appointment (unique), never for insured patients.
    """
    patient = db.session.get(Patient, appointment.patient_id)
    if patient is None or not self_pay(patient) or _existing(appointment.id) is not None:
        return None
    zone = _zone(patient, appointment.location)
    if timing.due_after_scheduling(local_date(utcnow(), zone), local_date(appointment.starts_at, zone)) is None:
        return None
    visit_type = db.session.get(VisitType, appointment.visit_type_id)
    if not pricing.visit_type_items(visit_type):
        return None
    return build(patient, visit_type, appointment, GfeReason.BOOKING, None)


def on_rescheduled(appointment: Appointment) -> GoodFaithEstimate | None:
    """Called by the booking service when a visit moves: a GFE that no longer states its date or provider is
    kept as it was (unlinked from the visit, for the record) and a new one is issued when one is owed."""
    old = _existing(appointment.id)
    if old is None:
        return on_booked(appointment)
    patient = db.session.get(Patient, appointment.patient_id)
    provider = appointment.provider
    same_provider = provider is not None and bool(old.providers) and provider.display_name in old.providers[0].name
    if old.scheduled_on == local_date(appointment.starts_at, _zone(patient, appointment.location)) and same_provider:
        return old
    old.appointment_id = None
    db.session.flush()
    visit_type = db.session.get(VisitType, appointment.visit_type_id)
    if self_pay(patient) and pricing.visit_type_items(visit_type):
        return build(patient, visit_type, appointment, old.reason, None)
    return None


NOT_ELIGIBLE = _l("Good Faith Estimates are for patients who pay for care themselves. Choose self-pay "
                  "in your coverage first.")


@db.transactional
def request(user: User, patient: Patient, *, appointment_id: int | None = None, visit_type_id: int | None = None,
            diagnosis_codes: str | None = None, separately_scheduled: str | None = None) -> GoodFaithEstimate:
    """Issue a GFE on request for one of the patient's upcoming visits (or a visit type not yet booked).

    Returns the visit's existing GFE when there is one. Raises NotFound (no billing access, not her
    visit or visit type), Invalid (insured patient, or nothing to estimate), Conflict (visit not upcoming).
    """
    policy.authorize(user, patient, SCOPE, "request", "good_faith_estimate", appointment_id)
    if pricing.compute(patient, [], None).basis == pricing.INSURANCE:
        raise Invalid(NOT_ELIGIBLE)
    appointment = None
    if appointment_id is not None:
        appointment = db.session.get(Appointment, appointment_id)
        if appointment is None or appointment.patient_id != patient.id:
            raise NotFound()
        claims.lock(Appointment, appointment.id)  # two requests at once: the second finds the first's estimate
        existing = _existing(appointment.id)
        if existing is not None:
            return existing
        if appointment.status != AppointmentStatus.BOOKED or appointment.starts_at < utcnow():
            raise Conflict(_l("This visit is over or cancelled."))
        visit_type = db.session.get(VisitType, appointment.visit_type_id)
    else:
        visit_type = db.session.get(VisitType, visit_type_id) if visit_type_id else None
        if visit_type is None or visit_type.practice_id != patient.practice_id:
            raise NotFound()
    if not pricing.visit_type_items(visit_type):
        raise Invalid(_l("We cannot estimate this visit online yet. Please call us for an estimate."))
    return build(patient, visit_type, appointment, GfeReason.REQUEST, user, diagnosis_codes=diagnosis_codes,
                 separately_scheduled=separately_scheduled)
