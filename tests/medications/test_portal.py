"""The portal pages: the patient's Medications area, the staff refill queue and the chart's medications."""

from __future__ import annotations

from sqlalchemy import func, select

from hearth import db
from hearth.models import ControlledSchedule, Medication, Pharmacy, RefillRequest, RefillStatus, StaffRole
from tests.conftest import login
from tests.factories import make_grant, make_user
from tests.medications.helpers import make_medication, make_world
from tests.portal.test_staff import enrolled_staff, sign_in
from tests.querycount import count_queries


def _world():
    w = make_world()
    w.staff = enrolled_staff(practice=w.practice, role=StaffRole.PROVIDER)
    db.session.commit()
    return w


def test_patient_asks_for_a_refill_and_sees_it(client):
    w = _world()
    empty = make_medication(patient=w.patient, name="Metformin", refills_left=0)
    make_medication(patient=w.patient, name="Oxycodone", controlled=ControlledSchedule.II)
    db.session.commit()
    login(client, w.patient.user)
    home = client.get("/")
    assert b'href="/medications"' in home.data
    page = client.get("/medications")
    assert page.status_code == 200 and b"Lisinopril 10 mg tablet" in page.data and b"please call us" in page.data
    form = client.get(f"/medications/refill?medication={w.med.id}")
    assert form.status_code == 200 and f'value="{w.med.id}" checked'.encode() in form.data
    assert b"Oxycodone" in form.data and b"(202) 555-0100" in form.data and b"renewal" in form.data
    bad = client.post("/medications/refill", data={"note": "keep me"})
    assert bad.status_code == 422 and b"keep me" in bad.data and b'href="#f-medication_ids"' in bad.data
    ok = client.post("/medications/refill", data={"medication_ids": [str(w.med.id), str(empty.id)],
                                                   "pharmacy_id": str(w.pharmacy.id), "note": "thanks"})
    assert ok.status_code == 302
    detail = client.get(ok.headers["Location"])
    assert b"Waiting for an answer" in detail.data and b"new prescription (a renewal)" in detail.data
    again = client.post("/medications/refill", data={"medication_ids": [str(w.med.id)],
                                                      "pharmacy_id": str(w.pharmacy.id)})
    assert again.status_code == 422 and b"already has a refill request waiting" in again.data
    assert b"Waiting for an answer" in client.get("/medications/requests").data


def test_pharmacies_page(client):
    w = _world()
    login(client, w.patient.user)
    assert client.get("/medications/pharmacies").status_code == 200
    bad = client.post("/medications/pharmacies/new", data={"name": "Night Rx", "phone": "12"})
    assert bad.status_code == 422 and b"Night Rx" in bad.data
    assert client.post("/medications/pharmacies/new", data={"name": "Night Rx", "phone": "202 555 0111",
                                                             "preferred": "y"}).status_code == 302
    night = db.session.scalar(select(Pharmacy).where(Pharmacy.name == "Night Rx"))
    assert night.preferred and night.phone == "+12025550111"
    assert client.post(f"/medications/pharmacies/{w.pharmacy.id}/preferred").status_code == 302
    assert client.post(f"/medications/pharmacies/{night.id}/edit", data={"name": "Night Pharmacy"}).status_code == 302
    assert client.post(f"/medications/pharmacies/{night.id}/remove").status_code == 302
    assert db.session.scalar(select(func.count(Pharmacy.id))) == 1


def test_caregiver_without_the_scope_sees_no_medications(client):
    w = _world()
    carer = make_user()
    make_grant(patient=w.patient, caregiver=carer, scopes=("appointments",))
    db.session.commit()
    login(client, carer)
    assert b'href="/medications"' not in client.get("/").data
    assert client.get("/medications").status_code == 404
    assert client.post("/medications/refill", data={"medication_ids": [str(w.med.id)],
                                                     "pharmacy_id": str(w.pharmacy.id)}).status_code == 404
    assert db.session.scalar(select(func.count(RefillRequest.id))) == 0


def test_staff_queue_answer_approve_deny(client):
    w = _world()
    from hearth.services.medications import refills

    first = refills.request_refill(w.patient.user, w.patient, [w.med.id], w.pharmacy.id)
    other = make_medication(patient=w.patient, name="Metformin")
    second = refills.request_refill(w.patient.user, w.patient, [other.id], w.pharmacy.id)
    db.session.commit()
    sign_in(client, w.staff)
    queue = client.get("/staff/refills")
    assert queue.status_code == 200 and b"2 requests waiting" in queue.data
    assert queue.data.index(b"Lisinopril") < queue.data.index(b"Metformin")
    answer = f"/staff/refills/patients/{w.patient.id}/requests/{first.id}"
    assert client.get(answer).status_code == 200
    bad = client.post(answer + "/approve", data={f"quantity-{w.med.id}": "lots"})
    assert bad.status_code == 422
    assert client.post(answer + "/approve", data={f"quantity-{w.med.id}": "60", f"refills-{w.med.id}": "1"}
                       ).status_code == 302
    assert first.status == RefillStatus.APPROVED and w.med.quantity == 60
    again = client.post(answer + "/deny", data={"reason": "late"}, follow_redirects=True)
    assert b"already answered" in again.data
    deny = f"/staff/refills/patients/{w.patient.id}/requests/{second.id}/deny"
    assert client.post(deny, data={"reason": ""}).status_code == 422
    assert client.post(deny, data={"reason": "Please come in first."}).status_code == 302
    assert second.status == RefillStatus.DENIED


