"""The care team's side: reports waiting for a clinician's comment, who viewed a result, and the
practice's teen-confidential categories.

Whether and when the patient or a caregiver opened a result comes from the audit log (view/result
events with the report's id, written by `reading.get_report` for every reader), never from a
separate "read" flag that could disagree with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from hearth import audit, db, policy
from hearth.errors import Invalid
from hearth.i18n import _l
from hearth.models import (
    AuditEvent,
    DiagnosticReport,
    Patient,
    PracticeResultSettings,
    ResultCategory,
    StaffRole,
    User,
)
from hearth.policy import CLINICAL_ROLES
from hearth.services.pagination import Page, clamp, paginate

PER_PAGE = 25
MAX_PER_PAGE = 100
READERS = ("self", "caregiver")


@dataclass(frozen=True)
class ResultView:
    """One person's look at a report: first and last time, how often."""

    user_id: int | None
    name: str
    relation: str  # self | caregiver
    first_at: datetime
    last_at: datetime
    times: int


def views_of(patient_ids: set[int], report_ids: list[int]) -> dict[int, list[ResultView]]:
    """{report id: who of the patient's side opened it, first viewer first}, in one query on the audit log."""
    found: dict[int, list[ResultView]] = {r: [] for r in report_ids}
    if not report_ids:
        return found
    stmt = (select(AuditEvent.resource_id, AuditEvent.actor_user_id, AuditEvent.actor_relation, User.display_name,
                   func.min(AuditEvent.at), func.max(AuditEvent.at), func.count(AuditEvent.id))
            .outerjoin(User, User.id == AuditEvent.actor_user_id)
            .where(AuditEvent.patient_id.in_(sorted(patient_ids)), AuditEvent.action == "view",
                   AuditEvent.resource_type == "result", AuditEvent.actor_relation.in_(READERS),
                   AuditEvent.resource_id.in_([str(r) for r in report_ids]))
            .group_by(AuditEvent.resource_id, AuditEvent.actor_user_id, AuditEvent.actor_relation, User.display_name)
            .order_by(func.min(AuditEvent.at)))
    for resource_id, user_id, relation, name, first, last, times in db.session.execute(stmt):
        found[int(resource_id)].append(ResultView(user_id, name or "", relation, first, last, times))
    return found


@dataclass
class AwaitingItem:
    report: DiagnosticReport
    views: list[ResultView]


@db.transactional
def awaiting_comment(user: User, practice_id: int, *, page: int = 1, per_page: int = PER_PAGE) -> Page[AwaitingItem]:
    """Reports without a clinician's comment, oldest report time first (4 statements per page).

    Practice staff only (Forbidden otherwise); a practice-level read, each report listed is audited as
    list/result for its patient.
    """
    policy.require_practice_role(user, practice_id, CLINICAL_ROLES)
    page, per_page = clamp(page, per_page, MAX_PER_PAGE)
    where = [DiagnosticReport.practice_id == practice_id, DiagnosticReport.commented_at.is_(None)]
    stmt = (select(DiagnosticReport).join(DiagnosticReport.patient).where(*where)
            .options(contains_eager(DiagnosticReport.patient))
            .order_by(DiagnosticReport.issued_at, DiagnosticReport.id))
    rows, total = paginate(stmt, select(func.count(DiagnosticReport.id)).where(*where), page, per_page)
    reports = [r[0] for r in rows]
    views = views_of({r.patient_id for r in reports}, [r.id for r in reports])
    audit.record_listed(actor=user, relation="staff", action="list", resource_type="result",
                        listed=[(r.patient_id, r.id) for r in reports])
    return Page([AwaitingItem(r, views.get(r.id, [])) for r in reports], page, per_page, total)


def awaiting_count(user: User, practice_id: int) -> int:
    """How many reports wait for a comment at the practice (the workspace card); 0 for non-staff."""
    if not policy.practice_roles(user, practice_id) & CLINICAL_ROLES:
        return 0
    return db.session.scalar(select(func.count(DiagnosticReport.id)).where(
        DiagnosticReport.practice_id == practice_id, DiagnosticReport.commented_at.is_(None))) or 0


def patient_reports_views(user: User, patient: Patient, report_ids: list[int]) -> dict[int, list[ResultView]]:
    """`views_of` for staff of the patient's practice (the chart's result list); empty for anyone else."""
    if not policy.is_staff_of(user, patient.practice_id):
        return {}
    return views_of({patient.id}, report_ids)


@db.transactional
def confidential_settings(user: User, practice_id: int) -> set[str]:
    """The practice's teen-confidential categories (practice staff; Forbidden otherwise)."""
    policy.require_practice_role(user, practice_id, CLINICAL_ROLES)
    row = db.session.scalar(select(PracticeResultSettings).where(PracticeResultSettings.practice_id == practice_id))
    return row.confidential if row is not None else set()


@db.transactional
def set_confidential(user: User, practice_id: int, categories: list[str]) -> set[str]:
    """Admins choose the categories kept from a teen's guardians without her consent (audited)."""
    policy.require_practice_role(user, practice_id, {StaffRole.ADMIN})
    known = {c.value for c in ResultCategory}
    if not set(categories) <= known:
        raise Invalid(fields={"categories": [_l("Choose from the categories shown.")]})
    row = db.session.scalar(select(PracticeResultSettings).where(PracticeResultSettings.practice_id == practice_id)
                            .with_for_update())
    if row is None:
        row = PracticeResultSettings(practice_id=practice_id)
        db.session.add(row)
    row.confidential_for_teens = ",".join(c.value for c in ResultCategory if c.value in categories)
    audit.record(actor=user, relation="staff", patient_id=None, action="update",
                 resource_type="result_settings", resource_id=practice_id)
    db.session.flush()
    return row.confidential


@dataclass
class PatientResults:
    patient: Patient
    page: Page
    views: dict[int, list[ResultView]]


def patient_results(user: User, patient_id: int, *, page: int = 1) -> PatientResults:
    """Every report of a patient for her practice's staff (released or not), with who viewed each."""
    from hearth.services.results import reading
    from hearth.services.results.common import load_patient_for_staff

    patient = load_patient_for_staff(user, patient_id)
    listing = reading.list_reports(user, patient, page=page)
    return PatientResults(patient, listing, views_of({patient.id}, [i.report.id for i in listing.items]))


@db.transactional
def report_views(user: User, patient_id: int, report_id: int) -> list[ResultView]:
    """Who of the patient's side opened the report, and when (staff of her practice; audited)."""
    from hearth.services.results.common import SCOPE, load_patient_for_staff, load_report

    patient = load_patient_for_staff(user, patient_id)
    report = load_report(patient, report_id)
    policy.authorize(user, patient, SCOPE, "view", "result_views", report.id)
    return views_of({patient.id}, [report.id])[report.id]


def ordering_choices(user: User, practice_id: int) -> list:
    """The practice's clinicians, for "Ordered by" on the staff form (staff only; Forbidden otherwise)."""
    from hearth.models import Provider

    policy.require_practice_role(user, practice_id, CLINICAL_ROLES)
    return list(db.session.scalars(select(Provider).where(Provider.practice_id == practice_id)
                                   .order_by(Provider.family_name, Provider.given_name)))
