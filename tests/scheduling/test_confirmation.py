"""Confirm or cancel straight from a reminder (signed links, no sign-in), and confirming when signed in."""

from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from hearth import db
from hearth.models import AppointmentStatus, AuditEvent, Notification, NotificationStatus
from hearth.notify.templates import render
from hearth.services.scheduling import booking, confirmation, links
from hearth.services.scheduling.booking import SlotChoice
from tests.conftest import login
from tests.factories import make_grant, make_user
from tests.scheduling.conftest import future_day, local
from tests.scheduling.test_api import auth


def book(clinic, starts_at):
    return booking.book(clinic.patient.user, clinic.patient,
                        SlotChoice(clinic.visit.id, clinic.provider.id, starts_at, clinic.location.id,
                                   reason="Sore knee"))


def reminder(appointment_id) -> Notification:
    return db.session.scalars(
        select(Notification).where(Notification.idempotency_key.startswith(f"reminder:{appointment_id}:"),
                                   Notification.status == NotificationStatus.PENDING)
        .order_by(Notification.due_at)
    ).first()


def path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def link_events(appointment_id, action=None):
    stmt = select(AuditEvent).where(AuditEvent.actor_relation == "link",
                                    AuditEvent.resource_id == str(appointment_id))
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return db.session.scalars(stmt).all()


# -- the reminder itself ---------------------------------------------------------------------------


def test_reminder_carries_confirm_and_cancel_links_but_no_health_detail(clinic):
    appt = book(clinic, local(future_day(10), 10))
    row = reminder(appt.id)
    # The start is kept as a moment: date and time are written in the recipient's language when sent.
    assert set(row.params) == {"ref", "starts_at", "zone", "confirm_url", "cancel_url"}
    assert row.params["confirm_url"].startswith("http://127.0.0.1:5000/r/")
    assert row.params["confirm_url"].endswith("?lang=en")
    text = render(row.template, row.locale, row.params)
    assert f"Confirm: {row.params['confirm_url']}" in text.body
    assert f"Cancel: {row.params['cancel_url']}" in text.body
    assert f'<a href="{row.params["confirm_url"]}"' in text.html.replace("&amp;", "&")  # in words
    assert "/r/" not in text.short  # the push body stays short; the app confirms signed in
    for words in (text.body, text.short, text.html, text.subject):
        assert "Check-up" not in words and "Sore knee" not in words and "Lovelace" not in words
    es = render(row.template, "es", row.params)
    assert "Confirmar: " in es.body and "Cancelar: " in es.body
    assert "?lang=es" in es.body and "?lang=en" not in es.body  # the pages open in the language sent


def test_spanish_speakers_get_links_to_spanish_pages(clinic, client):
    clinic.patient.user.locale = "es"
    db.session.commit()
    appt = book(clinic, local(future_day(10), 10))
    url = reminder(appt.id).params["confirm_url"]
    assert url.endswith("?lang=es")
    page = client.get(path(url))
    assert page.status_code == 200 and 'lang="es"' in page.text
    assert "Confirmar cita" in page.text


# -- the confirm link ------------------------------------------------------------------------------


def test_confirm_link_shows_a_button_and_only_the_post_confirms(clinic, client):
    appt = book(clinic, local(future_day(10), 10))
    url = path(reminder(appt.id).params["confirm_url"])
    page = client.get(url)
    assert page.status_code == 200
    assert "Confirm appointment" in page.text and clinic.practice.name in page.text
    assert "Check-up" not in page.text and "Lovelace" not in page.text and "Sore knee" not in page.text
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
    db.session.refresh(appt)
    assert appt.confirmed_at is None  # opening the link (a mail scanner does) changes nothing
    assert [e.action for e in link_events(appt.id)] == ["view"]

    done = client.post(url)
    assert done.status_code == 200 and "Your appointment is confirmed" in done.text
    db.session.refresh(appt)
    first = appt.confirmed_at
    assert first is not None and appt.status == AppointmentStatus.BOOKED
    event = link_events(appt.id, "confirm")[0]
    assert event.actor_user_id == clinic.patient.user_id and event.patient_id == clinic.patient.id

    again = client.post(url)  # a second tap is harmless
    assert again.status_code == 200
    db.session.refresh(appt)
    assert appt.confirmed_at == first
    later = client.get(url)
    assert "This appointment is confirmed." in later.text and "Confirm appointment</button>" not in later.text


