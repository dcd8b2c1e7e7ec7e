from sqlalchemy import select

from hearth import db
from hearth.models import GfeSettings, GoodFaithEstimate, StaffRole
from hearth.services.scheduling.booking import book
from tests.conftest import login
from tests.estimates.conftest import insure
from tests.factories import make_patient
from tests.financing.helpers import make_offer
from tests.gfe.test_issue import _business_day_ahead, _choice
from tests.portal.test_staff import enrolled_staff, sign_in


def _booked_gfe(selfpay):
    clinic, patient = selfpay.clinic, selfpay.patient
    appointment = book(patient.user, patient, _choice(clinic, _business_day_ahead(5)))
    db.session.commit()
    return db.session.scalar(select(GoodFaithEstimate).where(GoodFaithEstimate.appointment_id == appointment.id))


def test_patient_sees_her_gfe_and_downloads_the_pdf(client, selfpay):
    gfe = _booked_gfe(selfpay)
    login(client, selfpay.patient.user)
    listing = client.get("/good-faith-estimates/")
    assert listing.status_code == 200 and "Check-up" in listing.get_data(as_text=True)
    page = client.get(f"/good-faith-estimates/{gfe.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for text in ("Pat Doe", "May 17, 1980", "New patient visit", "$150.00", "$230.00", "1234567893", "12-3456789",
                 "not a contract", "$400 or more", "Download PDF"):
        assert text in html, text
    pdf = client.get(f"/good-faith-estimates/{gfe.id}/pdf?lang=es")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    assert "attachment" in pdf.headers["Content-Disposition"]


def test_the_gfe_page_shows_financing_when_the_total_reaches_a_minimum(client, selfpay):
    gfe = _booked_gfe(selfpay)
    make_offer(practice=selfpay.clinic.practice, promotions=(("deferred", 6, None, 20_000),))
    db.session.commit()
    login(client, selfpay.patient.user)
    html = client.get(f"/good-faith-estimates/{gfe.id}").get_data(as_text=True)
    assert "No interest if paid in full within 6 months." in html and "place=gfe" in html


def test_patient_asks_for_one_for_a_visit_type(client, selfpay):
    login(client, selfpay.patient.user)
    page = client.get("/good-faith-estimates/")
    assert f'value="v-{selfpay.clinic.visit.id}"' in page.get_data(as_text=True)
    r = client.post("/good-faith-estimates/request", data={"target": f"v-{selfpay.clinic.visit.id}"})
    assert r.status_code == 302 and "/good-faith-estimates/" in r.headers["Location"]
    bad = client.post("/good-faith-estimates/request", data={"target": "v-abc"})
    assert bad.status_code == 302
    assert db.session.scalar(select(GoodFaithEstimate).where(
        GoodFaithEstimate.patient_id == selfpay.patient.id)).reason == "request"


def test_insured_patient_is_told_to_see_her_cost_estimate(client, selfpay):
    insured = make_patient(practice=selfpay.clinic.practice)
    insure(insured)
    db.session.commit()
    login(client, insured.user)
    page = client.get("/good-faith-estimates/")
    assert "If you have insurance, see your cost estimate instead." in page.get_data(as_text=True)
    r = client.post("/good-faith-estimates/request", data={"target": f"v-{selfpay.clinic.visit.id}"},
                    follow_redirects=True)
    assert "Choose self-pay in your coverage first." in r.get_data(as_text=True)


def test_another_patient_gets_404(client, selfpay):
    gfe = _booked_gfe(selfpay)
    other = make_patient(practice=selfpay.clinic.practice)
    db.session.commit()
    login(client, other.user)
    assert client.get(f"/good-faith-estimates/{gfe.id}").status_code == 404
    assert client.get(f"/good-faith-estimates/{gfe.id}/pdf").status_code == 404


def test_admin_saves_gfe_settings(client, selfpay):
    practice = selfpay.clinic.practice
    admin = enrolled_staff(practice=practice, role=StaffRole.ADMIN)
    db.session.commit()
    sign_in(client, admin)
    assert client.get("/good-faith-estimates/settings").status_code == 200
    bad = client.post(f"/good-faith-estimates/settings?practice={practice.id}",
                      data={"tin": "12", "npi": "1234567890", "state": "ZZ", "contact": ""})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "9-digit tax ID" in text and "valid 10-digit NPI" in text and "NY" in text
    ok = client.post(f"/good-faith-estimates/settings?practice={practice.id}",
                     data={"tin": "98-7654321", "npi": "1234567893", "state": "nj", "contact": "Call 555-0101"})
    assert ok.status_code == 302
    row = db.session.scalar(select(GfeSettings).where(GfeSettings.practice_id == practice.id))
    assert (row.tin, row.state, row.contact) == ("98-7654321", "NJ", "Call 555-0101")


def test_home_shows_a_card_for_a_new_estimate(client, selfpay):
    gfe = _booked_gfe(selfpay)
    login(client, selfpay.patient.user)
    html = client.get("/").get_data(as_text=True)
    assert "Your Good Faith Estimate is ready" in html and f"/good-faith-estimates/{gfe.id}" in html
