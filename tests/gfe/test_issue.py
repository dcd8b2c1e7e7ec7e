from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hearth import db
from hearth.clock import utcnow
from hearth.errors import Invalid, NotFound
from hearth.models import GoodFaithEstimate
from hearth.services.gfe import issue, records
from hearth.services.gfe.pdf import document, render
from hearth.services.gfe.timing import add_business_days
from hearth.services.scheduling.booking import SlotChoice, book
from tests.estimates.conftest import insure
from tests.factories import make_grant, make_patient
from tests.gfe.conftest import NPI
from tests.scheduling.conftest import NY, local


def _choice(clinic, day):
    return SlotChoice(clinic.visit.id, clinic.provider.id, local(day, 10), clinic.location.id)


def _business_day_ahead(n):
    return add_business_days(utcnow().astimezone(NY).date(), n)


def _count(patient):
    return db.session.scalar(select(func.count()).select_from(GoodFaithEstimate)
                             .where(GoodFaithEstimate.patient_id == patient.id))


def test_booking_3_business_days_out_issues_a_complete_gfe(selfpay):
    clinic, patient = selfpay.clinic, selfpay.patient
    appointment = book(patient.user, patient, _choice(clinic, _business_day_ahead(5)))
    gfe = db.session.scalar(select(GoodFaithEstimate).where(GoodFaithEstimate.appointment_id == appointment.id))
    assert gfe.reason == "booking" and gfe.patient_name == patient.full_name
    assert gfe.patient_birth_date == patient.date_of_birth
    assert (gfe.primary_service, gfe.primary_service_code, gfe.scheduled_on) == ("Check-up", "99203",
                                                                               _business_day_ahead(5))
    [convening] = gfe.providers
    assert convening.convening and "Ada Lovelace" in convening.name
    assert (convening.npi, convening.tin, convening.state) == (NPI, "12-3456789", "NY")
    assert convening.location == "Main Street, 1 Main St"
    assert [(i.code_type, i.code, i.quantity, i.charge_cents) for i in convening.items] == [
        ("CPT", "99203", 1, 15_000), ("CPT", "80053", 2, 8_000)]
    assert gfe.total_cents == 23_000 and gfe.contact == "Billing office, 555-0100"
    assert gfe.due_by == add_business_days(utcnow().astimezone(NY).date(), 1)


def test_no_gfe_for_a_visit_fewer_than_3_business_days_out_or_for_insured_patients(selfpay):
    clinic, patient = selfpay.clinic, selfpay.patient
    book(patient.user, patient, _choice(clinic, _business_day_ahead(2)))
    assert _count(patient) == 0
    insured = make_patient(practice=clinic.practice)
    insure(insured)
    db.session.commit()
    book(insured.user, insured, _choice(clinic, _business_day_ahead(6)))
    assert _count(insured) == 0


def test_on_request_for_a_visit_and_for_a_visit_type(selfpay):
    clinic, patient = selfpay.clinic, selfpay.patient
    appointment = book(patient.user, patient, _choice(clinic, _business_day_ahead(1)))
    gfe = issue.request(patient.user, patient, appointment_id=appointment.id, diagnosis_codes="E11.9",
                        separately_scheduled="Physical therapy")
    assert gfe.reason == "request" and gfe.diagnosis_codes == "E11.9"
    assert gfe.providers[0].items[0].diagnosis_codes == "E11.9"
    assert issue.request(patient.user, patient, appointment_id=appointment.id).id == gfe.id  # one per visit
    unbooked = issue.request(patient.user, patient, visit_type_id=clinic.visit.id)
    assert unbooked.scheduled_on is None and unbooked.appointment_id is None
    assert [g.id for g in records.list_for_patient(patient.user, patient)] == [unbooked.id, gfe.id]


def test_insured_patients_are_told_gfes_are_for_self_pay(selfpay):
    clinic = selfpay.clinic
    insured = make_patient(practice=clinic.practice)
    insure(insured)
    db.session.commit()
    with pytest.raises(Invalid):
        issue.request(insured.user, insured, visit_type_id=clinic.visit.id)


