"""Words for the inbox's codes (views, statuses, reasons, history), in the reader's language."""

from __future__ import annotations

from hearth.i18n import _l

VIEW_LABELS = {
    "unassigned": _l("Unassigned"),
    "mine": _l("Assigned to me"),
    "open": _l("All open"),
    "waiting": _l("Waiting on the patient"),
    "closed": _l("Closed"),
}
STATUS_LABELS = {"open": _l("Open"), "waiting": _l("Waiting on the patient"), "closed": _l("Closed")}
PRIORITY_LABELS = {"routine": _l("Routine"), "urgent": _l("Urgent")}
REASON_LABELS = {
    "medical_question": _l("Medical question"),
    "appointment": _l("Appointment"),
    "refill": _l("Refill"),
    "test_results": _l("Test results"),
    "billing": _l("Billing or insurance"),
    "forms": _l("Forms"),
    "other": _l("Other"),
}
EVENT_LABELS = {
    "claimed": _l("%(who)s claimed the conversation"),
    "assigned": _l("%(who)s assigned it to %(to)s"),
    "unassigned": _l("%(who)s put it back in the pool"),
    "status": _l("%(who)s changed the status from %(from)s to %(to)s"),
    "pool": _l("%(who)s moved it from %(from)s to %(to)s"),
    "priority": _l("%(who)s changed the priority from %(from)s to %(to)s"),
}
SOMEONE = _l("Someone")


def word(labels: dict, code: object) -> str:
    value = getattr(code, "value", code)
    found = labels.get(str(value)) if value is not None else None
    return str(found) if found is not None else ("" if value is None else str(value))


def event_value(kind: object, value: str | None, names: dict[int, str], pools: dict[int, str]) -> str | None:
    """A history value for people: a person's or pool's name, a status or priority word."""
    if value is None:
        return None
    kind = getattr(kind, "value", kind)
    if kind in ("claimed", "assigned", "unassigned"):
        return names.get(int(value), str(SOMEONE)) if value.isdigit() else value
    if kind == "pool":
        return pools.get(int(value), value) if value.isdigit() else value
    if kind == "status":
        return word(STATUS_LABELS, value)
    if kind == "priority":
        return word(PRIORITY_LABELS, value)
    return value


def event_text(entry) -> str:
    """One history line: "Ana Ruiz assigned it to Dr Grey"."""
    kind = getattr(entry.event.kind, "value", entry.event.kind)
    template = EVENT_LABELS.get(kind)
    if template is None:
        return kind
    return str(template) % {"who": entry.actor_name or str(SOMEONE), "from": entry.from_label or "—",
                            "to": entry.to_label or "—"}
