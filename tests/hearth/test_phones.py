"""Phone numbers in E.164 with the practice's country as default region (issue 7, section 6).

The example: `PATCH /api/v1/patients/<id>` with "(555) 010-0123" was stored and texted as typed;
expected stored (and sent) as "+15550100123", shown formatted, impossible numbers refused.
"""

import logging

import pytest
from alembic import command
from marshmallow import Schema
from sqlalchemy import create_engine, select, text

from hearth import db, notify, phones
from hearth.models import Notification, StaffRole
from hearth.schemas.contact import PhoneNumber
from tests.api.test_staff import bearer
from tests.conftest import alembic_config, login
from tests.factories import make_patient, make_practice
from tests.portal.test_staff import enrolled_staff

IMPOSSIBLE = ("This is not a phone number we can use. Check the digits; for a number in another country, "
              "start with + and the country code.")


@pytest.mark.parametrize(("typed", "country", "stored"), [
    ("(555) 010-0123", "US", "+15550100123"),
    (" 555.010.0123 ", "US", "+15550100123"),
    ("+1 555 010 0123", "ES", "+15550100123"),
    ("612 34 56 78", "ES", "+34612345678"),
    ("+44 20 7946 0958", "US", "+442079460958"),
    ("020 7946 0958", "GB", "+442079460958"),
])
def test_to_e164_reads_national_numbers_in_the_practice_country(typed, country, stored):
    assert phones.to_e164(typed, country) == stored


@pytest.mark.parametrize("typed", ["123", "555-0100", "+1 555 010 01234567", "+999 123 4567", "1234567890123456"])
def test_impossible_numbers_are_refused(typed):
    with pytest.raises(phones.PhoneError) as caught:
        phones.to_e164(typed, "US")
    assert str(caught.value.message) == IMPOSSIBLE


def test_display_is_national_at_home_and_international_abroad():
    assert phones.display("+15550100123", "US") == "(555) 010-0123"
    assert phones.display("+34612345678", "US") == "+34 612 34 56 78"
    assert phones.display("+34612345678", "ES") == "612 34 56 78"
    assert phones.display("call the front desk", "US") == "call the front desk"  # a row the migration left
    assert phones.display(None, "US") == ""


def test_the_shared_field_cleans_and_refuses_letters():
    class Form(Schema):
        phone = PhoneNumber(allow_none=True)

    assert Form().load({"phone": " +44 20 7946 0958 "}) == {"phone": "+442079460958"}
    assert Form().load({"phone": "  "}) == {"phone": None}
    assert Form().validate({"phone": "555-CALL-NOW"}) == {
        "phone": ["Enter a phone number with digits, spaces, brackets or dashes."]}
    assert Form().validate({"phone": "+1 23"}) == {"phone": [IMPOSSIBLE]}
    assert Form().validate({"phone": 5550100123}) == {
        "phone": ["Enter a phone number with digits, spaces, brackets or dashes."]}
    assert Form().validate({"phone": "555\x000100123"}) == {  # the shared text field's rule comes first
        "phone": ["Remove the invisible control characters from this text."]}


def test_api_patch_stores_e164_and_refuses_impossible_numbers(client):
    patient = make_patient()
    db.session.commit()
    auth = bearer(client, patient.user)
    r = client.patch(f"/api/v1/patients/{patient.id}", headers=auth, json={"phone": "(555) 010-0123"})
    assert r.status_code == 200, r.json
    assert r.json["patient"]["phone"] == "+15550100123" and patient.phone == "+15550100123"
    bad = client.patch(f"/api/v1/patients/{patient.id}", headers=auth, json={"phone": "555-0100"})
    assert bad.status_code == 422 and bad.json["errors"] == {"phone": [IMPOSSIBLE]}
    assert patient.phone == "+15550100123"


def test_the_practice_country_is_the_default_region(client):
    practice = make_practice(country="ES")
    patient = make_patient(practice=practice)
    db.session.commit()
    r = client.patch(f"/api/v1/patients/{patient.id}", headers=bearer(client, patient.user),
                     json={"phone": "612 34 56 78"})
    assert r.status_code == 200 and patient.phone == "+34612345678"


def test_admins_set_the_country_and_practice_and_location_phones_are_e164(client):
    practice = make_practice()
    admin = enrolled_staff(practice=practice, role=StaffRole.ADMIN)
    db.session.commit()
    auth = bearer(client, admin)
    assert client.get(f"/api/v1/practices/{practice.id}/settings", headers=auth).json["country"] == "US"
    r = client.patch(f"/api/v1/practices/{practice.id}/settings", headers=auth,
                     json={"country": "es", "phone": "912 345 678"})
    assert r.status_code == 200, r.json
    assert (r.json["country"], r.json["phone"]) == ("ES", "+34912345678")
    bad = client.patch(f"/api/v1/practices/{practice.id}/settings", headers=auth, json={"country": "XX"})
    assert bad.status_code == 422 and bad.json["errors"] == {"country": ["Choose a country from the list."]}
    loc = client.post(f"/api/v1/practices/{practice.id}/locations", headers=auth,
                      json={"name": "Centro", "phone": "612 34 56 78"})
    assert loc.status_code == 201, loc.json
    assert loc.json["phone"] == "+34612345678"
    bad = client.patch(f"/api/v1/practices/{practice.id}/locations/{loc.json['id']}", headers=auth,
                       json={"phone": "12"})
    assert bad.status_code == 422 and "phone" in bad.json["errors"]


