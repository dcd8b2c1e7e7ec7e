"""Staff add, change and stop medications; patients manage pharmacies (one preferred, phones in E.164)."""

from __future__ import annotations

from datetime import date

import pytest

from hearth import db
from hearth.errors import Conflict, Forbidden, Invalid, NotFound
from hearth.models import ControlledSchedule, MedicationStatus
from hearth.services.medications import meds, pharmacies
from tests.factories import make_grant, make_patient, make_practice, make_provider, make_staff
from tests.medications.helpers import make_medication, make_world

NEW = {"name": "Atorvastatin", "strength": "20 mg", "form": "tablet", "instructions": "1 at bedtime",
       "quantity": 30, "refills_left": 5, "supply_days": 30, "last_filled_on": date(2026, 1, 2)}


def test_staff_add_change_stop():
    w = make_world()
    med = meds.add(w.staff, w.patient, {**NEW, "prescriber_id": w.provider.id,
                                        "controlled_schedule": ControlledSchedule.IV})
    assert med.is_controlled and med.runs_out_on == date(2026, 2, 1) and med.created_by_user_id == w.staff.id
    meds.change(w.staff, w.patient, med.id, {"strength": "40 mg", "last_filled_on": date(2026, 3, 1)})
    db.session.flush()
    assert med.label == "Atorvastatin 40 mg tablet" and med.runs_out_on == date(2026, 3, 31)
    meds.stop(w.staff, w.patient, med.id)
    assert med.status == MedicationStatus.STOPPED and med.stopped_at
    with pytest.raises(Conflict):
        meds.change(w.staff, w.patient, med.id, {"strength": "80 mg"})


def test_prescriber_of_another_practice_is_refused():
    w = make_world()
    elsewhere = make_provider(practice=make_practice())
    db.session.commit()
    with pytest.raises(Invalid) as exc:
        meds.add(w.staff, w.patient, {**NEW, "prescriber_id": elsewhere.id})
    assert "prescriber_id" in exc.value.fields


def test_patients_and_caregivers_cannot_change_the_list():
    w = make_world()
    grant = make_grant(patient=w.patient)
    outsider = make_staff(practice=make_practice())
    db.session.commit()
    for user in (w.patient.user, grant.caregiver):
        with pytest.raises(Forbidden):
            meds.add(user, w.patient, NEW)
        with pytest.raises(Forbidden):
            meds.stop(user, w.patient, w.med.id)
    with pytest.raises(NotFound):
        meds.stop(outsider, w.patient, w.med.id)
    assert w.med.is_active


def test_staff_cannot_reach_another_patients_medication_through_this_one():
    w = make_world()
    other = make_patient(practice=w.practice)
    theirs = make_medication(patient=other)
    db.session.commit()
    with pytest.raises(NotFound):
        meds.stop(w.staff, w.patient, theirs.id)
    assert theirs.is_active


def test_list_active_first_with_pending_flag_bounded():
    from hearth.services.medications import refills
    from tests.querycount import count_queries

    w = make_world()
    stopped = make_medication(patient=w.patient, name="Aspirin", status=MedicationStatus.STOPPED)
    refills.request_refill(w.patient.user, w.patient, [w.med.id], w.pharmacy.id)
    with count_queries() as few:
        page = meds.medication_list(w.patient.user, w.patient)
    assert [r.medication.id for r in page.items] == [w.med.id, stopped.id]
    assert page.items[0].refill_pending and not page.items[0].can_request and not page.items[1].can_request
    for i in range(10):
        make_medication(patient=w.patient, name=f"Med {i}", prescriber=w.provider)
    with count_queries() as many:
        page = meds.medication_list(w.patient.user, w.patient)
        [r.medication.prescriber and r.medication.prescriber.display_name for r in page.items]
    assert page.total == 12 and many.count == few.count <= 5


def test_pharmacies_one_preferred_and_phone_in_e164():
    w = make_world()
    second = pharmacies.add(w.patient.user, w.patient, {"name": "Night Pharmacy", "phone": "(202) 555-0199"})
    assert second.phone == "+12025550199" and not second.preferred and w.pharmacy.preferred
    pharmacies.change(w.patient.user, w.patient, second.id, {"preferred": True})
    db.session.refresh(w.pharmacy)
    assert second.preferred and not w.pharmacy.preferred
    assert [p.id for p in pharmacies.pharmacy_list(w.patient.user, w.patient).items] == [second.id, w.pharmacy.id]
    pharmacies.remove(w.patient.user, w.patient, second.id)
    db.session.refresh(w.pharmacy)
    assert w.pharmacy.preferred


def test_first_pharmacy_is_preferred_and_bad_phone_changes_nothing():
    patient = make_patient()
    db.session.commit()
    first = pharmacies.add(patient.user, patient, {"name": "Only One"})
    assert first.preferred
    with pytest.raises(Invalid) as exc:
        pharmacies.add(patient.user, patient, {"name": "Bad", "phone": "123"})
    assert "phone" in exc.value.fields
    assert len(pharmacies.all_for(patient.id)) == 1


def test_another_patients_pharmacy_is_not_found():
    w = make_world()
    other = make_patient(practice=w.practice)
    db.session.commit()
    with pytest.raises(NotFound):
        pharmacies.change(other.user, other, w.pharmacy.id, {"name": "Mine now"})
    with pytest.raises(NotFound):
        pharmacies.remove(other.user, other, w.pharmacy.id)
    assert w.pharmacy.name == "Corner Pharmacy"
