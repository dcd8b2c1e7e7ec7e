import re

import pytest
from sqlalchemy import select

from hearth import db
from hearth.models import FinancingClick, FinancingOffer, StaffRole
from tests.conftest import login
from tests.factories import make_patient, make_practice, make_user
from tests.financing.helpers import make_offer
from tests.portal.test_staff import enrolled_staff, sign_in

# Never promise "free" money: forbidden by truth-in-lending practice (and by the issue), in both languages.
FORBIDDEN = re.compile(r"interest[- ]free|free of interest|(?<![\d.,])0\s?%|sin intereses|libre de intereses",
                       re.IGNORECASE)


def _text(page) -> str:
    return re.sub(r"<[^>]+>", " ", page.get_data(as_text=True))


@pytest.mark.parametrize("lang", ["en", "es"])
def test_pay_over_time_shows_examples_with_the_required_wording(client, lang):
    practice = make_practice()
    make_offer(practice=practice)
    make_offer(practice=practice, provider="sunbit", link="https://apply.sunbit.com/oak",
               promotions=(("deferred", 6, None, 20_000), ("fixed_apr", 60, 1690, 100_000)))
    patient = make_patient(practice=practice, preferred_language=lang)
    patient.user.locale = lang
    login(client, patient.user)
    page = client.get("/financing/pay-over-time?amount=5,000")
    html = page.get_data(as_text=True)
    text = _text(page)
    assert page.status_code == 200
    assert not FORBIDDEN.search(text), FORBIDDEN.search(text)
    if lang == "en":
        assert "No interest if paid in full within 12 months." in text
        assert "Interest is charged from the purchase date if the balance is not paid in full within 12 months." in text
        assert "Monthly payment: $123.99" in text and "Total of payments: $7,439.40" in text
        assert "Term: 60 months" in text
        assert "16.90% APR for 60 months" in text and "Subject to credit approval." in text
    else:
        assert "123,99" in text and "16,90\u00a0%" in text and "Sujeto a aprobación de crédito." in text
    assert html.count('target="_blank" rel="noopener noreferrer"') == 2
    small = client.get("/financing/pay-over-time?amount_cents=300000")
    assert ("Monthly payment: $145.32" in _text(small)) if lang == "en" else ("145,32" in _text(small))


def test_deferred_example_and_bad_amounts(client):
    practice = make_practice()
    make_offer(practice=practice)
    patient = make_patient(practice=practice)
    login(client, patient.user)
    text = _text(client.get("/financing/pay-over-time?amount=1200"))
    assert "Monthly payment: $100.00" in text and "Total of payments: $1,200.00" in text and "Term: 12 months" in text
    for bad in ("-5", "12.345", "abc", "0"):
        page = client.get(f"/financing/pay-over-time?amount={bad}")
        assert page.status_code == 422 and "Enter an amount in dollars" in page.get_data(as_text=True)
    assert client.get("/financing/pay-over-time?amount_cents=12.5").status_code == 422
    none = client.get("/financing/pay-over-time?amount=50")
    assert "There are no payment plans for this amount." in _text(none)


def test_the_apply_link_counts_and_redirects_without_a_referrer(client):
    practice = make_practice()
    offer = make_offer(practice=practice)
    patient = make_patient(practice=practice)
    login(client, patient.user)
    r = client.get(f"/financing/go/{offer.id}?place=statement")
    assert r.status_code == 303 and r.headers["Location"] == offer.link
    assert r.headers["Referrer-Policy"] == "no-referrer"
    client.get(f"/financing/go/{offer.id}?place=nonsense")
    rows = db.session.scalars(select(FinancingClick).order_by(FinancingClick.place)).all()
    assert [(c.place, c.count) for c in rows] == [("page", 1), ("statement", 1)]


def test_admin_adds_an_offer_and_sees_counts(client):
    practice = make_practice()
    admin = enrolled_staff(practice=practice, role=StaffRole.ADMIN)
    sign_in(client, admin)
    form = {"provider": "carecredit", "link": "https://www.carecredit.com/go/ABC123/", "disclosure": "Terms apply.",
            "active": "on", "deferred_12": "200", "fixed_apr_0": "14.90", "fixed_months_0": "24",
            "fixed_min_0": "1,000.00"}
    bad = client.post(f"/financing/settings/{practice.id}/offers/new", data={**form, "link": "https://evil.test/x"})
    assert bad.status_code == 422 and "www.carecredit.com" in bad.get_data(as_text=True)
    bad_apr = client.post(f"/financing/settings/{practice.id}/offers/new", data={**form, "fixed_apr_0": "0"})
    assert bad_apr.status_code == 422 and "Enter an APR" in bad_apr.get_data(as_text=True)
    bad_min = client.post(f"/financing/settings/{practice.id}/offers/new", data={**form, "deferred_12": "-3"})
    assert bad_min.status_code == 422
    assert db.session.scalar(select(FinancingOffer)) is None
    saved = client.post(f"/financing/settings/{practice.id}/offers/new", data=form)
    assert saved.status_code == 302
    offer = db.session.scalar(select(FinancingOffer))
    assert [(p.kind, p.months, p.apr_bp, p.min_amount_cents) for p in offer.promotions] == [
        ("deferred", 12, None, 20_000), ("fixed_apr", 24, 1490, 100_000)]
    edit = client.get(f"/financing/settings/{practice.id}/offers/{offer.id}")
    assert 'value="14.90"' in edit.get_data(as_text=True)
    page = client.get("/financing/settings")
    assert page.status_code == 200 and "CareCredit" in page.get_data(as_text=True)


def test_patients_cannot_open_the_settings(client):
    practice = make_practice()
    patient = make_patient(practice=practice)
    login(client, patient.user)
    assert client.get("/financing/settings").status_code == 403
    assert client.get(f"/financing/settings/{practice.id}/offers/new").status_code == 403
    client.post("/logout")
    login(client, make_user())
    assert client.get(f"/financing/settings/{practice.id}/offers/new").status_code == 403
