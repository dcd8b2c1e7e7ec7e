"""The waitlist through /api/v1: entries carry the offered time, and booking it is first come, first served."""

from datetime import datetime, timedelta

from hearth import db
from hearth.services.scheduling import booking
from tests.factories import make_patient
from tests.scheduling.conftest import future_day, local, place
from tests.scheduling.test_api import auth


def test_offer_is_listed_and_booked_once(client, clinic):
    day = future_day(7)
    first, second = make_patient(practice=clinic.practice), make_patient(practice=clinic.practice)
    db.session.commit()
    heads, ids = {}, {}
    for p in (first, second):
        heads[p.id] = auth(client, p.user)
        r = client.post(f"/api/v1/patients/{p.id}/waitlist", headers=heads[p.id], json={
            "visit_type_id": clinic.visit.id, "window_start": day.isoformat(), "window_end": day.isoformat()})
        assert r.status_code == 201 and r.json["offer"] is None and r.json["status"] == "waiting"
        ids[p.id] = r.json["id"]
    appointment = place(clinic, local(day, 15))
    db.session.commit()
    booking.cancel(clinic.patient.user, clinic.patient, appointment.id)
    listed = client.get(f"/api/v1/patients/{first.id}/waitlist", headers=heads[first.id])
    offer = listed.json[0]["offer"]
    assert listed.json[0]["status"] == "offered"
    assert datetime.fromisoformat(offer["starts_at"]) == local(day, 15)
    assert datetime.fromisoformat(offer["ends_at"]) == local(day, 15) + timedelta(minutes=30)
    assert offer["provider"]["id"] == clinic.provider.id and offer["location"]["name"] == "Main Street"
    won = client.post(f"/api/v1/patients/{first.id}/waitlist/{ids[first.id]}/book", headers=heads[first.id])
    assert won.status_code == 201, won.json
    assert datetime.fromisoformat(won.json["starts_at"]) == local(day, 15) and won.json["patient_id"] == first.id
    lost = client.post(f"/api/v1/patients/{second.id}/waitlist/{ids[second.id]}/book", headers=heads[second.id])
    assert lost.status_code == 409 and lost.mimetype == "application/problem+json"
    assert lost.json["detail"] == "That time was just taken. Please pick another."
    after = client.get(f"/api/v1/patients/{second.id}/waitlist", headers=heads[second.id]).json
    assert after[0]["status"] == "waiting" and after[0]["offer"] is None
    assert client.get(f"/api/v1/patients/{first.id}/waitlist", headers=heads[first.id]).json == []


def test_join_validation_and_other_peoples_entries(client, clinic):
    h = auth(client, clinic.patient.user)
    base = f"/api/v1/patients/{clinic.patient.id}/waitlist"
    day = future_day(4).isoformat()
    backwards = client.post(base, headers=h, json={"visit_type_id": clinic.visit.id, "window_start": day,
                                                   "window_end": future_day(2).isoformat()})
    assert backwards.status_code == 422 and set(backwards.json["errors"]) == {"window_end"}
    body = {"visit_type_id": clinic.visit.id, "window_start": day, "window_end": day}
    assert client.post(base, headers=h, json=body).status_code == 201
    assert client.post(base, headers=h, json=body).status_code == 409
    other = make_patient(practice=clinic.practice)
    db.session.commit()
    assert client.post(f"/api/v1/patients/{other.id}/waitlist", headers=h, json=body).status_code == 404
    entry_id = client.get(base, headers=h).json[0]["id"]
    other_h = auth(client, other.user)
    assert client.post(f"/api/v1/patients/{other.id}/waitlist/{entry_id}/book", headers=other_h).status_code == 404
    gone = client.post(f"{base}/{entry_id}/book", headers=h)
    assert gone.status_code == 409 and gone.json["detail"] == "No time has been offered yet."