def test_confirm_link_cannot_cancel_and_forged_links_are_refused(clinic, client):
    appt = book(clinic, local(future_day(10), 10))
    url = path(reminder(appt.id).params["confirm_url"])
    client.post(url, data={"reason": "not coming"})
    db.session.refresh(appt)
    assert appt.status == AppointmentStatus.BOOKED  # a confirm link only confirms
    token = url.split("/r/")[1].split("?")[0]
    forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    for bad in (forged, "not-a-token", links.make_token(appt, "confirm") + "x"):
        r = client.get(f"/r/{bad}")
        assert r.status_code == 404 and "This link is not valid" in r.text
        assert client.post(f"/r/{bad}").status_code == 404


def test_a_moved_visit_invalidates_old_links(clinic, client):
    start = local(future_day(10), 10)
    appt = book(clinic, start)
    old = path(reminder(appt.id).params["confirm_url"])
    booking.reschedule(clinic.patient.user, clinic.patient, appt.id, local(future_day(11), 11))
    r = client.post(old)
    assert r.status_code == 404 and "has moved" in r.text
    db.session.refresh(appt)
    assert appt.confirmed_at is None
    assert client.post(path(reminder(appt.id).params["confirm_url"])).status_code == 200


def test_a_cancelled_or_started_visit_cannot_be_confirmed(clinic, client):
    appt = book(clinic, local(future_day(10), 10))
    url = path(reminder(appt.id).params["confirm_url"])
    booking.cancel(clinic.patient.user, clinic.patient, appt.id)
    r = client.post(url)
    assert r.status_code == 409 and "can no longer be confirmed" in r.text
    assert "This appointment is cancelled." in r.text


def test_links_stop_working_for_a_switched_off_account(clinic, client):
    appt = book(clinic, local(future_day(10), 10))
    url = path(reminder(appt.id).params["confirm_url"])
    clinic.patient.user.is_active = False
    db.session.commit()
    assert client.post(url).status_code == 404
    db.session.refresh(appt)
    assert appt.confirmed_at is None


# -- the cancel link -------------------------------------------------------------------------------


def test_cancel_link_cancels_with_a_reason_and_stops_the_reminders(clinic, client):
    appt = book(clinic, local(future_day(10), 10))
    url = path(reminder(appt.id).params["cancel_url"])
    page = client.get(url)
    assert page.status_code == 200 and "Cancel appointment" in page.text and 'name="reason"' in page.text
    too_long = client.post(url, data={"reason": "x" * 301})
    assert too_long.status_code == 422
    db.session.refresh(appt)
    assert appt.status == AppointmentStatus.BOOKED
    done = client.post(url, data={"reason": "Feeling better"})
    assert done.status_code == 200 and "Your appointment was cancelled." in done.text
    db.session.refresh(appt)
    assert appt.status == AppointmentStatus.CANCELLED and appt.cancel_reason == "Feeling better"
    assert reminder(appt.id) is None
    assert [e.action for e in link_events(appt.id, "cancel")] == ["cancel"]


def test_cancel_link_after_the_cutoff_asks_to_call(clinic, client):
    appt = book(clinic, local(future_day(10), 10))
    url = path(reminder(appt.id).params["cancel_url"])
    appt.starts_at = appt.starts_at - timedelta(days=10) + timedelta(hours=5)  # now inside the 24 h cutoff
    appt.ends_at = appt.starts_at + timedelta(minutes=30)
    db.session.commit()
    url = path(links.link_urls(appt, "", "en")["cancel_url"])
    page = client.get(url)
    assert "please call us at 555-0100" in page.text and 'name="reason"' not in page.text
    r = client.post(url)
    assert r.status_code == 409 and "555-0100" in r.text
    db.session.refresh(appt)
    assert appt.status == AppointmentStatus.BOOKED


