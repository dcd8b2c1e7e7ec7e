"""What the home page shows, for whoever signs in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from hearth import db, policy
from hearth.clock import utcnow
from hearth.models import AuditEvent, CaregiverGrant, GrantStatus, Patient, Practice, User
from hearth.services import access_log, home_cards
from hearth.services.acting import Person
from hearth.services.pagination import COUNT_BOUND
from hearth.services.scheduling import next_visit as visits

RECENT_PATIENTS = 5
# The recently opened patients come from this many of the user's latest chart openings (issue 11: flat cost).
RECENT_WINDOW = 200
RECENT_ACCESS = 3


@dataclass
class RecentPatient:
    patient: Patient
    opened_at: datetime


@dataclass
class PracticeSummary:
    practice: Practice
    roles: list[str]
    patient_count: int  # at most COUNT_BOUND
    recent_patients: list[RecentPatient] = field(default_factory=list)
    patient_count_exact: bool = True  # False: more than patient_count patients


@dataclass
class HomeSummary:
    person: Person | None = None
    caregiver_count: int = 0
    practices: list[PracticeSummary] = field(default_factory=list)
    # Only for the patient herself: the latest accesses by others, and a link to the full log.
    recent_access: list[access_log.AccessEntry] = field(default_factory=list)
    shows_access_log: bool = False
    # What's next for the person acted for: her next visit with what can be done, then the to-do cards.
    shows_visits: bool = False  # the person's access covers appointments
    next_visit: visits.NextVisit | None = None
    cards: list[home_cards.Card] = field(default_factory=list)


def _recently_opened(user: User, practice_ids: list[int]) -> dict[int, list[RecentPatient]]:
    """Per practice, the last RECENT_PATIENTS patients this user opened (among her latest RECENT_WINDOW
    openings), from the audit log, in one query."""
    # Only the user's latest RECENT_WINDOW openings (a backward walk of ix_audit_event_actor_at): grouping
    # her whole trail read every event she ever caused (7.7 s for a front desk with 6,700,000 at 1,000,000 patients).
    latest = (
        select(AuditEvent.patient_id, AuditEvent.at)
        .where(AuditEvent.actor_user_id == user.id, AuditEvent.action == "view",
               AuditEvent.resource_type == "patient", AuditEvent.actor_relation == "staff")
        .order_by(AuditEvent.at.desc())
        .limit(RECENT_WINDOW)
        .subquery()
    )
    last = (
        select(latest.c.patient_id, func.max(latest.c.at).label("opened_at"))
        .group_by(latest.c.patient_id)
        .subquery()
    )
    ranked = (
        select(Patient.id.label("patient_id"), last.c.opened_at,
               func.row_number().over(partition_by=Patient.practice_id,
                                      order_by=(last.c.opened_at.desc(), Patient.id.desc())).label("recency"))
        .join(last, last.c.patient_id == Patient.id)
        .where(Patient.practice_id.in_(practice_ids))
        .subquery()
    )
    rows = db.session.execute(
        select(Patient, ranked.c.opened_at)
        .join(ranked, ranked.c.patient_id == Patient.id)
        .where(ranked.c.recency <= RECENT_PATIENTS)
        .order_by(ranked.c.opened_at.desc(), Patient.id.desc())
    ).all()
    result: dict[int, list[RecentPatient]] = {}
    for patient, opened_at in rows:
        result.setdefault(patient.practice_id, []).append(RecentPatient(patient, opened_at))
    return result


def _practices(user: User) -> list[PracticeSummary]:
    practice_ids = policy.staff_practice_ids(user)
    if not practice_ids:
        return []
    # Each practice's patients counted up to COUNT_BOUND + 1 (more reads as "More than 1000"): an exact
    # count reads every patient, 285 ms at 1,000,000 (issue 11).
    counted = (select(Patient.id).where(Patient.practice_id == Practice.id).correlate(Practice)
               .limit(COUNT_BOUND + 1).subquery())
    counts = dict(
        db.session.execute(
            select(Practice.id, select(func.count()).select_from(counted).scalar_subquery())
            .where(Practice.id.in_(practice_ids))
        ).all()
    )
    recent = _recently_opened(user, practice_ids)
    practices = db.session.scalars(select(Practice).where(Practice.id.in_(practice_ids)).order_by(Practice.name))
    return [
        PracticeSummary(practice, sorted(r.value for r in policy.practice_roles(user, practice.id)),
                        min(counts.get(practice.id, 0), COUNT_BOUND), recent.get(practice.id, []),
                        counts.get(practice.id, 0) <= COUNT_BOUND)
        for practice in practices
    ]


@db.transactional
def summary(user: User, person: Person | None, *, now: datetime | None = None) -> HomeSummary:
    """What's next for the record acted for (next visit, to-do cards), and the practices worked at."""
    result = HomeSummary(person=person)
    now = now or utcnow()
    if person is not None:
        policy.authorize(user, person.patient, None, "view", "home", person.patient.id)
        result.shows_visits = person.may(visits.SCOPE)
        if result.shows_visits:
            result.next_visit = visits.next_visit(user, person.patient, now)
        result.cards = home_cards.cards_for(user, person, now)
        if person.is_self:
            result.caregiver_count = db.session.scalar(
                select(func.count(CaregiverGrant.id)).where(
                    CaregiverGrant.patient_id == person.patient.id,
                    CaregiverGrant.status == GrantStatus.ACTIVE,
                )
            ) or 0
            result.shows_access_log = True
            result.recent_access = access_log.recent_by_others(user, person.patient, RECENT_ACCESS)
    result.practices = _practices(user)
    return result
