"""The scheduling API for a patient, a caregiver with and without the scope, and staff."""

from datetime import timedelta

from hearth import db
from hearth.models import AppointmentStatus
from tests.factories import PASSWORD, make_grant, make_patient, make_user
from tests.querycount import count_queries
from tests.scheduling.conftest import future_day, local, place


def auth(client, user):
    r = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
    assert r.status_code == 201, r.json
    return {"Authorization": f"Bearer {r.json['access_token']}"}


def test_patient_finds_books_moves_and_cancels(client, clinic):
    h = auth(client, clinic.patient.user)
    base = f"/api/v1/patients/{clinic.patient.id}"
    opts = client.get(f"{base}/booking-options", headers=h)
    assert opts.status_code == 200
    assert {v["name"] for v in opts.json["visit_types"]} == {"Check-up", "Video chat"}
    day = future_day(5).isoformat()
    query = {"visit_type_id": clinic.visit.id, "start": day, "end": day}
    r = client.get(f"{base}/slots", query_string=query, headers=h)
    assert r.status_code == 200 and len(r.json) == 16
    slot = r.json[2]
    body = {k: slot[k] for k in ("visit_type_id", "provider_id", "location_id", "starts_at")} | {"reason": "Knee"}
    made = client.post(f"{base}/appointments", json=body, headers=h)
    assert made.status_code == 201, made.json
    assert made.json["status"] == "booked" and made.json["visit_type"]["name"] == "Check-up"
    again = client.post(f"{base}/appointments", json=body, headers=h)
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    assert again.json["detail"] == "That time was just taken. Please pick another."
    aid = made.json["id"]
    moved = client.patch(f"{base}/appointments/{aid}", json={"starts_at": r.json[5]["starts_at"]}, headers=h)
    assert moved.status_code == 200 and moved.json["starts_at"] == r.json[5]["starts_at"]
    ics = client.get(f"{base}/appointments/{aid}/calendar.ics", headers=h)
    assert ics.status_code == 200 and ics.mimetype == "text/calendar" and b"BEGIN:VEVENT" in ics.data
    assert b"Knee" not in ics.data
    listed = client.get(f"{base}/appointments", headers=h)
    assert [a["id"] for a in listed.json["upcoming"]] == [aid]
    gone = client.post(f"{base}/appointments/{aid}/cancel", json={"reason": "Better"}, headers=h)
    assert gone.status_code == 200 and gone.json["status"] == "cancelled"


def test_bad_input_is_problem_json(client, clinic):
    h = auth(client, clinic.patient.user)
    base = f"/api/v1/patients/{clinic.patient.id}"
    r = client.post(f"{base}/appointments", json={"visit_type_id": "x", "starts_at": "soon"}, headers=h)
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert {"visit_type_id", "starts_at", "provider_id"} <= set(r.json["errors"])
    off_grid = {"visit_type_id": clinic.visit.id, "provider_id": clinic.provider.id,
                "location_id": clinic.location.id, "starts_at": local(future_day(5), 10, 10).isoformat()}
    r = client.post(f"{base}/appointments", json=off_grid, headers=h)
    assert r.status_code == 422 and "starts_at" in r.json["errors"]
    r = client.get(f"{base}/slots", query_string={"visit_type_id": clinic.visit.id, "start": "2030-01-10",
                                                  "end": "2030-01-01"}, headers=h)
    assert r.status_code == 422 and "end" in r.json["errors"]


def test_cancel_after_cutoff_and_join_too_early(client, clinic):
    from hearth.clock import utcnow

    soon = place(clinic, utcnow().replace(second=0, microsecond=0) + timedelta(hours=2))
    video = place(clinic, local(future_day(5), 10), visit=clinic.video)
    db.session.commit()
    h = auth(client, clinic.patient.user)
    base = f"/api/v1/patients/{clinic.patient.id}/appointments"
    r = client.post(f"{base}/{soon.id}/cancel", json={}, headers=h)
    assert r.status_code == 409 and "please call us at 555-0100" in r.json["detail"]
    r = client.get(f"{base}/{video.id}/join", headers=h)
    assert r.status_code == 409 and "15 minutes before" in r.json["detail"]


