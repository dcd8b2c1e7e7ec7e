"""Appointment reminders through the notification outbox.

Each reminder's idempotency key names the appointment, the offset and the start time, so planning
twice adds nothing, and a rescheduled visit gets fresh keys while the old ones are cancelled. The
text carries only the date and time and links into Hearth: never the visit type, reason or specialty.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from babel.dates import format_date, format_time

from hearth.clock import utcnow
from hearth.models import Appointment, AppointmentStatus
from hearth.notify import outbox
from hearth.notify.templates import TEMPLATES, normalize_locale
from hearth.services.scheduling.common import settings_for, zone_for

TEMPLATE = "appointment_reminder"
KIND = "reminder"


def key_prefix(appointment: Appointment) -> str:
    return f"reminder:{appointment.id}:"


def reminder_key(appointment: Appointment, offset: int) -> str:
    return f"reminder:{appointment.id}:{offset}:{appointment.starts_at.isoformat()}"


def plan(appointment: Appointment, *, base_url: str = "", now: datetime | None = None) -> list:
    """Queue one reminder per practice offset that is still in the future; returns the outbox rows."""
    if appointment.status != AppointmentStatus.BOOKED:
        return []
    now = now or utcnow()
    patient = appointment.patient
    settings = settings_for(patient.practice_id)
    rows = []
    for offset in settings.offsets:
        due = appointment.starts_at - timedelta(minutes=offset)
        if due <= now:
            continue
        rows.append(outbox.enqueue(
            key=reminder_key(appointment, offset), kind=KIND, template=TEMPLATE,
            params=_params(appointment, base_url), user=patient.user, patient=patient,
            due_at=due, latest_at=appointment.starts_at - timedelta(minutes=30),
        ))
    return rows


def cancel(appointment: Appointment) -> int:
    """Cancel every reminder of the appointment that has not gone out yet."""
    return outbox.cancel(key_prefix=key_prefix(appointment))


def replan(appointment: Appointment, *, base_url: str = "") -> list:
    """After a move: cancel the old reminders and plan new ones for the new time."""
    cancel(appointment)
    return plan(appointment, base_url=base_url)


def _params(appointment: Appointment, base_url: str) -> dict[str, str | int]:
    """Date, time and links in the patient's language, filtered to what the template accepts."""
    patient = appointment.patient
    locale = normalize_locale((patient.user.locale if patient.user else None) or patient.preferred_language)
    local = appointment.starts_at.astimezone(_zone(appointment))
    base = base_url.rstrip("/")
    candidates: dict[str, str | int] = {
        "ref": f"appointment:{appointment.id}",
        "date": format_date(local.date(), "full", locale=locale),
        "time": format_time(local.time(), "short", locale=locale),
        "confirm_url": f"{base}/appointments/{appointment.id}",
        "cancel_url": f"{base}/appointments/{appointment.id}/cancel",
    }
    template = TEMPLATES[TEMPLATE]
    accepted = set(template.required) | set(template.optional)
    return {k: v for k, v in candidates.items() if k in accepted}


def _zone(appointment: Appointment):
    from zoneinfo import ZoneInfo

    return ZoneInfo(zone_for(appointment.patient.practice, appointment.location))
