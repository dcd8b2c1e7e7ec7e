"""A patient's coverage: insurance (payer, plan, ids, subscriber, card photos, benefits) or self-pay.

Every read and write asks policy (caregivers need the `billing` scope) and is audited. A change by
anyone but staff clears the staff verification. Money in cents; coinsurance in basis points.
Card photos go through hearth.files (type from the content, metadata stripped, stored outside the
web root) and come back only through `card_photo`, which authorizes and audits the download.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from hearth import claims, db, policy
from hearth.clock import utcnow
from hearth.errors import Invalid, NotFound
from hearth.i18n import _l
from hearth.models import Coverage, CoverageKind, Patient, ServiceCategory, User

SCOPE = "billing"
SIDES = ("front", "back")
INSURANCE_FIELDS = ("payer_name", "plan_name", "member_id", "group_id", "subscriber_name", "subscriber_relationship")
BENEFIT_FIELDS = ("deductible_cents", "coinsurance_bp", "copays", "copay_counts_toward_deductible", "oop_max_cents",
                  "deductible_met_cents", "oop_met_cents", "uncovered_categories")
CARD_KINDS = ("jpeg", "png", "heic")


@dataclass
class CoverageView:
    patient: Patient
    coverage: Coverage | None
    relation: str

    @property
    def can_verify(self) -> bool:
        return self.relation == "staff"

    @property
    def deductible_remaining_cents(self) -> int:
        c = self.coverage
        return max(0, c.deductible_cents - c.deductible_met_cents) if c else 0

    @property
    def oop_remaining_cents(self) -> int | None:
        c = self.coverage
        return max(0, c.oop_max_cents - c.oop_met_cents) if c and c.oop_max_cents is not None else None


def current(patient: Patient) -> Coverage | None:
    """The patient's coverage row, if any (no policy: for other services that already authorized)."""
    return db.session.scalar(select(Coverage).where(Coverage.patient_id == patient.id))


def _authorize(user: User, patient: Patient, action: str, resource_id: object = None) -> policy.Access:
    return policy.authorize(user, patient, SCOPE, action, "Coverage", resource_id)


def _for_write(user: User, patient: Patient, action: str) -> tuple[Coverage, policy.Access]:
    """The coverage row to change (made when missing), under the patient's row lock so parallel first
    saves make one row."""
    claims.lock(Patient, patient.id)
    granted = _authorize(user, patient, action)
    coverage = current(patient)
    if coverage is None:
        coverage = Coverage(patient_id=patient.id, copays={})
        db.session.add(coverage)
    return coverage, granted


def _changed(coverage: Coverage, granted: policy.Access, user: User) -> None:
    coverage.updated_at = utcnow()
    if granted.relation != "staff":
        coverage.verified_at = None
        coverage.verified_by_user_id = None
    db.session.flush()


@db.transactional
def get(user: User, patient: Patient) -> CoverageView:
    """The patient's coverage (None when nothing is on file). NotFound without billing access."""
    granted = _authorize(user, patient, "read")
    return CoverageView(patient, current(patient), granted.relation)


@db.transactional
def save_insurance(user: User, patient: Patient, data: dict[str, Any]) -> CoverageView:
    """Record the patient's insurance (payer, plan, member and group id, subscriber and relationship)."""
    coverage, granted = _for_write(user, patient, "update")
    coverage.kind = CoverageKind.INSURANCE
    for key in INSURANCE_FIELDS:
        if key in data:
            setattr(coverage, key, data[key] or None)
    if not coverage.payer_name:
        message = str(_l("Enter the name of your insurance company."))
        raise Invalid(message, fields={"payer_name": [message]})
    _changed(coverage, granted, user)
    return CoverageView(patient, coverage, granted.relation)


@db.transactional
def choose_self_pay(user: User, patient: Patient) -> CoverageView:
    """The patient pays for herself: estimates use the practice's self-pay prices. Insurance details are kept
    so switching back is easy, but they are not used."""
    coverage, granted = _for_write(user, patient, "update")
    coverage.kind = CoverageKind.SELF_PAY
    _changed(coverage, granted, user)
    return CoverageView(patient, coverage, granted.relation)


