"""The demo's results: a trend of several values with one out of range, a comment, one waiting for a comment."""

from __future__ import annotations

from sqlalchemy import select

from hearth import db, demo
from hearth.models import DiagnosticReport, Patient
from hearth.services.results import reading, staff


def test_demo_results_show_a_trend_with_out_of_range_values_and_are_seeded_once(db_session):
    demo.seed()
    emily = db.session.scalar(select(Patient).where(Patient.mrn == "HFM-000101"))
    count = len(db.session.scalars(select(DiagnosticReport)).all())
    demo.seed()
    assert len(db.session.scalars(select(DiagnosticReport)).all()) == count
    t = reading.trend(emily.user, emily, "4548-4", "%")
    assert len(t.points) == 4 and [p.interpretation.value for p in t.points] == ["N", "H", "H", "H"]
    items = reading.list_reports(emily.user, emily).items
    assert items[0].report.comment is None and items[0].flagged == 1  # the lipid panel: LDL high
    okafor = db.session.scalar(select(DiagnosticReport.commented_by_user_id).where(
        DiagnosticReport.commented_by_user_id.is_not(None)).limit(1))
    from hearth.models import User

    doctor = db.session.get(User, okafor)
    assert staff.awaiting_comment(doctor, emily.practice_id).total == 1
