"""/api/v1/notifications and /api/v1/notifications/preferences."""

from datetime import UTC, datetime, time

import pytest

from hearth.models import NotificationStatus
from hearth.services import notifications
from tests.api.test_staff import bearer
from tests.factories import make_grant, make_patient, make_user
from tests.portal.test_notifications import sent
from tests.querycount import count_queries


def test_lists_my_notifications_newest_first_with_pages(client):
    user = make_user(locale="es")
    for i in range(25):
        sent(user, f"n{i}", minutes_ago=100 - i)
    newest = sent(user, "bill", at=datetime(2099, 1, 1, 12, tzinfo=UTC), template="bill_ready", kind="bill")
    failed = sent(user, "lost", minutes_ago=200, status=NotificationStatus.FAILED)
    auth = bearer(client, user)
    r = client.get("/api/v1/notifications", headers=auth)
    assert r.status_code == 200, r.json
    assert (r.json["total"], r.json["page"], r.json["per_page"], len(r.json["items"])) == (27, 1, 20, 20)
    first = r.json["items"][0]
    assert first["id"] == newest.id and first["at"].startswith("2099-01-01T12:00:00")
    assert (first["kind"], first["channel"], first["status"]) == ("bill", "email", "sent")
    assert first["title"] == "Nuevo estado de cuenta" and "Hearth" in first["body"]
    last = client.get("/api/v1/notifications?page=2&per_page=20", headers=auth).json["items"]
    assert len(last) == 7 and last[-1]["id"] == failed.id and last[-1]["status"] == "failed"
    with count_queries() as small:
        client.get("/api/v1/notifications?per_page=2", headers=auth)
    with count_queries() as large:
        client.get("/api/v1/notifications?per_page=100", headers=auth)
    assert large.count == small.count


def test_a_caregiver_gets_her_own_not_the_patients(client):
    patient = make_patient()
    carer = make_user()
    make_grant(patient=patient, caregiver=carer)
    to_patient = sent(patient.user, "p", template="result_available", kind="result")
    to_carer = sent(carer, "c", template="appointment_reminder", kind="reminder", patient=patient)
    items = client.get("/api/v1/notifications", headers=bearer(client, carer)).json["items"]
    assert [(i["id"], i["patient_id"]) for i in items] == [(to_carer.id, patient.id)]
    items = client.get("/api/v1/notifications", headers=bearer(client, patient.user)).json["items"]
    assert [i["id"] for i in items] == [to_patient.id]


@pytest.mark.parametrize("query", ["page=0", "page=abc", "per_page=101", "per_page=0"])
def test_bad_paging_is_a_problem(client, query):
    r = client.get(f"/api/v1/notifications?{query}", headers=bearer(client, make_user()))
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert set(r.json["errors"]) <= {"page", "per_page"} and r.json["errors"]


def test_a_token_is_required(client):
    for path in ("/api/v1/notifications", "/api/v1/notifications/preferences"):
        r = client.get(path)
        assert r.status_code == 401 and r.mimetype == "application/problem+json"
    assert client.put("/api/v1/notifications/preferences", json={"items": []}).status_code == 401


def test_get_preferences_shows_defaults_language_and_zone(client):
    patient = make_patient(preferred_channels="push,email")
    patient.user.locale = "es"
    r = client.get("/api/v1/notifications/preferences", headers=bearer(client, patient.user))
    assert r.status_code == 200
    assert (r.json["language"], r.json["timezone"]) == ("es", patient.practice.timezone)
    assert [i["kind"] for i in r.json["items"]] == ["reminder", "appointment", "message", "result", "bill", "waitlist",
                                                    "refill"]
    assert r.json["items"][0] == {"kind": "reminder", "channels": ["push", "email"], "quiet_hours_start": None,
                                  "quiet_hours_end": None, "is_default": True}


