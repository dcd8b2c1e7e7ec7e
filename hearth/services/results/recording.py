"""The care team records a report, corrects it (a new version; the old one is kept) and comments on it.

Release (21st Century Cures Act): a report is visible to the patient as soon as it is recorded, unless
she asked to wait for a clinician's comment for its category; then the comment releases it. Each
release and each correction of a released report queues "new information" notifications to the
patient and to caregivers whose grant covers results: the texts name no test and no value.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hearth import claims, db, policy
from hearth.clock import utcnow
from hearth.errors import Conflict, Invalid
from hearth.i18n import _l
from hearth.models import (
    CaregiverGrant,
    DiagnosticReport,
    DiagnosticReportVersion,
    GrantStatus,
    Observation,
    Patient,
    Provider,
    ReportStatus,
    ResultReleasePreference,
    StaffRole,
    User,
)
from hearth.notify import outbox
from hearth.services.results.common import (
    SCOPE,
    computed_flag,
    confidential_categories,
    load_patient_for_staff,
    load_report,
)

TEMPLATE = "result_available"
KIND = "result"
CLOCK_SKEW = timedelta(minutes=5)
HEADER = ("name", "loinc_code", "status", "performer", "effective_at", "issued_at")
# Who may write a clinician's comment: providers (the ordering clinician or a colleague).
COMMENTERS = frozenset({StaffRole.PROVIDER})


def _check_times(patient: Patient, data: dict[str, Any], now: datetime) -> None:
    errors: dict[str, list] = {}
    if data["effective_at"] > now + CLOCK_SKEW:
        errors["effective_at"] = [_l("The collection time cannot be in the future.")]
    if data["issued_at"] > now + CLOCK_SKEW:
        errors["issued_at"] = [_l("The report time cannot be in the future.")]
    elif data["issued_at"] < data["effective_at"]:
        errors["issued_at"] = [_l("The report time cannot be before the collection time.")]
    provider_id = data.get("ordering_provider_id")
    if provider_id is not None:
        provider = db.session.get(Provider, provider_id)
        if provider is None or provider.practice_id != patient.practice_id:
            errors["ordering_provider_id"] = [_l("Choose a clinician of this practice.")]
    if errors:
        raise Invalid(_l("Please correct the highlighted fields."), fields=errors)


def _add_version(report: DiagnosticReport, data: dict[str, Any], user: User, reason: str | None) -> None:
    db.session.add(DiagnosticReportVersion(
        report_id=report.id, version=report.version, status=report.status, name=report.name,
        loinc_code=report.loinc_code, performer=report.performer, effective_at=report.effective_at,
        issued_at=report.issued_at, correction_reason=reason, recorded_by_user_id=user.id))
    for position, item in enumerate(data["observations"]):
        flag = item.get("interpretation") or computed_flag(item.get("value_quantity"), item.get("range_low"),
                                                          item.get("range_high"))
        db.session.add(Observation(
            report_id=report.id, patient_id=report.patient_id, version=report.version, position=position,
            name=item["name"], loinc_code=item.get("loinc_code"), status=item.get("status") or report.status,
            value_quantity=item.get("value_quantity"), unit=item.get("unit"), value_string=item.get("value_string"),
            range_low=item.get("range_low"), range_high=item.get("range_high"), range_text=item.get("range_text"),
            interpretation=flag))


def waits_for_comment(patient_id: int, category) -> bool:
    """Whether the patient asked to see results of `category` only after a clinician's comment."""
    return bool(db.session.scalar(select(ResultReleasePreference.wait_for_comment).where(
        ResultReleasePreference.patient_id == patient_id, ResultReleasePreference.category == category)))


def notify_released(report: DiagnosticReport) -> None:
    """Queue "new information in Hearth" for the patient and her caregivers with the results scope.

    One key per report version and recipient, so a retried request queues nothing twice. A teen's
    guardian without her consent is not told about a category the practice keeps confidential.
    """
    patient = report.patient
    key = f"result:{report.id}:v{report.version}"
    outbox.enqueue(key=key, kind=KIND, template=TEMPLATE, params={"ref": f"result-{report.id}"},
                   user=patient.user, patient=patient)
    confidential = report.category.value in confidential_categories(patient.practice_id)
    grants = db.session.scalars(
        select(CaregiverGrant).where(CaregiverGrant.patient_id == patient.id,
                                     CaregiverGrant.status == GrantStatus.ACTIVE,
                                     CaregiverGrant.caregiver_user_id.is_not(None))
        .options(selectinload(CaregiverGrant.caregiver)).order_by(CaregiverGrant.id)).all()
    for grant in grants:
        caregiver = grant.caregiver
        if caregiver.id == patient.user_id or policy.access(caregiver, patient, SCOPE,
                                                             confidential=confidential) is None:
            continue
        outbox.enqueue(key=f"{key}:u{caregiver.id}", kind=KIND, template=TEMPLATE,
                       params={"ref": f"result-{report.id}"}, user=caregiver, patient=patient)


