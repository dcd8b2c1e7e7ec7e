"""Every message a library produces comes in the reader's language: marshmallow and webargs field
errors, problem+json titles, Flask-Login's and the CSRF refusal (the issue's examples in Spanish)."""

import inspect

import pytest

import hearth.schemas as schemas_pkg
from hearth.schemas import base, messages
from hearth.schemas.patients import PatientSearchArgsSchema, ProfileUpdateSchema
from tests.api.test_staff import bearer
from tests.factories import make_practice
from tests.portal.test_staff import enrolled_staff, sign_in

ES = {"Accept-Language": "es"}


class _in:
    """A request in `lang` (the tests share one app context, so Flask-Babel's cached locale is refreshed)."""

    def __init__(self, app, lang: str):
        self.ctx = app.test_request_context("/", headers={"Accept-Language": lang})

    def __enter__(self):
        from flask_babel import refresh

        self.ctx.__enter__()
        refresh()

    def __exit__(self, *exc):
        return self.ctx.__exit__(*exc)


@pytest.mark.parametrize(("english", "spanish"), [
    ("Missing data for required field.", "Este campo es obligatorio."),
    ("Longer than maximum length 100.", "Supera la longitud máxima de 100."),
    ("Not a valid email address.", "No es un correo electrónico válido."),
    ("Must be one of: en, es.", "Debe ser uno de: en, es."),
    ("Must be greater than or equal to 1 and less than or equal to 7.",
     "Debe ser mayor o igual que 1 y menor o igual que 7."),
    ("Unknown field.", "Campo desconocido."),
    ("Something we wrote ourselves.", "Something we wrote ourselves."),
])
def test_translate_message(app, english, spanish):
    with _in(app, "es"):
        assert messages.translate_message(english) == spanish
    with _in(app, "en"):
        assert messages.translate_message(english) == english


def test_schema_errors_in_spanish_length_required_email_oneof(app):
    with _in(app, "es"):
        with pytest.raises(Exception) as info:
            ProfileUpdateSchema().load({"email": "nope", "preferred_language": "fr", "bogus": 1})
        assert info.value.messages == {"email": ["Escriba un correo electrónico como nombre@ejemplo.com."],
                                       "preferred_language": ["Debe ser uno de: en, es."],
                                       "bogus": ["Campo desconocido."]}
        with pytest.raises(Exception) as info:
            PatientSearchArgsSchema().load({"q": "x" * 101})
        assert info.value.messages == {"q": ["Supera la longitud máxima de 100."]}


def test_every_hearth_schema_uses_the_translating_base():
    import importlib
    import pkgutil

    import marshmallow

    for module_info in pkgutil.iter_modules(schemas_pkg.__path__):
        module = importlib.import_module(f"hearth.schemas.{module_info.name}")
        for name, obj in vars(module).items():
            if (inspect.isclass(obj) and issubclass(obj, marshmallow.Schema) and obj.__module__ == module.__name__):
                assert issubclass(obj, base.Schema), f"{module.__name__}.{name} does not derive from base.Schema"


def test_portal_form_errors_in_spanish(client):
    practice = make_practice()
    staff = enrolled_staff(practice=practice, locale="es")
    sign_in(client, staff)
    html = client.get("/staff/patients", query_string={"q": "x" * 101}).get_data(as_text=True)
    assert "Supera la longitud máxima de 100." in html and "Longer than" not in html


def test_api_problem_titles_and_field_errors_follow_accept_language(client):
    practice = make_practice()
    staff = enrolled_staff(practice=practice)
    auth = bearer(client, staff)
    r = client.get(f"/api/v1/practices/{practice.id}/patients", query_string={"q": "x" * 101},
                   headers={**auth, **ES})
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert r.json["title"] == "Datos no válidos"
    assert r.json["errors"] == {"q": ["Supera la longitud máxima de 100."]}
    english = client.get(f"/api/v1/practices/{practice.id}/patients", query_string={"q": "x" * 101},
                         headers={**auth, "Accept-Language": "en"})
    assert english.json["title"] == "Invalid input" and english.json["errors"] == {
        "q": ["Longer than maximum length 100."]}
    missing = client.post("/api/v1/auth/token", json={}, headers=ES)
    assert missing.json["errors"]["email"] == ["Este campo es obligatorio."]
    bad_json = client.post("/api/v1/auth/token", data="{", content_type="application/json", headers=ES)
    assert bad_json.status_code == 400 and bad_json.json["title"] == "Solicitud incorrecta"
    assert bad_json.json["errors"] == {
        "_schema": ["El cuerpo de la solicitud no es JSON válido o está anidado demasiado."]}
    nothing = client.get("/api/v1/nowhere", headers=ES)
    assert nothing.status_code == 404 and nothing.json["title"] == "No encontrado"
    unauth = client.get("/api/v1/me", headers=ES)
    assert unauth.status_code == 401 and unauth.json["title"] == "Debe iniciar sesión"


def test_flask_login_message_in_spanish(client):
    r = client.get("/staff/patients", headers=ES, follow_redirects=True)
    assert "Por favor, inicie sesión para continuar." in r.get_data(as_text=True)


def test_csrf_refusal_in_spanish(app):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        r = app.test_client().post("/login", data={"email": "a@b.c", "password": "x"}, headers=ES)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "CSRF" not in html
    assert "Por su seguridad, los formularios vencen." in html


def test_portal_error_pages_never_show_werkzeug_english(client):
    r = client.post("/login/nowhere-to-post", headers=ES)
    assert r.status_code in (404, 405)
    html = r.get_data(as_text=True)
    assert "Not Found" not in html and "Method Not Allowed" not in html and "The requested URL" not in html
    assert "No se encontró la página" in html
