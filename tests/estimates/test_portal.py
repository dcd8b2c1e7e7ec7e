"""Portal: the estimate on the booking review, the price estimate tool, insurance pages and the fee schedule."""

import io

from sqlalchemy import select

from hearth import db
from hearth.models import Appointment, CostEstimate, Coverage, CoverageKind, FeeScheduleItem
from tests.conftest import login
from tests.estimates.conftest import PDF, jpeg_bytes
from tests.estimates.test_fee_schedule import HEADER
from tests.factories import make_grant, make_user
from tests.scheduling.conftest import future_day, local


def _review(client, c):
    day = future_day(5)
    slot = f"{c.provider.id}|{c.location.id}|{local(day, 10).isoformat()}"
    return slot, client.get("/appointments/find/review", query_string={"visit_type_id": c.visit.id, "slot": slot})


def test_booking_review_shows_the_estimate_and_booking_ties_it(client, priced):
    c = priced.clinic
    login(client, c.patient.user)
    slot, review = _review(client, c)
    html = review.get_data(as_text=True)
    assert review.status_code == 200
    assert "Your estimated cost:" in html and "$110.00" in html and "<details" in html
    assert "This is an estimate, not a bill." in html and "Blue Cross" in html
    estimate = db.session.scalar(select(CostEstimate).where(CostEstimate.patient_id == c.patient.id))
    assert f'name="estimate_id" value="{estimate.id}"' in html
    r = client.post("/appointments/book", data={"visit_type_id": c.visit.id, "slot": slot,
                                                "estimate_id": estimate.id})
    assert r.status_code == 302
    appointment = db.session.scalar(select(Appointment).where(Appointment.patient_id == c.patient.id))
    db.session.refresh(estimate)
    assert estimate.appointment_id == appointment.id
    detail = client.get(f"/appointments/{appointment.id}").get_data(as_text=True)
    assert "Estimated cost" in detail and f"/estimates/{estimate.id}" in detail


def test_booking_review_in_spanish(client, priced):
    c = priced.clinic
    c.patient.user.locale = "es"
    db.session.commit()
    login(client, c.patient.user)
    html = _review(client, c)[1].get_data(as_text=True)
    assert "Su costo estimado:" in html and "Consulta con su proveedor" in html


def test_caregiver_without_billing_sees_no_estimate(client, priced):
    c = priced.clinic
    helper = make_user()
    make_grant(patient=c.patient, caregiver=helper, scopes=["appointments"])
    db.session.commit()
    login(client, helper)
    html = _review(client, c)[1].get_data(as_text=True)
    assert "estimated cost" not in html
    assert client.get("/estimates").status_code == 404
    assert client.get("/insurance").status_code == 404


def test_estimate_tool(client, priced):
    c = priced.clinic
    login(client, c.patient.user)
    page = client.get("/estimates").get_data(as_text=True)
    assert "Check-up" in page and "Blood test (metabolic panel)" in page
    r = client.post("/estimates", data={"choice": "visit", "visit_type_id": c.visit.id})
    assert r.status_code == 302
    shown = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "$110.00" in shown and "Estimated on" in shown
    r = client.post("/estimates", data={"choice": "services", "service": [str(priced.lab.id)]})
    assert r.status_code == 302 and "$80.00" in client.get(r.headers["Location"]).get_data(as_text=True)
    bad = client.post("/estimates", data={"choice": "services"})
    assert bad.status_code == 422 and "Choose" in bad.get_data(as_text=True)
    assert "$110.00" in client.get("/estimates/saved").get_data(as_text=True)


def test_insurance_pages(client, clinic, card_storage):
    patient = clinic.patient
    login(client, patient.user)
    assert "We don't have any insurance on file yet." in client.get("/insurance").get_data(as_text=True)
    bad = client.post("/insurance/plan", data={"payer_name": "", "member_id": "X1"})
    assert bad.status_code == 422 and 'value="X1"' in bad.get_data(as_text=True)
    r = client.post("/insurance/plan", data={"payer_name": "Aetna", "plan_name": "Choice", "member_id": "W1",
                                             "subscriber_relationship": "self"})
    assert r.status_code == 302
    bad = client.post("/insurance/benefits", data={"deductible": "-5", "coinsurance_percent": "20"})
    assert bad.status_code == 422 and "$0 or more" in bad.get_data(as_text=True)
    bad = client.post("/insurance/benefits", data={"deductible": "10.005"})
    assert bad.status_code == 422
    r = client.post("/insurance/benefits", data={"deductible": "1,000", "deductible_met": "250",
                                                 "coinsurance_percent": "20", "copay_office_visit": "30",
                                                 "oop_max": "4000", "oop_met": "300"})
    assert r.status_code == 302
    cov = db.session.scalar(select(Coverage).where(Coverage.patient_id == patient.id))
    assert (cov.deductible_cents, cov.deductible_met_cents, cov.coinsurance_bp, cov.copays) == (
        100_000, 25_000, 2000, {"office_visit": 3000})
    html = client.get("/insurance").get_data(as_text=True)
    assert "Aetna" in html and "$1,000.00" in html and "Not yet" in html
    refused = client.post("/insurance/card", data={"side": "front", "photo": (io.BytesIO(PDF), "card.jpg")},
                          content_type="multipart/form-data")
    assert refused.status_code == 422
    ok = client.post("/insurance/card", data={"side": "front", "photo": (io.BytesIO(jpeg_bytes()), "c.jpg")},
                     content_type="multipart/form-data")
    assert ok.status_code == 302
    photo = client.get("/insurance/card/front")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert "attachment" in photo.headers["Content-Disposition"]
    assert client.get("/insurance/card/back").status_code == 404
    assert client.post("/insurance/self-pay").status_code == 302
    db.session.refresh(cov)
    assert cov.kind == CoverageKind.SELF_PAY


