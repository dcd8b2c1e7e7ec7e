"""Refill requests from the patient's side: ask for one or several medications, follow their status.

Refused with a clear reason and nothing changed (rules from issue 9): a medication not on the patient's
list or a pharmacy she has not saved (another patient's rows look the same as none), a stopped
medication, a controlled substance (not refillable online: call the practice), and a medication that
already has a request waiting. Parallel requests for one medication give exactly one: the patient row
is locked before the check, and a partial unique index on pending lines backs it in the database. A
medication with no refills left is asked for as a renewal (a new prescription) and the line says so.
The line carries the last fill date for the prescriber.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from hearth import db, phones, policy
from hearth.errors import Conflict, Invalid, NotFound
from hearth.i18n import _l
from hearth.models import (
    Medication,
    MedicationStatus,
    Patient,
    RefillRequest,
    RefillRequestLine,
    RefillStatus,
    User,
)
from hearth.notify import outbox
from hearth.services.medications.common import SCOPE, load_pharmacy, load_request, lock_patient
from hearth.services.medications.meds import MedicationRow, pending_medication_ids
from hearth.services.medications.pharmacies import all_for
from hearth.services.pagination import Page, clamp, paginate

PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_LINES = 20


def _call_us(patient: Patient) -> str:
    phone = phones.display(patient.practice.phone, patient.practice.country) if patient.practice.phone else ""
    if phone:
        return str(_l("Please call us at %(phone)s.", phone=phone))
    return str(_l("Please call us."))


def _check_medications(patient: Patient, medication_ids: list[int]) -> list[Medication]:
    """The chosen medications, or Invalid/Conflict naming what is wrong with each."""
    if not medication_ids:
        raise Invalid(fields={"medication_ids": [str(_l("Choose at least one medication."))]})
    if len(medication_ids) > MAX_LINES:
        raise Invalid(fields={"medication_ids": [str(_l("Choose at most 20 medications."))]})
    meds = {m.id: m for m in db.session.scalars(
        select(Medication).where(Medication.id.in_(medication_ids), Medication.patient_id == patient.id))}
    problems: list[str] = []
    if any(i not in meds for i in medication_ids):
        problems.append(str(_l("One of the medications chosen is not on your list.")))
    chosen = [meds[i] for i in medication_ids if i in meds]
    for med in chosen:
        if not med.is_active:
            problems.append(str(_l("%(name)s was stopped, so it cannot be refilled.", name=med.label)))
        elif med.is_controlled:
            problems.append(str(_l("%(name)s is a controlled medicine and cannot be refilled online.",
                                   name=med.label)) + " " + _call_us(patient))
    if problems:
        raise Invalid(problems[0], fields={"medication_ids": problems})
    pending = pending_medication_ids(patient.id)
    waiting = [m for m in chosen if m.id in pending]
    if waiting:
        messages = [str(_l("%(name)s already has a refill request waiting for an answer.", name=m.label))
                    for m in waiting]
        raise Conflict(messages[0], fields={"medication_ids": messages})
    return chosen


@db.transactional
def request_refill(user: User, patient: Patient, medication_ids: list[int], pharmacy_id: int,
                   note: str | None = None) -> RefillRequest:
    """Ask for refills of the chosen medications at one of the patient's pharmacies.

    Raises NotFound (no access), Invalid (field `medication_ids` or `pharmacy_id`: not hers, stopped,
    controlled), Conflict (a request for one of them is already waiting).
    """
    granted = policy.authorize(user, patient, SCOPE, "request", "refill_request")
    medication_ids = list(dict.fromkeys(medication_ids))
    lock_patient(patient.id)  # two requests at once: the second sees the first's lines
    try:
        pharmacy = load_pharmacy(patient, pharmacy_id)
    except NotFound:
        message = str(_l("Choose one of your saved pharmacies."))
        raise Invalid(message, fields={"pharmacy_id": [message]}) from None
    meds = _check_medications(patient, medication_ids)
    request = RefillRequest(patient_id=patient.id, pharmacy_id=pharmacy.id, note=(note or "").strip() or None,
                            requested_by_user_id=user.id, by_caregiver=granted.relation == "caregiver",
                            status=RefillStatus.REQUESTED)
    request.lines = [RefillRequestLine(medication_id=m.id, last_filled_on=m.last_filled_on,
                                       renewal=m.refills_left <= 0, pending=True) for m in meds]
    db.session.add(request)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # the unique pending line: a parallel request won
        raise Conflict(_l("You already asked for a refill of this medicine. We will answer soon.")) from None
    for med in meds:  # asked for: no need to remind
        outbox.cancel(key_prefix=f"refill_due:{med.id}:")
    return request


# What a request is shown with: its lines and their medications, the pharmacy, who asked.
WITH_LINES = (selectinload(RefillRequest.lines).joinedload(RefillRequestLine.medication),
              joinedload(RefillRequest.pharmacy), joinedload(RefillRequest.requested_by))


def _with_lines(stmt):
    return stmt.options(*WITH_LINES)


@db.transactional
def request_list(user: User, patient: Patient, *, page: int = 1, per_page: int = PER_PAGE) -> Page[RefillRequest]:
    """The patient's refill requests, newest first, with their lines (a fixed number of statements)."""
    policy.authorize(user, patient, SCOPE, "list", "refill_request")
    page, per_page = clamp(page, per_page, MAX_PER_PAGE)
    where = RefillRequest.patient_id == patient.id
    stmt = _with_lines(select(RefillRequest).where(where)
                       .order_by(RefillRequest.created_at.desc(), RefillRequest.id.desc()))
    rows, total = paginate(stmt, select(func.count(RefillRequest.id)).where(where), page, per_page)
    return Page([r[0] for r in rows], page, per_page, total)


@db.transactional
def get(user: User, patient: Patient, request_id: int) -> RefillRequest:
    """One refill request of the patient's (NotFound for another patient's)."""
    policy.authorize(user, patient, SCOPE, "view", "refill_request", request_id)
    # The lines, their medications and the pharmacy with the request, as the list loads them (no lazy load).
    return load_request(patient, request_id, *WITH_LINES)


@dataclass(frozen=True)
class RefillForm:
    """What the refill form offers: the patient's active medications (each saying whether it can be
    asked for online) and her saved pharmacies, preferred first."""

    rows: list
    pharmacies: list
    call_phone: str | None

    @property
    def requestable(self) -> list:
        return [r for r in self.rows if r.can_request]


@db.transactional
def form_options(user: User, patient: Patient) -> RefillForm:
    """The refill form's choices in a fixed number of statements (one audit event). Raises NotFound."""
    policy.authorize(user, patient, SCOPE, "view_form", "refill_request")
    meds = db.session.scalars(select(Medication).where(Medication.patient_id == patient.id,
                                                       Medication.status == MedicationStatus.ACTIVE)
                              .order_by(func.lower(Medication.name), Medication.id).limit(200)).all()
    pending = pending_medication_ids(patient.id)
    return RefillForm([MedicationRow(m, m.id in pending) for m in meds], all_for(patient.id),
                      patient.practice.phone)
