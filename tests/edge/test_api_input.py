"""Issue 7 §3 on the API: every hostile input is a 400/401/404/413/415/422 problem+json, and nothing is saved.

Runs on SQLite and on PostgreSQL (TEST_DATABASE_URL): a NUL byte and 2147483648 fail differently there.
"""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hearth import db
from hearth.clock import utcnow
from hearth.models import Appointment, AuditEvent, WaitlistEntry
from tests.factories import PASSWORD
from tests.scheduling.conftest import future_day, local
from tests.scheduling.test_api import auth

PROBLEM = "application/problem+json"
HUGE = "99999999999999999999999"


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_thousand_nested_arrays_to_token_is_400(client):
    body = "[" * 1000 + "]" * 1000
    r = client.post("/api/v1/auth/token", data=body, content_type="application/json")
    assert r.status_code == 400 and r.mimetype == PROBLEM
    deep = {"email": "a@example.test", "password": "x", "device_label": None}
    for _ in range(40):
        deep = {"device_label": deep}
    r = client.post("/api/v1/auth/token", json=deep)
    assert r.status_code == 400 and r.mimetype == PROBLEM
    for constant in ("NaN", "Infinity", "-Infinity"):
        r = client.post("/api/v1/auth/token", data='{"email": "a@example.test", "password": ' + constant + "}",
                        content_type="application/json")
        assert r.status_code == 400, constant
    r = client.post("/api/v1/auth/token", data=b'{"email": "\xff"}', content_type="application/json")
    assert r.status_code == 400 and r.mimetype == PROBLEM


@pytest.mark.parametrize("number", ["2147483648", HUGE, "0"])
def test_ids_beyond_the_column_range_in_paths_are_404(client, clinic, number):
    h = auth(client, clinic.patient.user)
    audits = _count(AuditEvent)
    for path in (f"/api/v1/patients/{number}", f"/api/v1/patients/{number}/appointments",
                 f"/api/v1/patients/{clinic.patient.id}/appointments/{number}",
                 f"/api/v1/practices/{number}/schedule", f"/api/v1/devices/{number}"):
        method = client.delete if path.startswith("/api/v1/devices") else client.get
        r = method(path, headers=h)
        assert r.status_code == 404 and r.mimetype == PROBLEM, (path, r.status_code)
    r = client.patch(f"/api/v1/patients/{number}", json={"address": "1 Main"}, headers=h)
    assert r.status_code == 404
    assert _count(AuditEvent) == audits  # no route: nothing was even looked up
    db.session.refresh(clinic.patient)
    assert clinic.patient.address != "1 Main"


def test_the_int_range_ends_exactly_at_int32(client, clinic):
    h = auth(client, clinic.patient.user)
    assert client.get("/api/v1/patients/2147483647", headers=h).status_code == 404  # routed, not found
    assert client.get("/api/v1/patients/2147483648", headers=h).status_code == 404  # not routed


def test_ids_beyond_the_range_in_bodies_and_queries_are_422(client, clinic):
    h = auth(client, clinic.patient.user)
    base = f"/api/v1/patients/{clinic.patient.id}"
    start = local(future_day(5), 10).isoformat()
    for big in (2147483648, int(HUGE), -1):
        body = {"visit_type_id": big, "provider_id": clinic.provider.id, "starts_at": start}
        r = client.post(f"{base}/appointments", json=body, headers=h)
        assert r.status_code == 422 and r.mimetype == PROBLEM and list(r.json["errors"]) == ["visit_type_id"]
        r = client.get(f"{base}/slots", query_string={"visit_type_id": str(big)}, headers=h)
        assert r.status_code == 422 and list(r.json["errors"]) == ["visit_type_id"]
        r = client.post(f"{base}/waitlist", headers=h, json={
            "visit_type_id": clinic.visit.id, "provider_id": big,
            "window_start": future_day(1).isoformat(), "window_end": future_day(9).isoformat()})
        assert r.status_code == 422 and list(r.json["errors"]) == ["provider_id"]
    r = client.get(f"/api/v1/patients/{clinic.patient.id}/access-log", query_string={"page": HUGE}, headers=h)
    assert r.status_code == 422 and "page" in r.json["errors"]
    assert _count(Appointment) == 0 and _count(WaitlistEntry) == 0


@pytest.mark.parametrize("address", ["a\u0000b", "\ud800", "x\udfffy"])
def test_nul_and_lone_surrogates_in_text_are_422(client, clinic, address):
    h = auth(client, clinic.patient.user)
    before = clinic.patient.address
    r = client.patch(f"/api/v1/patients/{clinic.patient.id}", json={"address": address}, headers=h)
    assert r.status_code == 422 and r.mimetype == PROBLEM and list(r.json["errors"]) == ["address"]
    db.session.expire_all()
    assert clinic.patient.address == before
    r = client.patch(f"/api/v1/patients/{clinic.patient.id}", json={"address": "Calle 😀 1"}, headers=h)
    assert r.status_code == 200 and r.json["patient"]["address"] == "Calle 😀 1"  # a real pair is fine


