"""Results domain: release rules, notifications without details, corrections kept, comments, trends, views."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from hearth import db
from hearth.clock import utcnow
from hearth.errors import Conflict, Forbidden, Invalid, NotFound
from hearth.models import (
    DiagnosticReportVersion,
    GrantKind,
    Interpretation,
    Notification,
    Observation,
    ReportStatus,
    ResultCategory,
)
from hearth.notify.templates import render
from hearth.services.results import preferences, reading, recording, staff
from tests.querycount import count_queries
from tests.results.helpers import clinic, glucose, grant, record, report_data


def _notes(patient_id):
    return db.session.scalars(select(Notification).where(Notification.patient_id == patient_id,
                                                         Notification.kind == "result")).all()


def test_a_result_is_released_at_once_and_the_notice_names_no_test():
    c = clinic()
    helper = grant(c, scopes=["results"])
    grant(c, scopes=["appointments"])
    report = record(c)
    assert report.released_at is not None and report.version == 1
    notes = _notes(c.patient.id)
    assert {n.recipient_user_id for n in notes} == {c.patient.user_id, helper.caregiver_user_id}
    for note in notes:
        text = render(note.template, "en", note.params)
        blob = f"{text.subject} {text.title} {text.body}".lower()
        assert "glucose" not in blob and "95" not in blob and "metabolic" not in blob
    page = reading.list_reports(c.patient.user, c.patient)
    assert [i.report.id for i in page.items] == [report.id]


def test_out_of_range_values_are_flagged_when_the_lab_gave_no_flag():
    c = clinic()
    report = record(c, observations=[glucose("130"), glucose("60", name="Low one"), glucose("80", name="Fine"),
                                     {"name": "Color", "value_string": "Yellow"},
                                     glucose("200", interpretation=Interpretation.HH, name="Lab flag")])
    view = reading.get_report(c.patient.user, c.patient, report.id)
    assert [o.interpretation for o in view.observations] == [Interpretation.H, Interpretation.L, Interpretation.N,
                                                             None, Interpretation.HH]


def test_waiting_for_a_comment_holds_the_result_until_a_clinician_comments():
    c = clinic()
    preferences.put(c.patient.user, c.patient, {ResultCategory.LAB: True})
    report = record(c)
    imaging = record(c, category=ResultCategory.IMAGING, name="Chest X-ray",
                     observations=[{"name": "Impression", "value_string": "Clear lungs"}])
    assert report.released_at is None and imaging.released_at is not None
    assert [i.report.id for i in reading.list_reports(c.patient.user, c.patient).items] == [imaging.id]
    with pytest.raises(NotFound):
        reading.get_report(c.patient.user, c.patient, report.id)
    assert len(_notes(c.patient.id)) == 1
    with pytest.raises(Forbidden):
        recording.comment(c.nurse, c.patient.id, report.id, "Looks fine")
    recording.comment(c.clinician, c.patient.id, report.id, "Your sugar is normal.")
    recording.comment(c.clinician, c.patient.id, report.id, "Your sugar is normal. No changes needed.")
    assert len(_notes(c.patient.id)) == 2  # released once, whatever the number of comments
    view = reading.get_report(c.patient.user, c.patient, report.id)
    assert view.report.comment.endswith("No changes needed.") and view.commented_by == "Dr Rivera"


def test_switching_back_to_at_once_releases_held_results():
    c = clinic()
    preferences.put(c.patient.user, c.patient, {ResultCategory.LAB: True})
    report = record(c)
    assert report.released_at is None
    prefs = preferences.put(c.patient.user, c.patient, {ResultCategory.LAB: False})
    assert not any(p.wait_for_comment for p in prefs.items)
    db.session.refresh(report)
    assert report.released_at is not None


def test_only_the_patient_chooses_when_results_are_shown():
    c = clinic()
    helper = grant(c, scopes=["results"])
    with pytest.raises(Forbidden):
        preferences.put(helper.caregiver, c.patient, {ResultCategory.LAB: True})
    with pytest.raises(Forbidden):
        preferences.put(c.clinician, c.patient, {ResultCategory.LAB: True})
    assert preferences.get(helper.caregiver, c.patient).can_edit is False
    assert preferences.get(c.patient.user, c.patient).can_edit is True


def test_a_correction_keeps_the_earlier_version_and_its_values():
    c = clinic()
    report = record(c, observations=[glucose("300")])
    data = report_data(observations=[glucose("130")])
    recording.correct(c.nurse, c.patient.id, report.id, data, expected_version=1, reason="Typing error")
    with pytest.raises(Conflict):
        recording.correct(c.nurse, c.patient.id, report.id, data, expected_version=1, reason="Again")
    view = reading.get_report(c.patient.user, c.patient, report.id)
    assert view.report.status == ReportStatus.CORRECTED and view.report.version == 2
    assert [o.value_quantity for o in view.observations] == [Decimal("130")]
    assert [h.observations[0].value_quantity for h in view.history] == [Decimal("300")]
    assert view.history[0].version.status == ReportStatus.FINAL
    assert db.session.scalar(select(func.count()).select_from(DiagnosticReportVersion)
                             .where(DiagnosticReportVersion.report_id == report.id)) == 2
    assert len(_notes(c.patient.id)) == 2  # told about the correction too
    old = db.session.scalar(select(Observation).where(Observation.report_id == report.id, Observation.version == 1))
    old.value_quantity = Decimal("1")
    with pytest.raises(RuntimeError, match="kept"):
        db.session.flush()
    db.session.rollback()


def test_bad_times_and_another_practices_clinician_are_refused():
    c = clinic()
    other = clinic()
    with pytest.raises(Invalid) as caught:
        recording.record(c.clinician, c.patient.id, report_data(days_ago=-2, ordering_provider_id=other.provider_id))
    assert set(caught.value.fields) == {"effective_at", "issued_at", "ordering_provider_id"}
    with pytest.raises(NotFound):
        recording.record(other.clinician, c.patient.id, report_data())
    with pytest.raises(Invalid):
        recording.record(c.nurse, c.patient.id, report_data(comment="Nurses cannot comment"))


def test_a_repeated_client_key_records_once():
    c = clinic()
    first = record(c, client_key="form-123")
    again = record(c, client_key="form-123")
    assert first.id == again.id
    assert reading.list_reports(c.clinician, c.patient).total == 1


def test_teen_confidential_categories_are_hidden_from_a_guardian_without_consent():
    c = clinic(date_of_birth=date.today() - timedelta(days=15 * 366))
    admin = c.clinician
    from hearth.models import Membership, StaffRole

    admin.memberships.append(Membership(practice_id=c.practice.id, role=StaffRole.ADMIN))
    db.session.commit()
    staff.set_confidential(admin, c.practice.id, ["genetics"])
    guardian = grant(c, kind=GrantKind.GUARDIAN, scopes=["results"])
    lab = record(c)
    genes = record(c, category=ResultCategory.GENETICS, name="Carrier screen",
                   observations=[{"name": "Result", "value_string": "Negative"}])
    items = reading.list_reports(guardian.caregiver, c.patient).items
    assert [i.report.id for i in items] == [lab.id]
    with pytest.raises(NotFound):
        reading.get_report(guardian.caregiver, c.patient, genes.id)
    guardian_notes = [n for n in _notes(c.patient.id) if n.recipient_user_id == guardian.caregiver_user_id]
    assert len(guardian_notes) == 1  # told about the lab result only
    guardian.teen_consent_at = utcnow()
    db.session.flush()
    assert len(reading.list_reports(guardian.caregiver, c.patient).items) == 2


def test_a_trend_keeps_one_code_and_one_unit_per_line():
    c = clinic()
    for days, value in ((300, "92"), (200, "104"), (100, "118")):
        record(c, days_ago=days, observations=[glucose(value)])
    record(c, days_ago=50, observations=[glucose("6.1", unit="mmol/L", low="3.9", high="5.5")])
    t = reading.trend(c.patient.user, c.patient, "2345-7", "mg/dL")
    assert [p.value for p in t.points] == [Decimal("92"), Decimal("104"), Decimal("118")]
    assert t.other_units == ["mmol/L"]
    assert [p.value for p in reading.trend(c.patient.user, c.patient, "2345-7", "mmol/L").points] == [Decimal("6.1")]
    with pytest.raises(NotFound):
        reading.trend(c.patient.user, c.patient, "2345-7", "g/L")
    latest = reading.list_reports(c.patient.user, c.patient).items[1].report
    assert ("2345-7", "mg/dL") in reading.get_report(c.patient.user, c.patient, latest.id).trends


def test_staff_see_whether_and_when_the_patient_or_a_caregiver_viewed_a_result():
    c = clinic()
    helper = grant(c, scopes=["results"])
    report = record(c)
    page = staff.awaiting_comment(c.nurse, c.practice.id)
    assert [i.report.id for i in page.items] == [report.id] and page.items[0].views == []
    reading.get_report(c.patient.user, c.patient, report.id)
    reading.get_report(c.patient.user, c.patient, report.id)
    reading.get_report(helper.caregiver, c.patient, report.id)
    reading.get_report(c.nurse, c.patient, report.id)  # staff reads are not the patient's
    views = staff.views_of({c.patient.id}, [report.id])[report.id]
    assert [(v.relation, v.times) for v in views] == [("self", 2), ("caregiver", 1)]
    recording.comment(c.clinician, c.patient.id, report.id, "All good.")
    assert staff.awaiting_comment(c.nurse, c.practice.id).total == 0
    with pytest.raises(Forbidden):
        staff.awaiting_comment(c.patient.user, c.practice.id)


def test_lists_run_a_bounded_number_of_statements():
    c = clinic()
    helper = grant(c, scopes=["results"])

    def counts():
        with count_queries() as patient_list:
            reading.list_reports(c.patient.user, c.patient)
        with count_queries() as caregiver_list:
            reading.list_reports(helper.caregiver, c.patient)
        with count_queries() as awaiting:
            staff.awaiting_comment(c.nurse, c.practice.id)
        return patient_list.count, caregiver_list.count, awaiting.count

    record(c)
    few = counts()
    for n in range(12):
        record(c, days_ago=n + 2, observations=[glucose(str(90 + n)), glucose("5", name="Other", code="2947-0")])
    assert counts() == few


def test_the_home_card_counts_results_this_reader_has_not_opened():
    from hearth.services.acting import Person
    from hearth.services.results import cards

    c = clinic()
    helper = grant(c, scopes=["results"])
    first = record(c)
    record(c, days_ago=2)
    now = utcnow()
    assert cards.result_cards(c.patient.user, Person(c.patient, None), now)[0].title == "You have 2 new test results"
    assert cards.unseen_count(c.patient.user, c.patient, now + timedelta(days=31)) == 0  # released long ago
    reading.get_report(c.patient.user, c.patient, first.id)
    assert cards.unseen_count(c.patient.user, c.patient, now) == 1
    assert cards.unseen_count(helper.caregiver, c.patient, now) == 2  # each reader has her own "new"
    assert "Maria has 2" in cards.result_cards(helper.caregiver, Person(c.patient, helper), now)[0].title


def test_the_workspace_summary_lists_the_oldest_results_waiting_for_a_comment():
    from hearth.services.results import cards

    c = clinic()
    record(c, days_ago=3, name="Oldest")
    record(c, days_ago=1, name="Newer")
    count, oldest = cards.awaiting_summary(c.nurse, c.practice.id)
    assert count == 2 and [r.name for r in oldest] == ["Oldest", "Newer"]
    assert cards.awaiting_summary(c.patient.user, c.practice.id) == (0, [])
    from hearth.services import workspace_cards as workspace
    made = cards.results_awaiting_card(c.nurse, c.practice, utcnow())
    assert isinstance(made[0], workspace.WorkspaceCard) and made[0].count == 2
