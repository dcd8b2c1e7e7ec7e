"""A patient's coverage: insurance details, benefits, self-pay, card photos and staff verification."""

import pytest

from hearth import db
from hearth.errors import Invalid, NotFound
from hearth.models import AuditEvent, Coverage, CoverageKind
from hearth.services.estimates import coverage as cov
from tests.estimates.conftest import PDF, jpeg_bytes
from tests.factories import make_grant, make_patient, make_user


@pytest.fixture
def patient(clinic):
    return clinic.patient


def test_patient_records_insurance_and_benefits(clinic, patient):
    assert cov.get(patient.user, patient).coverage is None
    view = cov.save_insurance(patient.user, patient, {"payer_name": "Aetna", "plan_name": "Choice POS",
                                                      "member_id": "W123", "subscriber_relationship": "self"})
    assert view.coverage.kind == CoverageKind.INSURANCE and view.coverage.payer_name == "Aetna"
    view = cov.save_benefits(patient.user, patient, {"deductible_cents": 150_000, "coinsurance_bp": 2000,
                                                     "copays": {"office_visit": 2_500}, "oop_max_cents": 500_000,
                                                     "deductible_met_cents": 50_000, "oop_met_cents": 60_000})
    assert view.deductible_remaining_cents == 100_000 and view.oop_remaining_cents == 440_000
    assert view.coverage.benefits_updated_at is not None
    assert db.session.query(Coverage).filter_by(patient_id=patient.id).count() == 1


@pytest.mark.parametrize("bad", [
    {"deductible_cents": 1000, "deductible_met_cents": 2000},
    {"oop_max_cents": 1000, "oop_met_cents": 2000},
    {"coinsurance_bp": 10_001},
    {"copays": {"spa_day": 100}},
    {"uncovered_categories": ["spa"]},
])
def test_bad_benefits_change_nothing(patient, bad):
    with pytest.raises(Invalid):
        cov.save_benefits(patient.user, patient, bad)
    assert db.session.query(Coverage).filter_by(patient_id=patient.id).count() == 0


def test_payer_required(patient):
    with pytest.raises(Invalid) as err:
        cov.save_insurance(patient.user, patient, {"payer_name": ""})
    assert "payer_name" in err.value.fields


def test_self_pay_choice(patient):
    cov.save_insurance(patient.user, patient, {"payer_name": "Aetna"})
    view = cov.choose_self_pay(patient.user, patient)
    assert view.coverage.kind == CoverageKind.SELF_PAY and view.coverage.payer_name == "Aetna"


def test_staff_verify_and_patient_change_clears_it(clinic, patient):
    with pytest.raises(NotFound):
        cov.verify(clinic.staff, patient)  # nothing on file
    cov.save_insurance(patient.user, patient, {"payer_name": "Aetna"})
    with pytest.raises(NotFound):
        cov.verify(patient.user, patient)
    view = cov.verify(clinic.staff, patient)
    assert view.coverage.verified_by_user_id == clinic.staff.id and view.coverage.verified_at
    cov.save_benefits(clinic.staff, patient, {"deductible_met_cents": 0})
    assert cov.get(patient.user, patient).coverage.verified_at is not None  # staff keep it
    cov.save_insurance(patient.user, patient, {"member_id": "NEW1"})
    assert cov.get(patient.user, patient).coverage.verified_at is None


def test_caregiver_needs_billing(patient):
    helper, payer = make_user(), make_user()
    make_grant(patient=patient, caregiver=helper, scopes=["appointments", "messages"])
    make_grant(patient=patient, caregiver=payer, scopes=["billing"])
    db.session.commit()
    with pytest.raises(NotFound):
        cov.get(helper, patient)
    with pytest.raises(NotFound):
        cov.save_insurance(helper, patient, {"payer_name": "Aetna"})
    assert cov.save_insurance(payer, patient, {"payer_name": "Aetna"}).relation == "caregiver"
    stranger = make_patient(practice=patient.practice)
    db.session.commit()
    with pytest.raises(NotFound):
        cov.get(stranger.user, patient)


def test_card_photos(card_storage, patient):
    view = cov.upload_card(patient.user, patient, "front", jpeg_bytes(), "card.jpg")
    key = view.coverage.card_front_key
    assert key and view.coverage.card_front_type == "image/jpeg"
    photo = cov.card_photo(patient.user, patient, "front")
    assert photo.content_type == "image/jpeg" and b"PhoneMaker" not in photo.data
    assert photo.filename == "insurance-card-front.jpg"
    with pytest.raises(NotFound):
        cov.card_photo(patient.user, patient, "back")
    with pytest.raises(NotFound):
        cov.card_photo(patient.user, patient, "side")
    cov.upload_card(patient.user, patient, "front", jpeg_bytes((0, 0, 0)), "new.jpg")
    assert not (card_storage / key).exists() or key not in [p.name for p in card_storage.rglob("*")]
    assert db.session.query(AuditEvent).filter_by(patient_id=patient.id, action="download").count() == 1


def test_pdf_renamed_jpg_is_refused(card_storage, patient):
    with pytest.raises(Invalid) as err:
        cov.upload_card(patient.user, patient, "front", PDF, "card.jpg")
    assert "photo" in err.value.fields
    assert db.session.query(Coverage).filter_by(patient_id=patient.id).count() == 0
    assert not card_storage.exists() or not any(card_storage.rglob("*.*"))
