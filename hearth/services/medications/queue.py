"""The care team's refill queue: waiting requests oldest first, and the three decisions.

Approve (a quantity and refills per medication; the medication's counts and last fill date follow),
deny (with a reason the patient reads), or "needs a visit" (the patient is offered booking). A request
is decided once: the status changes in one conditional UPDATE (hearth.claims), so two staff deciding
at once get one decision and one "already decided". Each decision notifies the patient.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from hearth import audit, db, policy
from hearth.claims import claim
from hearth.clock import utcnow
from hearth.errors import Conflict, Invalid
from hearth.i18n import _l
from hearth.models import Medication, Patient, RefillRequest, RefillRequestLine, RefillStatus, User
from hearth.services.medications.common import load_request, local_today, notify_update, require_staff
from hearth.services.pagination import Page, clamp, paginate

PER_PAGE = 25
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class QueueItem:
    request: RefillRequest
    age: timedelta  # how long it has waited

    @property
    def age_minutes(self) -> int:
        return int(self.age.total_seconds() // 60)


def _queue_where(practice_id: int):
    return (RefillRequest.status == RefillStatus.REQUESTED, Patient.practice_id == practice_id)


@db.transactional
def queue(user: User, practice_id: int, *, page: int = 1, per_page: int = PER_PAGE,
          now: datetime | None = None) -> Page[QueueItem]:
    """A page of the practice's waiting refill requests, oldest first, each with its age.

    A practice-level read: checks the role (Forbidden); each request listed gets a list/refill_request
    audit event for its patient. A fixed number of statements whatever the page length.
    """
    policy.require_practice_role(user, practice_id, policy.CLINICAL_ROLES)
    now = now or utcnow()
    page, per_page = clamp(page, per_page, MAX_PER_PAGE)
    where = _queue_where(practice_id)
    stmt = (select(RefillRequest).join(RefillRequest.patient).where(*where)
            .options(joinedload(RefillRequest.patient), joinedload(RefillRequest.pharmacy),
                     joinedload(RefillRequest.requested_by),
                     selectinload(RefillRequest.lines).joinedload(RefillRequestLine.medication))
            .order_by(RefillRequest.created_at, RefillRequest.id))
    count = select(func.count(RefillRequest.id)).join(RefillRequest.patient).where(*where)
    rows, total = paginate(stmt, count, page, per_page)
    audit.record_listed(actor=user, relation="staff", action="list", resource_type="refill_request",
                        listed=[(r[0].patient_id, r[0].id) for r in rows])
    return Page([QueueItem(r[0], now - r[0].created_at) for r in rows], page, per_page, total)


def pending_count(practice_id: int) -> int:
    """How many refill requests wait at the practice (one statement; callers authorize)."""
    return db.session.scalar(select(func.count(RefillRequest.id)).join(RefillRequest.patient)
                             .where(*_queue_where(practice_id))) or 0


@db.transactional
def open_request(user: User, patient: Patient, request_id: int) -> RefillRequest:
    """One request as staff see it (audited). Raises NotFound, Forbidden (not staff)."""
    require_staff(user, patient, "view", "refill_request", request_id)
    # Shown with its lines, their medications and prescribers, and the pharmacy (no lazy load).
    return load_request(patient, request_id,
                        selectinload(RefillRequest.lines).joinedload(RefillRequestLine.medication)
                        .joinedload(Medication.prescriber), joinedload(RefillRequest.pharmacy))


def _decide(user: User, request: RefillRequest, status: RefillStatus, **values) -> None:
    """Move a waiting request to `status` once; Conflict when it was already decided."""
    now = utcnow()
    won = claim(request, RefillRequest.status == RefillStatus.REQUESTED, status=status, decided_at=now,
                decided_by_user_id=user.id, **values)
    if not won:
        raise Conflict(_l("This refill request was already answered."))
    for line in request.lines:
        line.pending = False
    db.session.flush()
    notify_update(request)


@db.transactional
def approve(user: User, patient: Patient, request_id: int,
            amounts: dict[int, tuple[int | None, int | None]] | None = None) -> RefillRequest:
    """Approve: per medication id an optional (quantity, refills); defaults keep the quantity and use one refill.

    The medications' quantity, refills left and last fill date (today, the clinic's date) follow.
    Raises NotFound, Forbidden (not staff), Invalid (an amount for a medication not in the request),
    Conflict (already answered).
    """
    require_staff(user, patient, "approve", "refill_request", request_id)
    request = load_request(patient, request_id)
    amounts = amounts or {}
    by_med = {line.medication_id: line for line in request.lines}
    if set(amounts) - set(by_med):
        raise Invalid(fields={"lines": [str(_l("Give amounts only for the medications in this request."))]})
    _decide(user, request, RefillStatus.APPROVED)
    today = local_today(patient)
    for med_id, line in by_med.items():
        med = line.medication
        quantity, refills = amounts.get(med_id, (None, None))
        line.approved_quantity = quantity if quantity is not None else med.quantity
        line.approved_refills = refills if refills is not None else max(med.refills_left - 1, 0)
        med.quantity = line.approved_quantity
        med.refills_left = line.approved_refills
        med.last_filled_on = today
        med.changed_at = utcnow()
    db.session.flush()
    return request


@db.transactional
def deny(user: User, patient: Patient, request_id: int, reason: str) -> RefillRequest:
    """Deny with a reason the patient reads. Raises NotFound, Forbidden, Invalid (no reason), Conflict."""
    require_staff(user, patient, "deny", "refill_request", request_id)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(fields={"reason": [str(_l("Tell the patient why."))]})
    request = load_request(patient, request_id)
    _decide(user, request, RefillStatus.DENIED, denial_reason=reason[:500])
    return request


@db.transactional
def needs_visit(user: User, patient: Patient, request_id: int) -> RefillRequest:
    """Answer "needs a visit": the patient is offered booking. Raises NotFound, Forbidden, Conflict."""
    require_staff(user, patient, "needs_visit", "refill_request", request_id)
    request = load_request(patient, request_id)
    _decide(user, request, RefillStatus.NEEDS_VISIT)
    return request
