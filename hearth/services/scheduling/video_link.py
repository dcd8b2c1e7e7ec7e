"""The practice's video-visit link: a template with named placeholders only, checked on save, filled safely."""

from __future__ import annotations

from urllib.parse import urlsplit

from hearth.errors import Conflict
from hearth.i18n import _l
from hearth.models import Appointment
from hearth.placeholders import PlaceholderError, fill, problems

# {appointment_id}: the visit's number; {appointment_uid}: its random, unguessable calendar id.
PLACEHOLDERS = ("appointment_id", "appointment_uid")


def check(template: str) -> list:
    """Why the template cannot be saved (empty when it can): an http(s) link with a named placeholder."""
    parts = urlsplit(template)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return [_l("Enter a link starting with https:// (or http://).")]
    wrong = problems(template, PLACEHOLDERS)
    if wrong:
        return [_l("Only {appointment_id} or {appointment_uid} can go in braces, exactly as written here; "
                   "remove %(wrong)s.", wrong=", ".join(wrong))]
    if not any("{" + name + "}" in template for name in PLACEHOLDERS):
        return [_l("The link must contain {appointment_id} (or {appointment_uid}), where each visit's own part "
                   "goes.")]
    return []


def render(template: str, appointment: Appointment) -> str:
    """The visit's link. Raises Conflict when a template saved before these checks is not a plain one."""
    try:
        return fill(template, {"appointment_id": appointment.id, "appointment_uid": appointment.uid})
    except PlaceholderError:
        raise Conflict(_l("The video link is not set up correctly. Please call the practice.")) from None
