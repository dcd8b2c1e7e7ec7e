"""A patient cannot hold two overlapping visits, across providers (issue 7 §8); staff may, with a reason."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from hearth import db
from hearth.errors import Conflict
from hearth.models import AppointmentStatus, AuditEvent
from hearth.services.scheduling import booking, staff
from hearth.services.scheduling.booking import SlotChoice
from tests.conftest import login
from tests.factories import make_provider
from tests.scheduling.conftest import add_hours, future_day, local, place
from tests.scheduling.test_api import auth


@pytest.fixture
def second(clinic):
    """Another provider of the clinic, with the same hours, who sees the same visit type."""
    provider = make_provider(practice=clinic.practice, given_name="Grace", family_name="Hopper")
    add_hours(provider, clinic.location)
    clinic.visit.providers = [clinic.provider, provider]
    clinic.video.providers = [clinic.provider, provider]
    db.session.commit()
    return provider


def pick(clinic, provider, starts_at, **kw):
    return SlotChoice(clinic.visit.id, provider.id, starts_at, clinic.location.id, **kw)


def test_issue_example_10_00_with_two_providers_the_second_is_refused(clinic, second):
    """Issue: booked 10:00 with one provider and 10:00 the same day with another: both accepted. Now refused."""
    day = future_day(5)
    user, patient = clinic.patient.user, clinic.patient
    first = booking.book(user, patient, pick(clinic, clinic.provider, local(day, 10)))
    with pytest.raises(Conflict) as refused:
        booking.book(user, patient, pick(clinic, second, local(day, 10)))
    assert str(refused.value.message) == (
        f"You already have a visit at {local(day, 10).astimezone(_ny()).strftime('%a, %b %-d')}, 10:00 AM with "
        "Ada Lovelace. Choose another time, or cancel that visit first.")
    mine = db.session.scalars(select(booking.Appointment).where(
        booking.Appointment.patient_id == patient.id, booking.Appointment.status == AppointmentStatus.BOOKED)).all()
    assert [a.id for a in mine] == [first.id]


def _ny():
    from zoneinfo import ZoneInfo

    return ZoneInfo("America/New_York")


def test_partial_overlap_is_refused_and_back_to_back_is_fine(clinic, second):
    day = future_day(5)
    user, patient = clinic.patient.user, clinic.patient
    booking.book(user, patient, pick(clinic, clinic.provider, local(day, 10)))  # 10:00–10:30

    def video(starts_at):  # 20-minute video slots with the other provider: 9:40, 10:00, 10:20, 10:40…
        return SlotChoice(clinic.video.id, second.id, starts_at)

    with pytest.raises(Conflict, match="You already have a visit"):
        booking.book(user, patient, video(local(day, 10, 20)))  # 10:20–10:40
    with pytest.raises(Conflict, match="You already have a visit"):
        booking.book(user, patient, video(local(day, 10)))
    before = booking.book(user, patient, video(local(day, 9, 40)))  # ends at 10:00
    after = booking.book(user, patient, video(local(day, 10, 40)))  # starts at 10:40
    assert before.status == after.status == AppointmentStatus.BOOKED


def test_cancelled_or_missed_visits_do_not_block(clinic, second):
    day = future_day(5)
    place(clinic, local(day, 10), status=AppointmentStatus.CANCELLED)
    place(clinic, local(day, 11), status=AppointmentStatus.NO_SHOW)
    db.session.commit()
    user, patient = clinic.patient.user, clinic.patient
    assert booking.book(user, patient, pick(clinic, second, local(day, 10))).id
    assert booking.book(user, patient, pick(clinic, second, local(day, 11))).id


def test_rescheduling_onto_another_visit_is_refused_but_its_own_old_time_does_not_count(clinic, second):
    day = future_day(5)
    user, patient = clinic.patient.user, clinic.patient
    booking.book(user, patient, pick(clinic, clinic.provider, local(day, 10)))
    other = booking.book(user, patient, pick(clinic, second, local(day, 14)))
    with pytest.raises(Conflict, match="You already have a visit"):
        booking.reschedule(user, patient, other.id, local(day, 10), second.id)
    moved = booking.reschedule(user, patient, other.id, local(day, 14), clinic.provider.id)  # same time, other doctor
    assert moved.starts_at == local(day, 14) and moved.provider_id == clinic.provider.id


def test_caregivers_are_held_to_the_rule_too(clinic, second):
    from tests.factories import make_grant

    grant = make_grant(patient=clinic.patient)
    db.session.commit()
    day = future_day(5)
    booking.book(clinic.patient.user, clinic.patient, pick(clinic, clinic.provider, local(day, 10)))
    with pytest.raises(Conflict):
        booking.book(grant.caregiver, clinic.patient, pick(clinic, second, local(day, 10)))
    with pytest.raises(Conflict):  # a caregiver cannot override, even with a reason
        booking.book(grant.caregiver, clinic.patient, pick(clinic, second, local(day, 10), overlap_reason="ok"))


def test_staff_need_a_reason_which_is_stored_and_logged(clinic, second):
    day = future_day(5)
    first = booking.book(clinic.patient.user, clinic.patient, pick(clinic, clinic.provider, local(day, 10)))
    with pytest.raises(Conflict) as refused:
        staff.book_for_patient(clinic.staff, clinic.practice.id, clinic.patient.id,
                               pick(clinic, second, local(day, 10), overlap_reason="   "))
    assert "give a reason" in str(refused.value.message) and "overlap_reason" in refused.value.fields
    made = staff.book_for_patient(clinic.staff, clinic.practice.id, clinic.patient.id,
                                  pick(clinic, second, local(day, 10),
                                       overlap_reason="  Joint visit:\n physio and GP  "))
    assert made.overlap_reason == "Joint visit: physio and GP" and first.status == AppointmentStatus.BOOKED
    logged = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "override_overlap")).all()
    assert [(e.actor_user_id, e.resource_id) for e in logged] == [(clinic.staff.id, str(made.id))]
    # Moving it elsewhere clears the reason (nothing overlaps any more).
    moved = booking.reschedule(clinic.staff, clinic.patient, made.id, local(day, 15), second.id)
    assert moved.overlap_reason is None


def test_api_patient_gets_409_with_the_message_and_staff_can_override(client, clinic, second):
    day = future_day(5)
    booking.book(clinic.patient.user, clinic.patient, pick(clinic, clinic.provider, local(day, 10)))
    db.session.commit()
    body = {"visit_type_id": clinic.visit.id, "provider_id": second.id, "location_id": clinic.location.id,
            "starts_at": local(day, 10).isoformat()}
    r = client.post(f"/api/v1/patients/{clinic.patient.id}/appointments", json=body,
                    headers=auth(client, clinic.patient.user))
    assert r.status_code == 409 and r.json["detail"].startswith("You already have a visit at ")
    h = auth(client, clinic.staff)
    url = f"/api/v1/practices/{clinic.practice.id}/appointments"
    r = client.post(url, json=body | {"patient_id": clinic.patient.id}, headers=h)
    assert r.status_code == 409 and "overlap_reason" in r.json["errors"]
    r = client.post(url, json=body | {"patient_id": clinic.patient.id, "overlap_reason": "Family visit"}, headers=h)
    assert r.status_code == 201, r.json
    assert r.json["overlap_reason"] == "Family visit" and r.json["provider"]["id"] == second.id


def test_api_reschedule_by_staff_over_another_visit_needs_a_reason(client, clinic, second):
    day = future_day(5)
    booking.book(clinic.patient.user, clinic.patient, pick(clinic, clinic.provider, local(day, 10)))
    other = booking.book(clinic.patient.user, clinic.patient, pick(clinic, second, local(day, 14)))
    db.session.commit()
    url = f"/api/v1/patients/{clinic.patient.id}/appointments/{other.id}"
    h = auth(client, clinic.staff)
    r = client.patch(url, json={"starts_at": local(day, 10).isoformat()}, headers=h)
    assert r.status_code == 409
    r = client.patch(url, json={"starts_at": local(day, 10).isoformat(), "overlap_reason": "Same room"}, headers=h)
    assert r.status_code == 200 and r.json["starts_at"] == local(day, 10).isoformat()


def test_staff_portal_asks_for_the_reason_and_keeps_the_chosen_time(client, clinic, second):
    day = future_day(5)
    booking.book(clinic.patient.user, clinic.patient, pick(clinic, clinic.provider, local(day, 10)))
    db.session.commit()
    login(client, clinic.staff)
    slot = f"{second.id}|{clinic.location.id}|{local(day, 10).isoformat()}"
    form = {"practice_id": clinic.practice.id, "patient_id": clinic.patient.id, "visit_type_id": clinic.visit.id,
            "start": day.isoformat(), "end": day.isoformat(), "slot": slot}
    page = client.post("/schedule/book", data=form)
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and 'name="overlap_reason"' in html and "give a reason" in html
    assert f'value="{slot}" checked' in html
    done = client.post("/schedule/book", data=form | {"overlap_reason": "Joint visit"})
    assert done.status_code == 302
    schedule = client.get("/schedule", query_string={"date": day.isoformat(), "practice_id": clinic.practice.id})
    assert "Overlaps another visit: Joint visit" in schedule.get_data(as_text=True)


def test_waitlist_offer_cannot_make_an_overlap(clinic, second):
    """The waitlist books through the same rule."""
    from hearth.clock import utcnow
    from hearth.models import WaitlistEntry, WaitlistStatus

    day = future_day(5)
    booking.book(clinic.patient.user, clinic.patient, pick(clinic, clinic.provider, local(day, 10)))
    entry = WaitlistEntry(patient_id=clinic.patient.id, visit_type_id=clinic.visit.id, window_start=day,
                          window_end=day, status=WaitlistStatus.OFFERED, offered_at=utcnow(),
                          offer_provider_id=second.id, offer_location_id=clinic.location.id,
                          offer_starts_at=local(day, 10) + timedelta(minutes=0))
    db.session.add(entry)
    db.session.commit()
    with pytest.raises(Conflict, match="You already have a visit"):
        booking.book_offer(clinic.patient.user, clinic.patient, entry.id)
