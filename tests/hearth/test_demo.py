"""`flask seed-demo`: idempotent, complete enough for the browser tests, and its logins work."""

from __future__ import annotations

import pyotp
from sqlalchemy import func, select

from hearth import db, demo
from hearth.clock import age_on, utcnow
from hearth.models import CaregiverGrant, GrantKind, Patient, Practice, Provider, User
from hearth.services import acting
from tests.conftest import login


def _counts() -> dict[str, int]:
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.Base.metadata.sorted_tables}


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def test_seed_twice_changes_nothing(db_session):
    first = demo.seed()
    counts = _counts()
    hashes = dict(db.session.execute(select(User.email, User.password_hash)).all())
    second = demo.seed()
    assert second == first
    assert _counts() == counts
    assert dict(db.session.execute(select(User.email, User.password_hash)).all()) == hashes
    assert counts["practice"] == 1 and counts["location"] == 2
    assert counts["provider"] == 3 and 18 <= counts["patient"] <= 25


def test_demo_people(db_session):
    demo.seed()
    practice = db.session.scalar(select(Practice).where(Practice.slug == demo.PRACTICE_SLUG))
    assert practice.name == "Hearth Family Medicine" and practice.timezone == "America/New_York"
    patients = db.session.scalars(select(Patient).where(Patient.practice_id == practice.id)).all()
    assert {p.preferred_language for p in patients} == {"en", "es"}
    assert all(p.primary_provider_id and p.mrn and p.phone for p in patients)
    today = utcnow().date()
    ages = {p.given_name: age_on(p.date_of_birth, today) for p in patients}
    assert ages["Lily"] == 9 and ages["Ethan"] == 15 and max(ages.values()) >= 80
    assert db.session.scalar(select(func.count(Provider.id)).where(Provider.practice_id == practice.id)) == 3

    nurse = _user(demo.NURSE_EMAIL)
    assert any(p.user_id == nurse.id for p in patients) and nurse.memberships
    for email in (demo.ADMIN_EMAIL, demo.PROVIDER_EMAIL, demo.FRONT_DESK_EMAIL, demo.NURSE_EMAIL):
        assert _user(email).totp_enabled and _user(email).totp_secret == demo.totp_secret()

    caregiver = _user(demo.CAREGIVER_EMAIL)
    people = acting.people_for(caregiver)
    assert [p.patient.full_name for p in people] == ["Margaret Brooks", "Walter Brooks"]
    scopes = {p.patient.given_name: set(p.grant.scope_list) for p in people}
    assert scopes["Walter"] == {"appointments", "messages"} and scopes["Margaret"] != scopes["Walter"]

    parent = _user(demo.PARENT_EMAIL)
    kinds = db.session.scalars(select(CaregiverGrant.kind).where(CaregiverGrant.caregiver_user_id == parent.id)).all()
    assert kinds == [GrantKind.GUARDIAN, GrantKind.GUARDIAN]
    assert [p.patient.given_name for p in acting.people_for(parent)] == ["David", "Ethan", "Lily"]


def test_demo_logins_work(client, db_session):
    demo.seed()
    patient = _user(demo.PATIENT_EMAIL)
    assert login(client, patient, password=demo.DEMO_PASSWORD).status_code == 302
    assert b"HFM-000101" in client.get("/").data

    otp = pyotp.TOTP(demo.totp_secret()).now()
    r = client.post("/api/v1/auth/token", json={"email": demo.PROVIDER_EMAIL, "password": demo.DEMO_PASSWORD,
                                                "otp": otp})
    assert r.status_code == 201, r.json
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {r.json['access_token']}"}).json
    assert me["two_factor_enabled"] and me["memberships"][0]["role"] == "provider"


def test_seed_if_empty_flag(app, db_session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert demo.PATIENT_EMAIL in first.output and demo.totp_secret() in first.output
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "demo data not added" in again.output


def test_demo_tells_the_story(db_session):
    """Adults are not the pediatrician's; the children have birthdays of their own; the searches the
    README mentions find someone."""
    from hearth.services import patients

    demo.seed()
    practice = db.session.scalar(select(Practice).where(Practice.slug == demo.PRACTICE_SLUG))
    everyone = db.session.scalars(select(Patient).where(Patient.practice_id == practice.id)).all()
    today = utcnow().date()
    adults = [p for p in everyone if age_on(p.date_of_birth, today) >= 18]
    minors = [p for p in everyone if age_on(p.date_of_birth, today) < 18]
    assert adults and all(p.primary_provider.specialty != "Pediatrics" for p in adults)
    assert len(minors) == 3 and len({(p.date_of_birth.month, p.date_of_birth.day) for p in minors}) == 3
    admin = _user(demo.ADMIN_EMAIL)

    def found(query):
        return {p.full_name for p in patients.practice_patients(admin, practice.id, query=query).page.items}

    assert found("lopez") == {"Ana López"}
    assert found("obrien") == {"Michael O'Brien"}
    assert found("000101") == {"Emily Carter"}


def test_demo_practice_texts_read_in_spanish(db_session):
    """María (Spanish) saw "Annual physical", "Downtown clinic" and English instructions on Spanish pages:
    the demo practice now enters its texts in Spanish too, as the settings allow."""
    from hearth import texts
    from hearth.models import Location, VisitType

    demo.seed()
    physical = db.session.scalar(select(VisitType).where(VisitType.name == "Annual physical"))
    assert texts.localized(physical, "name", "es") == "Examen físico anual"
    assert texts.localized(physical, "instructions", "es") == "Llegue 10 minutos antes y traiga su tarjeta del seguro."
    assert texts.localized(physical, "name", "en") == "Annual physical"
    assert [q["text"] for q in texts.localized_questions(physical, "es")] == [
        "¿Han cambiado sus medicamentos desde su última visita?", "¿Hay algo de lo que quiera hablar?"]
    names = {texts.localized(loc, "name", "es") for loc in db.session.scalars(select(Location))}
    assert names == {"Clínica del centro", "Clínica Riverside"}
    every_type = db.session.scalars(select(VisitType)).all()
    assert all(texts.localized(vt, "name", "es") != vt.name for vt in every_type)
