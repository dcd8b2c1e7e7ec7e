"""Appointment reminders through the notification outbox, to the patient and her caregivers.

Each reminder's idempotency key names the appointment, the offset, the start time and (for a
caregiver) the recipient, so planning twice adds nothing, and a rescheduled visit gets fresh keys
while the old ones are cancelled. Caregivers whose grant covers appointments get their own reminder,
in their own language and on their own channels. The text carries only a first name (to a
caregiver), the date and time and the signed confirm and cancel links (`links`): never the visit
type, reason or specialty. The dispatcher re-checks a caregiver's access before sending.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hearth import db, policy
from hearth.clock import utcnow
from hearth.models import (
    Appointment,
    AppointmentStatus,
    CaregiverGrant,
    GrantStatus,
    Notification,
    NotificationStatus,
    Patient,
    User,
)
from hearth.notify import outbox
from hearth.notify.templates import TEMPLATES, normalize_locale
from hearth.services.scheduling import links
from hearth.services.scheduling.common import settings_for, zone_for

TEMPLATE = "appointment_reminder"
CAREGIVER_TEMPLATE = "caregiver_reminder"
KIND = "reminder"
SCOPE = "appointments"
BATCH = 200  # visits re-planned together


@dataclass(frozen=True)
class Recipient:
    user: User | None  # None: a patient without an account, reached on her record's contact details
    caregiver: bool

    @property
    def suffix(self) -> str:
        return f":u{self.user.id}" if self.caregiver and self.user is not None else ""


def key_prefix(appointment: Appointment) -> str:
    return f"reminder:{appointment.id}:"


def reminder_key(appointment: Appointment, offset: int, recipient: Recipient | None = None) -> str:
    suffix = recipient.suffix if recipient is not None else ""
    return f"reminder:{appointment.id}:{offset}:{appointment.starts_at.isoformat()}{suffix}"


def caregivers_of(patient_ids: set[int], now: datetime) -> dict[int, list[Recipient]]:
    """{patient id: the caregivers whose grant covers appointments now}, in one query."""
    found: dict[int, list[Recipient]] = {}
    if not patient_ids:
        return found
    grants = db.session.scalars(
        select(CaregiverGrant)
        .where(CaregiverGrant.patient_id.in_(patient_ids), CaregiverGrant.status == GrantStatus.ACTIVE,
               CaregiverGrant.caregiver_user_id.is_not(None))
        .options(selectinload(CaregiverGrant.caregiver),
                 selectinload(CaregiverGrant.patient).selectinload(Patient.practice))
        .order_by(CaregiverGrant.id)
    ).all()
    for grant in grants:
        if (policy.grant_is_active(grant, now) and SCOPE in grant.scope_list and grant.caregiver.is_active
                and grant.caregiver_user_id != grant.patient.user_id):
            found.setdefault(grant.patient_id, []).append(Recipient(grant.caregiver, True))
    return found


def plan(appointment: Appointment, *, base_url: str = "", now: datetime | None = None) -> list:
    """Queue one reminder per practice offset still ahead, per recipient; returns the outbox rows.

    Reminders of the appointment that are no longer wanted (another time, an offset the practice
    dropped, a caregiver no longer covering appointments) are cancelled; a reminder cancelled before
    and wanted again is queued again.
    """
    return plan_many([appointment], base_url=base_url, now=now)


def plan_many(appointments: list[Appointment], *, base_url: str = "", now: datetime | None = None) -> list:
    """`plan` for many visits at once: a few queries per batch instead of a dozen per reminder."""
    now = now or utcnow()
    for appointment in appointments:
        if appointment.status != AppointmentStatus.BOOKED:
            cancel(appointment)
    booked = [a for a in appointments if a.status == AppointmentStatus.BOOKED]
    if not booked:
        return []
    caregivers = caregivers_of({a.patient_id for a in booked}, now)
    wanted: dict[str, tuple[Appointment, int, Recipient]] = {}
    practice_offsets = {pid: settings_for(pid).offsets for pid in {a.patient.practice_id for a in booked}}
    for appointment in booked:
        patient = appointment.patient
        offsets = [m for m in practice_offsets[patient.practice_id]
                   if appointment.starts_at - timedelta(minutes=m) > now]
        people = [Recipient(patient.user, False), *caregivers.get(patient.id, [])] if offsets else []
        for person in people:
            for offset in offsets:
                wanted[reminder_key(appointment, offset, person)] = (appointment, offset, person)
    _cancel_unwanted(booked, wanted)
    params: dict[tuple[int, Recipient], dict] = {}
    items = []
    for key, (appointment, offset, person) in wanted.items():
        if (appointment.id, person) not in params:
            params[(appointment.id, person)] = _params(appointment, person, base_url)
        items.append(dict(
            key=key, kind=KIND, template=CAREGIVER_TEMPLATE if person.caregiver else TEMPLATE,
            params=params[(appointment.id, person)], user=person.user, patient=appointment.patient,
            due_at=appointment.starts_at - timedelta(minutes=offset),
            latest_at=appointment.starts_at - timedelta(minutes=30), revive=True,
        ))
    return outbox.enqueue_many(items)


def _cancel_unwanted(appointments: list[Appointment], wanted: dict) -> int:
    """Cancel the visits' pending reminders whose keys are not wanted any more."""
    if len(appointments) == 1:
        return outbox.cancel(key_prefix=key_prefix(appointments[0]), keep=wanted)
    ids = {a.id for a in appointments}
    pending = db.session.execute(
        select(Notification.id, Notification.idempotency_key)
        .where(Notification.patient_id.in_({a.patient_id for a in appointments}), Notification.kind == KIND,
               Notification.status == NotificationStatus.PENDING,
               Notification.idempotency_key.startswith("reminder:"))
    ).all()
    stale = [row_id for row_id, key in pending if key not in wanted and _appointment_id(key) in ids]
    return outbox.cancel(ids=stale) if stale else 0


