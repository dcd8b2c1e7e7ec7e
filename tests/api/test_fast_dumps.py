"""Issue 11 golden test: the API's reads answer the same bytes with the compiled dump
(hearth.schemas.dumper) as with marshmallow's own dump.

The world has translated practice texts read in English and in Spanish, a video visit (no
location), a cancelled visit with its reason, visits of other patients on the staff's schedule day,
sent notifications, questionnaires, and an empty day; every body is compared byte for byte.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from hearth import db
from hearth.models import AppointmentStatus
from hearth.schemas import dumper
from tests.api.test_read_statements import reads, world
from tests.api.test_staff import bearer
from tests.scheduling.conftest import clinic, future_day, local, place  # noqa: F401  (clinic: a fixture)


def translated(clinic) -> None:  # noqa: F811
    clinic.visit.translations = {"es": {"name": "Revisión", "instructions": "Venga en ayunas"}}
    clinic.visit.instructions = "Come fasting"
    clinic.visit.questionnaire = [{**q, "translations": {"es": f"¿{q['text']}?"}} if i % 2 == 0 else q
                                  for i, q in enumerate(clinic.visit.questionnaire)]
    clinic.location.translations = {"es": {"name": "Calle Mayor"}}


@pytest.mark.parametrize("language", ["en", "es"])
def test_reads_answer_the_same_bytes_compiled_and_plain(client, clinic, language):  # noqa: F811
    translated(clinic)
    day, staff = world(clinic, 3)
    place(clinic, local(day, 15), visit=clinic.video)
    cancelled = place(clinic, local(day, 16))
    cancelled.status, cancelled.cancel_reason = AppointmentStatus.CANCELLED, "Feeling better — gracias"
    db.session.commit()
    paths = reads(clinic, day, bearer(client, staff), bearer(client, clinic.patient.user))
    pid, practice = clinic.patient.id, clinic.practice.id
    patient_auth, staff_auth = paths["me"][1], paths["staff patient list"][1]
    paths |= {
        "booking options": (f"/api/v1/patients/{pid}/booking-options", patient_auth),
        "empty schedule day": (f"/api/v1/practices/{practice}/schedule?date={day + timedelta(days=1)}", staff_auth),
        "schedule week": (f"/api/v1/practices/{practice}/schedule?date={day - timedelta(days=2)}&days=7", staff_auth),
        "waitlist": (f"/api/v1/patients/{pid}/waitlist", patient_auth),
        "threads": (f"/api/v1/patients/{pid}/messages/threads", patient_auth),
        "reasons": (f"/api/v1/patients/{pid}/messages/reasons", patient_auth),
    }
    differ, seen = {}, {}
    for name, (path, auth) in paths.items():
        headers = {**auth, "Accept-Language": language}
        fast = client.get(path, headers=headers)
        with dumper.plain_dumps():
            plain = client.get(path, headers=headers)
        assert fast.status_code == plain.status_code, (name, fast.status_code, plain.status_code)
        seen[name] = fast.status_code
        if fast.data != plain.data:
            differ[name] = (fast.data[:300], plain.data[:300])
    assert not differ, differ
    assert all(status == 200 for status in seen.values()), seen
    body = client.get(paths["appointments"][0], headers={**patient_auth, "Accept-Language": language}).json
    assert body["upcoming"] and body["past"]
    names = {a["visit_type"]["name"] for a in body["upcoming"]}
    assert ("Revisión" in names) == (language == "es")
    week = client.get(paths["schedule week"][0], headers=staff_auth).json
    assert any(d["appointments"] == [] for d in week["days"]) and any(d["appointments"] for d in week["days"])
