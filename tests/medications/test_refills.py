"""Refill requests: what is asked for, what is refused (changing nothing), and who asked."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hearth import db
from hearth.errors import Conflict, Invalid, NotFound
from hearth.models import ControlledSchedule, MedicationStatus, RefillRequest, RefillRequestLine, RefillStatus
from hearth.services.medications import refills
from tests.factories import make_grant, make_patient, make_user
from tests.medications.helpers import make_medication, make_pharmacy, make_world


def _count() -> int:
    return db.session.scalar(select(func.count(RefillRequest.id)))


def test_request_carries_last_fill_and_flags_a_renewal():
    w = make_world()
    empty = make_medication(patient=w.patient, name="Metformin", refills_left=0)
    request = refills.request_refill(w.patient.user, w.patient, [w.med.id, empty.id], w.pharmacy.id, "  before trip ")
    assert request.status == RefillStatus.REQUESTED and request.note == "before trip"
    lines = {line.medication_id: line for line in request.lines}
    assert lines[w.med.id].last_filled_on == w.med.last_filled_on and not lines[w.med.id].renewal
    assert lines[empty.id].renewal and request.is_renewal
    assert request.requested_by_user_id == w.patient.user_id and not request.by_caregiver


def test_second_request_for_a_pending_medication_is_refused():
    w = make_world()
    refills.request_refill(w.patient.user, w.patient, [w.med.id], w.pharmacy.id)
    with pytest.raises(Conflict) as exc:
        refills.request_refill(w.patient.user, w.patient, [w.med.id], w.pharmacy.id)
    assert "already has a refill request waiting" in exc.value.fields["medication_ids"][0]
    assert _count() == 1


def test_controlled_substance_asks_to_call():
    w = make_world()
    oxy = make_medication(patient=w.patient, name="Oxycodone", controlled=ControlledSchedule.II)
    db.session.commit()
    with pytest.raises(Invalid) as exc:
        refills.request_refill(w.patient.user, w.patient, [w.med.id, oxy.id], w.pharmacy.id)
    message = exc.value.fields["medication_ids"][0]
    assert "controlled" in message and "call us at (202) 555-0100" in message
    assert _count() == 0


def test_stopped_medication_is_refused():
    w = make_world()
    w.med.status = MedicationStatus.STOPPED
    db.session.commit()
    with pytest.raises(Invalid, match="was stopped"):
        refills.request_refill(w.patient.user, w.patient, [w.med.id], w.pharmacy.id)
    assert _count() == 0


def test_another_patients_medication_or_pharmacy_is_refused():
    w = make_world()
    other = make_patient(practice=w.practice)
    their_med, their_pharmacy = make_medication(patient=other), make_pharmacy(patient=other)
    db.session.commit()
    with pytest.raises(Invalid) as exc:
        refills.request_refill(w.patient.user, w.patient, [their_med.id], w.pharmacy.id)
    assert "not on your list" in exc.value.fields["medication_ids"][0]
    with pytest.raises(Invalid) as exc:
        refills.request_refill(w.patient.user, w.patient, [w.med.id], their_pharmacy.id)
    assert "pharmacy_id" in exc.value.fields
    assert _count() == 0
    assert db.session.scalar(select(func.count(RefillRequestLine.id))) == 0


def test_caregiver_with_scope_is_recorded_as_acting_for():
    w = make_world()
    grant = make_grant(patient=w.patient, caregiver=make_user(name="Carla Giver"), scopes=("medications",))
    request = refills.request_refill(grant.caregiver, w.patient, [w.med.id], w.pharmacy.id)
    assert request.by_caregiver and request.requested_by_user_id == grant.caregiver_user_id


def test_caregiver_without_scope_and_strangers_get_not_found():
    w = make_world()
    grant = make_grant(patient=w.patient, scopes=("appointments",))
    stranger = make_patient(practice=w.practice).user
    db.session.commit()
    for user in (grant.caregiver, stranger):
        with pytest.raises(NotFound):
            refills.request_refill(user, w.patient, [w.med.id], w.pharmacy.id)
        with pytest.raises(NotFound):
            refills.request_list(user, w.patient)
    assert _count() == 0


def test_request_list_is_bounded():
    from tests.querycount import count_queries

    w = make_world()
    for i in range(3):
        med = make_medication(patient=w.patient, name=f"Med {i}")
        refills.request_refill(w.patient.user, w.patient, [med.id, make_medication(patient=w.patient).id],
                               w.pharmacy.id)
    with count_queries() as few:
        assert refills.request_list(w.patient.user, w.patient).items[0].lines[0].medication.name
    for _ in range(6):
        refills.request_refill(w.patient.user, w.patient, [make_medication(patient=w.patient).id], w.pharmacy.id)
    with count_queries() as many:
        page = refills.request_list(w.patient.user, w.patient)
        names = [line.medication.name for r in page.items for line in r.lines]
        _ = [r.pharmacy.name for r in page.items]
    assert len(names) == 12
    assert many.count == few.count <= 8
