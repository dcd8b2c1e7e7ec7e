"""The care team's side of the record: a practice's patient list and one patient's chart header."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hearth import audit, db, policy
from hearth.errors import Forbidden, NotFound
from hearth.models import CaregiverGrant, CareTeam, GrantStatus, Patient, Practice, User
from hearth.services import patient_search
from hearth.services.pagination import COUNT_BOUND, Page, paginate_bounded

PER_PAGE = 25
MAX_PER_PAGE = 100


@dataclass
class PatientList:
    """The practices the user may pick from, the one shown, and a page of its patients."""

    practices: list[Practice]
    practice: Practice
    query: str
    page: Page[Patient]


@dataclass(frozen=True, order=True)
class TeamMember:
    name: str
    role: str


@dataclass
class CaregiverView:
    name: str
    relationship: str | None
    kind: str
    status: str
    scopes: list[str]
    ends_at: datetime | None
    email: str | None = None


@dataclass
class Chart:
    """What staff see when they open a patient: demographics, clinicians, care team, caregivers."""

    patient: Patient
    care_team_members: list[TeamMember] = field(default_factory=list)
    caregivers: list[CaregiverView] = field(default_factory=list)


def staff_practices(user: User) -> list[Practice]:
    """Practices where `user` is a provider, staff or admin, by name."""
    ids = policy.staff_practice_ids(user)
    if not ids:
        return []
    return list(db.session.scalars(select(Practice).where(Practice.id.in_(ids)).order_by(Practice.name, Practice.id)))


@db.transactional
def practice_patients(user: User, practice_id: int | None, *, query: str = "", dates: list[date] | None = None,
                      page: int = 1, per_page: int = PER_PAGE, invalid_search: bool = False) -> PatientList:
    """A page of the practice's patients sorted by family name, optionally searched; the total counts at most
    pagination.COUNT_BOUND rows (or up to this page), so the cost stays flat as the practice grows.

    `practice_id` None picks the user's first practice; `invalid_search` (the search text was refused,
    say too long) gives an empty page rather than everyone. A practice-level read, so it checks the
    role (Forbidden); each patient on the page gets a list/patient audit event (her access log shows it).
    """
    practices = staff_practices(user)
    if practice_id is None:
        if not practices:
            raise Forbidden()
        practice_id = practices[0].id
    policy.require_practice_role(user, practice_id, policy.CLINICAL_ROLES)
    practice = next(p for p in practices if p.id == practice_id)
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    if invalid_search:
        return PatientList(practices, practice, query, Page([], 1, per_page, 0))
    conditions = [Patient.practice_id == practice_id, *patient_search.conditions(query, dates)]
    order = (Patient.family_name, Patient.given_name, Patient.id)
    count_rows = select(Patient.id).where(*conditions)
    # A name search takes the page's ids from the per-word name index (the first rows of each word starting
    # with the text, merged): flat however many patients match. Otherwise the page's ids come from an
    # index-only walk of ix_patient_practice_name (it covers the searched columns). Then those rows by id.
    found = patient_search.word_page(practice_id, query, dates, (page - 1) * per_page, per_page,
                                     max(COUNT_BOUND, page * per_page)) if query else None
    if found is not None:
        ids, count_rows = found.ids, found.count_rows
    else:
        ids = select(Patient.id).where(*conditions).order_by(*order).limit(per_page).offset((page - 1) * per_page)
    stmt = (
        select(Patient)
        .where(Patient.id.in_(ids.scalar_subquery()))
        .options(selectinload(Patient.primary_provider))
        .order_by(*order)
    )
    rows, total, exact = paginate_bounded(stmt, count_rows, page, per_page, paged=False)
    listed = [r[0] for r in rows]
    audit.record_listed(actor=user, relation="staff", action="list", resource_type="patient",
                        listed=[(p.id, p.id) for p in listed])
    return PatientList(practices, practice, query, Page(listed, page, per_page, total, exact))


def _load_for_staff(user: User, patient_id: int, practice_id: int | None) -> Patient:
    patient = db.session.scalar(
        select(Patient)
        .where(Patient.id == patient_id)
        .options(
            selectinload(Patient.primary_provider),
            selectinload(Patient.care_team).selectinload(CareTeam.members),
        )
    )
    if patient is None or not policy.is_staff_of(user, patient.practice_id):
        raise NotFound()
    if practice_id is not None and patient.practice_id != practice_id:
        raise NotFound()
    return patient


@db.transactional
def chart(user: User, patient_id: int, *, practice_id: int | None = None) -> Chart:
    """Open a patient as staff of her practice (audited as view/patient); NotFound for anyone else."""
    patient = _load_for_staff(user, patient_id, practice_id)
    policy.authorize(user, patient, None, "view", "patient", patient.id)
    result = Chart(patient)
    if patient.care_team is not None and patient.care_team.members:
        members = patient.care_team.members
        names = dict(db.session.execute(
            select(User.id, User.display_name).where(User.id.in_([m.user_id for m in members]))
        ).all())
        result.care_team_members = sorted(TeamMember(names.get(m.user_id, ""), m.role_label) for m in members)
    result.caregivers = caregiver_views(patient)
    return result


def caregiver_views(patient: Patient) -> list[CaregiverView]:
    """Who may act for the patient now or soon (active grants still in force, pending invitations)."""
    grants = db.session.scalars(
        select(CaregiverGrant)
        .where(CaregiverGrant.patient_id == patient.id,
               CaregiverGrant.status.in_([GrantStatus.ACTIVE, GrantStatus.PENDING]))
        .options(selectinload(CaregiverGrant.caregiver))
        .order_by(CaregiverGrant.created_at, CaregiverGrant.id)
    ).all()
    views = []
    for grant in grants:
        if grant.status == GrantStatus.ACTIVE and not policy.grant_is_active(grant):
            continue
        views.append(CaregiverView(
            name=grant.caregiver.display_name if grant.caregiver else grant.invited_email,
            relationship=grant.relationship_label,
            kind=grant.kind.value,
            status=grant.status.value,
            scopes=grant.scope_list,
            ends_at=policy.grant_end(grant),
            email=grant.caregiver.email if grant.caregiver else grant.invited_email,
        ))
    return views
