"""The staff search's per-word name index (patient_name_word): kept in step with every name change, and the page
it gives is the page the plain search gives (same patients, same order, same bounded count)."""

import random
from datetime import date

from sqlalchemy import delete, insert, select

from hearth import db, patient_words
from hearth.clock import utcnow
from hearth.models import Patient, PatientNameWord
from hearth.services import patient_search, patients
from hearth.services.pagination import COUNT_BOUND
from hearth.textfold import search_key
from tests.factories import make_patient, make_practice, make_staff


def _words(patient_id: int) -> list[tuple]:
    return [tuple(r) for r in db.session.execute(
        select(PatientNameWord.word, PatientNameWord.practice_id, PatientNameWord.family_name,
               PatientNameWord.given_name).where(PatientNameWord.patient_id == patient_id)
        .order_by(PatientNameWord.word))]


def test_words_follow_a_rename_and_a_move():
    practice, other = make_practice(), make_practice()
    patient = make_patient(practice=practice, given_name="José", family_name="Núñez-García", user=None)
    assert _words(patient.id) == [(w, practice.id, "Núñez-García", "José")
                                  for w in ["garcia", "jose", "nunez", "nunezgarcia"]]
    patient.family_name = "Smith"
    db.session.flush()
    assert _words(patient.id) == [("jose", practice.id, "Smith", "José"), ("smith", practice.id, "Smith", "José")]
    patient.phone = "+15555550100"  # not a name: rows untouched
    db.session.flush()
    patient.practice_id = other.id
    db.session.flush()
    assert {r[1] for r in _words(patient.id)} == {other.id}
    db.session.delete(patient)
    db.session.flush()
    assert _words(patient.id) == []


def test_repeated_words_are_one_row():
    patient = make_patient(given_name="Ana Ana", family_name="Ana", user=None)
    assert [r[0] for r in _words(patient.id)] == ["ana"]


def test_refill_rebuilds_rows_written_without_the_orm():
    practice = make_practice()
    db.session.execute(insert(Patient.__table__), [
        {"practice_id": practice.id, "mrn": f"B{i}", "given_name": "Ana", "family_name": f"Lopez{i}",
         "date_of_birth": date(1990, 1, 1), "search_name": search_key("Ana", f"Lopez{i}"),
         "preferred_language": "en", "preferred_channels": "email", "created_at": utcnow(),
         "calendar_shows_visit_type": False} for i in range(3)])
    ids = list(db.session.scalars(select(Patient.id).where(Patient.practice_id == practice.id)))
    assert all(_words(i) == [] for i in ids)
    patient_words.refill(db.session.connection(), ids)
    assert [r[0] for r in _words(ids[0])] == ["ana", "lopez0"]
    db.session.execute(delete(PatientNameWord))
    patient_words.refill(db.session.connection())
    assert [r[0] for r in _words(ids[2])] == ["ana", "lopez2"]


def _plain(staff, practice, query, page, per_page, dates=None):
    """The page by the plain plan (word_page switched off)."""
    original = patient_search.word_page
    patient_search.word_page = lambda *a, **k: None
    try:
        return patients.practice_patients(staff, practice.id, query=query, dates=dates, page=page,
                                          per_page=per_page).page
    finally:
        patient_search.word_page = original


def test_word_page_matches_the_plain_search(monkeypatch):
    rng = random.Random(3)
    practice = make_practice()
    staff = make_staff(practice=practice)
    make_patient(practice=make_practice(), family_name="Garcia", user=None)  # another practice: never found
    families = ["García", "Garcés", "Garcia-Lopez", "Gardner", "Smith", "O'Garcia", "Lopez García", "Gar"]
    given = ["Ana", "Garcia", "Bea", "Gárcon", "Zoe"]
    for n in range(60):
        make_patient(practice=practice, given_name=rng.choice(given), family_name=rng.choice(families),
                     mrn=f"GARC{n:03d}" if n % 17 == 0 else f"M{n:04d}",
                     date_of_birth=date(1990, 1, 1 + n % 3), user=None)
    calls = []
    monkeypatch.setattr(patient_search, "word_page", _counting(patient_search.word_page, calls))
    cases = [("garc", 1, 25), ("garc", 2, 7), ("gar", 3, 5), ("GARCÍA", 1, 25), ("ana garc", 1, 4),
             ("garc ana", 2, 4), ("lopez", 1, 25), ("obrien", 1, 25), ("ogarcia", 1, 25), ("garc0", 1, 25),
             ("m0001", 1, 25), ("zzz", 1, 25), ("g", 1, 10), ("garcia lopez garcia", 1, 25)]
    for query, page, per_page in cases:
        fast = patients.practice_patients(staff, practice.id, query=query, page=page, per_page=per_page).page
        plain = _plain(staff, practice, query, page, per_page)
        assert [p.id for p in fast.items] == [p.id for p in plain.items], query
        assert (fast.total, fast.total_exact) == (plain.total, plain.total_exact), query
    dated = patients.practice_patients(staff, practice.id, query="garc", dates=[date(1990, 1, 2)]).page
    assert [p.id for p in dated.items] == [p.id for p in _plain(staff, practice, "garc", 1, 25,
                                                                  [date(1990, 1, 2)]).items]
    assert all(result is not None for result in calls)


def _counting(fn, calls):
    def wrapper(*args, **kwargs):
        result = fn(*args, **kwargs)
        calls.append(result)
        return result
    return wrapper


def test_a_renamed_patient_moves_in_the_search():
    practice = make_practice()
    staff = make_staff(practice=practice)
    patient = make_patient(practice=practice, given_name="Ana", family_name="Garcia", user=None)
    assert [p.id for p in patients.practice_patients(staff, practice.id, query="garc").page.items] == [patient.id]
    patient.family_name = "Smith"
    db.session.commit()
    assert patients.practice_patients(staff, practice.id, query="garc").page.items == []
    assert [p.id for p in patients.practice_patients(staff, practice.id, query="smi").page.items] == [patient.id]


def test_the_count_is_bounded_like_the_plain_one(monkeypatch):
    monkeypatch.setattr("hearth.services.patients.COUNT_BOUND", 5)
    monkeypatch.setattr("hearth.services.pagination.COUNT_BOUND", 5)
    assert COUNT_BOUND == 1000
    practice = make_practice()
    staff = make_staff(practice=practice)
    for n in range(8):
        make_patient(practice=practice, given_name="Ana" if n % 2 else "Garcia", family_name=f"Garcia{n % 3}",
                     user=None)
    fast = patients.practice_patients(staff, practice.id, query="garc", per_page=2).page
    plain = _plain(staff, practice, "garc", 1, 2)
    assert (fast.total, fast.total_exact) == (plain.total, plain.total_exact) == (5, False)


def test_too_common_a_prefix_walks_the_name_index(monkeypatch):
    monkeypatch.setattr(patient_search, "MAX_WORDS", 2)
    practice = make_practice()
    staff = make_staff(practice=practice)
    for family in ["Garcia", "Garces", "Garcon"]:
        make_patient(practice=practice, family_name=family, user=None)
    assert patient_search.word_page(practice.id, "garc", None, 0, 25, COUNT_BOUND) is None
    found = patients.practice_patients(staff, practice.id, query="garc").page
    assert [p.family_name for p in found.items] == ["Garces", "Garcia", "Garcon"]
