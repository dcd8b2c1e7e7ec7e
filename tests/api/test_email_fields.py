"""Every email field trims surrounding spaces and lower-cases, API and portal alike (issue 7, section 6)."""

import importlib
import inspect
import pkgutil

from marshmallow import Schema
from sqlalchemy import select

import hearth.schemas
from hearth import db
from hearth.models import CaregiverGrant, Notification
from hearth.schemas.contact import EmailAddress
from tests.api.test_staff import bearer
from tests.factories import PASSWORD, make_patient, make_user

SPACED = " Tomas.Reyes@Example.test "


def _tomas():
    user = make_user(email="tomas.reyes@example.test")
    db.session.commit()
    return user


def test_api_sign_in_with_surrounding_spaces(client):
    _tomas()
    r = client.post("/api/v1/auth/token", json={"email": " tomas.reyes@example.test", "password": PASSWORD})
    assert r.status_code == 201, r.json
    r = client.post("/api/v1/auth/token", json={"email": SPACED, "password": PASSWORD})
    assert r.status_code == 201, r.json


def test_portal_sign_in_with_surrounding_spaces(client):
    _tomas()
    r = client.post("/login", data={"email": SPACED, "password": PASSWORD})
    assert r.status_code == 302


def test_reset_request_with_surrounding_spaces_reaches_the_account(client):
    user = _tomas()
    assert client.post("/api/v1/auth/password-reset", json={"email": SPACED}).status_code == 202
    assert client.post("/forgot-password", data={"email": SPACED}).status_code == 302
    rows = db.session.scalars(select(Notification).where(Notification.template == "password_reset")).all()
    # Addressed to the account's (trimmed) email, the same way as for an unknown address (no enumeration).
    assert rows and {row.to_address for row in rows} == {user.email}


def test_caregiver_invitation_and_patient_contact_email_are_trimmed(client):
    patient = make_patient()
    db.session.commit()
    auth = bearer(client, patient.user)
    invited = client.post(f"/api/v1/patients/{patient.id}/caregivers", headers=auth,
                          json={"email": "  Helper@Example.com ", "scopes": ["billing"]})
    assert invited.status_code == 201, invited.json
    grant = db.session.get(CaregiverGrant, invited.json["id"])
    assert grant.invited_email == "helper@example.com"
    r = client.patch(f"/api/v1/patients/{patient.id}", headers=auth, json={"email": " Ana@Example.TEST "})
    assert r.status_code == 200, r.json
    assert patient.email == "ana@example.test"


def test_a_bad_email_names_the_field_with_a_clear_message(client):
    r = client.post("/api/v1/auth/token", json={"email": "not an email", "password": "x"})
    assert r.status_code == 422
    assert r.json["errors"]["email"] == ["Enter an email address like name@example.com."]
    long = client.post("/api/v1/auth/password-reset", json={"email": "a" * 250 + "@example.test"})
    assert long.status_code == 422 and "email" in long.json["errors"]


# Schemas that only describe what the API returns; every other email field is an input.
OUTPUT_ONLY = {"AccountSchema.email", "AccountSchema.pending_email", "CaregiverSchema.email",
               "GrantSchema.invited_email", "InvitationSchema.invited_email", "DemographicsSchema.email",
               "MeSchema.email", "PatientContactSchema.email", "CaregiverContactSchema.email"}


def test_every_email_input_uses_the_shared_field():
    """A new input schema with a plain String or Email field for an address would skip the trimming."""
    plain = set()
    for info in pkgutil.iter_modules(hearth.schemas.__path__):
        module = importlib.import_module(f"hearth.schemas.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Schema) and cls.__module__ == module.__name__:
                plain |= {f"{cls.__name__}.{name}" for name, field in cls._declared_fields.items()
                          if "email" in name and not isinstance(field, EmailAddress)}
    assert plain == OUTPUT_ONLY
