"""Whose record a signed-in person is looking at: her own, or someone she cares for."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select

from hearth import db, policy
from hearth.errors import NotFound
from hearth.models import CaregiverGrant, Patient, User, UserSession


@dataclass(frozen=True)
class Person:
    """One patient the user may act for; `grant` is None for the user's own record."""

    patient: Patient
    grant: CaregiverGrant | None

    @property
    def is_self(self) -> bool:
        return self.grant is None

    def may(self, scope: str | None) -> bool:
        """Whether this person's pages for `scope` are open to the user (menus hide the rest)."""
        return self.grant is None or scope is None or policy.grant_allows(self.grant, scope)

    @property
    def first_name(self) -> str:
        return self.patient.given_name


# Built once (every page and /me asks): a request pays only for binding the user's id.
_OWN_RECORDS = select(Patient).where(Patient.user_id == bindparam("user_id")).order_by(Patient.id)


def people_for(user: User) -> list[Person]:
    """The user's own patient records, then everyone she may act for through an active grant."""
    own = db.session.scalars(_OWN_RECORDS, {"user_id": user.id}).all()
    people = [Person(p, None) for p in own]
    people += [Person(g.patient, g) for g in policy.active_grants_for(user)]
    return people


def current_person(user: User, session_row: UserSession | None,
                   people: list[Person] | None = None) -> Person | None:
    """The person selected in this session, falling back to the first one the user may act for.

    A grant that was revoked or expired simply drops out of `people_for`, so the next request
    stops acting for that patient without any extra bookkeeping. Pass `people` when the caller
    already has them, so a page asks the database once.
    """
    people = people_for(user) if people is None else people
    if not people:
        return None
    wanted = session_row.acting_for_patient_id if session_row is not None else None
    for person in people:
        if person.patient.id == wanted:
            return person
    return people[0]


@db.transactional
def switch_to(user: User, session_row: UserSession, patient_id: int) -> Person:
    """Act for `patient_id` from now on in this session; NotFound unless the user may."""
    for person in people_for(user):
        if person.patient.id == patient_id:
            session_row.acting_for_patient_id = patient_id
            return person
    raise NotFound()
