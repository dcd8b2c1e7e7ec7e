"""Parallel refill requests for one medication: exactly one request, the others refused (real threads)."""

from __future__ import annotations

from sqlalchemy import func, select

from hearth import db
from hearth.errors import Conflict
from hearth.models import Medication, Patient, RefillRequest, User
from hearth.services.medications import refills
from tests.medications.helpers import make_world
from tests.parallel import committed, in_app, race  # noqa: F401  (fixture)


def test_parallel_requests_make_one(app, committed):  # noqa: F811
    w = make_world()
    db.session.commit()
    ids = (w.patient.user_id, w.patient.id, w.med.id, w.pharmacy.id)

    def attempt(_i, _client):
        def go():
            user, patient = db.session.get(User, ids[0]), db.session.get(Patient, ids[1])
            try:
                refills.request_refill(user, patient, [ids[2]], ids[3])
                return "made"
            except Conflict:
                return "conflict"
        return in_app(app, go)

    results = race(app, 4, attempt)
    assert sorted(map(str, results)) == ["conflict", "conflict", "conflict", "made"], results
    with db.engine().connect() as conn:
        count = conn.execute(select(func.count(RefillRequest.id)).where(RefillRequest.patient_id == ids[1])).scalar()
    assert count == 1
    assert db.session.get(Medication, ids[2]) is not None