def test_portal_shows_the_number_formatted_and_keeps_a_refused_one(client):
    patient = make_patient(phone="+15550100123")
    login(client, patient.user)
    page = client.get("/records/profile")
    assert "(555) 010-0123" in page.text and "+15550100123" not in page.text
    form = client.get("/records/profile/edit")
    assert 'value="(555) 010-0123"' in form.text
    bad = client.post("/records/profile/edit", data={"phone": "555-0100", "email": patient.email,
                                                     "preferred_language": "en", "channel_1": "email"})
    assert bad.status_code == 422 and IMPOSSIBLE in bad.text and 'value="555-0100"' in bad.text


def test_migration_converts_existing_numbers_and_leaves_unreadable_ones(tmp_path, caplog):
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    cfg = alembic_config()
    stamp = "'2026-01-01 00:00:00'"
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0006_patient_search_name")
        conn.execute(text("INSERT INTO practice (id, name, slug, timezone, adult_age, minor_full_access_below, "
                          f"created_at, phone) VALUES (1, 'P', 'p', 'UTC', 18, 12, {stamp}, '(555) 010-2000')"))
        conn.execute(text("INSERT INTO location (id, practice_id, name, phone) VALUES "
                          "(1, 1, 'Main', '555 010 2001'), (2, 1, 'Annex', 'ask at the desk')"))
        for pid, phone in [(1, "(555) 010-0123"), (2, "+44 20 7946 0958"), (3, "123"), (4, None),
                           (5, "+15550100125")]:
            conn.execute(text("INSERT INTO patient (id, practice_id, mrn, given_name, family_name, date_of_birth, "
                              "preferred_language, preferred_channels, created_at, phone) VALUES "
                              f"({pid}, 1, 'M{pid}', 'A', 'B', '1990-01-01', 'en', 'sms', {stamp}, :phone)"),
                         {"phone": phone})
        conn.execute(text("INSERT INTO notification (id, patient_id, kind, channel, fallback_channels, template, "
                          "params, locale, to_address, due_at, status, attempts, idempotency_key, created_at) "
                          f"VALUES (1, 1, 'reminder', 'sms', '', 'appointment_reminder', '{{}}', 'en', "
                          f"'(555) 010-0123', {stamp}, 'pending', 0, 'k1', {stamp})"))
    with caplog.at_level(logging.WARNING), engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0008_accounts_phones")
        patients = dict(conn.execute(text("SELECT id, phone FROM patient")).all())
        assert patients == {1: "+15550100123", 2: "+442079460958", 3: "123", 4: None, 5: "+15550100125"}
        assert conn.execute(text("SELECT phone, country FROM practice")).one() == ("+15550102000", "US")
        assert dict(conn.execute(text("SELECT id, phone FROM location")).all()) == {
            1: "+15550102001", 2: "ask at the desk"}
        assert conn.execute(text("SELECT to_address FROM notification")).scalar_one() == "+15550100123"
    engine.dispose()
    said = caplog.text
    assert "1 patient phone number(s) could not be read" in said and "(ids 3)" in said
    assert "1 location phone number(s) could not be read" in said and "(ids 2)" in said


def test_queued_sms_rows_use_e164(db_session):
    patient = make_patient(preferred_channels="sms", phone="+15550100126")
    row = notify.enqueue(key="sms-q", kind="reminder", template="appointment_reminder", user=patient.user,
                         patient=patient)
    assert db_session.scalar(select(Notification.to_address).where(Notification.id == row.id)) == "+15550100126"


def test_portal_settings_choose_the_country_in_the_viewers_language(client):
    from tests.portal.test_staff import sign_in

    practice = make_practice(name="Oak Clinic")
    admin = enrolled_staff(practice=practice, role=StaffRole.ADMIN, locale="es")
    sign_in(client, admin)
    page = client.get("/settings/practice")
    assert page.status_code == 200 and '<option value="US" selected>Estados Unidos</option>' in page.text
    assert '<option value="MX" >México</option>' in page.text
    form = {"name": "Oak Clinic", "phone": "55 1234 5678", "country": "MX", "timezone": "America/Mexico_City",
            "minor_full_access_below": "12", "adult_age": "18"}
    saved = client.post(f"/settings/practice/{practice.id}", data=form)
    assert saved.status_code == 302 and (practice.country, practice.phone) == ("MX", "+525512345678")
    shown = client.get("/settings/practice")
    assert 'value="55 1234 5678"' in shown.text
    bad = client.post(f"/settings/practice/{practice.id}", data={**form, "phone": "12"})
    assert bad.status_code == 422 and "Este no es un número de teléfono que podamos usar." in bad.text
