from hearth.models import UserSession
from tests.conftest import login
from tests.factories import make_patient


def test_patient_signs_in_and_sees_her_record(client, db_session):
    patient = make_patient(given_name="Ana", family_name="Lopez")
    response = login(client, patient.user)
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    assert b"Ana Lopez" in page.data
    assert patient.mrn.encode() in page.data


def test_wrong_password_shows_clear_error(client, db_session):
    patient = make_patient()
    response = login(client, patient.user, password="nope")
    assert response.status_code == 200
    assert b"The email or password is incorrect." in response.data


def test_logout_revokes_session(client, db_session):
    patient = make_patient()
    login(client, patient.user)
    client.post("/logout")
    rows = db_session.query(UserSession).all()
    assert rows and all(r.revoked_at is not None for r in rows)
    assert client.get("/").status_code == 302
