"""The patient's release choice per result category: see results at once (the default) or after a comment.

The choice is hers (21st Century Cures Act: results are not held back unless she asks): she, or the
guardian of a young child, may change it; other caregivers and staff may read it. Switching a category
back to "at once" releases its held reports now.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from hearth import claims, db, policy
from hearth.clock import utcnow
from hearth.errors import Forbidden, NotFound
from hearth.i18n import _l
from hearth.models import DiagnosticReport, Patient, ResultCategory, ResultReleasePreference, User
from hearth.services.records import may_edit
from hearth.services.results.common import SCOPE
from hearth.services.results.recording import release


@dataclass(frozen=True)
class CategoryChoice:
    category: ResultCategory
    wait_for_comment: bool


@dataclass
class ReleasePreferences:
    items: list[CategoryChoice]
    can_edit: bool


def _choices(patient: Patient) -> list[CategoryChoice]:
    stored = dict(db.session.execute(select(ResultReleasePreference.category, ResultReleasePreference.wait_for_comment)
                                     .where(ResultReleasePreference.patient_id == patient.id)).all())
    return [CategoryChoice(c, bool(stored.get(c, False))) for c in ResultCategory]


def _may_edit(granted: policy.Access, patient: Patient) -> bool:
    return granted.relation != "staff" and may_edit(granted, patient)


@db.transactional
def get(user: User, patient: Patient) -> ReleasePreferences:
    """Every category with the patient's choice (audited view/result_preferences); NotFound without access."""
    granted = policy.authorize(user, patient, SCOPE, "view", "result_preferences")
    return ReleasePreferences(_choices(patient), _may_edit(granted, patient))


@db.transactional
def put(user: User, patient: Patient, choices: dict[ResultCategory, bool]) -> ReleasePreferences:
    """Save the choices given (other categories keep theirs); audited update/result_preferences.

    Raises NotFound without access, Forbidden for staff and for caregivers (except a young child's
    guardian): the choice is the patient's.
    """
    granted = policy.access(user, patient, SCOPE)
    if granted is None:
        raise NotFound()
    if not _may_edit(granted, patient):
        raise Forbidden(_l("Only the patient can choose when results are shown."))
    policy.authorize(user, patient, SCOPE, "update", "result_preferences")
    claims.lock(Patient, patient.id)  # parallel saves for one patient: one row per category
    stored = {p.category: p for p in db.session.scalars(
        select(ResultReleasePreference).where(ResultReleasePreference.patient_id == patient.id))}
    now = utcnow()
    for category, wait in choices.items():
        row = stored.get(category)
        if row is None:
            db.session.add(ResultReleasePreference(patient_id=patient.id, category=category, wait_for_comment=wait,
                                                   updated_at=now))
        elif row.wait_for_comment != wait:
            row.wait_for_comment, row.updated_at = wait, now
        if not wait:
            held = db.session.scalars(select(DiagnosticReport).where(
                DiagnosticReport.patient_id == patient.id, DiagnosticReport.category == category,
                DiagnosticReport.released_at.is_(None))).all()
            for report in held:
                release(report, now)
    db.session.flush()
    return ReleasePreferences(_choices(patient), True)
