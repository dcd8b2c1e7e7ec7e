"""Test results after FHIR R4 `DiagnosticReport` (one report: a panel or a single test) and `Observation`.

A report's versions are kept: a correction adds a `DiagnosticReportVersion` and a new set of
observations under the next version number; older versions and their observations stay as they
were (both tables are append-only, like the audit log). The report row holds the current version's
header for lists, the clinician's comment and when the patient could first see it (`released_at`).
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hearth.clock import utcnow
from hearth.models.base import Base, UTCDateTime, str_enum
from hearth.models.patient import Patient, Provider

VALUE = Numeric(18, 6)  # valueQuantity.value and referenceRange low/high


class ResultCategory(enum.StrEnum):
    """DiagnosticReport.category (HL7 v2-0074 diagnostic service sections, in plain words)."""

    LAB = "lab"
    IMAGING = "imaging"
    PATHOLOGY = "pathology"
    MICROBIOLOGY = "microbiology"
    GENETICS = "genetics"
    OTHER = "other"


class ReportStatus(enum.StrEnum):
    """DiagnosticReport.status / Observation.status, the values Hearth records."""

    PRELIMINARY = "preliminary"
    FINAL = "final"
    CORRECTED = "corrected"


class Interpretation(enum.StrEnum):
    """Observation.interpretation (HL7 v3 ObservationInterpretation): normal, high, low, critical, abnormal."""

    N = "N"
    H = "H"
    L = "L"
    HH = "HH"
    LL = "LL"
    A = "A"


class DiagnosticReport(Base):
    __tablename__ = "diagnostic_report"
    __table_args__ = (
        UniqueConstraint("patient_id", "client_key"),
        Index("ix_diagnostic_report_patient_effective", "patient_id", "effective_at"),
        Index("ix_diagnostic_report_practice_commented", "practice_id", "commented_at", "issued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id", ondelete="CASCADE"))
    category: Mapped[ResultCategory] = mapped_column(str_enum(ResultCategory))
    # The current version's header (code.text, code LOINC, status, performer, effective, issued).
    name: Mapped[str] = mapped_column(String(200))
    loinc_code: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[ReportStatus] = mapped_column(str_enum(ReportStatus))
    version: Mapped[int] = mapped_column(default=1)
    performer: Mapped[str | None] = mapped_column(String(200))  # the performing laboratory
    ordering_provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id", ondelete="SET NULL"))
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime())  # specimen collected
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())  # the lab released it
    # The clinician's plain-language comment (DiagnosticReport.conclusion) and who wrote it, when.
    comment: Mapped[str | None] = mapped_column(String(4000))
    commented_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    commented_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the patient (and her caregivers) could first see it: at once by default, or after the comment
    # when she asked to wait for one for this category (ResultReleasePreference).
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # A key the form or app sends with a new report, so a double submit records it once.
    client_key: Mapped[str | None] = mapped_column(String(64))

    patient: Mapped[Patient] = relationship()
    ordering_provider: Mapped[Provider | None] = relationship()


class DiagnosticReportVersion(Base):
    """One recorded version of a report's header; never changed once written."""

    __tablename__ = "diagnostic_report_version"
    __table_args__ = (UniqueConstraint("report_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("diagnostic_report.id", ondelete="CASCADE"))
    version: Mapped[int]
    status: Mapped[ReportStatus] = mapped_column(str_enum(ReportStatus))
    name: Mapped[str] = mapped_column(String(200))
    loinc_code: Mapped[str | None] = mapped_column(String(20))
    performer: Mapped[str | None] = mapped_column(String(200))
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime())
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    correction_reason: Mapped[str | None] = mapped_column(String(500))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class Observation(Base):
    """One test of a report version: valueQuantity (number + UCUM unit) or valueString, range, flag."""

    __tablename__ = "observation"
    __table_args__ = (
        Index("ix_observation_report_version", "report_id", "version", "position"),
        Index("ix_observation_patient_loinc", "patient_id", "loinc_code", "unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("diagnostic_report.id", ondelete="CASCADE"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    version: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(200))
    loinc_code: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[ReportStatus] = mapped_column(str_enum(ReportStatus))
    value_quantity: Mapped[Decimal | None] = mapped_column(VALUE)
    unit: Mapped[str | None] = mapped_column(String(40))  # UCUM, e.g. "mg/dL", "10*3/uL", "%"
    value_string: Mapped[str | None] = mapped_column(String(500))
    range_low: Mapped[Decimal | None] = mapped_column(VALUE)
    range_high: Mapped[Decimal | None] = mapped_column(VALUE)
    range_text: Mapped[str | None] = mapped_column(String(200))
    interpretation: Mapped[Interpretation | None] = mapped_column(str_enum(Interpretation))


class ResultReleasePreference(Base):
    """The patient's choice for one category: wait until a clinician has commented before she sees it."""

    __tablename__ = "result_release_preference"
    __table_args__ = (UniqueConstraint("patient_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    category: Mapped[ResultCategory] = mapped_column(str_enum(ResultCategory))
    wait_for_comment: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PracticeResultSettings(Base):
    """Which result categories the practice treats as confidential for teens (the guardian teen-tier rule)."""

    __tablename__ = "practice_result_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id", ondelete="CASCADE"), unique=True)
    # Comma-separated ResultCategory values.
    confidential_for_teens: Mapped[str] = mapped_column(String(200), default="")

    @property
    def confidential(self) -> set[str]:
        return {c for c in self.confidential_for_teens.split(",") if c}


@event.listens_for(DiagnosticReportVersion, "before_update")
@event.listens_for(DiagnosticReportVersion, "before_delete")
@event.listens_for(Observation, "before_update")
@event.listens_for(Observation, "before_delete")
def _kept(mapper, connection, target) -> None:
    raise RuntimeError("result versions are kept: record a correction instead")