def test_put_saves_the_kinds_given_and_keeps_the_rest(client):
    user = make_user(timezone="Europe/Madrid")
    notifications.set_preference(user, "bill", channels=["sms"], quiet_hours_start=time(8), quiet_hours_end=time(9))
    auth = bearer(client, user)
    body = {"items": [
        {"kind": "reminder", "channels": ["push", "email"], "quiet_hours_start": "22:00", "quiet_hours_end": "07:00"},
        {"kind": "message", "channels": ["email"], "quiet_hours_start": None, "quiet_hours_end": None},
    ]}
    r = client.put("/api/v1/notifications/preferences", headers=auth, json=body)
    assert r.status_code == 200, r.json
    by_kind = {i["kind"]: i for i in r.json["items"]}
    assert by_kind["reminder"] == {"kind": "reminder", "channels": ["push", "email"], "quiet_hours_start": "22:00",
                                   "quiet_hours_end": "07:00", "is_default": False}
    assert by_kind["bill"]["channels"] == ["sms"] and by_kind["bill"]["quiet_hours_start"] == "08:00"
    assert by_kind["result"]["is_default"] and r.json["timezone"] == "Europe/Madrid"
    again = client.get("/api/v1/notifications/preferences", headers=auth).json
    assert again["items"] == r.json["items"]


@pytest.mark.parametrize(
    ("item", "error_path"),
    [
        ({"kind": "gossip", "channels": ["email"]}, ("items", "0", "kind")),
        ({"kind": "account", "channels": ["email"]}, ("items", "0", "kind")),
        ({"kind": "reminder", "channels": []}, ("items", "0", "channels")),
        ({"kind": "reminder"}, ("items", "0", "channels")),
        ({"kind": "reminder", "channels": ["email", "fax"]}, ("items", "0", "channels")),
        ({"kind": "reminder", "channels": ["sms", "sms"]}, ("items", "0", "channels")),
        ({"kind": "reminder", "channels": "email"}, ("items", "0", "channels")),
        ({"kind": "reminder", "channels": ["email"], "quiet_hours_start": "22:00"}, ("items", "0", "quiet_hours_end")),
        ({"kind": "reminder", "channels": ["email"], "quiet_hours_start": "24:00", "quiet_hours_end": "07:00"},
         ("items", "0", "quiet_hours_start")),
        ({"kind": "reminder", "channels": ["email"], "quiet_hours_start": 2200, "quiet_hours_end": "07:00"},
         ("items", "0", "quiet_hours_start")),
        ({"kind": "reminder", "channels": ["email"], "quiet_hours_start": "07:00", "quiet_hours_end": "07:00"},
         ("items", "0", "quiet_hours_end")),
        ({"kind": "reminder", "channels": ["email"], "mute_forever": True}, ("items", "0", "mute_forever")),
    ],
)
def test_bad_preferences_are_422_with_field_errors(client, item, error_path):
    user = make_user()
    r = client.put("/api/v1/notifications/preferences", headers=bearer(client, user), json={"items": [item]})
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    errors = r.json["errors"]
    for step in error_path:
        errors = errors[step]
    assert errors
    assert all(v.is_default for v in notifications.get_preferences(user))


@pytest.mark.parametrize("body", [
    {},
    {"items": []},
    {"items": "reminder"},
    {"items": [{"kind": "bill", "channels": ["email"]}, {"kind": "bill", "channels": ["sms"]}]},
])
def test_bad_envelopes_are_422(client, body):
    r = client.put("/api/v1/notifications/preferences", headers=bearer(client, make_user()), json=body)
    assert r.status_code == 422 and "items" in r.json["errors"]


def test_the_openapi_document_covers_the_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert paths["/api/v1/notifications"]["get"]["security"] == [{"bearerAuth": []}]
    assert {"get", "put"} <= set(paths["/api/v1/notifications/preferences"])
    put = paths["/api/v1/notifications/preferences"]["put"]
    assert put["security"] == [{"bearerAuth": []}] and "requestBody" in put
    assert any(p["name"] == "page" for p in paths["/api/v1/notifications"]["get"]["parameters"])
