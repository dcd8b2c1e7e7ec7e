"""Demo results (idempotent): trends of several values with some out of range, a comment, one waiting for one.

Rows are written directly with their past dates (released when the lab issued them, as Hearth would
have done), so seeding queues no notifications.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from hearth import db
from hearth.clock import utcnow
from hearth.models import (
    DiagnosticReport,
    DiagnosticReportVersion,
    Observation,
    Patient,
    Practice,
    Provider,
    ReportStatus,
    ResultCategory,
    User,
)
from hearth.services.results.common import computed_flag

LAB = "Springfield Reference Laboratory"
A1C = ("Hemoglobin A1c", "4548-4", "%", None, "5.6")
GLUCOSE = ("Glucose", "2345-7", "mg/dL", "70", "99")
LDL = ("LDL cholesterol", "13457-7", "mg/dL", None, "99")
HDL = ("HDL cholesterol", "2085-9", "mg/dL", "40", None)
HGB = ("Hemoglobin", "718-7", "g/dL", "12.0", "15.5")
WBC = ("White blood cells", "6690-2", "10*3/uL", "4.5", "11.0")

# mrn, days ago, report name, [(test, value)], comment (None: waits for one)
REPORTS = [
    ("HFM-000101", 400, "Hemoglobin A1c", [(A1C, "5.4")], "Your A1c is normal."),
    ("HFM-000101", 280, "Hemoglobin A1c", [(A1C, "5.7")], "Slightly above normal. More walking and fewer sweet "
                                                          "drinks can help. We will check again in 4 months."),
    ("HFM-000101", 160, "Basic metabolic panel", [(GLUCOSE, "96")], "Normal."),
    ("HFM-000101", 150, "Hemoglobin A1c", [(A1C, "6.1")], "A little higher than last time. Let's talk about it "
                                                          "at your next visit."),
    ("HFM-000101", 20, "Hemoglobin A1c", [(A1C, "6.4")], "Your A1c is above the normal range. This is in the "
                                                         "prediabetes range. Please book a visit so we can make a "
                                                         "plan together."),
    ("HFM-000101", 20, "Basic metabolic panel", [(GLUCOSE, "112")], "Your fasting sugar is a bit high, like your "
                                                                    "A1c. We will go over both at your visit."),
    ("HFM-000101", 3, "Lipid panel", [(LDL, "142"), (HDL, "52")], None),
    ("HFM-000102", 300, "Hemoglobin A1c", [(A1C, "6.8")], "Su A1c está alto. Hablemos de un plan en su próxima "
                                                          "visita."),
    ("HFM-000102", 180, "Hemoglobin A1c", [(A1C, "6.5")], "Va mejorando. Siga así."),
    ("HFM-000102", 30, "Hemoglobin A1c", [(A1C, "6.2")], "Su A1c bajó otra vez. ¡Muy bien! Todavía está un poco "
                                                         "alto."),
    ("HFM-000105", 40, "Complete blood count", [(HGB, "11.2"), (WBC, "7.1")], "Mild anemia. We will recheck in "
                                                                              "3 months."),
]


def _value(text: str | None) -> Decimal | None:
    return Decimal(text) if text else None


def seed_results(practice: Practice) -> None:
    """Add the demo reports once (nothing when the practice already has results)."""
    if db.session.scalar(select(DiagnosticReport.id).where(DiagnosticReport.practice_id == practice.id).limit(1)):
        return
    patients = {p.mrn: p for p in db.session.scalars(select(Patient).where(Patient.practice_id == practice.id))}
    provider = db.session.scalar(select(Provider).where(Provider.practice_id == practice.id,
                                                        Provider.family_name == "Okafor"))
    clinician = db.session.get(User, provider.user_id) if provider and provider.user_id else None
    now = utcnow()
    for mrn, days, name, values, comment in REPORTS:
        patient = patients.get(mrn)
        if patient is None:
            continue
        collected = now - timedelta(days=days, hours=3)
        issued = collected + timedelta(hours=20) if days > 1 else collected + timedelta(hours=2)
        report = DiagnosticReport(
            patient_id=patient.id, practice_id=practice.id, category=ResultCategory.LAB, name=name,
            status=ReportStatus.FINAL, version=1, performer=LAB, ordering_provider_id=provider.id if provider else None,
            effective_at=collected, issued_at=issued, released_at=issued, created_at=issued,
            comment=comment, commented_at=issued + timedelta(hours=4) if comment else None,
            commented_by_user_id=clinician.id if comment and clinician else None)
        db.session.add(report)
        db.session.flush()
        db.session.add(DiagnosticReportVersion(report_id=report.id, version=1, status=ReportStatus.FINAL, name=name,
                                               performer=LAB, effective_at=collected, issued_at=issued,
                                               recorded_at=issued))
        for position, ((test, code, unit, low, high), value) in enumerate(values):
            number = Decimal(value)
            db.session.add(Observation(
                report_id=report.id, patient_id=patient.id, version=1, position=position, name=test, loinc_code=code,
                status=ReportStatus.FINAL, value_quantity=number, unit=unit, range_low=_value(low),
                range_high=_value(high), interpretation=computed_flag(number, _value(low), _value(high))))
    db.session.flush()
