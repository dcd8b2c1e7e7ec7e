"""Financing offers appear wherever an estimate or a balance reaches an offer's minimum: the statement,
the balance page, the price-estimate result; and the API tells the app where to read them."""

from __future__ import annotations

from hearth import db
from hearth.models import ServiceCategory
from hearth.services.estimates import saved
from tests.api.test_staff import bearer
from tests.conftest import login
from tests.estimates.conftest import make_item
from tests.financing.helpers import make_offer


def _with_offer(world):
    make_offer(practice=world.practice)
    db.session.commit()


def test_statement_and_balance_show_offers_for_a_large_balance(client, world):
    _with_offer(world)
    statement = world.statement(300_000)  # $3,000
    login(client, world.patient.user)
    html = client.get(f"/billing/statements/{statement.id}").get_data(as_text=True)
    assert "$145.32" in html and "Subject to credit approval." in html and "place=statement" in html
    assert "/financing/pay-over-time?amount_cents=300000" in html
    assert 'rel="noopener noreferrer"' in html and "interest-free" not in html.lower()
    index = client.get("/billing").get_data(as_text=True)
    assert "place=balance" in index and "$145.32" in index
    assert "/financing/pay-over-time?amount_cents=300000" in index


def test_small_balance_or_no_offer_shows_none(client, world):
    statement = world.statement(50_000)  # no offer set up yet
    login(client, world.patient.user)
    assert "Subject to credit approval." not in client.get(f"/billing/statements/{statement.id}").get_data(
        as_text=True)
    assert "pay-over-time?amount_cents" not in client.get("/billing").get_data(as_text=True)
    _with_offer(world)
    small = world.statement(10_000)  # $100: below the $200 minimum
    assert "Subject to credit approval." not in client.get(f"/billing/statements/{small.id}").get_data(as_text=True)


def test_price_estimate_result_shows_offers(client, world):
    _with_offer(world)
    item = make_item(world.practice, "29881", "Knee scope", ServiceCategory.PROCEDURE, 120_000)
    db.session.commit()
    estimate = saved.estimate_services(world.patient.user, world.patient, [{"fee_item_id": item.id}])
    login(client, world.patient.user)
    html = client.get(f"/estimates/{estimate.id}").get_data(as_text=True)
    assert "$1,200.00" in html and "$100.00" in html and "place=estimate" in html
    assert "No interest if paid in full within 12 months." in html


def test_api_statement_and_estimate_link_to_the_offers(client, world):
    _with_offer(world)
    statement = world.statement(300_000)
    headers = bearer(client, world.patient.user)
    body = client.get(f"/api/v1/statements/{statement.id}", headers=headers).json
    url = body["financing_offers_url"]
    assert url and "amount_cents=300000" in url and "place=statement" in url
    offers = client.get(url.split("localhost", 1)[-1], headers=headers).json
    examples = {(e["kind"], e["months"]): e["monthly_cents"] for e in offers["offers"][0]["examples"]}
    assert examples[("fixed_apr", 24)] == 14_532 and examples[("deferred", 12)] == 25_000
    item = make_item(world.practice, "29881", "Knee scope", ServiceCategory.PROCEDURE, 120_000)
    db.session.commit()
    r = client.post(f"/api/v1/patients/{world.patient.id}/estimates", headers=headers,
                    json={"services": [{"fee_item_id": item.id}]})
    assert r.status_code == 201 and "amount_cents=120000" in r.json["financing_offers_url"]
    small = make_item(world.practice, "99211", "Nurse visit", ServiceCategory.OFFICE_VISIT, 2_500)
    db.session.commit()
    r = client.post(f"/api/v1/patients/{world.patient.id}/estimates", headers=headers,
                    json={"services": [{"fee_item_id": small.id}]})
    assert r.json["financing_offers_url"] is None
