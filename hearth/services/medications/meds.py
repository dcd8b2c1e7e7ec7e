"""The medication list: the patient (or a caregiver with `medications`) reads it; staff add, change and stop.

Staff entries follow FHIR R4 MedicationRequest (see hearth.models.medications). Stopping a medication
withdraws its pending refill-due reminder; a stopped medication cannot be refilled online.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from hearth import db, policy
from hearth.clock import utcnow
from hearth.errors import Conflict, Invalid
from hearth.i18n import _l
from hearth.models import Medication, MedicationStatus, Patient, Provider, RefillRequestLine, User
from hearth.notify import outbox
from hearth.services.medications.common import SCOPE, load_medication, require_staff
from hearth.services.pagination import Page, clamp, paginate

PER_PAGE = 50
MAX_PER_PAGE = 100
FIELDS = ("name", "strength", "form", "instructions", "prescriber_id", "quantity", "refills_left", "last_filled_on",
          "supply_days", "controlled_schedule")


@dataclass(frozen=True)
class MedicationRow:
    """One medication as a list shows it, with whether a refill request for it is waiting."""

    medication: Medication
    refill_pending: bool

    @property
    def prescriber_name(self) -> str | None:
        prescriber = self.medication.prescriber
        return prescriber.display_name if prescriber is not None else None

    @property
    def can_request(self) -> bool:
        """Refillable online: active, not a controlled substance, no request waiting."""
        med = self.medication
        return med.is_active and not med.is_controlled and not self.refill_pending


def pending_medication_ids(patient_id: int) -> set[int]:
    """The patient's medications with a refill request waiting (one query)."""
    return set(db.session.scalars(
        select(RefillRequestLine.medication_id).join(RefillRequestLine.medication)
        .where(Medication.patient_id == patient_id, RefillRequestLine.pending.is_(True))))


def _order():
    # active first, then by name
    return (Medication.status, func.lower(Medication.name), Medication.id)


@db.transactional
def medication_list(user: User, patient: Patient, *, page: int = 1, per_page: int = PER_PAGE,
                    status: MedicationStatus | None = None) -> Page[MedicationRow]:
    """A page of the patient's medications, active first (3 statements whatever the page length).

    Raises NotFound without access to the patient's medications.
    """
    policy.authorize(user, patient, SCOPE, "list", "medication")
    page, per_page = clamp(page, per_page, MAX_PER_PAGE)
    where = [Medication.patient_id == patient.id]
    if status is not None:
        where.append(Medication.status == status)
    stmt = select(Medication).where(*where).options(joinedload(Medication.prescriber)).order_by(*_order())
    rows, total = paginate(stmt, select(func.count(Medication.id)).where(*where), page, per_page)
    pending = pending_medication_ids(patient.id)
    return Page([MedicationRow(r[0], r[0].id in pending) for r in rows], page, per_page, total)


@db.transactional
def get(user: User, patient: Patient, medication_id: int) -> MedicationRow:
    """One medication of the patient's (NotFound for another patient's)."""
    policy.authorize(user, patient, SCOPE, "view", "medication", medication_id)
    med = load_medication(patient, medication_id, joinedload(Medication.prescriber))  # shown: no lazy load
    return MedicationRow(med, med.id in pending_medication_ids(patient.id))


def _check(patient: Patient, values: dict[str, Any]) -> None:
    """Raise Invalid for a prescriber of another practice or counts out of range."""
    errors: dict[str, list[str]] = {}
    prescriber_id = values.get("prescriber_id")
    if prescriber_id is not None:
        provider = db.session.get(Provider, prescriber_id)
        if provider is None or provider.practice_id != patient.practice_id:
            errors["prescriber_id"] = [str(_l("Choose one of the practice's providers."))]
    if errors:
        raise Invalid(fields=errors)


@db.transactional
def add(user: User, patient: Patient, values: dict[str, Any]) -> Medication:
    """Staff add a medication to the patient's list (values as loaded by MedicationSchema).

    Raises NotFound (no access), Forbidden (not staff), Invalid (a prescriber of another practice).
    """
    require_staff(user, patient, "add", "medication")
    _check(patient, values)
    med = Medication(patient_id=patient.id, created_by_user_id=user.id,
                     **{k: values.get(k) for k in FIELDS if k != "refills_left"},
                     refills_left=values.get("refills_left") or 0)
    db.session.add(med)
    db.session.flush()
    return med


@db.transactional
def change(user: User, patient: Patient, medication_id: int, values: dict[str, Any]) -> Medication:
    """Staff change a medication's details (only the fields given). Raises as `add`, Conflict when stopped."""
    require_staff(user, patient, "change", "medication", medication_id)
    med = load_medication(patient, medication_id)
    if not med.is_active:
        raise Conflict(_l("This medication was stopped. Add it again to restart it."))
    _check(patient, values)
    for key in FIELDS:
        if key in values:
            setattr(med, key, values[key] if key != "refills_left" else (values[key] or 0))
    med.changed_at = utcnow()
    db.session.flush()
    return med


@db.transactional
def stop(user: User, patient: Patient, medication_id: int) -> Medication:
    """Staff stop a medication; its refill-due reminder is withdrawn. Stopping twice changes nothing."""
    require_staff(user, patient, "stop", "medication", medication_id)
    med = load_medication(patient, medication_id)
    if med.is_active:
        med.status = MedicationStatus.STOPPED
        med.stopped_at = med.changed_at = utcnow()
        outbox.cancel(key_prefix=f"refill_due:{med.id}:")
    db.session.flush()
    return med


def row(med: Medication) -> MedicationRow:
    """`med` as a list shows it (one statement for the pending flag)."""
    return MedicationRow(med, med.id in pending_medication_ids(med.patient_id))


@dataclass(frozen=True)
class ChartMedications:
    """The staff chart's medication section: the list and the practice's prescribers for the forms."""

    page: Page[MedicationRow]
    prescribers: list[Provider]


def prescribers(practice_id: int) -> list[Provider]:
    """The practice's providers, by family name (the prescriber choices)."""
    return list(db.session.scalars(select(Provider).where(Provider.practice_id == practice_id)
                                   .order_by(Provider.family_name, Provider.given_name, Provider.id)))


@db.transactional
def chart_medications(user: User, patient: Patient, *, page: int = 1) -> ChartMedications:
    """The staff chart's medications (active first). Raises NotFound, Forbidden (not staff)."""
    require_staff(user, patient, "list", "medication")
    page, per_page = clamp(page, PER_PAGE, MAX_PER_PAGE)
    where = Medication.patient_id == patient.id
    stmt = select(Medication).where(where).options(joinedload(Medication.prescriber)).order_by(*_order())
    rows, total = paginate(stmt, select(func.count(Medication.id)).where(where), page, per_page)
    pending = pending_medication_ids(patient.id)
    return ChartMedications(Page([MedicationRow(r[0], r[0].id in pending) for r in rows], page, per_page, total),
                            prescribers(patient.practice_id))


@db.transactional
def staff_get(user: User, patient: Patient, medication_id: int) -> tuple[Medication, list[Provider]]:
    """One medication for the staff edit form, with the prescriber choices. Raises NotFound, Forbidden."""
    require_staff(user, patient, "view", "medication", medication_id)
    return load_medication(patient, medication_id), prescribers(patient.practice_id)
