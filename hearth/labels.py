"""Words for the codes Hearth stores (sex, care-team roles, appointment statuses), translated when shown.

Codes stay codes in the database and the API; pages show `label(kind, code)` in the reader's language,
and a code without a word (free text typed by the practice, say) is shown as it is.
"""

from __future__ import annotations

from hearth.i18n import _l

SEXES = {
    "female": _l("Female"),
    "male": _l("Male"),
    "other": _l("Other"),
    "unknown": _l("Unknown"),
    "intersex": _l("Intersex"),
}

# The roles practices give care-team members most often (the column is free text).
CARE_TEAM_ROLES = {
    "Physician": _l("Physician"),
    "Nurse practitioner": _l("Nurse practitioner"),
    "Physician assistant": _l("Physician assistant"),
    "Nurse": _l("Nurse"),
    "Medical assistant": _l("Medical assistant"),
    "Front desk": _l("Front desk"),
    "Care coordinator": _l("Care coordinator"),
    "Pharmacist": _l("Pharmacist"),
    "Social worker": _l("Social worker"),
}

APPOINTMENT_STATUSES = {
    "booked": _l("Booked"),
    "cancelled": _l("Cancelled"),
    "arrived": _l("Arrived"),
    "roomed": _l("Roomed"),
    "seen": _l("Seen"),
    "completed": _l("Completed"),
    "no_show": _l("No-show"),
}

GRANT_STATUSES = {
    "pending": _l("Invitation not yet accepted"),
    "active": _l("Active"),
    "revoked": _l("Removed"),
    "declined": _l("Declined"),
}

KINDS = {
    "sex": SEXES,
    "care_team_role": CARE_TEAM_ROLES,
    "appointment_status": APPOINTMENT_STATUSES,
    "grant_status": GRANT_STATUSES,
}


def label(kind: str, code: object) -> str:
    """The reader's word for `code` of `kind` ("sex", "care_team_role", ...); the code itself when unknown."""
    if code is None:
        return ""
    value = getattr(code, "value", code)
    word = KINDS[kind].get(str(value))
    return str(word) if word is not None else str(value)
