"""Transport headers (issue 7 §7): HSTS behind HTTPS, no-store on every answer that can carry patient data or tokens."""

from hearth import db
from tests.conftest import login
from tests.factories import PASSWORD, make_patient


def test_hsts_only_when_cookies_are_https_only(client, app, monkeypatch):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    for path in ("/login", "/api/v1/openapi.json", "/api/v1/me"):
        assert client.get(path).headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_api_answers_are_no_store_except_the_openapi_document(client):
    patient = make_patient()
    db.session.commit()
    token = client.post("/api/v1/auth/token", json={"email": patient.user.email, "password": PASSWORD})
    assert token.status_code == 201 and token.headers["Cache-Control"] == "no-store"
    h = {"Authorization": f"Bearer {token.json['access_token']}"}
    for path in ("/api/v1/me", f"/api/v1/patients/{patient.id}/appointments", f"/api/v1/patients/{patient.id}",
                 "/api/v1/patients/999999", "/api/v1/nowhere"):
        r = client.get(path, headers=h)
        assert r.headers["Cache-Control"] == "no-store", (path, r.status_code)
    assert client.get("/api/v1/me").headers["Cache-Control"] == "no-store"  # a 401 too
    assert "no-store" not in client.get("/api/v1/openapi.json").headers.get("Cache-Control", "")


def test_portal_pages_are_no_store_signed_in_or_not_but_static_files_may_be_cached(client):
    patient = make_patient()
    db.session.commit()
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    login(client, patient.user)
    for path in ("/", "/appointments", "/records/profile"):
        r = client.get(path)
        assert r.headers["Cache-Control"] == "no-store", (path, r.status_code)
    static = client.get("/static/css/hearth.css")
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")
