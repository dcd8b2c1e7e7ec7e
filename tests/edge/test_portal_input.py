"""Issue 7 §3 in the portal: ids past the column's range in URLs, forms and query strings, NUL bytes and
oversized bodies give a 404/413/422 page (never a 500), and nothing is saved."""

import pytest
from sqlalchemy import func, select

from hearth import db
from hearth.models import Appointment, StaffRole
from tests.conftest import login
from tests.factories import PASSWORD, make_staff
from tests.scheduling.conftest import future_day, local

HUGE = "99999999999999999999999"


def _appointments() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Appointment))


@pytest.mark.parametrize("number", ["2147483648", HUGE])
def test_staff_book_for_a_patient_with_a_huge_number_is_422(client, clinic, number):
    login(client, clinic.staff)
    day = future_day(4)
    page = client.get("/schedule/book", query_string={"patient_id": number, "visit_type_id": clinic.visit.id,
                                                      "start": day.isoformat(), "end": day.isoformat()})
    # The patient comes from the search's results: a number no row can have is "no such patient" (404).
    assert page.status_code == 404
    r = client.post("/schedule/book", data={"patient_id": number, "visit_type_id": clinic.visit.id,
                                            "slot": f"{clinic.provider.id}|{clinic.location.id}|"
                                                    f"{local(day, 9).isoformat()}"})
    assert r.status_code == 404  # the same for a booking posted with it; nothing is booked (checked below)
    r = client.post("/schedule/book", data={"patient_id": clinic.patient.id, "visit_type_id": number,
                                            "slot": f"{number}|{clinic.location.id}|{local(day, 9).isoformat()}"})
    assert r.status_code == 422
    r = client.get("/schedule/book", query_string={"patient_id": clinic.patient.id, "visit_type_id": number,
                                                   "start": "0001-01-01", "end": "0001-01-02"})
    assert r.status_code == 422
    assert _appointments() == 0


@pytest.mark.parametrize("number", ["0", "2147483648", HUGE])
def test_portal_urls_with_ids_past_the_range_are_404(client, clinic, number):
    admin = make_staff(practice=clinic.practice, role=StaffRole.ADMIN)
    db.session.commit()
    login(client, admin)
    for path in (f"/staff/patients/{number}", f"/staff/patients/{number}/contact", f"/appointments/{number}",
                 f"/settings/scheduling/{number}/hours", f"/settings/practice/{number}/locations/new"):
        assert client.get(path).status_code == 404, path
    for path in (f"/schedule/appointments/{number}/status", f"/staff/patients/{number}/contact",
                 f"/settings/scheduling/{clinic.practice.id}/exceptions/{number}/delete"):
        assert client.post(path, data={"status": "arrived"}).status_code == 404, path


def test_query_strings_with_huge_numbers_are_not_500(client, clinic):
    admin = make_staff(practice=clinic.practice, role=StaffRole.ADMIN)
    db.session.commit()
    login(client, admin)
    assert client.get("/schedule", query_string={"practice_id": HUGE}).status_code == 200
    assert client.get("/schedule", query_string={"practice_id": clinic.practice.id, "provider_id": HUGE,
                                                 "date": "0001-01-01", "days": HUGE}).status_code == 200
    assert client.get("/settings/practice", query_string={"practice": HUGE}).status_code == 200
    assert client.get("/settings/scheduling", query_string={"practice": HUGE}).status_code == 302
    r = client.get(f"/settings/scheduling/{clinic.practice.id}/exceptions", query_string={"page": HUGE})
    assert r.status_code == 200
    assert client.get("/staff/patients", query_string={"practice": HUGE}).status_code == 422
    assert client.get("/staff/patients", query_string={"page": HUGE}).status_code == 422
    assert client.post("/acting-for", data={"patient_id": HUGE}).status_code == 302


def test_nul_in_a_portal_form_is_422_and_nothing_saved(client, clinic):
    login(client, clinic.patient.user)
    before = clinic.patient.address
    r = client.post("/records/profile/edit", data={"address": "a\x00b", "preferred_language": "en",
                                                   "channel_1": "email"})
    assert r.status_code == 422 and "Remove the invisible control characters" in r.text
    db.session.expire_all()
    assert clinic.patient.address == before


def test_bogus_channels_in_the_portal_form_are_422_with_sentences(client, clinic):
    login(client, clinic.patient.user)
    r = client.post("/records/profile/edit", data={"preferred_language": "en", "channel_1": "sms",
                                                   "channel_2": "bogus", "channel_3": "sms"})
    assert r.status_code == 422
    assert "Must be one of: push, email, sms." in r.text and "Choose each channel only once." in r.text
    assert "{" not in r.text.split("<main", 1)[-1].split("</main>")[0].replace("{{", "")


def test_an_oversized_form_is_a_413_page(client, app, clinic):
    r = client.post("/login", data={"email": "a@example.test", "password": "x" * app.config["MAX_CONTENT_LENGTH"]})
    assert r.status_code == 413 and r.mimetype == "text/html"
    assert "too much" in r.text


def test_a_nul_in_the_user_agent_at_portal_sign_in_is_not_stored(client, clinic):
    r = client.post("/login", data={"email": clinic.patient.user.email, "password": PASSWORD},
                    headers={"User-Agent": "Browser\x00/1"})
    assert r.status_code == 302
