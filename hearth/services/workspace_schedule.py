"""The workspace's "Today's schedule" card: the practice's visits today, in its own clock, first ones first."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_ngettext

from hearth.i18n import _l
from hearth.labels import label
from hearth.models import AppointmentStatus, Practice, User
from hearth.services.scheduling import staff
from hearth.services.workspace_cards import CardLine, WorkspaceCard, register

LIMIT = 8  # visits listed on the card; the schedule page has the whole day
DONE = {AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW}


@register()
def schedule_today(user: User, practice: Practice, now: datetime) -> list[WorkspaceCard]:
    """Today's visits not yet done (one query, through the schedule use case, which audits the read)."""
    day = staff.schedule(user, practice.id)
    visits = [a for a in day.by_day.get(day.start, []) if a.status not in DONE]
    lines = [
        CardLine(f"{a.patient.full_name} · {a.visit_type.name}", "schedule.appointment",
                 {"appointment_id": a.id, "practice_id": practice.id}, at=a.starts_at, zone=day.timezone,
                 parts="time", note=label("appointment_status", a.status.value))
        for a in visits[:LIMIT]
    ]
    return [WorkspaceCard(
        "schedule_today", str(_l("Today's schedule")), str(_l("Open the schedule")), "schedule.index",
        {"practice_id": practice.id}, count=len(visits),
        count_label=str(lazy_ngettext("%(num)d visit still to come or in progress",
                                      "%(num)d visits still to come or in progress", len(visits))),
        lines=lines, empty_text=str(_l("No more visits today.")), priority=20)]
