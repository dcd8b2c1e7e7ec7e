"""/api/v1/devices: register or refresh an FCM token (hashed, upserted), list and remove one's own."""

from sqlalchemy import select

from hearth.models import Device
from hearth.security.tokens import token_hash
from tests.factories import PASSWORD, make_user
from tests.querycount import count_queries

FCM = "fcm-registration-token-" + "x" * 100


def _auth(client, user) -> dict:
    r = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json['access_token']}"}


def test_register_refresh_and_reassign(client, db_session):
    ana, ben = make_user(), make_user()
    ana_auth, ben_auth = _auth(client, ana), _auth(client, ben)
    first = client.post("/api/v1/devices", headers=ana_auth, json={"token": FCM, "platform": "android",
                                                                   "label": "Pixel 8"})
    assert first.status_code == 200 and "token" not in first.json and first.json["active"] is True
    row = db_session.scalar(select(Device).where(Device.token_hash == token_hash(FCM)))
    assert row.user_id == ana.id and row.fcm_token == FCM
    again = client.post("/api/v1/devices", headers=ana_auth, json={"token": FCM, "platform": "android"})
    assert again.json["id"] == first.json["id"] and again.json["label"] is None
    # The same phone, now signed in by Ben: the token moves to him.
    moved = client.post("/api/v1/devices", headers=ben_auth, json={"token": FCM, "platform": "android"})
    assert moved.json["id"] == first.json["id"] and row.user_id == ben.id
    assert client.get("/api/v1/devices", headers=ana_auth).json == []
    assert [d["id"] for d in client.get("/api/v1/devices", headers=ben_auth).json] == [first.json["id"]]
    assert db_session.query(Device).count() == 1


def test_bad_input_and_auth(client):
    user = make_user()
    auth = _auth(client, user)
    bad = client.post("/api/v1/devices", headers=auth, json={"token": "short", "platform": "blackberry"})
    assert bad.status_code == 422 and {"token", "platform"} <= set(bad.json["errors"])
    assert client.post("/api/v1/devices", json={"token": FCM, "platform": "ios"}).status_code == 401


def test_remove_only_ones_own_device(client, db_session):
    ana, ben = make_user(), make_user()
    ana_auth, ben_auth = _auth(client, ana), _auth(client, ben)
    device_id = client.post("/api/v1/devices", headers=ana_auth, json={"token": FCM, "platform": "ios"}).json["id"]
    assert client.delete(f"/api/v1/devices/{device_id}", headers=ben_auth).status_code == 404
    assert client.delete(f"/api/v1/devices/{device_id}", headers=ana_auth).status_code == 204
    assert client.get("/api/v1/devices", headers=ana_auth).json == []
    assert client.delete(f"/api/v1/devices/{device_id}", headers=ana_auth).status_code == 404


def test_a_refresh_reenables_a_device_stopped_by_sign_out_everywhere(client, db_session):
    user = make_user()
    auth = _auth(client, user)
    client.post("/api/v1/devices", headers=auth, json={"token": FCM, "platform": "ios"})
    client.post("/api/v1/account/sessions/sign-out-everywhere", headers=auth)
    auth = _auth(client, user)
    assert client.get("/api/v1/devices", headers=auth).json[0]["active"] is False
    assert client.post("/api/v1/devices", headers=auth, json={"token": FCM, "platform": "ios"}).json["active"] is True


def test_device_list_queries_are_bounded(client, db_session):
    user = make_user()
    auth = _auth(client, user)
    client.post("/api/v1/devices", headers=auth, json={"token": FCM, "platform": "ios"})
    with count_queries() as one:
        client.get("/api/v1/devices", headers=auth)
    for n in range(25):
        client.post("/api/v1/devices", headers=auth, json={"token": f"{FCM}-{n}", "platform": "android"})
    with count_queries() as many:
        assert len(client.get("/api/v1/devices", headers=auth).json) == 26
    assert many.count == one.count