def test_staff_verify(client, priced):
    c = priced.clinic
    login(client, c.staff)
    assert f"/staff/patients/{c.patient.id}/insurance" in client.get(f"/staff/patients/{c.patient.id}").get_data(
        as_text=True)
    html = client.get(f"/staff/patients/{c.patient.id}/insurance").get_data(as_text=True)
    assert "Blue Cross" in html and "Not yet" in html
    assert client.post(f"/staff/patients/{c.patient.id}/insurance/verify").status_code == 302
    assert "Yes, on" in client.get(f"/staff/patients/{c.patient.id}/insurance").get_data(as_text=True)


def test_fee_schedule_admin(client, priced):
    c = priced.clinic
    login(client, priced.admin)
    html = client.get("/settings/fees").get_data(as_text=True)
    assert "99213" in html and "Import a CSV file" in html
    r = client.post(f"/settings/fees/{c.practice.id}/items/new", data={
        "code_type": "CPT", "code": "99214", "description": "Longer visit", "category": "office_visit",
        "self_pay": "180", "gross_charge": ""})
    assert r.status_code == 302
    bad = client.post(f"/settings/fees/{c.practice.id}/items/new", data={
        "code_type": "CPT", "code": "99215", "description": "Long visit", "category": "office_visit",
        "self_pay": "1.234"})
    assert bad.status_code == 422 and 'value="1.234"' in bad.get_data(as_text=True)
    broken = HEADER + "Flu shot,90686,CPT,o,45,30,,,\nBad,99213,CPT,o,-1,5,,,\n"
    r = client.post(f"/settings/fees/{c.practice.id}/import",
                    data={"file": (io.BytesIO(broken.encode()), "fees.csv")}, content_type="multipart/form-data")
    assert r.status_code == 422 and "Line 3:" in r.get_data(as_text=True)
    assert db.session.scalar(select(FeeScheduleItem).where(FeeScheduleItem.code == "90686")) is None
    good = HEADER + "Flu shot,90686,CPT,o,45,30,,,\n"
    r = client.post(f"/settings/fees/{c.practice.id}/import",
                    data={"file": (io.BytesIO(good.encode()), "fees.csv")}, content_type="multipart/form-data")
    assert r.status_code == 302
    item = db.session.scalar(select(FeeScheduleItem).where(FeeScheduleItem.code == "90686"))
    r = client.post(f"/settings/fees/{c.practice.id}/items/{item.id}/allowed",
                    data={"payer_name": "Aetna", "plan_name": "", "allowed": "25"})
    assert r.status_code == 302 and item.allowed_amounts[0].allowed_cents == 2500
    r = client.post(f"/settings/fees/{c.practice.id}/visit-types/{c.visit.id}",
                    data={f"use_{item.id}": "1", f"qty_{item.id}": "2"})
    assert r.status_code == 302


def test_fee_schedule_refused_to_staff_and_patients(client, priced):
    login(client, priced.clinic.staff)
    assert client.get("/settings/fees").status_code == 403
    login(client, priced.clinic.patient.user)
    assert client.get("/settings/fees").status_code == 403


def test_card_photo_larger_than_the_usual_request_limit(client, clinic, card_storage, app):
    import os

    from PIL import Image

    image = Image.frombytes("RGB", (1100, 1100), os.urandom(1100 * 1100 * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    assert len(out.getvalue()) > app.config["MAX_CONTENT_LENGTH"]
    login(client, clinic.patient.user)
    client.post("/insurance/plan", data={"payer_name": "Aetna"})
    r = client.post("/insurance/card", data={"side": "back", "photo": (io.BytesIO(out.getvalue()), "big.jpg")},
                    content_type="multipart/form-data")
    assert r.status_code == 302
    assert client.get("/insurance/card/back").status_code == 200
    r = client.post("/insurance/plan", data={"x": "y" * (app.config["MAX_CONTENT_LENGTH"] + 10)})
    assert r.status_code == 413  # other forms keep the usual limit
