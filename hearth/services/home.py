"""What the home page shows, for whoever signs in."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from hearth import db, policy
from hearth.models import CaregiverGrant, GrantStatus, Patient, Practice, User
from hearth.services.acting import Person


@dataclass
class PracticeSummary:
    practice: Practice
    roles: list[str]
    patient_count: int


@dataclass
class HomeSummary:
    person: Person | None = None
    caregiver_count: int = 0
    practices: list[PracticeSummary] = field(default_factory=list)


@db.transactional
def summary(user: User, person: Person | None) -> HomeSummary:
    """The signed-in person's own data: the record acted for and the practices worked at."""
    result = HomeSummary(person=person)
    if person is not None:
        policy.authorize(user, person.patient, None, "view", "home", person.patient.id)
        if person.is_self:
            result.caregiver_count = db.session.scalar(
                select(func.count(CaregiverGrant.id)).where(
                    CaregiverGrant.patient_id == person.patient.id,
                    CaregiverGrant.status == GrantStatus.ACTIVE,
                )
            ) or 0
    practice_ids = policy.staff_practice_ids(user)
    if practice_ids:
        counts = dict(
            db.session.execute(
                select(Patient.practice_id, func.count(Patient.id))
                .where(Patient.practice_id.in_(practice_ids))
                .group_by(Patient.practice_id)
            ).all()
        )
        practices = db.session.scalars(select(Practice).where(Practice.id.in_(practice_ids)).order_by(Practice.name))
        for practice in practices:
            roles = sorted(r.value for r in policy.practice_roles(user, practice.id))
            result.practices.append(PracticeSummary(practice, roles, counts.get(practice.id, 0)))
    return result