def test_nul_in_a_json_key_or_nested_text_is_422(client, clinic):
    h = auth(client, clinic.patient.user)
    r = client.patch(f"/api/v1/patients/{clinic.patient.id}", json={"addr\u0000ess": "x"}, headers=h)
    assert r.status_code == 422 and r.mimetype == PROBLEM
    r = client.put("/api/v1/account", headers=h, json={"display_name": "A\u0000", "locale": "en"})
    assert r.status_code == 422 and "display_name" in r.json["errors"]


def test_mixed_integer_and_string_error_keys_are_422_naming_the_field(client, clinic):
    h = auth(client, clinic.patient.user)
    before = clinic.patient.preferred_channels
    r = client.patch(f"/api/v1/patients/{clinic.patient.id}", json={"preferred_channels": ["sms", "bogus", "sms"]},
                     headers=h)
    assert r.status_code == 422 and r.mimetype == PROBLEM
    assert list(r.json["errors"]) == ["preferred_channels"]
    assert r.json["errors"]["preferred_channels"] == {"1": ["Must be one of: push, email, sms."],
                                                      "_schema": ["Choose each channel only once."]}
    db.session.expire_all()
    assert clinic.patient.preferred_channels == before


def test_extreme_dates_are_422(client, clinic):
    h = auth(client, clinic.patient.user)
    base = f"/api/v1/patients/{clinic.patient.id}"
    r = client.get(f"{base}/slots", query_string={"visit_type_id": clinic.visit.id, "start": "0001-01-01",
                                                  "end": "0001-01-02"}, headers=h)
    assert r.status_code == 422 and r.mimetype == PROBLEM and set(r.json["errors"]) == {"start", "end"}
    r = client.get(f"{base}/slots", query_string={"visit_type_id": clinic.visit.id, "start": "2200-12-31",
                                                  "end": "9999-12-31"}, headers=h)
    assert r.status_code == 422 and set(r.json["errors"]) == {"end"}
    r = client.get(f"{base}/slots", query_string={"visit_type_id": clinic.visit.id, "start": "1900-01-01",
                                                  "end": "1900-12-31"}, headers=h)
    assert r.status_code == 422 and set(r.json["errors"]) == {"end"}  # the window: at most 31 days
    r = client.get(f"{base}/slots", query_string={"visit_type_id": clinic.visit.id, "start": "1900-01-01",
                                                  "end": "1900-01-02"}, headers=h)
    assert r.status_code == 200 and r.json == []
    for moment in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"):
        r = client.post(f"{base}/appointments", headers=h, json={
            "visit_type_id": clinic.visit.id, "provider_id": clinic.provider.id, "starts_at": moment})
        assert r.status_code == 422 and list(r.json["errors"]) == ["starts_at"]
    r = client.post(f"{base}/waitlist", headers=h, json={
        "visit_type_id": clinic.visit.id, "window_start": "2026-01-01", "window_end": "9999-12-31"})
    assert r.status_code == 422 and list(r.json["errors"]) == ["window_end"]
    assert _count(Appointment) == 0 and _count(WaitlistEntry) == 0