def test_patients_see_link_use_in_who_viewed_my_record(clinic, client):
    appt = book(clinic, local(future_day(10), 10))
    client.post(path(reminder(appt.id).params["confirm_url"]))
    login(client, clinic.patient.user)
    page = client.get("/records/access-log")
    assert page.status_code == 200
    assert "A link in a reminder (no sign-in)" in page.text and "Confirmed an appointment" in page.text


# -- the same links over the API -------------------------------------------------------------------


def test_api_reads_and_uses_links(clinic, client):
    appt = book(clinic, local(future_day(10), 10))
    params = reminder(appt.id).params
    confirm_token = urlsplit(params["confirm_url"]).path.rsplit("/", 1)[1]
    cancel_token = urlsplit(params["cancel_url"]).path.rsplit("/", 1)[1]
    shown = client.get(f"/api/v1/appointment-links/{confirm_token}")
    assert shown.status_code == 200
    assert shown.json["action"] == "confirm" and shown.json["can_confirm"] is True
    assert shown.json["practice_name"] == clinic.practice.name and shown.json["timezone"] == "America/New_York"
    assert "visit_type" not in shown.json and "Sore knee" not in shown.text
    ok = client.post(f"/api/v1/appointment-links/{confirm_token}", json={})
    assert ok.status_code == 200 and ok.json["confirmed_at"] and ok.json["can_confirm"] is False
    bad = client.post(f"/api/v1/appointment-links/{cancel_token}", json={"reason": "x" * 301})
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert "reason" in bad.json["errors"]
    gone = client.post(f"/api/v1/appointment-links/{cancel_token}", json={"reason": "Better"})
    assert gone.status_code == 200 and gone.json["status"] == "cancelled"
    late = client.post(f"/api/v1/appointment-links/{confirm_token}", json={})
    assert late.status_code == 409 and late.mimetype == "application/problem+json"
    nope = client.get("/api/v1/appointment-links/forged")
    assert nope.status_code == 404 and nope.json["detail"].startswith("This link is not valid")


# -- confirming when signed in ---------------------------------------------------------------------


def test_signed_in_patient_confirms_in_the_portal_and_a_move_clears_it(clinic, client):
    appt = book(clinic, local(future_day(10), 10))
    login(client, clinic.patient.user)
    page = client.get(f"/appointments/{appt.id}")
    assert "Confirm appointment" in page.text
    r = client.post(f"/appointments/{appt.id}/confirm", follow_redirects=True)
    assert r.status_code == 200 and "Your appointment is confirmed" in r.text and "Confirmed" in r.text
    db.session.refresh(appt)
    assert appt.confirmed_at is not None
    listing = client.get("/appointments")
    assert "Confirmed" in listing.text
    booking.reschedule(clinic.patient.user, clinic.patient, appt.id, local(future_day(12), 9))
    db.session.refresh(appt)
    assert appt.confirmed_at is None


def test_api_confirm_for_patient_and_caregiver_scopes(clinic, client):
    appt = book(clinic, local(future_day(10), 10))
    url = f"/api/v1/patients/{clinic.patient.id}/appointments/{appt.id}/confirm"
    helper = make_user(email="helper@example.com")
    outsider = make_user(email="outsider@example.com")
    make_grant(patient=clinic.patient, caregiver=helper, scopes=["appointments"])
    db.session.commit()
    assert client.post(url, headers=auth(client, outsider)).status_code == 404
    r = client.post(url, headers=auth(client, helper))
    assert r.status_code == 200 and r.json["confirmed_at"] is not None
    booking.cancel(clinic.patient.user, clinic.patient, appt.id)
    late = client.post(url, headers=auth(client, clinic.patient.user))
    assert late.status_code == 409 and late.json["detail"] == "This appointment can no longer be confirmed."


def test_staff_schedule_shows_confirmed_visits(clinic, client):
    appt = book(clinic, local(future_day(3), 10))
    confirmation.confirm(clinic.patient.user, clinic.patient, appt.id)
    login(client, clinic.staff)
    page = client.get(f"/schedule?date={future_day(3).isoformat()}")
    assert page.status_code == 200 and "Confirmed" in page.text
