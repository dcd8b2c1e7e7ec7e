"""The staff refill queue and its decisions; each decision notifies the patient without naming the drug."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hearth import db
from hearth.clock import utcnow
from hearth.errors import Conflict, Forbidden, Invalid, NotFound
from hearth.models import Notification, RefillStatus
from hearth.notify.templates import render
from hearth.services.medications import queue, refills
from hearth.services.medications.common import local_today
from tests.factories import make_practice, make_staff
from tests.medications.helpers import make_medication, make_world


def _request(w, *meds):
    return refills.request_refill(w.patient.user, w.patient, [m.id for m in meds or (w.med,)], w.pharmacy.id)


def _notes(patient_id):
    return db.session.scalars(select(Notification).where(Notification.patient_id == patient_id,
                                                         Notification.kind == "refill")).all()


def test_queue_oldest_first_with_age():
    w = make_world()
    first = _request(w)
    first.created_at = utcnow() - timedelta(hours=5)
    second = _request(w, make_medication(patient=w.patient, name="Metformin"))
    page = queue.queue(w.staff, w.practice.id)
    assert [i.request.id for i in page.items] == [first.id, second.id]
    assert page.items[0].age >= timedelta(hours=5) and page.total == 2
    assert queue.pending_count(w.practice.id) == 2


def test_queue_is_bounded_and_for_staff_only():
    from tests.querycount import count_queries

    w = make_world()
    _request(w)
    with count_queries() as few:
        [line.medication.name for i in queue.queue(w.staff, w.practice.id).items for line in i.request.lines]
    for i in range(5):
        _request(w, make_medication(patient=w.patient, name=f"Med {i}"))
    with count_queries() as many:
        items = queue.queue(w.staff, w.practice.id).items
        [(i.request.patient.full_name, i.request.pharmacy.name, [ln.medication.name for ln in i.request.lines])
         for i in items]
    assert len(items) == 6 and many.count == few.count <= 6
    with pytest.raises(Forbidden):
        queue.queue(w.patient.user, w.practice.id)
    with pytest.raises(Forbidden):
        queue.queue(make_staff(practice=make_practice()), w.practice.id)


def test_approve_updates_the_medication_and_notifies():
    w = make_world()
    request = _request(w)
    queue.approve(w.staff, w.patient, request.id, {w.med.id: (90, 2)})
    assert request.status == RefillStatus.APPROVED and request.decided_by_user_id == w.staff.id
    assert (w.med.quantity, w.med.refills_left, w.med.last_filled_on) == (90, 2, local_today(w.patient))
    assert not request.lines[0].pending and request.lines[0].approved_quantity == 90
    [note] = _notes(w.patient.id)
    assert note.template == "refill_update" and note.recipient_user_id == w.patient.user_id
    for lang in ("en", "es"):
        text = render(note.template, lang, note.params)
        assert "Lisinopril" not in text.body + text.subject + text.title
    # a new request may follow once the first is answered
    assert _request(w).status == RefillStatus.REQUESTED


def test_default_approval_uses_one_refill():
    w = make_world()
    queue.approve(w.staff, w.patient, _request(w).id)
    assert (w.med.quantity, w.med.refills_left) == (30, 2)


def test_deny_needs_a_reason_and_is_final():
    w = make_world()
    request = _request(w)
    with pytest.raises(Invalid):
        queue.deny(w.staff, w.patient, request.id, "  ")
    queue.deny(w.staff, w.patient, request.id, "Please have your blood pressure checked first.")
    assert request.status == RefillStatus.DENIED and "blood pressure" in request.denial_reason
    with pytest.raises(Conflict):
        queue.needs_visit(w.staff, w.patient, request.id)
    assert len(_notes(w.patient.id)) == 1


def test_needs_visit():
    w = make_world()
    request = queue.needs_visit(w.staff, w.patient, _request(w).id)
    assert request.status == RefillStatus.NEEDS_VISIT and _notes(w.patient.id)


def test_patient_and_other_practice_cannot_decide():
    w = make_world()
    request = _request(w)
    outsider = make_staff(practice=make_practice())
    db.session.commit()
    with pytest.raises(Forbidden):
        queue.approve(w.patient.user, w.patient, request.id)
    with pytest.raises(NotFound):
        queue.approve(outsider, w.patient, request.id)
    assert request.status == RefillStatus.REQUESTED


def test_amounts_for_a_medication_not_in_the_request_are_refused():
    w = make_world()
    request = _request(w)
    other = make_medication(patient=w.patient, name="Other")
    db.session.commit()
    with pytest.raises(Invalid):
        queue.approve(w.staff, w.patient, request.id, {other.id: (1, 1)})
    assert request.status == RefillStatus.REQUESTED


def test_the_caregiver_who_asked_is_told_too():
    from tests.factories import make_grant, make_user

    w = make_world()
    grant = make_grant(patient=w.patient, caregiver=make_user(), scopes=("medications",))
    request = refills.request_refill(grant.caregiver, w.patient, [w.med.id], w.pharmacy.id)
    queue.needs_visit(w.staff, w.patient, request.id)
    assert {n.recipient_user_id for n in _notes(w.patient.id)} == {w.patient.user_id, grant.caregiver_user_id}