def release(report: DiagnosticReport, now: datetime) -> bool:
    """Make the report visible to the patient now, once (a conditional UPDATE); True when this call did."""
    won = claims.claim(report, DiagnosticReport.released_at.is_(None), released_at=now)
    if won:
        notify_released(report)
    return won


@db.transactional
def record(user: User, patient_id: int, data: dict[str, Any]) -> DiagnosticReport:
    """Record a report with its observations (staff of the patient's practice; audited create/result).

    `data` is clean input (hearth.schemas.results.ReportInputSchema). Released at once unless the
    patient waits for a comment for this category and none is given. A repeated `client_key` returns
    the report it recorded (a double submit records once). Raises NotFound (not her practice's staff),
    Invalid (times in the future or out of order, a clinician of another practice, a comment by
    someone who is not a provider).
    """
    patient = load_patient_for_staff(user, patient_id)
    claims.lock(Patient, patient.id)  # one report per client key, even for parallel submits
    if data.get("client_key"):
        existing = db.session.scalar(select(DiagnosticReport).where(
            DiagnosticReport.patient_id == patient.id, DiagnosticReport.client_key == data["client_key"]))
        if existing is not None:
            return existing
    now = utcnow()
    _check_times(patient, data, now)
    comment = data.get("comment")
    if comment and not policy.practice_roles(user, patient.practice_id) & COMMENTERS:
        raise Invalid(fields={"comment": [_l("Only a clinician can add a comment.")]})
    report = DiagnosticReport(
        patient=patient, patient_id=patient.id, practice_id=patient.practice_id, category=data["category"],
        version=1, ordering_provider_id=data.get("ordering_provider_id"), created_by_user_id=user.id,
        client_key=data.get("client_key"), **{k: data.get(k) for k in HEADER})
    if comment:
        report.comment, report.commented_by_user_id, report.commented_at = comment, user.id, now
    db.session.add(report)
    db.session.flush()
    policy.authorize(user, patient, SCOPE, "create", "result", report.id)
    _add_version(report, data, user, None)
    if comment or not waits_for_comment(patient.id, report.category):
        report.released_at = now
        notify_released(report)
    return report


@db.transactional
def correct(user: User, patient_id: int, report_id: int, data: dict[str, Any], *, expected_version: int,
            reason: str) -> DiagnosticReport:
    """Record a corrected version (status "corrected"); the earlier versions and values are kept.

    `expected_version` is the version the corrector saw: when someone corrected it meanwhile, Conflict
    (one conditional UPDATE decides, so two parallel corrections give one new version). The patient is
    told again when she could already see it. Raises NotFound, Invalid as `record`, Conflict.
    """
    patient = load_patient_for_staff(user, patient_id)
    report = load_report(patient, report_id)
    _check_times(patient, data, utcnow())
    policy.authorize(user, patient, SCOPE, "correct", "result", report.id)
    header = {k: data.get(k) for k in HEADER}
    header["status"] = ReportStatus.CORRECTED
    won = claims.claim(report, DiagnosticReport.version == expected_version, version=expected_version + 1,
                       category=data["category"], ordering_provider_id=data.get("ordering_provider_id"), **header)
    if not won:
        raise Conflict(_l("Someone changed this result while you were working on it. Open it again to see "
                          "the latest version."))
    db.session.refresh(report)
    _add_version(report, {**data, "observations": [{**o, "status": o.get("status") or ReportStatus.CORRECTED}
                                                   for o in data["observations"]]}, user, reason)
    if report.released_at is not None:
        notify_released(report)
    return report


@db.transactional
def comment(user: User, patient_id: int, report_id: int, text: str) -> DiagnosticReport:
    """A clinician's plain-language comment (providers only; audited comment/result).

    Releases a report the patient chose to see only after a comment (once, whoever comments first).
    A later comment replaces the text; the audit log keeps who commented when. Raises NotFound,
    Forbidden for staff who are not providers.
    """
    patient = load_patient_for_staff(user, patient_id)
    policy.require_practice_role(user, patient.practice_id, COMMENTERS)
    report = load_report(patient, report_id)
    policy.authorize(user, patient, SCOPE, "comment", "result", report.id)
    now = utcnow()
    report.comment, report.commented_by_user_id, report.commented_at = text, user.id, now
    db.session.flush()
    release(report, now)
    return report
