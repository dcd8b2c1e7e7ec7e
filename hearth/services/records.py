"""A patient's profile: demographics anyone with access may read, contact details she and her practice may edit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hearth import db, phones, policy
from hearth.errors import Forbidden, Invalid, NotFound
from hearth.i18n import _l
from hearth.models import GrantKind, Patient, User

EDITABLE = ("phone", "email", "address", "preferred_language", "preferred_channels")
# Who may change contact details: the patient herself and staff of her practice; of caregivers, only a
# parent or guardian of a young child (full access), never an adult's proxy or a teen's guardian.
EDITORS = frozenset({"self", "staff"})
# A channel is only usable with its address.
CHANNEL_NEEDS = {"sms": "phone", "email": "email"}


@dataclass
class Profile:
    patient: Patient
    relation: str
    can_edit: bool


def may_edit(granted: policy.Access | None, patient: Patient) -> bool:
    """Whether this kind of access lets one change the patient's contact details."""
    if granted is None:
        return False
    if granted.relation in EDITORS:
        return True
    grant = granted.grant
    return grant is not None and grant.kind == GrantKind.GUARDIAN and policy.in_child_tier(patient)


def _load(patient_id: int) -> Patient:
    patient = db.session.scalar(
        select(Patient).where(Patient.id == patient_id).options(selectinload(Patient.primary_provider))
    )
    if patient is None:
        raise NotFound()
    return patient


@db.transactional
def profile(user: User, patient_id: int, *, for_edit: bool = False) -> Profile:
    """The patient's demographics and contact details for anyone with access (audited view/profile).

    Raises NotFound when `user` has no access to the patient; with `for_edit`, Forbidden for
    those who may read but not change them (caregivers).
    """
    patient = _load(patient_id)
    granted = policy.access(user, patient, None)
    if granted is not None and for_edit and not may_edit(granted, patient):
        raise Forbidden(_l("Only the patient or the practice can change these details."))
    policy.authorize(user, patient, None, "view", "profile", patient.id)
    return Profile(patient, granted.relation, may_edit(granted, patient))


def _check_channels(patient: Patient, changes: dict[str, Any]) -> None:
    channels = changes.get("preferred_channels", patient.channels)
    errors: dict[str, list] = {}
    for channel, needed in CHANNEL_NEEDS.items():
        value = changes[needed] if needed in changes else getattr(patient, needed)
        if channel in channels and not value and ("preferred_channels" in changes or needed in changes):
            key = "preferred_channels" if "preferred_channels" in changes else needed
            message = (_l("Add a mobile number to get text messages.") if channel == "sms"
                       else _l("Add an email address to get emails."))
            errors.setdefault(key, []).append(message)
    if errors:
        raise Invalid(_l("Please correct the highlighted fields."), fields=errors)


@db.transactional
def update_profile(user: User, patient_id: int, changes: dict[str, Any]) -> Profile:
    """Change contact details (audited update/profile); `changes` holds clean values of EDITABLE fields.

    The phone is stored in E.164, a national number read in the practice's country. Raises NotFound
    without access, Forbidden for caregivers (a young child's guardian excepted), Invalid when nothing is
    given, the phone is impossible, or a chosen channel lacks its address (text messages need a phone,
    emails an email address).
    """
    patient = _load(patient_id)
    granted = policy.access(user, patient, None)
    if granted is None:
        raise NotFound()
    if not may_edit(granted, patient):
        raise Forbidden(_l("Only the patient or the practice can change these details."))
    changes = {k: v for k, v in changes.items() if k in EDITABLE}
    if not changes:
        raise Invalid(_l("There is nothing to change."))
    errors: dict[str, list] = {}
    phones.normalize_in(changes, patient.practice.country, errors)
    if errors:
        raise Invalid(_l("Please correct the highlighted fields."), fields=errors)
    _check_channels(patient, changes)
    policy.authorize(user, patient, None, "update", "profile", patient.id)
    for key, value in changes.items():
        setattr(patient, key, ",".join(value) if key == "preferred_channels" else value)
    return Profile(patient, granted.relation, True)
