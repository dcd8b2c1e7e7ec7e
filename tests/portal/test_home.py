from datetime import timedelta

from hearth import db
from hearth.clock import utcnow
from hearth.models import AuditEvent, Membership, StaffRole
from tests.conftest import login
from tests.factories import make_grant, make_patient, make_practice, make_user
from tests.portal.test_staff import enrolled_staff, sign_in
from tests.querycount import count_queries


def _opened(staff, patient, minutes_ago):
    db.session.add(AuditEvent(actor_user_id=staff.id, actor_relation="staff", patient_id=patient.id, action="view",
                              resource_type="patient", at=utcnow() - timedelta(minutes=minutes_ago)))
    db.session.flush()


def test_staff_home_shows_counts_and_recently_opened_patients(client):
    oak, elm = make_practice(name="Oak"), make_practice(name="Elm")
    staff = enrolled_staff(practice=oak)
    staff.memberships.append(Membership(practice_id=elm.id, role=StaffRole.PROVIDER))
    oak_patients = [make_patient(practice=oak, given_name=f"Oak{i}", family_name="P", user=None) for i in range(7)]
    elm_patient = make_patient(practice=elm, given_name="Elmo", family_name="P", user=None)
    make_patient(practice=elm, user=None)
    for i, patient in enumerate(oak_patients):
        _opened(staff, patient, minutes_ago=100 - i)  # Oak6 is the latest
    _opened(staff, oak_patients[0], minutes_ago=1)  # opened again: now the latest, listed once
    _opened(staff, elm_patient, minutes_ago=50)
    other = enrolled_staff(practice=oak)
    _opened(other, oak_patients[1], minutes_ago=0)  # someone else's view does not count
    sign_in(client, staff)
    body = client.get("/").get_data(as_text=True)
    assert "7 patients" in body and "2 patients" in body
    oak_part = body[body.index(f'id="practice-{oak.id}"'):]
    oak_part = oak_part[:oak_part.index("</section>")]
    shown = [f"Oak{i}" for i in (0, 6, 5, 4, 3)]
    positions = [oak_part.index(f">{name} P<") for name in shown]
    assert positions == sorted(positions)
    assert ">Oak1 P<" not in oak_part and ">Oak2 P<" not in oak_part
    assert "Elmo P" in body and f"/staff/patients/{elm_patient.id}" in body


def test_staff_home_queries_are_bounded(client):
    practice = make_practice()
    staff = enrolled_staff(practice=practice)
    sign_in(client, staff)
    _opened(staff, make_patient(practice=practice, user=None), 5)
    client.get("/")
    with count_queries() as few:
        client.get("/")
    for i in range(20):
        _opened(staff, make_patient(practice=practice, user=None), 10 + i)
    with count_queries() as many:
        client.get("/")
    assert many.count == few.count


def test_patient_home_teases_recent_access_by_others(client):
    practice = make_practice()
    patient = make_patient(practice=practice, given_name="Ana")
    doctor = enrolled_staff(practice=practice, name="Dr Grey", role=StaffRole.PROVIDER)
    for minutes in (40, 30, 20, 10):
        _opened(doctor, patient, minutes)
    login(client, patient.user)
    body = client.get("/").get_data(as_text=True)
    assert "Recent access to your record" in body
    assert body.count("Dr Grey (Provider): Opened the patient record") == 3
    assert "You:" not in body  # her own visits are in the full log, not the teaser
    assert "/records/access-log" in body


def test_teaser_when_no_one_else_looked(client):
    patient = make_patient()
    login(client, patient.user)
    client.get("/")
    assert b"No one else has opened your record yet." in client.get("/").data


def test_caregiver_home_keeps_the_record_card_without_the_teaser(client):
    patient = make_patient(given_name="Kid", family_name="Doe")
    carer = make_user()
    make_grant(patient=patient, caregiver=carer)
    login(client, carer)
    body = client.get("/").get_data(as_text=True)
    assert "Kid Doe" in body and patient.mrn in body
    assert "Recent access to your record" not in body


def test_home_shows_the_practice_phone_as_people_write_it(client):
    """The record card showed "+15550102000"; the link dials the stored number, the text reads "(555) 010-2000"."""
    practice = make_practice(phone="+15550102000")
    patient = make_patient(practice=practice)
    db.session.commit()
    login(client, patient.user)
    html = client.get("/").get_data(as_text=True)
    assert '<a href="tel:+15550102000">(555) 010-2000</a>' in html


def test_staff_home_counts_up_to_a_bound_and_reads_only_the_latest_openings(client, monkeypatch):
    """Issue 11: the staff home costs the same at 1,000,000 patients and 10,000,000 audit events."""
    from hearth.services import home

    monkeypatch.setattr(home, "COUNT_BOUND", 3)
    monkeypatch.setattr(home, "RECENT_WINDOW", 2)
    big, small = make_practice(name="Big"), make_practice(name="Small")
    staff = enrolled_staff(practice=big)
    staff.memberships.append(Membership(practice_id=small.id, role=StaffRole.PROVIDER))
    olds = [make_patient(practice=big, given_name=f"Old{i}", family_name="P", user=None) for i in range(3)]
    make_patient(practice=big, user=None)
    exactly = [make_patient(practice=small, user=None) for _ in range(3)]
    for i, patient in enumerate(olds):
        _opened(staff, patient, minutes_ago=100 - i)
    _opened(staff, olds[0], minutes_ago=1)
    _opened(staff, exactly[0], minutes_ago=2)
    sign_in(client, staff)
    body = client.get("/").get_data(as_text=True)
    assert "More than 3 patients" in body and "3 patients" in body
    assert ">Old0 P<" in body and ">Old2 P<" not in body  # older than the latest 2 openings
