"""After booking, moving or cancelling, the patient hears about it by her own channels, in her language."""

from sqlalchemy import select

from hearth import db
from hearth.models import Notification, NotificationStatus
from hearth.notify.templates import localized, render
from hearth.services.scheduling import booking
from hearth.services.scheduling.booking import SlotChoice
from tests.factories import make_grant, make_user
from tests.scheduling.conftest import future_day, local

SECRETS = ("Check-up", "Sore knee", "Lovelace", "Main Street")


def notes(appointment_id: int) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(
        Notification.kind == "appointment", Notification.params["ref"].as_string() == f"appointment:{appointment_id}")
        .order_by(Notification.id)))


def _book(clinic, when, user=None):
    return booking.book(user or clinic.patient.user, clinic.patient,
                        SlotChoice(clinic.visit.id, clinic.provider.id, when, clinic.location.id, reason="Sore knee"))


def test_booking_moving_and_cancelling_each_send_a_confirmation(clinic):
    visit = _book(clinic, local(future_day(5), 10))
    booking.reschedule(clinic.patient.user, clinic.patient, visit.id, local(future_day(6), 11))
    booking.cancel(clinic.patient.user, clinic.patient, visit.id, "Better")
    sent = notes(visit.id)
    assert [n.template for n in sent] == ["appointment_booked", "appointment_moved", "appointment_cancel_done"]
    for note in sent:
        assert (note.recipient_user_id, note.patient_id, note.status) == (
            clinic.patient.user_id, clinic.patient.id, NotificationStatus.PENDING)
        for locale in ("en", "es"):
            text = render(note.template, locale, note.params)
            for words in (text.subject, text.title, text.body, text.short, text.html):
                assert not any(secret in words for secret in SECRETS)  # date and time only, no health details
    moved = render("appointment_moved", "en", sent[1].params)
    words = localized(sent[1].params, "en")  # the moment is kept; date and time are written when sent
    assert words["time"] in moved.body and words["date"] in moved.body
    cancelled = render("appointment_cancel_done", "en", sent[2].params)
    assert "call us at 555-0100" in cancelled.body  # the practice's phone number
    assert "llámenos al 555-0100" in render("appointment_cancel_done", "es", sent[2].params).body


def test_a_caregiver_booking_confirms_to_the_patient_in_her_language(clinic):
    clinic.patient.user.locale = "es"
    carer = make_user()
    make_grant(patient=clinic.patient, caregiver=carer, scopes=("appointments",))
    db.session.commit()
    visit = _book(clinic, local(future_day(5), 10), user=carer)
    [note] = notes(visit.id)
    assert note.recipient_user_id == clinic.patient.user_id and note.locale == "es"
    assert render(note.template, note.locale, note.params).subject == "Cita reservada"


def test_booking_twice_the_same_visit_id_is_one_message(clinic):
    visit = _book(clinic, local(future_day(5), 10))
    from hearth.services.scheduling import notices

    notices.booked(visit)  # a retry of the same use case queues nothing new
    assert len(notes(visit.id)) == 1