def test_others_cannot_read_or_request(selfpay):
    clinic, patient = selfpay.clinic, selfpay.patient
    gfe = issue.request(patient.user, patient, visit_type_id=clinic.visit.id)
    no_billing = make_grant(patient=patient, scopes=("appointments",))
    other = make_patient(practice=clinic.practice)
    db.session.commit()
    from hearth.models import User

    for user in (db.session.get(User, no_billing.caregiver_user_id), other.user):
        with pytest.raises(NotFound):
            records.get(user, patient, gfe.id)
        with pytest.raises(NotFound):
            issue.request(user, patient, visit_type_id=clinic.visit.id)
    with pytest.raises(NotFound):
        records.get(other.user, other, gfe.id)  # not hers


@pytest.mark.parametrize(("language", "words"), [
    ("en", ["Good Faith Estimate", "Date of birth", "May 17, 1980", "Primary service", "Check-up (99203)",
            "Convening provider", "NPI: 1234567893", "12-3456789", "CPT 99203", "New patient visit", "$150.00",
            "Blood test (metabolic panel)", "$80.00", "Total estimated charges: $230.00",
            "Items or services to be scheduled separately", "$400 or more", "within 120 days", "not a contract",
            "This is only an estimate", "other items or services"]),
    ("es", ["Estimado de buena fe", "17 de mayo de 1980", "Consulta de paciente nuevo", "Análisis de sangre",
            "$400 o más", "120 días", "no es un contrato", "solo un estimado"]),
])
def test_pdf_says_every_required_part(selfpay, language, words):
    clinic, patient = selfpay.clinic, selfpay.patient
    patient.preferred_language = language
    db.session.commit()
    appointment = book(patient.user, patient, _choice(clinic, _business_day_ahead(4)))
    gfe_id = db.session.scalar(select(GoodFaithEstimate.id).where(GoodFaithEstimate.appointment_id == appointment.id))
    gfe = records.get(patient.user, patient, gfe_id)
    text = " ".join(document(gfe, language).written)
    missing = [w for w in words if w not in text]
    assert not missing, text
    data = render(gfe, language)
    assert data.startswith(b"%PDF-") and len(data) > 2_000


def test_scheduled_date_uses_the_clinic_zone(selfpay):
    clinic, patient = selfpay.clinic, selfpay.patient
    day = _business_day_ahead(4)
    appointment = book(patient.user, patient, SlotChoice(clinic.visit.id, clinic.provider.id, local(day, 9),
                                                         clinic.location.id))
    gfe = db.session.scalar(select(GoodFaithEstimate).where(GoodFaithEstimate.appointment_id == appointment.id))
    assert gfe.scheduled_on == day and appointment.starts_at - timedelta(hours=1) < appointment.ends_at


def test_a_moved_visit_gets_a_new_gfe_and_the_old_one_is_kept(selfpay):
    from hearth.services.scheduling.booking import reschedule

    clinic, patient = selfpay.clinic, selfpay.patient
    appointment = book(patient.user, patient, _choice(clinic, _business_day_ahead(5)))
    first = db.session.scalar(select(GoodFaithEstimate).where(GoodFaithEstimate.appointment_id == appointment.id))
    first_id = first.id
    new_day = _business_day_ahead(7)
    reschedule(patient.user, patient, appointment.id, local(new_day, 11))
    current = db.session.scalar(select(GoodFaithEstimate).where(GoodFaithEstimate.appointment_id == appointment.id))
    assert current.id != first_id and current.scheduled_on == new_day
    assert db.session.get(GoodFaithEstimate, first_id).appointment_id is None
    reschedule(patient.user, patient, appointment.id, local(new_day, 14))  # same day and provider: kept
    assert db.session.scalar(select(GoodFaithEstimate.id).where(
        GoodFaithEstimate.appointment_id == appointment.id)) == current.id
