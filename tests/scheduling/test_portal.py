"""Portal pages: a patient books, moves, cancels, checks in; caregivers need the scope; staff run the day."""

from datetime import timedelta

from sqlalchemy import select

from hearth import db
from hearth.clock import utcnow
from hearth.models import Appointment, AppointmentStatus
from tests.conftest import login
from tests.factories import make_grant, make_user
from tests.querycount import count_queries
from tests.scheduling.conftest import future_day, local, place


def test_index_lists_upcoming_and_past_with_bounded_queries(client, clinic):
    place(clinic, local(future_day(5), 10))
    place(clinic, local(future_day(-3), 10), visit=clinic.video)
    db.session.commit()
    login(client, clinic.patient.user)
    with count_queries() as few:
        page = client.get("/appointments")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Upcoming" in html and "Check-up" in html and "Video chat" in html
    for n in range(6):
        place(clinic, local(future_day(6 + n), 10))
        place(clinic, local(future_day(-4 - n), 10), visit=clinic.video)
    db.session.commit()
    with count_queries() as many:
        assert client.get("/appointments").status_code == 200
    assert many.count <= few.count, many.statements


def test_find_and_book_a_slot(client, clinic):
    login(client, clinic.patient.user)
    day = future_day(5)
    page = client.get("/appointments/find/times", query_string={"visit_type_id": clinic.visit.id,
                                                                "day": day.isoformat()})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    slot = f"{clinic.provider.id}|{clinic.location.id}|{local(day, 10).isoformat()}"
    assert "10:00 AM" in html and "/appointments/find/review?" in html  # the day's times, each a link to review
    review = client.get("/appointments/find/review", query_string={"visit_type_id": clinic.visit.id, "slot": slot})
    assert review.status_code == 200 and "Book this time" in review.get_data(as_text=True)
    r = client.post("/appointments/book", data={"visit_type_id": clinic.visit.id, "slot": slot, "reason": "Knee"})
    assert r.status_code == 302
    appointment = db.session.scalar(select(Appointment).where(Appointment.patient_id == clinic.patient.id))
    assert appointment.starts_at == local(day, 10) and appointment.reason == "Knee"
    done = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "You are booked" in done and ".ics" in done
    detail = client.get(f"/appointments/{appointment.id}").get_data(as_text=True)
    assert "Pick a new time" in detail and "Cancel this appointment" in detail and ".ics" in detail
    # The same slot again: a clear message, back to the search.
    again = client.post("/appointments/book", data={"visit_type_id": clinic.visit.id, "slot": slot},
                        follow_redirects=True)
    assert "That time was just taken. Please pick another." in again.get_data(as_text=True)


def test_find_with_bad_dates_is_422_with_values_kept(client, clinic):
    login(client, clinic.patient.user)
    page = client.get("/appointments/find/days", query_string={"visit_type_id": clinic.visit.id,
                                                               "start": "2030-02-31"})
    assert page.status_code == 422
    assert f'id="vt-{clinic.visit.id}" type="radio" name="visit_type_id"' in page.get_data(as_text=True)
    times = client.get("/appointments/find/times", query_string={"visit_type_id": clinic.visit.id, "day": "1999-01-01"})
    assert times.status_code == 422 and "Choose a day from the ones shown." in times.get_data(as_text=True)


