from datetime import date, timedelta

import pytest

from hearth import db
from hearth.clock import utcnow
from hearth.errors import Forbidden, NotFound
from hearth.models import GrantKind, GrantStatus, StaffRole
from hearth.schemas.patients import dates_in
from hearth.services import patients
from tests.factories import make_grant, make_patient, make_practice, make_staff, make_user


def test_dates_in_reads_iso_and_both_slash_orders():
    assert dates_in("1980-05-17") == [date(1980, 5, 17)]
    assert dates_in("05/06/1980") == [date(1980, 5, 6), date(1980, 6, 5)]
    assert dates_in("17/05/1980") == [date(1980, 5, 17)]
    assert dates_in("12/12/1980") == [date(1980, 12, 12)]
    assert dates_in("31/31/1980") == [] and dates_in("Smith") == [] and dates_in("1980") == []


def test_list_needs_a_clinical_role():
    practice = make_practice()
    other_staff = make_staff(practice=make_practice())
    db.session.commit()  # a refused use case rolls back its own transaction only: keep the setup
    with pytest.raises(Forbidden):
        patients.practice_patients(make_user(), None)
    with pytest.raises(Forbidden):
        patients.practice_patients(other_staff, practice.id)


def test_search_treats_wildcards_as_text():
    practice = make_practice()
    staff = make_staff(practice=practice)
    make_patient(practice=practice, family_name="O_Brien", user=None)
    make_patient(practice=practice, family_name="Oxbrien", user=None)
    found = patients.practice_patients(staff, practice.id, query="o_b")
    assert [p.family_name for p in found.page.items] == ["O_Brien"]
    assert patients.practice_patients(staff, practice.id, query="%").page.total == 0


def test_page_arithmetic():
    practice = make_practice()
    staff = make_staff(practice=practice, role=StaffRole.PROVIDER)
    for i in range(5):
        make_patient(practice=practice, family_name=f"F{i}", user=None)
    listing = patients.practice_patients(staff, practice.id, page=3, per_page=2)
    assert [p.family_name for p in listing.page.items] == ["F4"]
    assert (listing.page.pages, listing.page.has_prev, listing.page.has_next) == (3, True, False)
    beyond = patients.practice_patients(staff, practice.id, page=9, per_page=2).page
    assert beyond.items == [] and beyond.total == 5


def test_chart_lists_live_grants_with_their_end():
    practice = make_practice(adult_age=18)
    staff = make_staff(practice=practice)
    child = make_patient(practice=practice, user=None, date_of_birth=date.today() - timedelta(days=365 * 10))
    make_grant(patient=child, kind=GrantKind.GUARDIAN)
    make_grant(patient=child, status=GrantStatus.REVOKED)
    pending = make_grant(patient=child, status=GrantStatus.PENDING)
    pending.caregiver_user_id = None
    chart = patients.chart(staff, child.id)
    kinds = sorted((c.kind, c.status) for c in chart.caregivers)
    assert kinds == [("guardian", "active"), ("proxy", "pending")]
    guardian = next(c for c in chart.caregivers if c.kind == "guardian")
    assert guardian.ends_at is not None and guardian.ends_at > utcnow() + timedelta(days=365 * 7)
    assert next(c for c in chart.caregivers if c.status == "pending").name == pending.invited_email


def test_chart_refuses_non_staff_and_wrong_practice():
    practice, other = make_practice(), make_practice()
    patient = make_patient(practice=practice)
    staff = make_staff(practice=practice)
    db.session.commit()  # a refused use case rolls back its own transaction only: keep the setup
    with pytest.raises(NotFound):
        patients.chart(patient.user, patient.id)  # the patient herself is not staff
    with pytest.raises(NotFound):
        patients.chart(staff, patient.id, practice_id=other.id)
    with pytest.raises(NotFound):
        patients.chart(staff, 10**9)
