"""Practice-entered texts patients read (visit type names and instructions, location names, questions)
in English and Spanish, shown in the reader's language with the practice's default as fallback."""

from flask_babel import refresh

from hearth import db, texts
from hearth.models import VisitType
from tests.api.test_staff import bearer
from tests.conftest import login
from tests.scheduling.conftest import future_day, local, place

ES = {"Accept-Language": "es"}


def _spanish(clinic):
    clinic.visit.instructions = "Bring your medication list."
    clinic.visit.translations = {"es": {"name": "Consulta general", "instructions": "Traiga su lista de medicinas."}}
    clinic.location.translations = {"es": {"name": "Calle Principal"}}
    clinic.visit.questionnaire = [{**q, "translations": {"es": "¿Algún cambio en sus medicinas?"}}
                                  if q["id"] == "meds" else q for q in clinic.visit.questionnaire]
    db.session.commit()


def test_localized_falls_back_to_the_practice_default(clinic):
    _spanish(clinic)
    assert texts.localized(clinic.visit, "name", "es") == "Consulta general"
    assert texts.localized(clinic.visit, "name", "en") == "Check-up"
    assert texts.localized(clinic.video, "name", "es") == "Video chat"  # no Spanish given
    clinic.practice.default_language = "es"
    clinic.video.name = "Videollamada"
    clinic.video.translations = {"en": {"name": "Video call"}}
    assert texts.localized(clinic.video, "name", "en") == "Video call"
    assert texts.localized(clinic.video, "name", "es") == "Videollamada"
    assert texts.localized(clinic.visit, "name", "en") == "Check-up"  # no English given: the column
    assert texts.question_text({"text": "Fever?", "translations": {"es": "¿Fiebre?"}}, "es") == "¿Fiebre?"
    assert texts.question_text({"text": "Fever?"}, "es") == "Fever?"


def test_patient_pages_in_spanish(client, clinic):
    _spanish(clinic)
    start = local(future_day(2), 10)
    appt = place(clinic, start)
    clinic.patient.user.locale = "es"
    db.session.commit()
    login(client, clinic.patient.user)
    detail = client.get(f"/appointments/{appt.id}").get_data(as_text=True)
    assert "Consulta general" in detail and "Traiga su lista de medicinas." in detail
    assert "Calle Principal" in detail and "Check-up" not in detail and "Bring your" not in detail
    checkin = client.get(f"/appointments/{appt.id}/check-in").get_data(as_text=True)
    assert "¿Algún cambio en sus medicinas?" in checkin and "How do you feel?" in checkin  # fallback
    clinic.patient.user.locale = "en"
    db.session.commit()
    refresh()
    english = client.get(f"/appointments/{appt.id}").get_data(as_text=True)
    assert "Check-up" in english and "Bring your medication list." in english and "Main Street" in english


def test_api_follows_accept_language_and_admins_enter_both(client, clinic, practice_admin):
    _spanish(clinic)
    auth = bearer(client, clinic.patient.user)
    options = client.get(f"/api/v1/patients/{clinic.patient.id}/booking-options", headers={**auth, **ES}).json
    visit = next(v for v in options["visit_types"] if v["id"] == clinic.visit.id)
    assert visit["name"] == "Consulta general" and visit["instructions"] == "Traiga su lista de medicinas."
    assert visit["questionnaire"][0]["text"] == "¿Algún cambio en sus medicinas?"
    assert any(loc["name"] == "Calle Principal" for loc in options["locations"])
    english = client.get(f"/api/v1/patients/{clinic.patient.id}/booking-options", headers=auth).json
    assert next(v for v in english["visit_types"] if v["id"] == clinic.visit.id)["name"] == "Check-up"

    admin = bearer(client, practice_admin)
    created = client.post(f"/api/v1/practices/{clinic.practice.id}/visit-types", headers=admin, json={
        "name": "Flu shot", "duration_minutes": 15, "translations": {"es": {"name": "Vacuna de la gripe",
                                                                          "instructions": "  "}},
        "questionnaire": [{"text": "Any allergies?", "translations": {"es": "¿Alergias?"}}]})
    assert created.status_code == 201, created.json
    assert created.json["name"] == "Flu shot" and created.json["translations"] == {"es": {"name": "Vacuna de la gripe"}}
    assert created.json["questionnaire"][0]["translations"] == {"es": "¿Alergias?"}
    bad = client.post(f"/api/v1/practices/{clinic.practice.id}/visit-types", headers={**admin, **ES}, json={
        "name": "X", "duration_minutes": 15, "translations": {"fr": {"name": "Y"}}})
    assert bad.status_code == 422 and "translations" in bad.json["errors"]
    loc = client.patch(f"/api/v1/practices/{clinic.practice.id}/locations/{clinic.location.id}", headers=admin,
                       json={"translations": {"es": {"name": "Sede Main Street"}}})
    assert loc.status_code == 200 and loc.json["translations"] == {"es": {"name": "Sede Main Street"}}


def test_admin_forms_take_spanish(client, clinic, practice_admin):
    login(client, practice_admin)
    url = f"/settings/scheduling/{clinic.practice.id}/visit-types/{clinic.visit.id}"
    form = client.get(url).get_data(as_text=True)
    assert 'name="name__es"' in form and 'name="instructions__es"' in form and 'name="text__es"' in form
    r = client.post(url, data={"name": "Check-up", "duration_minutes": "30", "mode": "in_person", "active": "y",
                               "self_schedulable": "y", "name__es": "Chequeo", "instructions__es": "Llegue temprano."})
    assert r.status_code == 302, r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(VisitType, clinic.visit.id).translations == {
        "es": {"name": "Chequeo", "instructions": "Llegue temprano."}}
    q = client.post(f"{url}/questions", data={"text": "Fever?", "type": "yes_no", "text__es": "¿Fiebre?"})
    assert q.status_code == 302
    db.session.expire_all()
    assert db.session.get(VisitType, clinic.visit.id).questionnaire[-1]["translations"] == {"es": "¿Fiebre?"}
    loc = client.post(f"/settings/practice/{clinic.practice.id}/locations/{clinic.location.id}",
                      data={"name": "Main Street", "name__es": "Calle Mayor"})
    assert loc.status_code == 302
    db.session.refresh(clinic.location)
    assert clinic.location.translations == {"es": {"name": "Calle Mayor"}}


def test_slots_and_calendar_file_in_the_readers_language(client, clinic):
    _spanish(clinic)
    appt = place(clinic, local(future_day(3), 10))
    clinic.patient.user.locale = "es"
    clinic.patient.calendar_shows_visit_type = True  # the .ics title names the visit type (off by default)
    db.session.commit()
    login(client, clinic.patient.user)
    day = future_day(4).isoformat()
    page = client.get("/appointments/find/times", query_string={"visit_type_id": clinic.visit.id,
                                                                 "day": day}).get_data(as_text=True)
    assert "Calle Principal" in page and "Main Street" not in page
    ics = client.get(f"/appointments/{appt.id}/calendar.ics").get_data(as_text=True)
    assert "Consulta general" in ics and "Calle Principal" in ics
