"""Accept-Language: a regional variant of a supported language beats a lower-weighted one (issue 7, section 6)."""

import pytest

from hearth.i18n import best_language
from tests.factories import make_user

SUPPORTED = ["en", "es"]


@pytest.mark.parametrize(("header", "expected"), [
    ([("es-MX", 1.0), ("en", 0.5)], "es"),
    ([("en-GB", 1.0), ("es", 0.9)], "en"),
    ([("fr", 1.0), ("es-AR", 0.8), ("en", 0.7)], "es"),
    ([("es_ES", 1.0)], "es"),
    ([("en", 1.0), ("es", 1.0)], "en"),  # a tie keeps the browser's order
    ([("fr", 1.0), ("de", 0.5)], None),
    ([("es", 0.0), ("en", 0.3)], "en"),  # q=0 means "not this one"
])
def test_best_language(header, expected):
    assert best_language(header, SUPPORTED) == expected


def test_portal_answers_es_mx_in_spanish(client):
    page = client.get("/login", headers={"Accept-Language": "es-MX,en;q=0.5"})
    assert page.status_code == 200 and 'lang="es"' in page.text and "Iniciar sesión" in page.text
    english = client.get("/login", headers={"Accept-Language": "en-US,es;q=0.5"})
    assert 'lang="en"' in english.text


def test_api_answers_es_mx_in_spanish(client, db_session):
    user = make_user()
    r = client.post("/api/v1/auth/token", json={"email": user.email, "password": "wrong password"},
                    headers={"Accept-Language": "es-MX,en;q=0.5"})
    assert r.status_code == 401 and r.json["detail"] == "El correo electrónico o la contraseña son incorrectos."
