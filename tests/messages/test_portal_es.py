"""The Messages pages in Spanish."""

from hearth import db
from tests.conftest import login
from tests.messages.helpers import make_clinic
from tests.messages.test_portal import _storage, form, threads_count  # noqa: F401  (_storage: a fixture)


def test_urgent_page_in_spanish_and_change_my_message(client):
    c = make_clinic()
    c.patient.user.locale = "es"
    db.session.commit()
    login(client, c.patient.user)
    page = client.post("/messages/new", data=form(body="Tengo dolor en el pecho")).get_data(as_text=True)
    assert "911" in page and "¿Es una emergencia?" in page
    page = client.post("/messages/new", data=form(body="Tengo dolor en el pecho", edit="1")).get_data(as_text=True)
    assert "Tengo dolor en el pecho" in page and threads_count() == 0
