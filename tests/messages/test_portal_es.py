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


def test_a_caregiver_is_shown_on_behalf_of_the_patient_in_spanish(client):
    """"Ana por María" reads as "Ana, by María": the label says "en nombre de", as the acting banner does."""
    from sqlalchemy import select

    from hearth.models import MessageThread
    from tests.factories import make_grant, make_user

    c = make_clinic()
    daughter = make_user(name="Ana Lopez")
    daughter.locale = "es"
    make_grant(patient=c.patient, caregiver=daughter, scopes=("messages",))
    db.session.commit()
    login(client, daughter)
    client.post("/messages/new", data=form())
    thread = db.session.scalar(select(MessageThread))
    page = client.get(f"/messages/{thread.id}").get_data(as_text=True)
    assert f"Ana Lopez en nombre de {c.patient.full_name}" in page and "Ana Lopez por" not in page


def test_the_refill_reason_is_not_more_than_one_medicine_in_spanish(client):
    """"More of a medicine you already take" had become "Más de una medicina" ("more than one medicine")."""
    c = make_clinic()
    c.patient.user.locale = "es"
    db.session.commit()
    login(client, c.patient.user)
    page = client.get("/messages/new").get_data(as_text=True)
    assert "Volver a surtir una medicina que ya toma" in page and "Más de una medicina" not in page