def test_anonymous_callers_get_401_before_any_body_validation(client, clinic):
    url = f"/api/v1/patients/{clinic.patient.id}"
    for kwargs in ({"json": {"preferred_channels": ["sms", "bogus", "sms"]}}, {"json": {"address": "\ud800"}},
                   {"data": "[" * 1000, "content_type": "application/json"},
                   {"data": "address=x", "content_type": "application/x-www-form-urlencoded"}):
        r = client.patch(url, **kwargs)
        assert r.status_code == 401 and r.mimetype == PROBLEM, kwargs
        assert r.headers["WWW-Authenticate"].startswith("Bearer")
    r = client.post(f"{url}/appointments", json={"visit_type_id": int(HUGE)},
                    headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401


def test_a_non_json_body_on_a_json_endpoint_is_415(client, clinic):
    r = client.post("/api/v1/auth/token", data={"email": clinic.patient.user.email, "password": "x"})
    assert r.status_code == 415 and r.mimetype == PROBLEM and "application/json" in r.json["detail"]
    r = client.post("/api/v1/auth/token", data='{"email": "a@example.test"}', content_type="text/plain")
    assert r.status_code == 415
    h = auth(client, clinic.patient.user)
    r = client.patch(f"/api/v1/patients/{clinic.patient.id}", data="address=Elsewhere", headers=h,
                     content_type="application/x-www-form-urlencoded")
    assert r.status_code == 415 and r.mimetype == PROBLEM
    db.session.expire_all()
    assert clinic.patient.address != "Elsewhere"
    r = client.patch(f"/api/v1/patients/{clinic.patient.id}", json={"address": "Elsewhere"}, headers=h)
    assert r.status_code == 200  # the same change as JSON is fine
    r = client.patch(f"/api/v1/patients/{clinic.patient.id}", data='{"address": "x"}', headers=h,
                     content_type="application/merge-patch+json")
    assert r.status_code == 200  # a +json type is JSON


def test_a_body_is_optional_where_every_field_is(client, clinic):
    from tests.scheduling.conftest import place

    appointment = place(clinic, local(future_day(9), 11))
    db.session.commit()
    h = auth(client, clinic.patient.user)
    r = client.post(f"/api/v1/patients/{clinic.patient.id}/appointments/{appointment.id}/cancel", headers=h)
    assert r.status_code == 200 and r.json["status"] == "cancelled"


def test_a_body_over_max_content_length_is_413_problem_json(client, app, clinic):
    limit = app.config["MAX_CONTENT_LENGTH"]
    body = b'{"email": "a@example.test", "password": "' + b"x" * limit + b'"}'
    r = client.post("/api/v1/auth/token", data=body, content_type="application/json")
    assert r.status_code == 413 and r.mimetype == PROBLEM
    h = auth(client, clinic.patient.user)
    r = client.patch(f"/api/v1/patients/{clinic.patient.id}", data=b'{"address": "' + b"y" * limit + b'"}',
                     content_type="application/json", headers=h)
    assert r.status_code == 413 and r.mimetype == PROBLEM


def test_integers_past_python_limits_are_422_not_500(client, clinic):
    h = auth(client, clinic.patient.user)
    base = f"/api/v1/patients/{clinic.patient.id}"
    body = '{"visit_type_id": ' + "9" * 5000 + ', "provider_id": 1e400, "starts_at": "2030-01-01T10:00:00Z"}'
    r = client.post(f"{base}/appointments", data=body, content_type="application/json", headers=h)
    assert r.status_code in (400, 422) and r.mimetype == PROBLEM
    r = client.post(f"{base}/appointments", headers=h, json={
        "visit_type_id": clinic.visit.id, "provider_id": 1e300, "starts_at": local(future_day(3), 9).isoformat()})
    assert r.status_code == 422 and list(r.json["errors"]) == ["provider_id"]
    assert _count(Appointment) == 0


def test_checkin_answers_are_bounded_text_or_yes_no(client, clinic):
    from tests.scheduling.conftest import place

    soon = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(hours=3)  # check-in is open
    appointment = place(clinic, soon)
    db.session.commit()
    h = auth(client, clinic.patient.user)
    url = f"/api/v1/patients/{clinic.patient.id}/appointments/{appointment.id}/check-in"
    for answers in ({"notes": "a\u0000b"}, {"notes": {"deep": ["x"]}}, {"notes": "\ud800"}, {"n\u0000": "x"},
                    {"notes": "x" * 10_001}):
        r = client.post(url, headers=h, json={"contact_confirmed": True, "insurance_confirmed": True,
                                              "answers": answers | {"meds": "no"}})
        assert r.status_code == 422 and "answers" in r.json["errors"], answers
    db.session.expire_all()
    assert appointment.checked_in_at is None
    r = client.post(url, headers=h, json={"contact_confirmed": True, "insurance_confirmed": True,
                                          "answers": {"meds": False, "notes": "Fine"}})
    assert r.status_code == 200, r.json


def test_a_nul_in_the_user_agent_is_not_stored(client, clinic):
    """The User-Agent goes into the session list and the audit trail: PostgreSQL refuses NUL there."""
    from hearth.models import UserSession

    headers = {"User-Agent": "Phone\x00App/1.0"}
    body = {"email": clinic.patient.user.email, "password": PASSWORD}
    r = client.post("/api/v1/auth/token", json=body, headers=headers)
    assert r.status_code == 201
    h = {"Authorization": f"Bearer {r.json['access_token']}"} | headers
    assert client.get(f"/api/v1/patients/{clinic.patient.id}", headers=h).status_code == 200
    db.session.expire_all()
    mine = UserSession.user_id == clinic.patient.user.id
    agents = set(db.session.scalars(select(UserSession.user_agent).where(mine)))
    assert "PhoneApp/1.0" in agents


def test_reminder_offsets_with_unicode_digits_or_thousands_of_digits_are_422(client, clinic, practice_admin):
    """"²".isdigit() is true but int("²") fails, and int() refuses 5,000 digits: both were 500s."""
    url = f"/api/v1/practices/{clinic.practice.id}/scheduling-settings"
    h = auth(client, practice_admin)
    for offsets in (["²"], ["9" * 5000], "1440, ²", ["١٢٠"], list(range(1, 60))):
        r = client.patch(url, json={"reminder_offsets": offsets}, headers=h)
        assert r.status_code == 422 and list(r.json["errors"]) == ["reminder_offsets"], offsets
    assert client.get(url, headers=h).json["reminder_offsets"] == [10080, 1440, 120]


def test_visit_type_provider_lists_are_bounded(client, clinic, practice_admin):
    """A list of 100,000 ids would become 100,000 SQL parameters (SQLite allows 32,766)."""
    url = f"/api/v1/practices/{clinic.practice.id}/visit-types"
    body = {"name": "Long list", "duration_minutes": 30, "provider_ids": list(range(1, 100_001))}
    r = client.post(url, json=body, headers=auth(client, practice_admin))
    assert r.status_code == 422 and list(r.json["errors"]) == ["provider_ids"]
