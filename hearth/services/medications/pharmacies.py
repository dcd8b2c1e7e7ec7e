"""The patient's saved pharmacies, one of them preferred (the refill form picks it first).

The patient, or a caregiver whose grant covers medications, manages them. Phone numbers are stored in
E.164 (hearth.phones, the practice's country for numbers typed without +). Keeping "one preferred" is
a read-then-write, so it runs under the patient's row lock.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from hearth import db, phones, policy
from hearth.errors import Invalid
from hearth.i18n import _l
from hearth.models import Patient, Pharmacy, User
from hearth.services.medications.common import SCOPE, load_pharmacy, lock_patient
from hearth.services.pagination import Page, clamp, paginate

PER_PAGE = 25
MAX_PER_PAGE = 100
MAX_PHARMACIES = 20
FIELDS = ("name", "address", "phone")


def _order():
    return (Pharmacy.preferred.desc(), func.lower(Pharmacy.name), Pharmacy.id)


def all_for(patient_id: int) -> list[Pharmacy]:
    """Every saved pharmacy of the patient's, preferred first (no authorization: callers do it)."""
    return list(db.session.scalars(
        select(Pharmacy).where(Pharmacy.patient_id == patient_id).order_by(*_order()).limit(MAX_PHARMACIES)))


@db.transactional
def pharmacy_list(user: User, patient: Patient, *, page: int = 1, per_page: int = PER_PAGE) -> Page[Pharmacy]:
    """A page of the patient's saved pharmacies, preferred first. Raises NotFound without access."""
    policy.authorize(user, patient, SCOPE, "list", "pharmacy")
    page, per_page = clamp(page, per_page, MAX_PER_PAGE)
    where = Pharmacy.patient_id == patient.id
    rows, total = paginate(select(Pharmacy).where(where).order_by(*_order()),
                           select(func.count(Pharmacy.id)).where(where), page, per_page)
    return Page([r[0] for r in rows], page, per_page, total)


@db.transactional
def get(user: User, patient: Patient, pharmacy_id: int) -> Pharmacy:
    """One saved pharmacy (NotFound for another patient's)."""
    policy.authorize(user, patient, SCOPE, "view", "pharmacy", pharmacy_id)
    return load_pharmacy(patient, pharmacy_id)


def _clean(patient: Patient, values: dict[str, Any]) -> dict[str, Any]:
    """The values with the phone in E.164; Invalid (field `phone`) for a number impossible in the country."""
    out = {k: values[k] for k in FIELDS if k in values}
    errors: dict[str, list] = {}
    phones.normalize_in(out, patient.practice.country, errors)
    if errors:
        raise Invalid(fields={k: [str(m) for m in v] for k, v in errors.items()})
    return out


def _make_preferred(patient_id: int, pharmacy: Pharmacy) -> None:
    db.session.execute(update(Pharmacy).where(Pharmacy.patient_id == patient_id, Pharmacy.id != pharmacy.id)
                       .values(preferred=False).execution_options(synchronize_session="fetch"))
    pharmacy.preferred = True


@db.transactional
def add(user: User, patient: Patient, values: dict[str, Any]) -> Pharmacy:
    """Save a pharmacy; the first one, or one marked `preferred`, becomes the preferred one.

    Raises NotFound (no access), Invalid (phone; more than MAX_PHARMACIES saved).
    """
    policy.authorize(user, patient, SCOPE, "add", "pharmacy")
    clean = _clean(patient, values)
    lock_patient(patient.id)
    count = db.session.scalar(select(func.count(Pharmacy.id)).where(Pharmacy.patient_id == patient.id)) or 0
    if count >= MAX_PHARMACIES:
        raise Invalid(fields={"name": [str(_l("You can save up to 20 pharmacies. Remove one first."))]})
    pharmacy = Pharmacy(patient_id=patient.id, **clean)
    db.session.add(pharmacy)
    db.session.flush()
    if count == 0 or values.get("preferred"):
        _make_preferred(patient.id, pharmacy)
    db.session.flush()
    return pharmacy


@db.transactional
def change(user: User, patient: Patient, pharmacy_id: int, values: dict[str, Any]) -> Pharmacy:
    """Change a saved pharmacy (the fields given); `preferred: true` makes it the preferred one."""
    policy.authorize(user, patient, SCOPE, "change", "pharmacy", pharmacy_id)
    lock_patient(patient.id)
    pharmacy = load_pharmacy(patient, pharmacy_id)
    for key, value in _clean(patient, values).items():
        setattr(pharmacy, key, value)
    if values.get("preferred"):
        _make_preferred(patient.id, pharmacy)
    db.session.flush()
    return pharmacy


@db.transactional
def remove(user: User, patient: Patient, pharmacy_id: int) -> None:
    """Delete a saved pharmacy (past requests keep their history without it); another becomes preferred."""
    policy.authorize(user, patient, SCOPE, "remove", "pharmacy", pharmacy_id)
    lock_patient(patient.id)
    pharmacy = load_pharmacy(patient, pharmacy_id)
    was_preferred = pharmacy.preferred
    db.session.delete(pharmacy)
    db.session.flush()
    if was_preferred:
        rest = all_for(patient.id)
        if rest:
            _make_preferred(patient.id, rest[0])
    db.session.flush()
