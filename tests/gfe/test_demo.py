from sqlalchemy import select

from hearth import db, demo
from hearth.models import FinancingOffer, GoodFaithEstimate, Patient
from hearth.services.financing import offers
from hearth.services.gfe.demo import SELF_PAY_MRN


def test_demo_has_a_self_pay_patient_with_a_gfe_and_a_financing_offer(db_session):
    demo.seed()
    patient = db.session.scalar(select(Patient).where(Patient.mrn == SELF_PAY_MRN))
    # the first is for her booked visit; the second (money demo) for a past visit billed $450 above it
    gfe, _billed = db.session.scalars(select(GoodFaithEstimate).where(GoodFaithEstimate.patient_id == patient.id)
                                      .order_by(GoodFaithEstimate.id)).all()
    assert gfe.total_cents > 0 and gfe.providers[0].items and gfe.providers[0].tin == "12-3456789"
    assert gfe.appointment_id is not None and gfe.scheduled_on is not None
    assert db.session.scalar(select(FinancingOffer)) is not None
    [offer] = offers.offers_for(patient.practice_id, 300_000)
    assert [e.monthly_cents for e in offer.examples if e.apr == "14.90"] == [14_532]
    demo.seed()
    assert len(db.session.scalars(select(GoodFaithEstimate)).all()) == 2