def test_caregiver_needs_appointments_scope(client, clinic):
    allowed, refused = make_user(), make_user()
    make_grant(patient=clinic.patient, caregiver=allowed, scopes=("appointments",))
    make_grant(patient=clinic.patient, caregiver=refused, scopes=("messages",))
    place(clinic, local(future_day(5), 10))
    db.session.commit()
    url = f"/api/v1/patients/{clinic.patient.id}/appointments"
    assert client.get(url, headers=auth(client, allowed)).status_code == 200
    r = client.get(url, headers=auth(client, refused))
    assert r.status_code == 404 and r.mimetype == "application/problem+json"
    assert client.get(url).status_code == 401


def test_appointment_list_runs_bounded_queries(client, clinic):
    h = auth(client, clinic.patient.user)
    url = f"/api/v1/patients/{clinic.patient.id}/appointments"
    place(clinic, local(future_day(5), 10))
    place(clinic, local(future_day(-1), 10), visit=clinic.video)
    db.session.commit()
    with count_queries() as few:
        assert client.get(url, headers=h).status_code == 200
    for n in range(8):
        place(clinic, local(future_day(6 + n), 10))
        place(clinic, local(future_day(-2 - n), 10), visit=clinic.video)
    db.session.commit()
    with count_queries() as many:
        assert len(client.get(url, headers=h).json["upcoming"]) == 9
    assert many.count <= few.count <= 10, many.statements


def test_staff_schedule_and_status(client, clinic):
    day = future_day(0)  # arrival is only on the visit's day
    appt = place(clinic, local(day, 10))
    place(clinic, local(day, 11), patient=make_patient(practice=clinic.practice))
    db.session.commit()
    h = auth(client, clinic.staff)
    url = f"/api/v1/practices/{clinic.practice.id}/schedule"
    r = client.get(url, query_string={"date": day.isoformat(), "days": 2}, headers=h)
    assert r.status_code == 200
    assert [len(d["appointments"]) for d in r.json["days"]] == [2, 0]
    assert r.json["days"][0]["appointments"][0]["patient"]["full_name"] == clinic.patient.full_name
    status_url = f"/api/v1/practices/{clinic.practice.id}/appointments/{appt.id}/status"
    r = client.post(status_url, json={"status": "arrived"}, headers=h)
    assert r.status_code == 200 and r.json["status"] == "arrived" and r.json["arrived_at"]
    r = client.post(status_url, json={"status": "completed"}, headers=h)
    assert r.status_code == 409
    r = client.post(status_url, json={"status": "sideways"}, headers=h)
    assert r.status_code == 422 and "status" in r.json["errors"]
    assert client.get(url, headers=auth(client, clinic.patient.user)).status_code == 403
    db.session.expire_all()
    assert appt.status == AppointmentStatus.ARRIVED


def test_staff_books_for_patient(client, clinic):
    h = auth(client, clinic.staff)
    body = {"patient_id": clinic.patient.id, "visit_type_id": clinic.visit.id, "provider_id": clinic.provider.id,
            "location_id": clinic.location.id, "starts_at": local(future_day(4), 9).isoformat()}
    r = client.post(f"/api/v1/practices/{clinic.practice.id}/appointments", json=body, headers=h)
    assert r.status_code == 201, r.json
    assert r.json["patient"]["id"] == clinic.patient.id


def test_openapi_documents_the_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "/api/v1/patients/{patient_id}/slots" in paths
    assert "/api/v1/practices/{practice_id}/schedule" in paths
    assert "bearerAuth" in str(paths["/api/v1/patients/{patient_id}/appointments"]["get"]["security"])
