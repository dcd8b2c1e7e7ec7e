from hearth.models import Location, StaffRole
from tests.api.test_staff import bearer
from tests.factories import make_patient, make_practice
from tests.portal.test_staff import enrolled_staff


def test_get_and_patch_settings(client):
    practice = make_practice(name="Oak")
    admin = enrolled_staff(practice=practice, role=StaffRole.ADMIN)
    auth = bearer(client, admin)
    url = f"/api/v1/practices/{practice.id}/settings"
    r = client.get(url, headers=auth)
    assert r.status_code == 200
    assert r.json == {**r.json, "name": "Oak", "timezone": "America/New_York", "minor_full_access_below": 12,
                      "adult_age": 18, "locations": []}
    r = client.patch(url, headers=auth, json={"adult_age": 19, "phone": "555 010 7777"})
    assert r.status_code == 200 and r.json["adult_age"] == 19 and practice.phone == "+15550107777"
    assert practice.name == "Oak"  # untouched by a partial update


def test_patch_settings_validation(client):
    practice = make_practice()
    admin = enrolled_staff(practice=practice, role=StaffRole.ADMIN)
    auth = bearer(client, admin)
    url = f"/api/v1/practices/{practice.id}/settings"
    r = client.patch(url, headers=auth, json={"timezone": "Mars/Base", "adult_age": 40, "name": ""})
    assert r.status_code == 422 and set(r.json["errors"]) == {"timezone", "adult_age", "name"}
    # Checked against the stored adult age (18) when only one tier is sent.
    r = client.patch(url, headers=auth, json={"minor_full_access_below": 17, "adult_age": 17})
    assert r.status_code == 422 and "minor_full_access_below" in r.json["errors"]
    r = client.patch(url, headers=auth, json={"adult_age": 16, "minor_full_access_below": 16})
    assert r.status_code == 422
    r = client.patch(url, headers=auth, json={"adult_age": 16})  # stored tier 12 < 16: fine
    assert r.status_code == 200
    r = client.patch(url, headers=auth, json={"minor_full_access_below": 16})  # not below the stored 16
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert "minor_full_access_below" in r.json["errors"] and practice.minor_full_access_below == 12


def test_non_admins_get_403(client):
    practice = make_practice()
    provider = enrolled_staff(practice=practice, role=StaffRole.PROVIDER)
    auth = bearer(client, provider)
    assert client.get(f"/api/v1/practices/{practice.id}/settings", headers=auth).status_code == 403
    assert client.patch(f"/api/v1/practices/{practice.id}/settings", headers=auth,
                        json={"name": "Mine"}).status_code == 403
    assert client.post(f"/api/v1/practices/{practice.id}/locations", headers=auth,
                       json={"name": "X"}).status_code == 403
    patient = make_patient(practice=practice)
    assert client.get(f"/api/v1/practices/{practice.id}/locations",
                      headers=bearer(client, patient.user)).status_code == 403
    assert practice.name != "Mine"


def test_locations(client, db_session):
    practice = make_practice()
    admin = enrolled_staff(practice=practice, role=StaffRole.ADMIN)
    auth = bearer(client, admin)
    url = f"/api/v1/practices/{practice.id}/locations"
    r = client.post(url, headers=auth, json={"name": "Downtown", "timezone": "America/Chicago"})
    assert r.status_code == 201 and r.json["name"] == "Downtown" and r.json["address"] is None
    location_id = r.json["id"]
    assert client.post(url, headers=auth, json={"timezone": "Nope/Zone"}).json["errors"].keys() == {"name",
                                                                                                    "timezone"}
    r = client.patch(f"{url}/{location_id}", headers=auth, json={"address": "1 Main St"})
    assert r.status_code == 200 and r.json == {**r.json, "name": "Downtown", "address": "1 Main St"}
    assert client.patch(f"{url}/{location_id}", headers=auth, json={"name": ""}).status_code == 422
    assert [loc["name"] for loc in client.get(url, headers=auth).json] == ["Downtown"]
    theirs = make_practice()
    foreign = Location(practice_id=theirs.id, name="Theirs")
    db_session.add(foreign)
    db_session.flush()
    assert client.patch(f"{url}/{foreign.id}", headers=auth, json={"name": "Ours"}).status_code == 404
    assert foreign.name == "Theirs"
