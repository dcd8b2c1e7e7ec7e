"""Estimates from the fee schedule and the patient's coverage: amounts, saving, attaching, access."""

import pytest

from hearth import db
from hearth.errors import Invalid, NotFound
from hearth.models import AuditEvent, CostEstimate, CoverageKind
from hearth.services.estimates import pricing, saved
from tests.factories import make_grant, make_patient, make_user
from tests.scheduling.conftest import future_day, local, place


def test_insured_visit_type_estimate(priced):
    c = priced.clinic
    est = saved.estimate_visit_type(c.patient.user, c.patient, c.visit.id)
    # office visit: $30 copay of $150 allowed; lab: $80 allowed, all toward the $600 deductible left
    assert est.basis == pricing.INSURANCE
    assert [(li.code, li.amount_cents, li.patient_cents, li.amount_source) for li in est.lines] == [
        ("99213", 15_000, 3_000, "allowed"), ("80053", 8_000, 8_000, "allowed")]
    assert (est.patient_cents, est.plan_cents, est.allowed_cents) == (11_000, 12_000, 23_000)
    assert est.id is not None and est.deductible_remaining_cents == 60_000
    row = db.session.get(CostEstimate, est.id)
    assert row.inputs["payer_name"] == "Blue Cross" and row.inputs["plan"]["coinsurance_bp"] == 2000
    assert row.lines[0]["code"] == "99213"


def test_same_estimate_is_not_saved_twice(priced):
    c = priced.clinic
    first = saved.estimate_visit_type(c.patient.user, c.patient, c.visit.id)
    second = saved.estimate_visit_type(c.patient.user, c.patient, c.visit.id)
    assert first.id == second.id
    priced.coverage.deductible_met_cents = 100_000
    db.session.commit()
    third = saved.estimate_visit_type(c.patient.user, c.patient, c.visit.id)
    assert third.id != first.id and third.patient_cents == 3_000 + 1_600


def test_unknown_plan_uses_payer_default_then_standard_price(priced):
    c = priced.clinic
    priced.coverage.plan_name = "HMO Silver"
    db.session.commit()
    est = saved.estimate_visit_type(c.patient.user, c.patient, c.visit.id)
    assert [li.amount_source for li in est.lines] == ["standard", "allowed"]
    assert est.uses_standard_prices and est.lines[0].amount_cents == 20_000


def test_self_pay_and_no_coverage_use_self_pay_prices(priced):
    c = priced.clinic
    priced.coverage.kind = CoverageKind.SELF_PAY
    db.session.commit()
    est = saved.estimate_visit_type(c.patient.user, c.patient, c.visit.id)
    assert est.basis == pricing.SELF_PAY and est.patient_cents == 16_000 and est.plan_cents == 0
    other = make_patient(practice=c.practice)
    db.session.commit()
    est = pricing.estimate_for_visit_type(other, c.visit)
    assert est.basis == pricing.NO_COVERAGE and est.patient_cents == 16_000 and est.id is None


def test_uncovered_category(priced):
    c = priced.clinic
    priced.coverage.uncovered_categories = ["lab"]
    db.session.commit()
    est = saved.estimate_visit_type(c.patient.user, c.patient, c.visit.id)
    assert not est.lines[1].covered and est.lines[1].patient_cents == 8_000


def test_unpriced_visit_type_gives_nothing_to_show(priced):
    c = priced.clinic
    assert saved.booking_estimate(c.patient.user, c.patient, c.video.id) is None
    assert db.session.query(CostEstimate).count() == 0


def test_caregiver_needs_billing_scope(priced):
    c = priced.clinic
    helper = make_user()
    make_grant(patient=c.patient, caregiver=helper, scopes=["appointments"])
    db.session.commit()
    assert saved.booking_estimate(helper, c.patient, c.visit.id) is None
    with pytest.raises(NotFound):
        saved.estimate_visit_type(helper, c.patient, c.visit.id)
    billing = make_user()
    make_grant(patient=c.patient, caregiver=billing, scopes=["billing"])
    db.session.commit()
    assert saved.booking_estimate(billing, c.patient, c.visit.id).patient_cents == 11_000


def test_other_practice_visit_type_is_not_found(priced):
    from tests.factories import make_practice
    from tests.scheduling.conftest import make_visit_type

    other = make_visit_type(make_practice(), name="Elsewhere")
    db.session.commit()
    with pytest.raises(NotFound):
        saved.estimate_visit_type(priced.clinic.patient.user, priced.clinic.patient, other.id)


def test_chosen_services(priced):
    c = priced.clinic
    est = saved.estimate_services(c.patient.user, c.patient, [{"fee_item_id": priced.lab.id, "quantity": 2}])
    assert est.lines[0].amount_cents == 16_000 and est.patient_cents == 16_000 and est.visit_type_id is None
    for bad in ([], [{"fee_item_id": priced.lab.id}, {"fee_item_id": priced.lab.id}], [{"fee_item_id": 99999}]):
        with pytest.raises(Invalid):
            saved.estimate_services(c.patient.user, c.patient, bad)


def test_attach_to_appointment_once(priced):
    c = priced.clinic
    est = saved.estimate_visit_type(c.patient.user, c.patient, c.visit.id)
    appt = place(c, local(future_day(), 10))
    other = place(c, local(future_day(), 14))
    db.session.commit()
    tied = saved.attach_to_appointment(c.patient.user, c.patient, est.id, appt.id)
    assert tied.appointment_id == appt.id
    assert saved.attach_to_appointment(c.patient.user, c.patient, est.id, appt.id).appointment_id == appt.id
    with pytest.raises(Invalid):
        saved.attach_to_appointment(c.patient.user, c.patient, est.id, other.id)
    assert saved.for_appointment(c.patient.user, c.patient, appt.id).id == est.id
    video = place(c, local(future_day(8), 10), visit=c.video)
    fresh = saved.estimate_services(c.patient.user, c.patient, [{"fee_item_id": priced.lab.id}])
    db.session.commit()
    assert saved.attach_to_appointment(c.patient.user, c.patient, fresh.id, video.id).appointment_id == video.id


def test_list_and_get_are_audited(priced):
    c = priced.clinic
    est = saved.estimate_visit_type(c.patient.user, c.patient, c.visit.id)
    page = saved.list_estimates(c.patient.user, c.patient)
    assert [e.id for e in page.items] == [est.id] and page.items[0].lines[0].text("es") == "Consulta con su proveedor"
    assert saved.get_estimate(c.patient.user, c.patient, est.id).patient_cents == 11_000
    stranger = make_patient(practice=c.practice)
    db.session.commit()
    with pytest.raises(NotFound):
        saved.get_estimate(stranger.user, stranger, est.id)
    assert db.session.query(AuditEvent).filter_by(resource_type="cost_estimate", patient_id=c.patient.id).count() >= 3
