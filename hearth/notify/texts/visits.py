"""Appointment reminders, booking notices and waitlist offers."""

from __future__ import annotations

from hearth.notify.template_base import CALL_US, OPEN, VISIT_LINKS, Template, Text

TEMPLATES: dict[str, Template] = {
    "appointment_reminder": Template(
        optional=("ref", "date", "time", "starts_at", "zone", "confirm_url", "cancel_url"),
        link_params=("confirm_url", "cancel_url"),
        links=VISIT_LINKS,
        texts={
            "en": Text(
                "Appointment reminder",
                "Appointment reminder",
                "You have an upcoming appointment. " + OPEN["en"],
            ),
            "es": Text(
                "Recordatorio de cita", "Recordatorio de cita", "Tiene una cita próximamente. " + OPEN["es"]
            ),
        },
        detail_params=("date", "time"),
        detailed={
            "en": Text(
                "Appointment reminder",
                "Appointment reminder",
                "You have an appointment on {date} at {time}. " + OPEN["en"],
            ),
            "es": Text(
                "Recordatorio de cita",
                "Recordatorio de cita",
                "Tiene una cita el {date} a las {time}. " + OPEN["es"],
            ),
        },
    ),
    # To a caregiver with the appointments scope: names the person (a first name), never the visit.
    "caregiver_reminder": Template(
        required=("name",),
        optional=("ref", "date", "time", "starts_at", "zone", "confirm_url", "cancel_url"),
        link_params=("confirm_url", "cancel_url"),
        links=VISIT_LINKS,
        texts={
            "en": Text("Appointment reminder", "Appointment reminder",
                       "{name} has an upcoming appointment. " + OPEN["en"]),
            "es": Text("Recordatorio de cita", "Recordatorio de cita",
                       "{name} tiene una cita próximamente. " + OPEN["es"]),
        },
        detail_params=("date", "time"),
        detailed={
            "en": Text("Appointment reminder", "Appointment reminder",
                       "{name} has an appointment on {date} at {time}. " + OPEN["en"]),
            "es": Text("Recordatorio de cita", "Recordatorio de cita",
                       "{name} tiene una cita el {date} a las {time}. " + OPEN["es"]),
        },
    ),
    "waitlist_offer": Template(
        texts={
            "en": Text(
                "An earlier appointment is available",
                "Earlier appointment available",
                "An earlier appointment time is available. Open Hearth soon to claim it.",
            ),
            "es": Text(
                "Hay una cita más pronto disponible",
                "Cita más pronto disponible",
                "Hay un horario de cita más pronto disponible. Abra Hearth pronto para reservarlo.",
            ),
        },
    ),
    # Refill requests (hearth.services.medications): never the medication, the note or the decision's reason.
    "appointment_cancelled": Template(
        optional=("ref", "date", "time", "starts_at", "zone", "phone"),
        link_params=("phone",),
        links=CALL_US,
        texts={
            "en": Text(
                "Appointment cancelled",
                "Appointment cancelled",
                "Your upcoming appointment was cancelled by the practice. Open Hearth to book a new time, "
                "or call us.",
            ),
            "es": Text(
                "Cita cancelada",
                "Cita cancelada",
                "El consultorio canceló su próxima cita. Abra Hearth para reservar otro horario, o llámenos.",
            ),
        },
        detail_params=("date", "time"),
        detailed={
            "en": Text(
                "Appointment cancelled",
                "Appointment cancelled",
                "Your appointment on {date} at {time} was cancelled by the practice. Open Hearth to book a "
                "new time, or call us.",
            ),
            "es": Text(
                "Cita cancelada",
                "Cita cancelada",
                "El consultorio canceló su cita del {date} a las {time}. Abra Hearth para reservar otro "
                "horario, o llámenos.",
            ),
        },
    ),
    # Confirmations of what the patient (or her caregiver) just did: the date and time only, never the visit.
    "appointment_booked": Template(
        optional=("ref", "date", "time", "starts_at", "zone"),
        texts={
            "en": Text("Appointment booked", "Appointment booked", "Your appointment is booked. " + OPEN["en"]),
            "es": Text("Cita reservada", "Cita reservada", "Su cita está reservada. " + OPEN["es"]),
        },
        detail_params=("date", "time"),
        detailed={
            "en": Text("Appointment booked", "Appointment booked",
                       "Your appointment on {date} at {time} is booked. " + OPEN["en"]),
            "es": Text("Cita reservada", "Cita reservada",
                       "Su cita del {date} a las {time} está reservada. " + OPEN["es"]),
        },
    ),
    "appointment_moved": Template(
        optional=("ref", "date", "time", "starts_at", "zone"),
        texts={
            "en": Text("Appointment moved", "Appointment moved", "Your appointment was moved. " + OPEN["en"]),
            "es": Text("Cita cambiada", "Cita cambiada", "Su cita cambió de horario. " + OPEN["es"]),
        },
        detail_params=("date", "time"),
        detailed={
            "en": Text("Appointment moved", "Appointment moved",
                       "Your appointment is now on {date} at {time}. " + OPEN["en"]),
            "es": Text("Cita cambiada", "Cita cambiada",
                       "Su cita ahora es el {date} a las {time}. " + OPEN["es"]),
        },
    ),
    "appointment_cancel_done": Template(
        optional=("ref", "date", "time", "starts_at", "zone", "phone"),
        link_params=("phone",),
        links=CALL_US,
        texts={
            "en": Text("Appointment cancelled", "Appointment cancelled",
                       "Your appointment is cancelled. Open Hearth to book a new time."),
            "es": Text("Cita cancelada", "Cita cancelada",
                       "Su cita está cancelada. Abra Hearth para reservar otro horario."),
        },
        detail_params=("date", "time"),
        detailed={
            "en": Text("Appointment cancelled", "Appointment cancelled",
                       "Your appointment on {date} at {time} is cancelled. Open Hearth to book a new time."),
            "es": Text("Cita cancelada", "Cita cancelada",
                       "Su cita del {date} a las {time} está cancelada. Abra Hearth para reservar otro horario."),
        },
    ),
}