def test_patient_cannot_open_the_queue_or_answer(client):
    w = _world()
    from hearth.services.medications import refills

    request = refills.request_refill(w.patient.user, w.patient, [w.med.id], w.pharmacy.id)
    db.session.commit()
    login(client, w.patient.user)
    assert client.get("/staff/refills").status_code == 403
    url = f"/staff/refills/patients/{w.patient.id}/requests/{request.id}/approve"
    assert client.post(url).status_code == 403
    assert request.status == RefillStatus.REQUESTED


def test_staff_chart_add_change_stop(client):
    w = _world()
    sign_in(client, w.staff)
    assert b"Medications and refills" in client.get(f"/staff/patients/{w.patient.id}").data
    base = f"/staff/patients/{w.patient.id}/medications"
    assert client.get(base).status_code == 200 and client.get(base + "/new").status_code == 200
    bad = client.post(base + "/new", data={"name": "", "refills_left": "200", "strength": "5 mg"})
    assert bad.status_code == 422 and b"5 mg" in bad.data
    ok = client.post(base + "/new", data={"name": "Amlodipine", "strength": "5 mg", "refills_left": "3",
                                          "supply_days": "30", "last_filled_on": "2026-01-05",
                                          "prescriber_id": str(w.provider.id), "controlled_schedule": ""})
    assert ok.status_code == 302
    med = db.session.scalar(select(Medication).where(Medication.name == "Amlodipine"))
    assert med.prescriber_id == w.provider.id and med.controlled_schedule is None
    edit = client.get(f"{base}/{med.id}/edit")
    assert edit.status_code == 200 and b'value="2026-01-05"' in edit.data
    assert client.post(f"{base}/{med.id}/edit", data={**{"name": "Amlodipine", "strength": "10 mg"},
                                                       "refills_left": "2"}).status_code == 302
    assert med.strength == "10 mg" and med.refills_left == 2
    assert client.post(f"{base}/{med.id}/stop").status_code == 302 and not med.is_active


def test_patient_pages_are_bounded(client):
    w = _world()
    login(client, w.patient.user)
    with count_queries() as few:
        client.get("/medications")
    for i in range(12):
        make_medication(patient=w.patient, name=f"Med {i}", prescriber=w.provider)
    db.session.commit()
    with count_queries() as many:
        assert client.get("/medications").status_code == 200
    assert many.count == few.count


def test_pages_in_spanish(client):
    w = _world()
    w.patient.user.locale = "es"
    db.session.commit()
    login(client, w.patient.user)
    page = client.get("/medications")
    assert b"Sus medicamentos" in page.data and b"Pedir un resurtido" in page.data
    bad = client.post("/medications/refill", data={"pharmacy_id": str(w.pharmacy.id)})
    assert b"Elija de 1 a 20 medicamentos" in bad.data or b"Elija al menos" in bad.data


def test_home_card_for_a_medication_running_out(client):
    from datetime import timedelta

    from hearth.services.medications.common import local_today

    w = _world()
    w.med.last_filled_on = local_today(w.patient) - timedelta(days=w.med.supply_days - 4)
    controlled = make_medication(patient=w.patient, name="Alprazolam", controlled=ControlledSchedule.IV)
    controlled.last_filled_on = w.med.last_filled_on
    db.session.commit()
    login(client, w.patient.user)
    home = client.get("/").data
    assert b"Lisinopril 10 mg tablet runs out soon" in home and b"Alprazolam" not in home
    assert f'href="/medications/refill?medication={w.med.id}"'.encode() in home


def test_needs_a_visit_offers_booking_and_a_denial_shows_its_reason(client):
    from hearth.services.medications import queue, refills

    w = _world()
    other = make_medication(patient=w.patient, name="Metformin")
    visit = refills.request_refill(w.patient.user, w.patient, [w.med.id], w.pharmacy.id)
    denied = refills.request_refill(w.patient.user, w.patient, [other.id], w.pharmacy.id)
    queue.needs_visit(w.staff, w.patient, visit.id)
    queue.deny(w.staff, w.patient, denied.id, "Your kidney test is due first.")
    login(client, w.patient.user)
    page = client.get(f"/medications/requests/{visit.id}").data
    assert b"Needs a visit first" in page and b'href="/appointments/find"' in page
    assert b"Your kidney test is due first." in client.get(f"/medications/requests/{denied.id}").data


def test_staff_list_says_what_the_numbers_are(client):
    """"Refills left: 3 × 30" read as a sum; the quantity is named."""
    w = _world()
    sign_in(client, w.staff)
    body = client.get(f"/staff/patients/{w.patient.id}/medications").get_data(as_text=True)
    assert "3 (quantity 30 each)" in body and "×" not in body


def test_no_refill_button_before_the_care_team_added_a_medication(client, app):
    """With an empty list, "Ask for a refill" led to a form with nothing to choose."""
    from tests.factories import make_patient

    w = _world()
    empty = make_patient(practice=w.practice)
    db.session.commit()
    login(client, empty.user)
    body = client.get("/medications").get_data(as_text=True)
    assert "has not added any medications yet" in body and "/medications/refill" not in body
    other = app.test_client()
    login(other, w.patient.user)
    assert "/medications/refill" in other.get("/medications").get_data(as_text=True)


def test_a_caregiver_adds_her_mothers_pharmacy_not_her_own(client):
    """A caregiver read "Make this my preferred pharmacy" while acting for her mother."""
    w = _world()
    carer = make_user()
    make_grant(patient=w.patient, caregiver=carer, scopes=("medications",))
    db.session.commit()
    login(client, carer)
    page = client.get("/medications/pharmacies/new").get_data(as_text=True)
    assert f"Make this {w.patient.given_name}'s preferred pharmacy" in page and "my preferred" not in page