def _check_benefits(merged: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if merged["deductible_met_cents"] > merged["deductible_cents"]:
        errors["deductible_met_cents"] = [str(_l("The amount met can't be more than the deductible."))]
    if merged["oop_max_cents"] is not None and merged["oop_met_cents"] > merged["oop_max_cents"]:
        errors["oop_met_cents"] = [str(_l("The amount met can't be more than the out-of-pocket maximum."))]
    if not 0 <= merged["coinsurance_bp"] <= 10_000:
        errors["coinsurance_percent"] = [str(_l("Enter a percent from 0 to 100."))]
    categories = {c.value for c in ServiceCategory}
    if any(k not in categories or not isinstance(v, int) or v < 0 for k, v in (merged["copays"] or {}).items()):
        errors["copays"] = [str(_l("Enter each copay in dollars for a kind of service from the list."))]
    if any(k not in categories for k in merged["uncovered_categories"] or []):
        errors["uncovered_categories"] = [str(_l("Choose kinds of service from the list."))]
    if errors:
        raise Invalid(next(iter(errors.values()))[0], fields=errors)


@db.transactional
def save_benefits(user: User, patient: Patient, data: dict[str, Any]) -> CoverageView:
    """Record the plan's benefits and the amounts met so far (dated now). Invalid when an amount met exceeds
    its limit, a percent is outside 0..100 or a copay's category is unknown."""
    coverage, granted = _for_write(user, patient, "update")
    merged = {k: getattr(coverage, k) for k in BENEFIT_FIELDS}
    merged.update({k: data[k] for k in BENEFIT_FIELDS if k in data})
    for key in ("deductible_cents", "coinsurance_bp", "deductible_met_cents", "oop_met_cents"):
        merged[key] = merged[key] or 0
    merged["copays"] = dict(merged["copays"] or {})
    merged["uncovered_categories"] = sorted(set(merged["uncovered_categories"] or []))
    _check_benefits(merged)
    for key, value in merged.items():
        setattr(coverage, key, value)
    coverage.benefits_updated_at = utcnow()
    if coverage.kind is None:
        coverage.kind = CoverageKind.INSURANCE
    _changed(coverage, granted, user)
    return CoverageView(patient, coverage, granted.relation)


@db.transactional
def verify(user: User, patient: Patient) -> CoverageView:
    """Staff confirm the coverage with the payer (who and when). NotFound for anyone but the practice's staff
    or when no coverage is on file."""
    granted = _authorize(user, patient, "verify")
    coverage = current(patient)
    if granted.relation != "staff" or coverage is None:
        raise NotFound()
    coverage.verified_at, coverage.verified_by_user_id = utcnow(), user.id
    db.session.flush()
    return CoverageView(patient, coverage, granted.relation)


def _side(side: str) -> str:
    if side not in SIDES:
        raise NotFound()
    return side


@db.transactional
def upload_card(user: User, patient: Patient, side: str, data: bytes, filename: str) -> CoverageView:
    """Keep a photo of the insurance card's front or back (JPEG, PNG or HEIC, checked from its content,
    re-encoded without metadata). Invalid with the reason when the file is refused."""
    from hearth import files

    _side(side)
    coverage, granted = _for_write(user, patient, "upload")
    try:
        accepted = files.accept_upload(data, filename, kinds=CARD_KINDS)
    except files.FileRejected as exc:
        message = str(exc.message)
        raise Invalid(message, fields={"photo": [message]}) from None
    old = getattr(coverage, f"card_{side}_key")
    key = files.storage().put(accepted.data)
    setattr(coverage, f"card_{side}_key", key)
    setattr(coverage, f"card_{side}_type", accepted.content_type)
    if old:
        db.after_commit(lambda: _forget(old))
    _changed(coverage, granted, user)
    return CoverageView(patient, coverage, granted.relation)


def _forget(key: str) -> None:
    from hearth import files

    with contextlib.suppress(FileNotFoundError):
        files.storage().delete(key)


@dataclass
class CardPhoto:
    data: bytes
    filename: str
    content_type: str
    updated_at: datetime


@db.transactional
def card_photo(user: User, patient: Patient, side: str) -> CardPhoto:
    """One card photo's bytes for download. NotFound without billing access or when there is none."""
    from hearth import files

    _side(side)
    coverage = current(patient)
    _authorize(user, patient, "download", coverage.id if coverage else None)
    key = getattr(coverage, f"card_{side}_key") if coverage else None
    if not key:
        raise NotFound()
    try:
        data = files.storage().read(key)
    except FileNotFoundError:
        raise NotFound() from None
    content_type = getattr(coverage, f"card_{side}_type") or "image/jpeg"
    extension = "png" if content_type == "image/png" else "jpg"
    return CardPhoto(data, f"insurance-card-{side}.{extension}", content_type, coverage.updated_at)
