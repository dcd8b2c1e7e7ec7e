"""Use cases: estimate a visit type or chosen services for a patient, save it with its inputs and date,
list and show saved estimates, and tie one to the appointment booked from it.

Caregivers need the `billing` scope; every call is authorized and audited (policy.authorize).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from hearth import db, policy
from hearth.clock import utcnow
from hearth.errors import Invalid, NotFound
from hearth.i18n import _l
from hearth.models import Appointment, CostEstimate, FeeScheduleItem, Patient, User, VisitType
from hearth.services.estimates import pricing
from hearth.services.pagination import Page, clamp, paginate

SCOPE = "billing"
REUSE_WITHIN = timedelta(hours=12)  # an unchanged estimate shown again within this is not saved twice
MAX_SERVICES = 20


@dataclass
class ToolOptions:
    visit_types: list[VisitType]
    items: list[FeeScheduleItem]


def _to_row(estimate: pricing.Estimate, user: User | None) -> CostEstimate:
    inputs = {k: v for k, v in asdict(estimate).items() if k not in ("lines", "id", "created_at", "appointment_id",
                                                                     "patient_id", "visit_type_id")}
    inputs["benefits_updated_at"] = estimate.benefits_updated_at.isoformat() if estimate.benefits_updated_at else None
    return CostEstimate(patient_id=estimate.patient_id, visit_type_id=estimate.visit_type_id,
                        created_by_user_id=user.id if user else None, self_pay=estimate.basis != pricing.INSURANCE,
                        allowed_cents=estimate.allowed_cents, patient_cents=estimate.patient_cents,
                        plan_cents=estimate.plan_cents, inputs=inputs, lines=[asdict(li) for li in estimate.lines])


def _line(data: object) -> pricing.EstimateLine | None:
    """A saved line, or None when the stored JSON is not one (rows written by hand or by an older version)."""
    if not isinstance(data, dict):
        return None
    names = {f.name for f in fields(pricing.EstimateLine)}
    try:
        return pricing.EstimateLine(**{k: v for k, v in data.items() if k in names})
    except TypeError:
        return None


def from_row(row: CostEstimate) -> pricing.Estimate:
    """A saved estimate as the dataclass the pages and the API show."""
    inputs = row.inputs if isinstance(row.inputs, dict) else {}
    known = {"basis", "payer_name", "plan_name", "plan", "deductible_remaining_cents", "oop_remaining_cents",
             "verified"}
    kept = {k: v for k, v in inputs.items() if k in known}
    kept.setdefault("basis", pricing.SELF_PAY if row.self_pay else pricing.INSURANCE)
    if not isinstance(kept.get("plan", {}), dict):
        kept["plan"] = {}
    try:
        when = datetime.fromisoformat(inputs["benefits_updated_at"]) if inputs.get("benefits_updated_at") else None
    except (TypeError, ValueError):
        when = None
    lines = [_line(li) for li in (row.lines if isinstance(row.lines, list) else [])]
    return pricing.Estimate(
        patient_id=row.patient_id, visit_type_id=row.visit_type_id, lines=tuple(li for li in lines if li),
        allowed_cents=row.allowed_cents, patient_cents=row.patient_cents, plan_cents=row.plan_cents,
        benefits_updated_at=when, id=row.id, created_at=row.created_at, appointment_id=row.appointment_id, **kept)


def _save(user: User, estimate: pricing.Estimate) -> pricing.Estimate:
    """Save `estimate`, or reuse the same unattached estimate saved for the patient in the last hours."""
    row = _to_row(estimate, user)
    recent = db.session.scalars(
        select(CostEstimate).where(CostEstimate.patient_id == row.patient_id,
                                   CostEstimate.appointment_id.is_(None),
                                   CostEstimate.created_at >= utcnow() - REUSE_WITHIN,
                                   CostEstimate.patient_cents == row.patient_cents)
        .order_by(CostEstimate.created_at.desc()).limit(5))
    for old in recent:
        if old.visit_type_id == row.visit_type_id and old.inputs == row.inputs and old.lines == row.lines:
            return from_row(old)
    db.session.add(row)
    db.session.flush()
    return from_row(row)


def _visit_type(patient: Patient, visit_type_id: int) -> VisitType:
    visit_type = db.session.get(VisitType, visit_type_id)
    if visit_type is None or visit_type.practice_id != patient.practice_id or not visit_type.active:
        raise NotFound()
    return visit_type


@db.transactional
def estimate_visit_type(user: User, patient: Patient, visit_type_id: int) -> pricing.Estimate:
    """Estimate and save the patient's cost for a visit type. NotFound without billing access or for another
    practice's visit type; an estimate without lines when the visit type is not priced (not saved)."""
    policy.authorize(user, patient, SCOPE, "estimate", "cost_estimate")
    estimate = pricing.estimate_for_visit_type(patient, _visit_type(patient, visit_type_id))
    return _save(user, estimate) if estimate.has_services else estimate


@db.transactional
def booking_estimate(user: User, patient: Patient, visit_type_id: int) -> pricing.Estimate | None:
    """The estimate the booking review shows, or None when there is nothing to show: the user may not see the
    patient's billing (a caregiver without that scope) or the visit type is not priced."""
    if policy.access(user, patient, SCOPE) is None:
        return None
    estimate = estimate_visit_type(user, patient, visit_type_id)
    return estimate if estimate.has_services else None