def _appointment_id(key: str) -> int | None:
    part = key.split(":")[1] if key.count(":") >= 2 else ""
    return int(part) if part.isdigit() else None


def cancel(appointment: Appointment) -> int:
    """Cancel every reminder of the appointment that has not gone out yet."""
    return outbox.cancel(key_prefix=key_prefix(appointment))


def replan(appointment: Appointment, *, base_url: str = "") -> list:
    """After a move: the old time's reminders are cancelled and the new time's planned."""
    return plan(appointment, base_url=base_url)


def _coming(stmt, now: datetime):
    return (
        stmt.where(Appointment.status == AppointmentStatus.BOOKED, Appointment.starts_at > now)
        .options(selectinload(Appointment.patient).selectinload(Patient.user), selectinload(Appointment.location))
        .order_by(Appointment.id)
        .execution_options(yield_per=BATCH)  # a practice may have thousands booked ahead
    )


def replan_practice(practice_id: int, *, base_url: str = "", now: datetime | None = None) -> int:
    """After the practice changed its reminder offsets: re-plan every coming booked visit; returns how many."""
    now = now or utcnow()
    stmt = _coming(select(Appointment).join(Appointment.patient).where(Patient.practice_id == practice_id), now)
    return _replan_all(stmt, base_url, now)


def replan_patient(patient_id: int, *, base_url: str = "", now: datetime | None = None) -> int:
    """After a caregiver gained or lost appointments access: re-plan the patient's coming visits."""
    now = now or utcnow()
    return _replan_all(_coming(select(Appointment).where(Appointment.patient_id == patient_id), now), base_url, now)


def _replan_all(stmt, base_url: str, now: datetime) -> int:
    count = 0
    for batch in db.session.scalars(stmt).partitions(BATCH):
        plan_many(list(batch), base_url=base_url, now=now)
        count += len(batch)
    return count


def patient_locale(appointment: Appointment) -> str:
    patient = appointment.patient
    return normalize_locale((patient.user.locale if patient.user else None) or patient.preferred_language)


def when_params(appointment: Appointment, locale: str | None = None) -> dict[str, str | int]:
    """`ref`, `date` and `time` of a visit in `locale` (default: the patient's) and the clinic's zone, plus
    `at` and `zone` from which `templates.render` writes them in the reader's language."""
    locale = locale or patient_locale(appointment)
    zone = ZoneInfo(zone_for(appointment.patient.practice, appointment.location))
    local = appointment.starts_at.astimezone(zone)
    return {
        "ref": f"appointment:{appointment.id}",
        "date": format_date(local.date(), "full", locale=locale),
        "time": format_time(local.time(), "short", locale=locale),
        # Machine-readable too, so the texts are written again in whatever language they are read in.
        "at": appointment.starts_at.isoformat(),
        "zone": zone.key,
    }


def _params(appointment: Appointment, person: Recipient, base_url: str) -> dict[str, str | int]:
    """Date, time and links in the recipient's language, filtered to what the template accepts."""
    if person.caregiver and person.user is not None:
        locale = normalize_locale(person.user.locale)
        extra: dict[str, str | int] = {"name": appointment.patient.given_name}
    else:
        locale, extra = patient_locale(appointment), {}
    user_id = person.user.id if person.caregiver and person.user is not None else None
    candidates = {**when_params(appointment, locale), **extra,
                  **links.link_urls(appointment, base_url, locale, user_id=user_id)}
    template = TEMPLATES[CAREGIVER_TEMPLATE if person.caregiver else TEMPLATE]
    accepted = set(template.required) | set(template.optional)
    return {k: v for k, v in candidates.items() if k in accepted}
