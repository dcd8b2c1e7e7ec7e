from tests.factories import PASSWORD, make_patient


def _token(client, email, password=PASSWORD, **extra):
    return client.post("/api/v1/auth/token", json={"email": email, "password": password, **extra})


def test_token_me_refresh_logout(client):
    patient = make_patient(given_name="Ana")
    r = _token(client, patient.user.email)
    assert r.status_code == 201, r.json
    access, refresh = r.json["access_token"], r.json["refresh_token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {access}"})
    assert me.status_code == 200
    assert me.json["people"][0]["patient"]["given_name"] == "Ana"
    r2 = client.post("/api/v1/auth/refresh", json={"refresh_token": refresh})
    assert r2.status_code == 200
    # Reusing the old refresh token revokes the family: the new tokens stop working too.
    reuse = client.post("/api/v1/auth/refresh", json={"refresh_token": refresh})
    assert reuse.status_code == 401
    assert reuse.mimetype == "application/problem+json"
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {r2.json['access_token']}"}).status_code == 401


def test_bad_input_is_problem_json_with_fields(client):
    r = client.post("/api/v1/auth/token", json={"email": "not-an-email"})
    assert r.status_code == 422
    assert r.mimetype == "application/problem+json"
    assert "email" in r.json["errors"] and "password" in r.json["errors"]


def test_logout_revokes_access(client):
    patient = make_patient()
    access = _token(client, patient.user.email).json["access_token"]
    auth = {"Authorization": f"Bearer {access}"}
    assert client.delete("/api/v1/auth/token", headers=auth).status_code == 204
    assert client.get("/api/v1/me", headers=auth).status_code == 401


def test_wrong_password_401(client):
    patient = make_patient()
    r = _token(client, patient.user.email, password="wrong")
    assert r.status_code == 401
    assert r.json["detail"] == "The email or password is incorrect."
