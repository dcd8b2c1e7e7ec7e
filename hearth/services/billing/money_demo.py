"""Demo data joining estimates, GFEs, billing and financing (idempotent; runs after the other money demos):

- Aisha Khan (self-pay) had a visit 20 days ago with a Good Faith Estimate; her bill (code DEMO-4500) is
  exactly $450.00 above it, so her statement explains her right to dispute it.
- Kevin Thompson owes $3,000.00 (code DEMO-3000) for knee surgery: large enough for every financing example
  (CareCredit 24 months at 14.90 % → $145.32 a month).

The other money demo rows already exist: Emily Carter (insured, deductible partly met: estimates demo and
DEMO-2345), José Hernández's payment plan (DEMO-3456), CareCredit's offer (gfe demo).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from hearth import db
from hearth.clock import utcnow
from hearth.models import (
    Appointment,
    AppointmentStatus,
    Charge,
    GfeReason,
    Patient,
    Practice,
    Provider,
    Statement,
    VisitType,
    VisitTypeService,
)
from hearth.services.gfe import issue

SELF_PAY_MRN, SELF_PAY_CODE = "HFM-000117", "DEMO-4500"
LARGE_MRN, LARGE_CODE = "HFM-000120", "DEMO-3000"
# billed on top of the GFE's items: the visit ran long and a joint injection was added (together $450.00)
EXTRA = [("99215", "Longer visit than planned (40 to 54 minutes)", 30_000),
         ("20610", "Shot into a large joint, like the knee", 15_000)]
LARGE = [("29881", "Knee scope surgery to repair the cartilage", 300_000)]


def seed_money(practice: Practice) -> None:
    """Add the over-the-estimate bill and the large balance once per practice."""
    provider = db.session.scalar(select(Provider).where(Provider.practice_id == practice.id).order_by(Provider.id))
    visit_type = db.session.scalar(
        select(VisitType).join(VisitTypeService, VisitTypeService.visit_type_id == VisitType.id)
        .where(VisitType.practice_id == practice.id, VisitType.active.is_(True)).order_by(VisitType.id).limit(1))
    if provider is None or visit_type is None:
        return
    if _missing(practice, SELF_PAY_CODE):
        patient = _patient(practice, SELF_PAY_MRN)
        if patient is not None:
            visit = _visit(practice, patient, provider, visit_type, days_ago=20)
            gfe = issue.build(patient, visit_type, visit, GfeReason.BOOKING, None)
            lines = [(item.code or "", item.description, item.charge_cents)
                     for prov in gfe.providers for item in prov.items] + EXTRA
            _statement(practice, patient, visit, SELF_PAY_CODE, lines)
    if _missing(practice, LARGE_CODE):
        patient = _patient(practice, LARGE_MRN)
        if patient is not None:
            _statement(practice, patient, _visit(practice, patient, provider, visit_type, days_ago=15), LARGE_CODE,
                       LARGE)
    db.session.flush()


def _missing(practice: Practice, code: str) -> bool:
    return db.session.scalar(select(Statement.id).where(Statement.practice_id == practice.id,
                                                        Statement.code == code)) is None


def _patient(practice: Practice, mrn: str) -> Patient | None:
    return db.session.scalar(select(Patient).where(Patient.practice_id == practice.id, Patient.mrn == mrn))


def _visit(practice: Practice, patient: Patient, provider: Provider, visit_type: VisitType, *, days_ago: int
           ) -> Appointment:
    zone = ZoneInfo(practice.timezone)
    day = (utcnow().astimezone(zone) - timedelta(days=days_ago)).date()
    starts = datetime.combine(day, time(9), tzinfo=zone).astimezone(UTC)
    visit = Appointment(patient_id=patient.id, provider_id=provider.id, visit_type_id=visit_type.id,
                        starts_at=starts, ends_at=starts + timedelta(minutes=30), status=AppointmentStatus.COMPLETED)
    db.session.add(visit)
    db.session.flush()
    return visit


def _statement(practice: Practice, patient: Patient, visit: Appointment, code: str, lines) -> None:
    day = visit.starts_at.astimezone(ZoneInfo(practice.timezone)).date()
    statement = Statement(patient_id=patient.id, practice_id=practice.id, code=code,
                          issued_on=day + timedelta(days=5), due_on=day + timedelta(days=35))
    db.session.add(statement)
    db.session.flush()
    for cpt, description, cents in lines:
        db.session.add(Charge(patient_id=patient.id, appointment_id=visit.id, statement_id=statement.id,
                              service_date=day, code=cpt[:10], description=description[:200], amount_cents=cents))
