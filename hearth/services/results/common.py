"""What the results use cases share: words for the codes, the teen-confidential rule, loading, flags.

Rules and their sources:
- release is immediate unless the patient chose, for the category, to wait for a clinician's comment
  (21st Century Cures Act information-blocking rule, 45 CFR 171; see docs in DOMAIN.md);
- categories the practice marks confidential for teens follow the guardian teen-tier rule of
  `hearth.policy` (`confidential=True`);
- a numeric value outside its reference range is flagged H or L when the lab sent no flag.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, select

from hearth import db, policy
from hearth.errors import NotFound
from hearth.i18n import _l
from hearth.models import (
    DiagnosticReport,
    Interpretation,
    Observation,
    Patient,
    PracticeResultSettings,
    ReportStatus,
    ResultCategory,
    User,
)

SCOPE = "results"

CATEGORIES = {
    ResultCategory.LAB: _l("Lab tests"),
    ResultCategory.IMAGING: _l("Imaging (X-rays and scans)"),
    ResultCategory.PATHOLOGY: _l("Pathology (tissue tests)"),
    ResultCategory.MICROBIOLOGY: _l("Germ tests (cultures)"),
    ResultCategory.GENETICS: _l("Genetic tests"),
    ResultCategory.OTHER: _l("Other tests"),
}
STATUSES = {
    ReportStatus.PRELIMINARY: _l("Preliminary"),
    ReportStatus.FINAL: _l("Final"),
    ReportStatus.CORRECTED: _l("Corrected"),
}
# Words shown beside every flagged value, so colour is never the only sign.
INTERPRETATIONS = {
    Interpretation.N: _l("Normal"),
    Interpretation.H: _l("High"),
    Interpretation.L: _l("Low"),
    Interpretation.HH: _l("Very high"),
    Interpretation.LL: _l("Very low"),
    Interpretation.A: _l("Not normal"),
}
OUT_OF_RANGE = frozenset({Interpretation.H, Interpretation.L, Interpretation.HH, Interpretation.LL,
                          Interpretation.A})


def category_label(code) -> str:
    return str(CATEGORIES.get(ResultCategory(getattr(code, "value", code)), code))


def status_label(code) -> str:
    return str(STATUSES.get(ReportStatus(getattr(code, "value", code)), code))


def interpretation_label(code) -> str:
    if code is None:
        return ""
    return str(INTERPRETATIONS.get(Interpretation(getattr(code, "value", code)), code))


def computed_flag(value: Decimal | None, low: Decimal | None, high: Decimal | None) -> Interpretation | None:
    """H or L for a number outside [low, high], N inside a range, None without a number or range."""
    if value is None or (low is None and high is None):
        return None
    if low is not None and value < low:
        return Interpretation.L
    if high is not None and value > high:
        return Interpretation.H
    return Interpretation.N


def is_out_of_range(observation: Observation) -> bool:
    return observation.interpretation in OUT_OF_RANGE


def confidential_categories(practice_id: int) -> set[str]:
    """The categories the practice keeps from a teen's guardians without her consent."""
    row = db.session.scalar(select(PracticeResultSettings).where(PracticeResultSettings.practice_id == practice_id))
    return row.confidential if row is not None else set()


@dataclass(frozen=True)
class Viewer:
    """How the reader reached the patient's results, and which categories she may not see."""

    relation: str  # self | caregiver | staff
    hidden: frozenset[str]  # categories kept from this reader (a teen's guardian without consent)

    @property
    def is_staff(self) -> bool:
        return self.relation == "staff"


def viewer(user: User | None, patient: Patient, action: str, resource_type: str, resource_id: object = None, *,
           confidential: bool = False) -> Viewer:
    """Authorize (and audit) a read of the patient's results; NotFound without the results scope."""
    granted = policy.authorize(user, patient, SCOPE, action, resource_type, resource_id, confidential=confidential)
    hidden: frozenset[str] = frozenset()
    if granted.relation == "caregiver":
        confidential = confidential_categories(patient.practice_id)
        if confidential and policy.access(user, patient, SCOPE, confidential=True) is None:
            hidden = frozenset(confidential)
    return Viewer(granted.relation, hidden)


def load_report(patient: Patient, report_id: int, *options) -> DiagnosticReport:
    """The patient's report `report_id`, else NotFound (another patient's id is simply not found).
    `options`: eager loads for a read."""
    report = db.session.scalar(select(DiagnosticReport).where(DiagnosticReport.id == report_id,
                                                              DiagnosticReport.patient_id == patient.id)
                               .options(*options))
    if report is None:
        raise NotFound()
    return report


def load_patient_for_staff(user: User, patient_id: int) -> Patient:
    """A patient of one of the user's practices, else NotFound (no hint that she exists elsewhere)."""
    patient = db.session.get(Patient, patient_id)
    if patient is None or not policy.is_staff_of(user, patient.practice_id):
        raise NotFound()
    return patient


def observations_of(reports: list[DiagnosticReport]) -> dict[int, list[Observation]]:
    """{report id: its current version's observations in order}, in one query."""
    found: dict[int, list[Observation]] = {r.id: [] for r in reports}
    if not reports:
        return found
    current = and_(DiagnosticReport.id == Observation.report_id, DiagnosticReport.version == Observation.version)
    stmt = (select(Observation).join(DiagnosticReport, current).where(DiagnosticReport.id.in_(list(found)))
            .order_by(Observation.report_id, Observation.position))
    for row in db.session.scalars(stmt):
        found[row.report_id].append(row)
    return found
