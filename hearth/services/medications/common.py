"""Shared by the medication use cases: loading one patient's rows, the staff check, notifying the patient."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from hearth import db, policy
from hearth.clock import utcnow
from hearth.errors import Forbidden, NotFound
from hearth.models import Medication, Patient, Pharmacy, RefillRequest, User
from hearth.notify import outbox

SCOPE = "medications"
KIND = "refill"


def local_today(patient: Patient, now: datetime | None = None) -> date:
    """Today's date in the practice's zone (fill dates and run-out dates are clinic dates)."""
    return (now or utcnow()).astimezone(ZoneInfo(patient.practice.timezone)).date()


def require_staff(user: User | None, patient: Patient, action: str, resource_type: str,
                  resource_id: object = None) -> None:
    """Authorize (and audit) a care-team act on the patient's medications.

    Raises NotFound for anyone outside the patient's record, Forbidden for the patient or a caregiver.
    """
    granted = policy.authorize(user, patient, SCOPE, action, resource_type, resource_id)
    if granted.relation != "staff":
        raise Forbidden()


def lock_patient(patient_id: int) -> None:
    """Serialize one patient's medication writes (a row lock on PostgreSQL; SQLite has one writer)."""
    db.session.execute(select(Patient.id).where(Patient.id == patient_id).with_for_update(key_share=True))


def load_medication(patient: Patient, medication_id: int, *options) -> Medication:
    """One of the patient's medications; NotFound for another patient's. `options`: eager loads for a read."""
    med = db.session.scalar(select(Medication).where(Medication.id == medication_id,
                                                     Medication.patient_id == patient.id).options(*options))
    if med is None:
        raise NotFound()
    return med


def load_pharmacy(patient: Patient, pharmacy_id: int) -> Pharmacy:
    """One of the patient's saved pharmacies; NotFound for another patient's."""
    pharmacy = db.session.scalar(select(Pharmacy).where(Pharmacy.id == pharmacy_id, Pharmacy.patient_id == patient.id))
    if pharmacy is None:
        raise NotFound()
    return pharmacy


def load_request(patient: Patient, request_id: int, *options) -> RefillRequest:
    """One of the patient's refill requests; NotFound for another patient's. `options`: eager loads for a read."""
    found = db.session.scalar(select(RefillRequest).where(RefillRequest.id == request_id,
                                                          RefillRequest.patient_id == patient.id).options(*options))
    if found is None:
        raise NotFound()
    return found


def notify_update(request: RefillRequest) -> None:
    """Tell the patient her request changed, and the caregiver who asked for her (in this transaction, through
    the outbox; no health detail). The dispatcher re-checks that a caregiver still covers medications."""
    patient = request.patient
    key = f"refill:{request.id}:{request.status.value}"
    params = {"ref": f"refill:{request.id}"}
    outbox.enqueue(key=key, kind=KIND, template="refill_update", params=params, user=patient.user, patient=patient)
    asker = request.requested_by
    if request.by_caregiver and asker is not None and asker.id != patient.user_id and asker.is_active:
        outbox.enqueue(key=f"{key}:u{asker.id}", kind=KIND, template="refill_update", params=params, user=asker,
                       patient=patient)
