"""Double submits and parallel requests give exactly one effect (real threads, committed rows, both databases)."""

from __future__ import annotations

from sqlalchemy import func, select

from hearth import db
from hearth.models import DiagnosticReport, DiagnosticReportVersion, Notification, ResultCategory
from hearth.services.results import preferences
from tests.api.test_staff import bearer
from tests.parallel import committed, race  # noqa: F401  (fixture)
from tests.results.helpers import clinic, record
from tests.results.test_api import _body

N = 4


def test_parallel_submits_of_one_report_record_it_once(app, committed):  # noqa: F811
    c = clinic()
    auth = bearer(app.test_client(), c.clinician)
    patient_id = c.patient.id
    answers = race(app, N, lambda i, client: client.post(f"/api/v1/patients/{patient_id}/results", headers=auth,
                                                          json=_body(client_key="same-form")))
    assert all(getattr(a, "status_code", None) == 201 for a in answers), answers
    assert len({a.json["report"]["id"] for a in answers}) == 1
    assert db.session.scalar(select(func.count(DiagnosticReport.id))
                             .where(DiagnosticReport.patient_id == patient_id)) == 1


def test_parallel_corrections_make_one_new_version(app, committed):  # noqa: F811
    c = clinic()
    report = record(c)
    auth = bearer(app.test_client(), c.nurse)
    url = f"/api/v1/patients/{c.patient.id}/results/{report.id}/corrections"
    body = {k: v for k, v in _body().items() if k != "client_key"}
    answers = race(app, N, lambda i, client: client.post(url, headers=auth,
                                                          json={**body, "version": 1, "reason": f"Fix {i}"}))
    codes = sorted(getattr(a, "status_code", repr(a)) for a in answers)
    assert codes == [200] + [409] * (N - 1), codes
    assert db.session.scalar(select(func.count(DiagnosticReportVersion.id))
                             .where(DiagnosticReportVersion.report_id == report.id)) == 2


def test_parallel_comments_release_a_held_result_once(app, committed):  # noqa: F811
    c = clinic()
    preferences.put(c.patient.user, c.patient, {ResultCategory.LAB: True})
    report = record(c)
    auth = bearer(app.test_client(), c.clinician)
    url = f"/api/v1/patients/{c.patient.id}/results/{report.id}/comment"
    answers = race(app, N, lambda i, client: client.put(url, headers=auth, json={"comment": f"Fine ({i})"}))
    assert all(getattr(a, "status_code", None) == 200 for a in answers), answers
    notes = db.session.scalar(select(func.count(Notification.id)).where(
        Notification.patient_id == c.patient.id, Notification.kind == "result"))
    assert notes == 1
