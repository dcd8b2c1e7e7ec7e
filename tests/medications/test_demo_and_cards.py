"""Demo medications (one due for a refill, one controlled) and the workspace's pending-refills card."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from hearth import db, demo
from hearth.clock import utcnow
from hearth.models import Medication, Notification, Patient
from hearth.services.medications import cards, reminders
from hearth.services.medications.common import local_today
from tests.medications.helpers import make_world


def test_demo_has_a_due_and_a_controlled_medication():
    demo.seed()
    emily = db.session.scalar(select(Patient).where(Patient.mrn == "HFM-000101"))
    meds = db.session.scalars(select(Medication).where(Medication.patient_id == emily.id)).all()
    today = local_today(emily)
    assert any(m.is_active and m.runs_out_on and m.runs_out_on <= today + timedelta(days=7) and not m.is_controlled
               for m in meds)
    assert any(m.is_controlled for m in meds) and any(not m.is_active for m in meds)
    assert reminders.plan_due() >= 1
    assert db.session.scalar(select(func.count(Notification.id)).where(
        Notification.patient_id == emily.id, Notification.template == "refill_due")) == 1
    count = db.session.scalar(select(func.count(Medication.id)))
    demo.seed()
    assert db.session.scalar(select(func.count(Medication.id))) == count


def test_oldest_pending_for_the_card():
    from hearth.services.medications import refills

    w = make_world()
    request = refills.request_refill(w.patient.user, w.patient, [w.med.id], w.pharmacy.id)
    assert [r.id for r in cards.oldest_pending(w.practice.id)] == [request.id]


def test_pending_refills_card():
    from hearth.services.medications import refills

    w = make_world()
    refills.request_refill(w.patient.user, w.patient, [w.med.id], w.pharmacy.id)
    [card] = cards.pending_refills_card(w.staff, w.practice, utcnow())
    assert card.count == 1 and card.lines[0].params["request_id"]
