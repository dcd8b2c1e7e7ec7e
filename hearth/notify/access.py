"""Before sending, check that a recipient who is not the patient (a caregiver) may still know of it.

A reminder is queued days ahead; the caregiver it is for may lose access meanwhile (revoked, ended,
scope narrowed, the child came of age). The patient's own notifications skip the check.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from hearth import db, policy
from hearth.models import Notification, Patient, User

# The caregiver scope a kind of notification about a patient needs.
KIND_SCOPES = {"reminder": "appointments", "waitlist": "appointments", "message": "messages",
               "result": "results", "bill": "billing", "refill": "medications"}


def lost_access(rows: Sequence[Notification]) -> list[Notification]:
    """The rows whose recipient may no longer see the patient's items of that kind (one query when none)."""
    about_others = [r for r in rows if r.patient_id is not None and r.recipient_user_id is not None
                    and r.kind in KIND_SCOPES]
    if not about_others:
        return []
    owners = dict(db.session.execute(
        select(Patient.id, Patient.user_id).where(Patient.id.in_({r.patient_id for r in about_others}))
    ).all())
    lost = []
    for row in about_others:
        if owners.get(row.patient_id) == row.recipient_user_id:
            continue  # the patient herself
        user = db.session.get(User, row.recipient_user_id)
        patient = db.session.get(Patient, row.patient_id)
        if patient is None or policy.access(user, patient, KIND_SCOPES[row.kind]) is None:
            lost.append(row)
    return lost
