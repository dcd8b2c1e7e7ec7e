"""Patient search as staff type it: names without punctuation, MRN digits, an over-long query."""

from datetime import date

from hearth.services import patients
from hearth.textfold import search_key
from tests.factories import make_patient, make_practice
from tests.portal.test_staff import enrolled_staff, sign_in


def test_search_key_runs_punctuated_names_together():
    assert search_key("Michael", "O'Brien") == "michael o brien obrien"
    assert search_key("José", "Núñez-García") == "jose nunez garcia nunezgarcia"
    assert search_key("Ana", "López") == "ana lopez"


def _names(client, query):
    body = client.get("/staff/patients", query_string={"q": query}).get_data(as_text=True)
    return {n for n in ("Michael", "Ana", "Carl") if f", {n}</a>" in body}


def test_obrien_and_mrn_digits_find_the_patient(client):
    practice = make_practice()
    staff = enrolled_staff(practice=practice)
    make_patient(practice=practice, given_name="Michael", family_name="O'Brien", user=None, mrn="HFM-000101")
    make_patient(practice=practice, given_name="Ana", family_name="López", user=None, mrn="HFM-000202")
    make_patient(practice=practice, given_name="Carl", family_name="Jones", user=None, mrn="HFM-010100")
    sign_in(client, staff)
    assert _names(client, "obrien") == {"Michael"}
    assert _names(client, "o'brien") == {"Michael"}
    assert _names(client, "OBrien mich") == {"Michael"}
    assert _names(client, "brien") == {"Michael"}
    assert _names(client, "lopez") == {"Ana"}
    assert _names(client, "000101") == {"Michael"}
    assert _names(client, "0101") == {"Michael", "Carl"}  # digits anywhere in the MRN
    assert _names(client, "hfm-0002") == {"Ana"}  # the MRN's start, as before
    assert _names(client, "01") == set()  # too few digits to match inside an MRN


def test_over_long_query_shows_its_error_and_no_patients(client):
    practice = make_practice()
    staff = enrolled_staff(practice=practice)
    make_patient(practice=practice, given_name="Carl", family_name="Jones", user=None)
    sign_in(client, staff)
    response = client.get("/staff/patients", query_string={"q": "x" * 101})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'aria-invalid="true"' in html and "Longer than maximum length 100." in html
    assert "Jones, Carl" not in html and "Correct the search above" in html


def test_invalid_search_gives_an_empty_page():
    practice = make_practice()
    staff = enrolled_staff(practice=practice)
    make_patient(practice=practice, user=None, date_of_birth=date(1990, 1, 1))
    listing = patients.practice_patients(staff, practice.id, query="x" * 101, invalid_search=True)
    assert listing.page.items == [] and listing.page.total == 0


def test_minor_search_refuses_an_over_long_query_instead_of_cutting_it(client):
    from datetime import timedelta

    from hearth.clock import utcnow

    practice = make_practice()
    staff = enrolled_staff(practice=practice)
    kid = utcnow().date() - timedelta(days=365 * 8)
    make_patient(practice=practice, given_name="Tess", family_name="X" * 10, user=None, date_of_birth=kid)
    sign_in(client, staff)
    url = f"/caregivers/practices/{practice.id}/minors"
    assert "Tess" in client.get(url, query_string={"q": "tess"}).get_data(as_text=True)
    r = client.get(url, query_string={"q": "tess" + " " * 97})  # 101 characters: once cut to 100, it matched
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Longer than maximum length 100." in html and "Tess" not in html


def test_search_fields_stop_at_the_length_the_server_takes(client):
    """A 5,000-character name typed into a GET search form made a URL gunicorn refused ("URI Too Long")."""
    practice = make_practice()
    staff = enrolled_staff(practice=practice)
    sign_in(client, staff)
    for url in ("/staff/patients", f"/schedule/book?practice_id={practice.id}",
                f"/caregivers/practices/{practice.id}/minors"):
        html = client.get(url).get_data(as_text=True)
        assert 'id="f-q"' in html and 'maxlength="100"' in html, url


def test_a_bounded_count_says_more_than_and_offers_the_next_page(client, monkeypatch):
    from hearth.services import pagination

    monkeypatch.setattr(pagination, "COUNT_BOUND", 2)
    practice = make_practice()
    staff = enrolled_staff(practice=practice)
    for n in range(27):  # one page of 25, the row that proves more, and one more
        make_patient(practice=practice, family_name=f"Adams{n:02d}", user=None)
    sign_in(client, staff)
    body = client.get("/staff/patients").get_data(as_text=True)
    assert "More than 25 patients" in body and 'rel="next"' in body and "Page 1</span>" in body
    assert "More than 25 patients match “adams”" in client.get("/staff/patients?q=adams").get_data(as_text=True)
