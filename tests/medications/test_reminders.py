"""Refill-due reminders: one per fill, a week before the supply runs out, with a link and no drug name."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hearth import db
from hearth.models import ControlledSchedule, Notification, NotificationStatus
from hearth.notify.templates import render
from hearth.services.medications import meds, queue, refills, reminders
from hearth.services.medications.common import local_today
from tests.medications.helpers import make_medication, make_world


def _due(patient_id):
    return db.session.scalars(select(Notification).where(Notification.patient_id == patient_id,
                                                         Notification.template == "refill_due")).all()


def _runs_out_in(w, med, days):
    med.last_filled_on = local_today(w.patient) - timedelta(days=med.supply_days - days)
    db.session.flush()


def test_one_reminder_per_fill_with_a_link():
    w = make_world()
    _runs_out_in(w, w.med, 7)
    assert reminders.plan_due(base_url="https://hearth.example") == 1
    reminders.plan_due(base_url="https://hearth.example")
    [note] = _due(w.patient.id)
    assert note.kind == "refill" and note.recipient_user_id == w.patient.user_id
    text = render(note.template, "en", note.params)
    assert f"https://hearth.example/medications/refill?medication={w.med.id}" in text.body
    assert "Lisinopril" not in text.body + text.subject and "Lisinopril" not in render(note.template, "es",
                                                                                      note.params).body
    # the next fill gives the next reminder
    _runs_out_in(w, w.med, 3)
    reminders.plan_due()
    assert len(_due(w.patient.id)) == 2


def test_not_yet_due_controlled_or_already_requested_get_none():
    w = make_world()
    _runs_out_in(w, w.med, 12)
    controlled = make_medication(patient=w.patient, name="Alprazolam", controlled=ControlledSchedule.IV)
    _runs_out_in(w, controlled, 5)
    asked = make_medication(patient=w.patient, name="Metformin")
    _runs_out_in(w, asked, 5)
    refills.request_refill(w.patient.user, w.patient, [asked.id], w.pharmacy.id)
    assert reminders.plan_due() == 0 and _due(w.patient.id) == []


def test_stopping_or_requesting_withdraws_a_queued_reminder():
    w = make_world()
    other = make_medication(patient=w.patient, name="Metformin")
    _runs_out_in(w, w.med, 6)
    _runs_out_in(w, other, 6)
    reminders.plan_due()
    meds.stop(w.staff, w.patient, w.med.id)
    request = refills.request_refill(w.patient.user, w.patient, [other.id], w.pharmacy.id)
    assert {n.status for n in _due(w.patient.id)} == {NotificationStatus.CANCELLED}
    queue.approve(w.staff, w.patient, request.id)  # filled today: the next reminder is weeks away
    assert reminders.plan_due() == 0
