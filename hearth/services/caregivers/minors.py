"""The practice's side: finding a minor to give a guardian access to."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from hearth import db, policy
from hearth.clock import age_on, to_zone, utcnow
from hearth.errors import Invalid, NotFound
from hearth.i18n import _l
from hearth.models import (
    Patient,
    Practice,
    User,
)
from hearth.services import patient_search
from hearth.services.caregivers.common import MINOR_SEARCH_LIMIT

# -- the practice's side: finding a minor ------------------------------------------------------


def is_minor(patient: Patient, now: datetime | None = None) -> bool:
    today = to_zone(now or utcnow(), patient.practice.timezone).date()
    return age_on(patient.date_of_birth, today) < patient.practice.adult_age


MAX_QUERY = 100


@db.transactional
def find_minors(actor: User, practice_id: int, query: str) -> tuple[Practice, list[Patient]]:
    """Minors of the practice matching a name or MRN (at most MINOR_SEARCH_LIMIT), for staff.
    Raises Forbidden (not staff there), NotFound, Invalid (a search over MAX_QUERY characters)."""
    policy.require_practice_role(actor, practice_id, policy.CLINICAL_ROLES)
    practice = db.session.get(Practice, practice_id)
    if practice is None:
        raise NotFound()
    today = to_zone(utcnow(), practice.timezone).date()
    try:
        cutoff = today.replace(year=today.year - practice.adult_age)
    except ValueError:  # 29 February
        cutoff = date(today.year - practice.adult_age, 2, 28)
    stmt = select(Patient).where(Patient.practice_id == practice_id, Patient.date_of_birth > cutoff)
    if len(query) > MAX_QUERY:  # the edges refuse it with a message; never search a cut-off text
        raise Invalid(fields={"q": [_l("Enter at most %(n)d characters.", n=MAX_QUERY)]})
    stmt = stmt.where(*patient_search.conditions(query))
    stmt = stmt.order_by(Patient.family_name, Patient.given_name, Patient.id).limit(MINOR_SEARCH_LIMIT)
    return practice, list(db.session.scalars(stmt))