def test_reschedule_and_cancel_pages(client, clinic):
    appointment = place(clinic, local(future_day(5), 10))
    db.session.commit()
    login(client, clinic.patient.user)
    form = client.get(f"/appointments/{appointment.id}/reschedule", follow_redirects=True)
    assert form.status_code == 200 and "Moving: Check-up" in form.get_data(as_text=True)
    slot = f"{clinic.provider.id}|{clinic.location.id}|{local(future_day(6), 11).isoformat()}"
    review = client.get("/appointments/find/review", query_string={"visit_type_id": clinic.visit.id, "slot": slot,
                                                                   "moving": appointment.id})
    assert review.status_code == 200 and "Move my appointment" in review.get_data(as_text=True)
    new = local(future_day(6), 11)
    r = client.post(f"/appointments/{appointment.id}/reschedule",
                    data={"slot": f"{clinic.provider.id}|{clinic.location.id}|{new.isoformat()}"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).starts_at == new
    assert client.get(f"/appointments/{appointment.id}/cancel").status_code == 200
    r = client.post(f"/appointments/{appointment.id}/cancel", data={"reason": "Better"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).status == AppointmentStatus.CANCELLED


def test_late_cancel_shows_the_phone_number(client, clinic):
    appointment = place(clinic, utcnow().replace(second=0, microsecond=0) + timedelta(hours=2))
    db.session.commit()
    login(client, clinic.patient.user)
    r = client.post(f"/appointments/{appointment.id}/cancel", data={}, follow_redirects=True)
    assert "It is too late to cancel online; please call us at 555-0100" in r.get_data(as_text=True)


def test_check_in_form_errors_then_success(client, clinic):
    appointment = place(clinic, utcnow().replace(second=0, microsecond=0) + timedelta(hours=5))
    db.session.commit()
    login(client, clinic.patient.user)
    page = client.get(f"/appointments/{appointment.id}/check-in")
    assert page.status_code == 200 and "Any medication changes?" in page.get_data(as_text=True)
    bad = client.post(f"/appointments/{appointment.id}/check-in", data={"answers.notes": "hello"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "Please confirm your contact details." in html and "Please answer this question." in html
    assert ">hello</textarea>" in html
    ok = client.post(f"/appointments/{appointment.id}/check-in", data={
        "contact_confirmed": "1", "insurance_confirmed": "1", "answers.meds": "yes"})
    assert ok.status_code == 302
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).questionnaire_answers == {"meds": True}


def test_ics_download(client, clinic):
    appointment = place(clinic, local(future_day(5), 10))
    db.session.commit()
    login(client, clinic.patient.user)
    r = client.get(f"/appointments/{appointment.id}/calendar.ics")
    assert r.status_code == 200 and r.mimetype == "text/calendar" and b"BEGIN:VCALENDAR" in r.data


def test_caregiver_with_and_without_the_scope(client, clinic):
    place(clinic, local(future_day(5), 10))
    allowed, refused = make_user(), make_user()
    make_grant(patient=clinic.patient, caregiver=allowed, scopes=("appointments",))
    make_grant(patient=clinic.patient, caregiver=refused, scopes=("messages",))
    db.session.commit()
    login(client, allowed)
    assert "Check-up" in client.get("/appointments").get_data(as_text=True)
    client.post("/logout")
    login(client, refused)
    assert client.get("/appointments").status_code == 404


def test_staff_day_view_and_status_buttons(client, clinic):
    appointment = place(clinic, local(future_day(0), 10))
    db.session.commit()
    login(client, clinic.staff)
    day = future_day(0).isoformat()
    page = client.get("/schedule", query_string={"date": day})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and clinic.patient.full_name in html and "Mark Arrived" in html
    assert client.get("/schedule", query_string={"date": day, "days": 7}).status_code == 200
    r = client.post(f"/schedule/appointments/{appointment.id}/status", data={"status": "arrived"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).status == AppointmentStatus.ARRIVED
    r = client.post(f"/schedule/appointments/{appointment.id}/status", data={"status": "completed"},
                    follow_redirects=True)
    assert "cannot go from" in r.get_data(as_text=True)


def test_staff_books_for_patient_page(client, clinic):
    login(client, clinic.staff)
    day = future_day(4)
    page = client.get("/schedule/book", query_string={"patient_id": clinic.patient.id,
                                                      "visit_type_id": clinic.visit.id, "start": day.isoformat(),
                                                      "end": day.isoformat()})
    assert page.status_code == 200 and 'name="slot"' in page.get_data(as_text=True)
    r = client.post("/schedule/book", data={"patient_id": clinic.patient.id, "visit_type_id": clinic.visit.id,
                                            "slot": f"{clinic.provider.id}|{clinic.location.id}|"
                                                    f"{local(day, 9).isoformat()}"})
    assert r.status_code == 302


def test_patients_cannot_open_the_schedule(client, clinic):
    login(client, clinic.patient.user)
    assert client.get("/schedule").status_code == 404


def test_a_cancelled_visit_leaves_upcoming(client, clinic):
    kept = place(clinic, local(future_day(5), 10))
    gone = place(clinic, local(future_day(6), 10), status=AppointmentStatus.CANCELLED)
    db.session.commit()
    login(client, clinic.patient.user)
    html = client.get("/appointments").get_data(as_text=True)
    upcoming = html[html.index('id="upcoming-h"'):html.index("</section>", html.index('id="upcoming-h"'))]
    assert f"/appointments/{kept.id}" in upcoming and f"/appointments/{gone.id}" not in upcoming
    cancelled = html[html.index('id="cancelled-h"'):]
    assert f"/appointments/{gone.id}" in cancelled[:cancelled.index("</section>")]


def test_an_over_long_cancel_reason_says_how_long_it_may_be_and_keeps_the_visit(client, clinic):
    appointment = place(clinic, local(future_day(5), 10))
    db.session.commit()
    login(client, clinic.patient.user)
    form = client.get(f"/appointments/{appointment.id}/cancel").get_data(as_text=True)
    assert 'name="reason" type="text" value=""' in form and 'maxlength="300"' in form
    r = client.post(f"/appointments/{appointment.id}/cancel", data={"reason": "y" * 5000})
    assert r.status_code == 422
    assert "Keep the reason under 300 characters." in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).status == AppointmentStatus.BOOKED


def test_a_caregiver_reads_the_empty_lists_worded_for_the_person_she_acts_for(client, clinic):
    caregiver = make_user()
    make_grant(patient=clinic.patient, caregiver=caregiver, scopes=("appointments",))
    db.session.commit()
    login(client, caregiver)
    html = client.get("/appointments").get_data(as_text=True)
    name = clinic.patient.given_name
    assert f"{name} has no upcoming appointments." in html and f"{name} is not on any waitlist." in html
    assert "You have no upcoming appointments." not in html and "You are not on any waitlist." not in html
    client.post("/logout")
    login(client, clinic.patient.user)
    html = client.get("/appointments").get_data(as_text=True)
    assert "You have no upcoming appointments." in html and "You are not on any waitlist." in html
