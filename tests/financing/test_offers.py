from datetime import date

import pytest
from sqlalchemy import select

from hearth import db
from hearth.errors import Forbidden, Invalid, NotFound
from hearth.models import FinancingClick, FinancingOffer, StaffRole
from hearth.schemas.financing import OfferInputSchema
from hearth.services.financing import offers
from tests.factories import make_grant, make_patient, make_practice, make_staff, make_user
from tests.financing.helpers import DISCLOSURE, make_offer

INPUT = {"provider": "carecredit", "link": "https://www.carecredit.com/go/ABC123/", "disclosure": DISCLOSURE,
         "promotions": [{"kind": "deferred", "months": 12, "min_amount_cents": 20_000},
                        {"kind": "fixed_apr", "months": 24, "apr": "14.9", "min_amount_cents": 100_000}]}


def test_admin_saves_an_offer():
    practice = make_practice()
    admin = make_staff(practice=practice, role=StaffRole.ADMIN)
    offer = offers.save_offer(admin, practice.id, OfferInputSchema().load(INPUT))
    assert [(p.kind, p.months, p.apr_bp, p.min_amount_cents) for p in offer.promotions] == [
        ("deferred", 12, None, 20_000), ("fixed_apr", 24, 1490, 100_000)]
    changed = offers.save_offer(admin, practice.id, OfferInputSchema().load({**INPUT, "provider": "sunbit",
                                                                              "link": "https://apply.sunbit.com/oak"}),
                                offer.id)
    assert changed.id == offer.id and changed.provider == "sunbit"


def test_a_link_on_an_unknown_host_is_refused_and_nothing_is_saved():
    practice = make_practice()
    admin = make_staff(practice=practice, role=StaffRole.ADMIN)
    with pytest.raises(Invalid) as caught:
        offers.save_offer(admin, practice.id, OfferInputSchema().load({**INPUT, "link": "https://evil.test/go"}))
    assert "www.carecredit.com" in caught.value.fields["link"][0]
    assert db.session.scalar(select(FinancingOffer).where(FinancingOffer.practice_id == practice.id)) is None


def test_only_admins_change_offers():
    practice = make_practice()
    other = make_offer(practice=make_practice())
    admin = make_staff(practice=practice, role=StaffRole.ADMIN)
    users = (make_staff(practice=practice), make_staff(practice=make_practice(), role=StaffRole.ADMIN), make_user())
    with pytest.raises(NotFound):  # (each refusal rolls the test's data back: keep them last)
        offers.delete_offer(admin, practice.id, other.id)
    for user in users:
        with pytest.raises(Forbidden):
            offers.save_offer(user, practice.id, OfferInputSchema().load(INPUT))


@pytest.mark.parametrize(("change", "field"), [
    ({"kind": "deferred", "months": 9}, "months"),
    ({"kind": "fixed_apr", "months": 24, "apr": "0"}, "apr"),
    ({"kind": "fixed_apr", "months": 24, "apr": "abc"}, "apr"),
    ({"kind": "fixed_apr", "months": 24}, "apr"),
    ({"kind": "deferred", "months": 12, "min_amount_cents": -5}, "min_amount_cents"),
    ({"kind": "deferred", "months": 12, "min_amount_cents": 12.5}, "min_amount_cents"),
])
def test_bad_promotions_are_refused(change, field):
    from marshmallow import ValidationError

    promotion = {"min_amount_cents": 20_000, **change}
    with pytest.raises(ValidationError) as caught:
        OfferInputSchema().load({**INPUT, "promotions": [promotion]})
    assert field in caught.value.messages["promotions"][0]


def test_offers_for_an_amount_show_the_promotions_it_reaches():
    practice = make_practice()
    make_offer(practice=practice)
    make_offer(practice=practice, active=False)
    assert offers.offers_for(practice, 10_000) == []  # below every minimum
    small = offers.offers_for(practice, 120_000)
    assert [(e.kind, e.months, e.monthly_cents) for e in small[0].examples] == [
        ("deferred", 12, 10_000), ("fixed_apr", 24, 5_813)]
    large = offers.offers_for(practice, 500_000)
    assert len(large) == 1 and large[0].provider_name == "CareCredit"
    assert [(e.apr, e.months, e.monthly_cents, e.total_cents) for e in large[0].examples][1:] == [
        ("14.90", 24, 24_220, 581_280), ("16.90", 60, 12_399, 743_940)]


def test_following_a_link_counts_per_offer_place_and_day_without_the_patient():
    practice = make_practice()
    offer = make_offer(practice=practice)
    patient = make_patient(practice=practice)
    assert offers.follow(patient.user, patient, offer.id, "page") == offer.link
    offers.follow(patient.user, patient, offer.id, "page")
    offers.follow(patient.user, patient, offer.id, "statement")
    rows = db.session.scalars(select(FinancingClick).where(FinancingClick.offer_id == offer.id)
                              .order_by(FinancingClick.place)).all()
    assert [(r.place, r.count) for r in rows] == [("page", 2), ("statement", 1)]
    assert not {"patient_id", "user_id"} & set(FinancingClick.__table__.columns.keys())
    admin = make_staff(practice=practice, role=StaffRole.ADMIN)
    counts = offers.click_counts(admin, practice.id)
    assert {(c.place, c.count, c.day) for c in counts} == {("page", 2, date.today()), ("statement", 1, date.today())}


@pytest.mark.parametrize("who", ["caregiver_without_billing", "other_patient", "foreign_offer"])
def test_only_people_with_billing_access_follow_their_practices_offers(who):
    practice = make_practice()
    offer = make_offer(practice=practice)
    patient = make_patient(practice=practice)
    user = patient.user
    if who == "caregiver_without_billing":
        grant = make_grant(patient=patient, scopes=("appointments",))
        user = db.session.get(type(patient.user), grant.caregiver_user_id)
    elif who == "other_patient":
        user = make_patient(practice=practice).user
    else:
        offer = make_offer(practice=make_practice())
    with pytest.raises(NotFound):
        offers.follow(user, patient, offer.id, "page")
    assert db.session.scalar(select(FinancingClick)) is None


def test_pay_over_time_needs_access_to_the_patient():
    practice = make_practice()
    make_offer(practice=practice)
    patient = make_patient(practice=practice)
    assert offers.pay_over_time(patient.user, patient, 300_000)[0].examples[0].monthly_cents == 25_000
    with pytest.raises(NotFound):
        offers.pay_over_time(make_patient(practice=practice).user, patient, 300_000)
