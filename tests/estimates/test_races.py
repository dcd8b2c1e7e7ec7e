"""Parallel requests on separate connections: one coverage row per patient, one visit per saved estimate."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hearth import db
from hearth.models import CostEstimate, Coverage
from tests.factories import PASSWORD, make_patient
from tests.parallel import committed, race, sqlite_writer_begin  # noqa: F401  (fixtures)
from tests.scheduling.conftest import clinic, future_day, local, place  # noqa: F401  (clinic: a fixture)

pytestmark = pytest.mark.usefixtures("committed", "sqlite_writer_begin")
RACERS = 6


def _bearer(app, user) -> dict:
    r = app.test_client().post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json['access_token']}"}


def test_first_coverage_saved_six_times_at_once_makes_one_row(app):
    patient = make_patient()
    db.session.commit()
    auth = _bearer(app, patient.user)
    url = f"/api/v1/patients/{patient.id}/coverage"
    results = race(app, RACERS, lambda i, c: c.put(url, headers=auth, json={"payer_name": f"Payer {i}"}))
    assert sorted(getattr(r, "status_code", repr(r)) for r in results) == [200] * RACERS
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Coverage).where(Coverage.patient_id == patient.id)) == 1


def test_one_estimate_tied_to_two_visits_at_once_ties_one(app, clinic):  # noqa: F811
    row = CostEstimate(patient_id=clinic.patient.id, visit_type_id=clinic.visit.id, allowed_cents=100,
                       patient_cents=100, plan_cents=0, inputs={"basis": "self_pay"}, lines=[])
    db.session.add(row)
    visits = [place(clinic, local(future_day(), 9 + i)) for i in range(2)]
    db.session.commit()
    auth = _bearer(app, clinic.patient.user)
    url = f"/api/v1/patients/{clinic.patient.id}/estimates/{row.id}/appointment"
    results = race(app, 2, lambda i, c: c.put(url, headers=auth, json={"appointment_id": visits[i].id}))
    assert sorted(getattr(r, "status_code", repr(r)) for r in results) == [200, 422]
    db.session.expire_all()
    assert db.session.get(CostEstimate, row.id).appointment_id in {v.id for v in visits}
