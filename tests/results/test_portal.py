"""Results pages: the patient's list, report, trend and choices; the care team's record, correct, comment."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hearth import db
from hearth.clock import utcnow
from hearth.models import DiagnosticReport, ResultCategory
from hearth.services.results import preferences
from tests.conftest import login
from tests.querycount import count_queries
from tests.results.helpers import clinic, glucose, grant, record


def _local(moment) -> str:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("America/New_York")).strftime("%Y-%m-%dT%H:%M")


def test_the_patient_reads_a_result_with_flags_in_words_range_and_comment(client):
    c = clinic()
    report = record(c, observations=[glucose("130"), glucose("80", name="Calcium", code="17861-6")],
                    comment="Your sugar is a bit high. Let's recheck in 3 months.")
    login(client, c.patient.user)
    listing = client.get("/results").get_data(as_text=True)
    assert "Basic metabolic panel" in listing and "1 value out of range" in listing
    page = client.get(f"/results/{report.id}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "hearth-flag--high" in body and "High</span>" in body  # colour and the word
    assert "70–99 mg/dL" in body and "130 mg/dL" in body
    assert "Let&#39;s recheck in 3 months." in body and "Dr Rivera" in body


def test_the_trend_page_draws_an_accessible_chart_with_the_numbers_beside_it(client):
    c = clinic()
    for days, value in ((300, "92"), (200, "104"), (100, "118")):
        record(c, days_ago=days, observations=[glucose(value)])
    record(c, days_ago=50, observations=[glucose("6.1", unit="mmol/L", low="3.9", high="5.5")])
    login(client, c.patient.user)
    latest_mg = db.session.scalars(select(DiagnosticReport).order_by(DiagnosticReport.effective_at)).all()[2]
    detail = client.get(f"/results/{latest_mg.id}").get_data(as_text=True)
    assert "/results/trend?code=2345-7&amp;unit=mg/dL" in detail
    page = client.get("/results/trend?code=2345-7&unit=mg/dL")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'role="img"' in body and 'aria-label="Glucose (mg/dL) over time"' in body
    assert '<title id="trend-title">' in body and '<desc id="trend-desc">3 values' in body
    assert "<style" not in body and "<script" not in body.split("<main")[1].split("</main>")[0]
    assert body.count("<tr>") >= 4 and "118 mg/dL" in body and "6.1 mmol/L" not in body  # other unit: its own chart
    assert "mmol/L</a>" in body
    assert client.get("/results/trend?code=not-a-code").status_code == 404
    assert client.get("/results/trend?code=2345-7&unit=g/L").status_code == 404


def test_the_trend_legend_is_never_cut_in_spanish(client):
    """At phone width pygal cut "Límite alto de lo normal" to "Límite alto de lo…": one full name a line."""
    c = clinic()
    c.patient.user.locale = "es"
    for days, value in ((200, "104"), (100, "118")):
        record(c, days_ago=days, observations=[glucose(value)])
    login(client, c.patient.user)
    body = client.get("/results/trend?code=2345-7&unit=mg/dL").get_data(as_text=True)
    assert "Límite alto de lo normal" in body and "Límite bajo de lo normal" in body
    assert "…</text>" not in body


def test_the_patient_chooses_to_wait_for_a_comment_and_a_caregiver_cannot(client):
    c = clinic()
    helper = grant(c, scopes=["results"])
    login(client, c.patient.user)
    assert client.post("/results/preferences", data={"wait": ["lab", "genetics"]}).status_code == 302
    prefs = {i.category: i.wait_for_comment for i in preferences.get(c.patient.user, c.patient).items}
    assert prefs[ResultCategory.LAB] and prefs[ResultCategory.GENETICS] and not prefs[ResultCategory.IMAGING]
    client.post("/logout")
    login(client, helper.caregiver)
    page = client.get("/results/preferences").get_data(as_text=True)
    assert "Only the patient can change this." in page
    assert "By law, Maria's results show" in page and "your results" not in page  # not the caregiver's own
    client.post("/results/preferences", data={})
    assert preferences.get(c.patient.user, c.patient).items[0].wait_for_comment


def test_a_caregiver_without_the_results_scope_sees_no_results(client):
    c = clinic()
    record(c)
    helper = grant(c, scopes=["appointments"])
    login(client, helper.caregiver)
    assert client.get("/results").status_code == 404
    assert "/results" not in client.get("/").get_data(as_text=True).split("<main")[0]


def test_staff_record_comment_and_correct_through_the_forms(client):
    c = clinic()
    preferences.put(c.patient.user, c.patient, {ResultCategory.LAB: True})
    login(client, c.clinician)
    form = client.get(f"/staff/patients/{c.patient.id}/results/new").get_data(as_text=True)
    assert 'name="client_key"' in form and f'<option value="{c.provider_id}"' in form
    now = utcnow()
    data = {"category": "lab", "name": "Lipid panel", "performer": "City Lab", "status": "final",
            "effective_at": _local(now - timedelta(hours=5)), "issued_at": _local(now - timedelta(hours=1)),
            "client_key": "k-1", "obs-0-name": "LDL", "obs-0-loinc_code": "13457-7", "obs-0-value_quantity": "162",
            "obs-0-unit": "mg/dL", "obs-0-range_high": "99", "obs-2-name": "HDL", "obs-2-value_quantity": "55",
            "obs-2-unit": "mg/dL", "obs-2-range_low": "40"}
    saved = client.post(f"/staff/patients/{c.patient.id}/results/new", data=data)
    assert saved.status_code == 302
    again = client.post(f"/staff/patients/{c.patient.id}/results/new", data=data)  # a double submit
    assert again.headers["Location"] == saved.headers["Location"]
    report = db.session.scalar(select(DiagnosticReport).where(DiagnosticReport.patient_id == c.patient.id))
    assert report.released_at is None  # she waits for a comment for lab results
    awaiting = client.get("/staff/results/awaiting").get_data(as_text=True)
    assert "Lipid panel" in awaiting and "Not yet: waits for a comment" in awaiting
    bad = client.post(f"/staff/patients/{c.patient.id}/results/{report.id}/comment", data={"comment": " "})
    assert bad.status_code == 422
    client.post(f"/staff/patients/{c.patient.id}/results/{report.id}/comment", data={"comment": "LDL is high."})
    db.session.refresh(report)
    assert report.released_at is not None and report.comment == "LDL is high."
    correction = client.get(f"/staff/patients/{c.patient.id}/results/{report.id}/correct").get_data(as_text=True)
    assert 'value="162"' in correction
    fixed = {**data, "obs-0-value_quantity": "126", "version": "1", "reason": "Wrong value typed"}
    assert client.post(f"/staff/patients/{c.patient.id}/results/{report.id}/correct", data=fixed).status_code == 302
    stale = client.post(f"/staff/patients/{c.patient.id}/results/{report.id}/correct", data=fixed)
    assert stale.status_code == 422 and "Someone changed this result" in stale.get_data(as_text=True)
    page = client.get(f"/staff/patients/{c.patient.id}/results/{report.id}").get_data(as_text=True)
    assert "126 mg/dL" in page and "162 mg/dL" in page and "Earlier versions" in page


def test_staff_form_errors_are_shown_on_the_fields_and_change_nothing(client):
    c = clinic()
    login(client, c.clinician)
    data = {"category": "lab", "name": "", "effective_at": "2026-13-40T99:00", "issued_at": "",
            "obs-1-name": "Sodium", "obs-1-value_quantity": "lots"}
    page = client.post(f"/staff/patients/{c.patient.id}/results/new", data=data)
    body = page.get_data(as_text=True)
    assert page.status_code == 422
    assert 'id="e-obs-1-value_quantity"' in body and 'id="e-name"' in body and 'value="Sodium"' in body
    assert db.session.scalar(select(DiagnosticReport).where(DiagnosticReport.patient_id == c.patient.id)) is None


def test_staff_see_when_the_patient_viewed_a_result(client):
    c = clinic()
    report = record(c)
    login(client, c.patient.user)
    client.get(f"/results/{report.id}")
    client.post("/logout")
    login(client, c.nurse)
    page = client.get(f"/staff/patients/{c.patient.id}/results/{report.id}").get_data(as_text=True)
    assert "Maria Lopez (the patient)" in page and "first opened" in page
    listing = client.get(f"/staff/patients/{c.patient.id}/results").get_data(as_text=True)
    assert "Maria Lopez (" in listing


def test_result_lists_run_a_bounded_number_of_statements(client):
    c = clinic()
    record(c)
    login(client, c.patient.user)
    with count_queries() as few:
        client.get("/results")
    for n in range(10):
        record(c, days_ago=n + 2, observations=[glucose(str(100 + n))])
    with count_queries() as many:
        assert client.get("/results").status_code == 200
    assert many.count == few.count


def test_admins_choose_the_categories_kept_private_for_teens(client):
    from hearth.models import Membership, StaffRole
    from hearth.services.results.common import confidential_categories

    c = clinic()
    login(client, c.nurse)
    assert client.post(f"/staff/results/settings?practice={c.practice.id}",
                       data={"confidential": ["genetics"]}).status_code == 403
    c.clinician.memberships.append(Membership(practice_id=c.practice.id, role=StaffRole.ADMIN))
    db.session.commit()
    client.post("/logout")
    login(client, c.clinician)
    page = client.get("/staff/results/settings").get_data(as_text=True)
    assert 'value="genetics"' in page
    client.post(f"/staff/results/settings?practice={c.practice.id}", data={"confidential": ["genetics", "pathology"]})
    assert confidential_categories(c.practice.id) == {"genetics", "pathology"}
    assert 'value="genetics" checked' in client.get("/staff/results/settings").get_data(as_text=True)
