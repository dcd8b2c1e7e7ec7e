"""Staff post a completed visit's charges from the practice's fee schedule (issue 10: "Staff post charges
for a completed visit from the fee schedule").

Each chosen fee-schedule item becomes one `Charge` with the item's code and plain-language description
(in the patient's language when the schedule has it) at the practice's price: the self-pay price for a
self-pay or uninsured patient (the price her Good Faith Estimate used), the gross charge (list price)
for an insured patient, whose payer then allows less on the EOB. The payer's allowed amount, where the
schedule has it for her payer and plan, is shown next to the price so staff can check the EOB.

Free entry (code, description, amount) is only a fallback for a practice that has no fee schedule yet:
once it has one, `ledger.post_charge` refuses free entry. Amounts in integer cents.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hearth import db
from hearth.errors import Invalid, NotFound
from hearth.i18n import _l
from hearth.models import Charge, CoverageKind, FeeScheduleItem, Patient, User
from hearth.services.billing import ledger
from hearth.services.estimates.coverage import current as current_coverage
from hearth.services.estimates.fee_schedule import payer_key

MAX_ITEMS = 25
MAX_QUANTITY = 20


@dataclass(frozen=True)
class FeeChoice:
    """One fee-schedule service staff may bill, priced for this patient (cents)."""

    fee_item_id: int
    code: str
    description: str
    category: str
    price_cents: int  # what the charge will be, per unit
    price_basis: str  # "self_pay" or "gross"
    allowed_cents: int | None  # the patient's payer's contracted amount, when the schedule has it


def has_fee_schedule(practice_id: int) -> bool:
    """The practice has at least one active fee-schedule item (then charges come from it)."""
    return db.session.scalar(select(FeeScheduleItem.id).where(FeeScheduleItem.practice_id == practice_id,
                                                              FeeScheduleItem.active.is_(True)).limit(1)) is not None


def _items(practice_id: int) -> list[FeeScheduleItem]:
    return list(db.session.scalars(
        select(FeeScheduleItem).where(FeeScheduleItem.practice_id == practice_id, FeeScheduleItem.active.is_(True))
        .options(selectinload(FeeScheduleItem.allowed_amounts))
        .order_by(FeeScheduleItem.code, FeeScheduleItem.id).limit(1000)))


def _choice(item: FeeScheduleItem, patient: Patient, coverage) -> FeeChoice:
    language = patient.preferred_language or "en"
    description = ((item.translations or {}).get(language, {}).get("description") or item.description)
    insured = coverage is not None and coverage.kind != CoverageKind.SELF_PAY
    allowed = None
    if insured:
        pkey, plkey = payer_key(coverage.payer_name), payer_key(coverage.plan_name)
        by_key = {(a.payer_key, a.plan_key): a.allowed_cents for a in item.allowed_amounts}
        allowed = by_key.get((pkey, plkey), by_key.get((pkey, "")))
    if insured and item.gross_charge_cents is not None:
        price, basis = item.gross_charge_cents, "gross"
    else:
        price, basis = item.self_pay_cents, "self_pay"
    return FeeChoice(item.id, item.code, description, item.category.value, price, basis, allowed)


def _invalid(name: str, message) -> Invalid:
    return Invalid(str(message), fields={name: [str(message)]})


@db.transactional
def choices(user: User, patient_id: int) -> list[FeeChoice]:
    """The practice's active fee-schedule services priced for the patient (front desk and admins; audited)."""
    patient = ledger.staff_patient(user, patient_id, "view", "fee_choice")
    coverage = current_coverage(patient)
    return [_choice(item, patient, coverage) for item in _items(patient.practice_id)]


@db.transactional
def post(user: User, patient_id: int, *, appointment_id: int, items: list[dict[str, int]]) -> list[Charge]:
    """Post one charge per chosen fee-schedule item ({fee_item_id, quantity}) for a completed visit, all or
    nothing. Raises Invalid (no item, unknown/inactive/repeated item, bad quantity), NotFound, Forbidden,
    Conflict (the visit is not done)."""
    patient = ledger.staff_patient(user, patient_id, "create", "charge")
    if not items:
        raise _invalid("items", _l("Choose at least one service."))
    if len(items) > MAX_ITEMS:
        raise _invalid("items", _l("Choose at most %(count)s services at a time.", count=MAX_ITEMS))
    ids = [int(i["fee_item_id"]) for i in items]
    if len(set(ids)) != len(ids):
        raise _invalid("items", _l("Each service can be chosen once. Use the quantity instead."))
    coverage = current_coverage(patient)
    found = {item.id: item for item in _items(patient.practice_id) if item.id in set(ids)}
    charges = []
    for entry in items:
        item = found.get(int(entry["fee_item_id"]))
        if item is None:
            raise NotFound(_l("That service is not in the fee schedule."))
        quantity = entry.get("quantity", 1)
        quantity = quantity if isinstance(quantity, int) else 0
        if not 1 <= quantity <= MAX_QUANTITY:
            raise _invalid("quantity", _l("Enter a quantity from 1 to %(max)s.", max=MAX_QUANTITY))
        choice = _choice(item, patient, coverage)
        description = choice.description if quantity == 1 else f"{choice.description} (× {quantity})"
        charges.append(ledger.post_charge(user, patient.id, appointment_id=appointment_id, code=choice.code[:10],
                                          description=description[:200], amount_cents=choice.price_cents * quantity,
                                          from_fee_schedule=True))
    return charges
