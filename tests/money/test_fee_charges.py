"""Staff post a completed visit's charges from the fee schedule (domain, portal, API); free entry is only a
fallback while the practice has no fee schedule."""

from __future__ import annotations

import pytest

from hearth import db
from hearth.errors import Conflict, Invalid, NotFound
from hearth.models import AppointmentStatus, Charge, Coverage, CoverageKind, ServiceCategory, StaffRole
from hearth.services.billing import fee_charges, ledger
from tests.api.test_staff import bearer
from tests.conftest import login
from tests.estimates.conftest import allow, make_item
from tests.factories import make_staff


@pytest.fixture
def schedule(world):
    office = make_item(world.practice, "99214", "Office visit", ServiceCategory.OFFICE_VISIT, 15_000, 25_000,
                       es="Consulta")
    lab = make_item(world.practice, "85025", "Blood count test", ServiceCategory.LAB, 3_000)
    allow(office, "Blue Harbor Health", "PPO", 18_000)
    db.session.commit()
    return office, lab


def insure(world, payer="Blue Harbor Health", plan="PPO"):
    db.session.add(Coverage(patient_id=world.patient.id, kind=CoverageKind.INSURANCE, payer_name=payer,
                            plan_name=plan))
    db.session.commit()


def test_prices_self_pay_uninsured_and_insured(world, schedule):
    office, lab = schedule
    by_id = {c.fee_item_id: c for c in fee_charges.choices(world.staff, world.patient.id)}
    assert by_id[office.id].price_cents == 15_000 and by_id[office.id].price_basis == "self_pay"
    assert by_id[office.id].allowed_cents is None
    insure(world)
    by_id = {c.fee_item_id: c for c in fee_charges.choices(world.staff, world.patient.id)}
    assert (by_id[office.id].price_cents, by_id[office.id].allowed_cents) == (25_000, 18_000)
    assert by_id[lab.id].price_cents == 3_000 and by_id[lab.id].allowed_cents is None  # no gross, no contract


def test_post_from_the_schedule_all_or_nothing(world, schedule):
    office, lab = schedule
    world.patient.preferred_language = "es"
    db.session.commit()
    charges = fee_charges.post(world.staff, world.patient.id, appointment_id=world.appointment.id,
                               items=[{"fee_item_id": office.id}, {"fee_item_id": lab.id, "quantity": 2}])
    assert [(c.code, c.description, c.amount_cents) for c in charges] == [
        ("99214", "Consulta", 15_000), ("85025", "Blood count test (× 2)", 6_000)]
    before = db.session.query(Charge).count()
    for bad in ([], [{"fee_item_id": office.id}, {"fee_item_id": office.id}],
                [{"fee_item_id": lab.id, "quantity": 0}]):
        with pytest.raises(Invalid):
            fee_charges.post(world.staff, world.patient.id, appointment_id=world.appointment.id, items=bad)
    with pytest.raises(NotFound):  # another practice's item, or none
        fee_charges.post(world.staff, world.patient.id, appointment_id=world.appointment.id,
                         items=[{"fee_item_id": lab.id}, {"fee_item_id": 999_999}])
    booked = world.visit(AppointmentStatus.BOOKED)
    with pytest.raises(Conflict):
        fee_charges.post(world.staff, world.patient.id, appointment_id=booked.id, items=[{"fee_item_id": lab.id}])
    assert db.session.query(Charge).count() == before


def test_free_entry_only_without_a_fee_schedule(world, schedule):
    with pytest.raises(Invalid):
        ledger.post_charge(world.staff, world.patient.id, appointment_id=world.appointment.id, code="99213",
                           description="Visit", amount_cents=1000)


def test_providers_and_patients_may_not(world, schedule):
    provider = make_staff(practice=world.practice, role=StaffRole.PROVIDER)
    for who in (provider, world.patient.user):
        with pytest.raises((NotFound, Exception)) as info:
            fee_charges.choices(who, world.patient.id)
        assert getattr(info.value, "status", None) in (403, 404)


def test_portal_form(client, world, schedule):
    office, lab = schedule
    insure(world)
    login(client, world.staff)
    page = client.get(f"/staff/patients/{world.patient.id}/billing").get_data(as_text=True)
    assert "Services from the fee schedule" in page and "$250.00" in page and "$180.00" in page
    assert 'name="code"' not in page  # no free entry once there is a schedule
    html = client.get(f"/staff/patients/{world.patient.id}/billing").get_data(as_text=True)
    token = html.split('name="csrf_token" value="')[1].split('"')[0]
    url = f"/staff/patients/{world.patient.id}/billing/fee-charges"
    r = client.post(url, data={"csrf_token": token, "appointment_id": world.appointment.id,
                               "fee_item_id": [office.id, lab.id], f"quantity-{lab.id}": "x"})
    assert r.status_code == 422 and "quantity" in r.get_data(as_text=True)
    assert db.session.query(Charge).count() == 0
    r = client.post(url, data={"csrf_token": token, "appointment_id": world.appointment.id,
                               "fee_item_id": [office.id, lab.id], f"quantity-{lab.id}": "2"})
    assert r.status_code == 303
    assert sorted(c.amount_cents for c in db.session.query(Charge)) == [6_000, 25_000]


def test_api(client, world, schedule):
    office, lab = schedule
    headers = bearer(client, world.staff)
    base = f"/api/v1/patients/{world.patient.id}"
    choices = client.get(base + "/fee-choices", headers=headers)
    assert choices.status_code == 200 and {c["code"] for c in choices.json} == {"99214", "85025"}
    r = client.post(base + "/fee-charges", headers=headers,
                    json={"appointment_id": world.appointment.id, "items": [{"fee_item_id": office.id}]})
    assert r.status_code == 201 and r.json[0]["amount_cents"] == 15_000
    bad = client.post(base + "/fee-charges", headers=headers,
                      json={"appointment_id": world.appointment.id, "items": [{"fee_item_id": lab.id,
                                                                               "quantity": 1.5}]})
    assert bad.status_code == 422
    free = client.post(base + "/charges", headers=headers, json={"appointment_id": world.appointment.id,
                                                                  "code": "99213", "description": "Visit",
                                                                  "amount_cents": 1000})
    assert free.status_code == 422
    patient = client.get(base + "/fee-choices", headers=bearer(client, world.patient.user))
    assert patient.status_code in (403, 404)
