"""“Book for a patient” finds the patient by name, MRN or date of birth (the staff search), never by
an internal number; the chart has a "Book" action."""

from datetime import date

from tests.conftest import login
from tests.factories import make_patient, make_practice
from tests.scheduling.conftest import future_day, local


def test_find_by_name_mrn_or_birth_date_then_book(client, clinic):
    obrien = make_patient(practice=clinic.practice, given_name="Michael", family_name="O'Brien", user=None,
                          mrn="HFM-000118", date_of_birth=date(1947, 4, 2))
    make_patient(practice=make_practice(), given_name="Michael", family_name="O'Brien", user=None)  # elsewhere
    login(client, clinic.staff)
    start = client.get("/schedule/book").get_data(as_text=True)
    assert "Patient's name, MRN or date of birth" in start and 'name="patient_id"' not in start
    for query in ("obrien", "000118", "1947-04-02", "04/02/1947"):
        html = client.get("/schedule/book", query_string={"q": query}).get_data(as_text=True)
        assert html.count("Book for O&#39;Brien, Michael") == 1, query
        assert f"patient_id={obrien.id}" in html
    chosen = client.get("/schedule/book", query_string={"patient_id": obrien.id}).get_data(as_text=True)
    assert "Michael O&#39;Brien" in chosen and "HFM-000118" in chosen and 'name="visit_type_id"' in chosen
    day = future_day(4)
    r = client.post("/schedule/book", data={"patient_id": obrien.id, "visit_type_id": clinic.visit.id,
                                            "slot": f"{clinic.provider.id}|{clinic.location.id}|"
                                                    f"{local(day, 9).isoformat()}", "reason": "Follow-up"})
    assert r.status_code == 302


def test_no_match_and_too_long(client, clinic):
    login(client, clinic.staff)
    none = client.get("/schedule/book", query_string={"q": "zzz"}).get_data(as_text=True)
    assert "No patients found." in none
    long = client.get("/schedule/book", query_string={"q": "x" * 101})
    assert long.status_code == 422 and "Longer than maximum length 100." in long.get_data(as_text=True)


def test_chart_has_a_book_action(client, clinic):
    login(client, clinic.staff)
    html = client.get(f"/staff/patients/{clinic.patient.id}").get_data(as_text=True)
    assert f"/schedule/book?practice_id={clinic.practice.id}&amp;patient_id={clinic.patient.id}" in html


def test_another_practices_patient_is_not_found_and_not_shown(client, clinic):
    stranger = make_patient(practice=make_practice(), given_name="Wilhelmina", family_name="Zabriskie", user=None)
    login(client, clinic.staff)
    for r in (client.get("/schedule/book", query_string={"patient_id": stranger.id}),
              client.post("/schedule/book", data={"patient_id": stranger.id, "visit_type_id": clinic.visit.id,
                                                  "slot": f"{clinic.provider.id}||2030-01-01T10:00:00+00:00"})):
        assert r.status_code == 404 and "Zabriskie" not in r.get_data(as_text=True)
