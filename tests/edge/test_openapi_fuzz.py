"""Keep "no input gives a 500" at zero: a bounded property-based run of the whole OpenAPI document.

Schemathesis generates valid and invalid requests for every operation of /api/v1/openapi.json and sends
each one in-process (WSGI, on this test's database transaction, rolled back at the end) twice: signed in
as the clinic's patient and as an admin of its practice, with fresh bearer tokens from the API's own
sign-in service (a generated request may sign the previous one out). Path ids are real rows half of
the time, so generated bodies reach the services, not only the 404.

Fails on any 5xx, and on a 2xx whose body breaks the operation's documented schema (error bodies are
only checked for "not 5xx": their documented schema is reworked elsewhere).

Bounded for 2 shared cores: HEARTH_FUZZ_EXAMPLES examples per operation (default 8), derandomized (the
same cases every run), no shrinking, a deadline per example. HEARTH_FUZZ_EXAMPLES=200 explores more.
"""

from __future__ import annotations

import dataclasses
import os
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy import func, select

from hearth import db
from hearth.models import (
    Device,
    ExceptionKind,
    GrantKind,
    ProviderSchedule,
    ScheduleException,
    StaffRole,
    UserSession,
    WaitlistEntry,
)
from hearth.services import api_tokens
from tests.factories import PASSWORD, make_grant, make_patient, make_staff, make_user
from tests.scheduling.conftest import future_day, local, place

EXAMPLES = int(os.environ.get("HEARTH_FUZZ_EXAMPLES", "8"))
schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(scope="session")
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture
def world(clinic):
    """Rows every path id can point at, for the patient and for an admin of her practice."""
    admin = make_staff(practice=clinic.practice, role=StaffRole.ADMIN)
    appointment = place(clinic, local(future_day(6), 10))
    caregiver = make_user()
    grant = make_grant(patient=clinic.patient, caregiver=caregiver)
    minor = make_patient(practice=clinic.practice, given_name="Kid", date_of_birth=future_day(-365 * 10))
    guardian = make_grant(patient=minor, kind=GrantKind.GUARDIAN)
    exception = ScheduleException(provider_id=clinic.provider.id, kind=ExceptionKind.TIME_OFF,
                                  starts_at=local(future_day(20), 9), ends_at=local(future_day(20), 12))
    entry = WaitlistEntry(patient_id=clinic.patient.id, visit_type_id=clinic.visit.id,
                          window_start=future_day(1), window_end=future_day(9))
    db.session.add_all([exception, entry])
    devices = {}
    for user in (clinic.patient.user, admin):
        device = Device(user_id=user.id, fcm_token=f"fcm-token-{user.id}-0123456789",
                        token_hash=f"{user.id:064d}", platform="android")
        db.session.add(device)
        devices[user.id] = device
    db.session.flush()
    for user in (clinic.patient.user, admin):  # one more session each, that a request may end
        api_tokens.sign_in(user.email, PASSWORD, None, "fuzz", api_tokens_settings())
    sessions = {user.id: db.session.scalar(select(func.max(UserSession.id)).where(UserSession.user_id == user.id))
                for user in (clinic.patient.user, admin)}
    hours = db.session.scalar(select(ProviderSchedule.id).where(ProviderSchedule.provider_id == clinic.provider.id))
    db.session.commit()
    common = {"practice_id": clinic.practice.id, "appointment_id": appointment.id, "visit_type_id": clinic.visit.id,
              "location_id": clinic.location.id, "hours_id": hours, "exception_id": exception.id,
              "entry_id": entry.id, "question_id": "meds"}
    return {
        "patient": (clinic.patient.user, common | {"patient_id": clinic.patient.id, "grant_id": grant.id,
                                                   "device_id": devices[clinic.patient.user.id].id,
                                                   "session_id": sessions[clinic.patient.user.id]}),
        "staff": (admin, common | {"patient_id": minor.id, "grant_id": guardian.id,
                                   "device_id": devices[admin.id].id, "session_id": sessions[admin.id]}),
    }


def api_tokens_settings():
    """The API's own sign-in settings (tests run with staff two-factor off, so tokens can be minted freely)."""
    from api.auth import login_policy
    from api.security import token_settings

    return dataclasses.replace(token_settings(), staff_two_factor=login_policy().staff_two_factor)


def _bearer(user) -> dict:
    pair = api_tokens.sign_in(user.email, PASSWORD, None, "schemathesis", api_tokens_settings())
    return {"Authorization": f"Bearer {pair.access_token}"}


def _check(case, response, who: str) -> None:
    __tracebackhide__ = True
    assert response.status_code < 500, (
        f"{who}: {case.method} {case.formatted_path} -> {response.status_code}\n"
        f"query={case.query!r}\nbody={case.body!r}\n{response.text[:500]}")
    if 200 <= response.status_code < 300:
        case.validate_response(response, checks=[response_schema_conformance])


@schema.parametrize()
@schema.given(data=st.data())
@settings(max_examples=EXAMPLES, derandomize=True, deadline=timedelta(seconds=5), database=None,
          phases=[Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_no_request_gets_a_server_error(case, data, world, app):
    generated = dict(case.path_parameters or {})
    for who, (user, ids) in world.items():
        if generated and data.draw(st.booleans(), label=f"real ids for {who}"):
            case.path_parameters = {k: ids.get(k, v) for k, v in generated.items()}
        else:
            case.path_parameters = dict(generated)
        headers = _bearer(user)
        response = case.call(headers=headers)
        _check(case, response, who)
