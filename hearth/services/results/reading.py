"""Reading results: the list, one report with its history, and a test's values over time.

The patient and her caregivers see released reports only (and a teen's guardian without consent not
the categories the practice keeps confidential); staff of her practice see every report. Each read is
authorized and audited here (view/results, view/result with the report id, view/result_trend), so the
care team can tell whether and when the patient or a caregiver opened a result. Every read runs a
fixed number of statements whatever the number of reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from hearth import db, policy
from hearth.errors import NotFound
from hearth.models import DiagnosticReport, DiagnosticReportVersion, Interpretation, Observation, Patient, User
from hearth.services.pagination import Page, clamp, paginate
from hearth.services.results.common import (
    SCOPE,
    Viewer,
    confidential_categories,
    is_out_of_range,
    load_patient_for_staff,
    load_report,
    observations_of,
    viewer,
)

PER_PAGE = 20
MAX_PER_PAGE = 100
CURRENT = and_(DiagnosticReport.id == Observation.report_id, DiagnosticReport.version == Observation.version)


@dataclass
class ReportItem:
    report: DiagnosticReport
    observations: list[Observation]

    @property
    def flagged(self) -> int:
        return sum(1 for o in self.observations if is_out_of_range(o))


@dataclass
class VersionView:
    version: DiagnosticReportVersion
    observations: list[Observation]


@dataclass
class ReportView:
    report: DiagnosticReport
    observations: list[Observation]
    commented_by: str | None
    history: list[VersionView] = field(default_factory=list)  # earlier versions, newest first
    trends: set[tuple[str, str | None]] = field(default_factory=set)  # (LOINC, unit) with 2+ values
    viewer: Viewer | None = None


@dataclass(frozen=True)
class Point:
    at: datetime
    value: Decimal
    interpretation: Interpretation | None
    report_id: int
    range_low: Decimal | None
    range_high: Decimal | None


@dataclass
class Trend:
    code: str
    unit: str | None
    name: str
    points: list[Point]
    other_units: list[str | None]  # the same test reported in other units: their own charts


def _visible(stmt, v: Viewer):
    """Narrow a report query to what the viewer may see."""
    if not v.is_staff:
        stmt = stmt.where(DiagnosticReport.released_at.is_not(None))
    if v.hidden:
        stmt = stmt.where(DiagnosticReport.category.not_in(sorted(v.hidden)))
    return stmt


@db.transactional
def list_reports(user: User, patient: Patient, *, page: int = 1, per_page: int = PER_PAGE) -> Page[ReportItem]:
    """The patient's reports, newest collection first, with their current observations (4 statements)."""
    v = viewer(user, patient, "view", "results")
    page, per_page = clamp(page, per_page, MAX_PER_PAGE)
    where = [DiagnosticReport.patient_id == patient.id]
    stmt = _visible(select(DiagnosticReport).where(*where), v).order_by(
        DiagnosticReport.effective_at.desc(), DiagnosticReport.id.desc())
    count = _visible(select(func.count(DiagnosticReport.id)).where(*where), v)
    rows, total = paginate(stmt, count, page, per_page)
    reports = [r[0] for r in rows]
    observations = observations_of(reports)
    return Page([ReportItem(r, observations[r.id]) for r in reports], page, per_page, total)


def item_of(report: DiagnosticReport) -> ReportItem:
    """A report just written, with its current observations (for the answer to the writer)."""
    return ReportItem(report, observations_of([report])[report.id])


def _history(report: DiagnosticReport) -> list[VersionView]:
    versions = db.session.scalars(select(DiagnosticReportVersion).where(
        DiagnosticReportVersion.report_id == report.id, DiagnosticReportVersion.version < report.version)
        .order_by(DiagnosticReportVersion.version.desc())).all()
    if not versions:
        return []
    by_version: dict[int, list[Observation]] = {v.version: [] for v in versions}
    for row in db.session.scalars(select(Observation).where(Observation.report_id == report.id,
                                                            Observation.version < report.version)
                                  .order_by(Observation.version, Observation.position)):
        by_version[row.version].append(row)
    return [VersionView(v, by_version[v.version]) for v in versions]


def _trendable(patient: Patient, observations: list[Observation], v: Viewer) -> set[tuple[str, str | None]]:
    codes = {o.loinc_code for o in observations if o.loinc_code and o.value_quantity is not None}
    if not codes:
        return set()
    stmt = _visible(select(Observation.loinc_code, Observation.unit, func.count(Observation.id))
                    .join(DiagnosticReport, CURRENT)
                    .where(Observation.patient_id == patient.id, Observation.loinc_code.in_(sorted(codes)),
                           Observation.value_quantity.is_not(None))
                    .group_by(Observation.loinc_code, Observation.unit), v)
    return {(code, unit) for code, unit, n in db.session.execute(stmt) if n >= 2}


@db.transactional
def get_report(user: User, patient: Patient, report_id: int) -> ReportView:
    """One report with its observations, comment and earlier versions (audited view/result).

    Raises NotFound for another patient's report, an unreleased one (patient and caregivers), or a
    confidential category for a teen's guardian without her consent.
    """
    report = load_report(patient, report_id, joinedload(DiagnosticReport.ordering_provider))  # the page names them
    confidential = report.category.value in confidential_categories(patient.practice_id)
    access = policy.access(user, patient, SCOPE, confidential=confidential)
    if access is None or (access.relation != "staff" and report.released_at is None):
        raise NotFound()
    v = viewer(user, patient, "view", "result", report.id, confidential=confidential)
    observations = observations_of([report])[report.id]
    name = None
    if report.commented_by_user_id is not None:
        name = db.session.scalar(select(User.display_name).where(User.id == report.commented_by_user_id))
    return ReportView(report, observations, name, _history(report), _trendable(patient, observations, v), v)


@db.transactional
def trend(user: User, patient: Patient, code: str, unit: str | None) -> Trend:
    """The values of one test (same LOINC code and same unit) over time, oldest first (audited).

    Values in another unit are never put on this line: `other_units` names them for their own
    charts. Raises NotFound when the viewer may see no value of this test.
    """
    v = viewer(user, patient, "view", "result_trend", code)
    base = (select(Observation, DiagnosticReport.effective_at).join(DiagnosticReport, CURRENT)
            .where(Observation.patient_id == patient.id, Observation.loinc_code == code,
                   Observation.value_quantity.is_not(None)))
    rows = db.session.execute(_visible(base, v).order_by(DiagnosticReport.effective_at, Observation.id)).all()
    same = [(o, at) for o, at in rows if o.unit == unit]
    if not same:
        raise NotFound()
    others = sorted({o.unit for o, _ in rows if o.unit != unit}, key=lambda u: u or "")
    points = [Point(at, o.value_quantity, o.interpretation, o.report_id, o.range_low, o.range_high) for o, at in same]
    return Trend(code, unit, same[-1][0].name, points, others)


def report_for_staff(user: User, patient_id: int, report_id: int) -> ReportView:
    """`get_report` for staff who know the ids (the staff chart); NotFound for anyone else."""
    return get_report(user, load_patient_for_staff(user, patient_id), report_id)