@db.transactional
def estimate_services(user: User, patient: Patient, items: list[dict[str, int]]) -> pricing.Estimate:
    """Estimate and save the cost of chosen services ({fee_item_id, quantity}, in order). Invalid for an
    unknown, inactive or repeated service; NotFound without billing access."""
    policy.authorize(user, patient, SCOPE, "estimate", "cost_estimate")
    ids = [i["fee_item_id"] for i in items]
    found = {i.id: i for i in db.session.scalars(
        select(FeeScheduleItem).where(FeeScheduleItem.id.in_(ids), FeeScheduleItem.practice_id == patient.practice_id,
                                      FeeScheduleItem.active.is_(True))
        .options(selectinload(FeeScheduleItem.allowed_amounts)))} if ids else {}
    if not ids or len(ids) > MAX_SERVICES or len(set(ids)) != len(ids) or set(ids) - set(found):
        message = str(_l("Choose one or more services from the list."))
        raise Invalid(message, fields={"services": [message]})
    estimate = pricing.compute(patient, [(found[i["fee_item_id"]], i.get("quantity") or 1) for i in items], None)
    return _save(user, estimate)


@db.transactional
def tool_options(user: User, patient: Patient) -> ToolOptions:
    """What the price estimate tool offers: the visit types with a price and the services patients may pick."""
    policy.authorize(user, patient, SCOPE, "read", "fee_schedule")
    from hearth.models import VisitTypeService

    priced = select(VisitTypeService.visit_type_id)
    visit_types = list(db.session.scalars(
        select(VisitType).where(VisitType.practice_id == patient.practice_id, VisitType.active.is_(True),
                                VisitType.id.in_(priced)).order_by(VisitType.name)))
    items = list(db.session.scalars(
        select(FeeScheduleItem).where(FeeScheduleItem.practice_id == patient.practice_id,
                                      FeeScheduleItem.active.is_(True))
        .order_by(FeeScheduleItem.category, FeeScheduleItem.description)))
    return ToolOptions(visit_types, items)


@db.transactional
def list_estimates(user: User, patient: Patient, *, page: int = 1, per_page: int = 20) -> Page[pricing.Estimate]:
    """The patient's saved estimates, newest first."""
    policy.authorize(user, patient, SCOPE, "list", "cost_estimate")
    page, per_page = clamp(page, per_page, 100)
    where = CostEstimate.patient_id == patient.id
    rows, total = paginate(select(CostEstimate).where(where).order_by(CostEstimate.created_at.desc(),
                                                                      CostEstimate.id.desc()),
                           select(func.count()).select_from(CostEstimate).where(where), page, per_page)
    return Page([from_row(r[0]) for r in rows], page, per_page, total)


@db.transactional
def get_estimate(user: User, patient: Patient, estimate_id: int) -> pricing.Estimate:
    """One saved estimate. NotFound when it is not the patient's or without billing access."""
    policy.authorize(user, patient, SCOPE, "read", "cost_estimate", estimate_id)
    row = db.session.get(CostEstimate, estimate_id)
    if row is None or row.patient_id != patient.id:
        raise NotFound()
    return from_row(row)


@db.transactional
def attach_to_appointment(user: User, patient: Patient, estimate_id: int, appointment_id: int) -> pricing.Estimate:
    """Tie a saved estimate to the appointment booked from it (once: a second tie, or another visit type,
    is refused). Needs the billing and appointments scopes. NotFound when either is not the patient's;
    Invalid when already tied or for another visit type."""
    policy.authorize(user, patient, SCOPE, "update", "cost_estimate", estimate_id)
    policy.authorize(user, patient, "appointments", "view", "appointment", appointment_id)  # it names a visit too
    row = db.session.get(CostEstimate, estimate_id)
    appointment = db.session.get(Appointment, appointment_id)
    if row is None or row.patient_id != patient.id or appointment is None or appointment.patient_id != patient.id:
        raise NotFound()
    if row.visit_type_id is not None and row.visit_type_id != appointment.visit_type_id:
        message = str(_l("This estimate is for another kind of visit."))
        raise Invalid(message, fields={"appointment_id": [message]})
    changed = db.session.execute(
        update(CostEstimate).where(CostEstimate.id == row.id, CostEstimate.appointment_id.is_(None))
        .values(appointment_id=appointment.id)).rowcount
    db.session.refresh(row)
    if not changed and row.appointment_id != appointment.id:
        message = str(_l("This estimate is already tied to another visit."))
        raise Invalid(message, fields={"appointment_id": [message]})
    return from_row(row)


@db.transactional
def for_appointment(user: User, patient: Patient, appointment_id: int) -> pricing.Estimate | None:
    """The latest estimate tied to a visit, or None (also None without billing access)."""
    if policy.access(user, patient, SCOPE) is None:
        return None
    row = db.session.scalar(select(CostEstimate).where(CostEstimate.patient_id == patient.id,
                                                       CostEstimate.appointment_id == appointment_id)
                            .order_by(CostEstimate.created_at.desc()).limit(1))
    if row is None:
        return None
    policy.authorize(user, patient, SCOPE, "read", "cost_estimate", row.id)
    return from_row(row)


def attach_after_booking(user: User, patient: Patient, estimate_id: str | int | None, appointment_id: int) -> None:
    """Tie the estimate shown on the booking review to the visit just booked; a missing, foreign or already
    tied estimate is ignored (the booking stands either way)."""
    from hearth.errors import DomainError
    from hearth.schemas.fields import parse_id

    try:
        attach_to_appointment(user, patient, parse_id(estimate_id), appointment_id)
    except (ValueError, DomainError):
        return
