"""A practice's scheduling setup: visit types with their questions, and the scheduling rules.

Admins change it; providers and staff of the practice may look. Not patient data, so no audit
events: changes are logged after commit. Weekly hours and time off are in `admin_hours`.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from hearth import db, policy
from hearth.errors import Conflict, Forbidden, Invalid, NotFound
from hearth.i18n import _l
from hearth.models import (
    Appointment,
    Location,
    Practice,
    PracticeSchedulingSettings,
    Provider,
    StaffRole,
    User,
    VisitMode,
    VisitType,
)
from hearth.models.scheduling import name_key
from hearth.policy import CLINICAL_ROLES
from hearth.services.scheduling import reminders, video_link
from hearth.services.scheduling.common import DEFAULTS, settings_for

log = logging.getLogger(__name__)

ADMINS = frozenset({StaffRole.ADMIN})
VISIT_FIELDS = ("name", "duration_minutes", "mode", "self_schedulable", "active", "instructions", "translations")
SETTINGS_FIELDS = tuple(DEFAULTS)
MAX_QUESTIONS = 30


@dataclass
class AdminPage:
    """What a setup page shows: the practice, the ones to switch to, the form choices and the rows."""

    practice: Practice
    practices: list[Practice]
    can_edit: bool
    providers: list[Provider]
    locations: list[Location]
    items: list[Any] = field(default_factory=list)
    settings: PracticeSchedulingSettings | None = None
    item: Any = None  # the row an edit page is about
    page: int = 1
    has_next: bool = False


def practice_for(user: User, practice_id: int, *, edit: bool = False) -> Practice:
    """The practice, when `user` may see (staff) or change (admin) its setup; Forbidden otherwise."""
    policy.require_practice_role(user, practice_id, ADMINS if edit else CLINICAL_ROLES)
    practice = db.session.get(Practice, practice_id)
    if practice is None:
        raise NotFound()
    return practice


def home_practice_id(user: User) -> int:
    """The practice to open first: one the user administers, else one she works at; Forbidden if none."""
    admin_of = sorted(m.practice_id for m in user.memberships if m.role == StaffRole.ADMIN)
    ids = admin_of or policy.staff_practice_ids(user)
    if not ids:
        raise Forbidden()
    return ids[0]


def page_for(user: User, practice_id: int, **parts: Any) -> AdminPage:
    """The frame every setup page shares; four queries."""
    practice = practice_for(user, practice_id)
    ids = policy.staff_practice_ids(user)
    return AdminPage(
        practice=practice,
        practices=list(db.session.scalars(select(Practice).where(Practice.id.in_(ids)).order_by(Practice.name))),
        can_edit=StaffRole.ADMIN in policy.practice_roles(user, practice_id),
        providers=list(db.session.scalars(select(Provider).where(Provider.practice_id == practice_id)
                                          .order_by(Provider.family_name, Provider.given_name))),
        locations=list(db.session.scalars(select(Location).where(Location.practice_id == practice_id)
                                          .order_by(Location.name))),
        **parts,
    )


def log_after_commit(message: str, *args: Any) -> None:
    db.after_commit(lambda: log.info(message, *args))


# Visit types


def _visit_types(practice_id: int) -> list[VisitType]:
    return list(db.session.scalars(
        select(VisitType).where(VisitType.practice_id == practice_id)
        .options(selectinload(VisitType.providers)).order_by(VisitType.active.desc(), VisitType.name, VisitType.id)
    ))


@db.transactional
def visit_types(user: User, practice_id: int) -> list[VisitType]:
    """Every visit type of the practice, active ones first; two queries."""
    practice_for(user, practice_id)
    return _visit_types(practice_id)


@db.transactional
def visit_types_page(user: User, practice_id: int) -> AdminPage:
    """The visit types page: the list and the choices its forms need."""
    return page_for(user, practice_id, items=_visit_types(practice_id))


def _visit_type(practice_id: int, visit_type_id: int) -> VisitType:
    """The practice's visit type, active or not, with its providers (shown, as in the list); NotFound for
    another practice's."""
    visit_type = db.session.get(VisitType, visit_type_id, options=[selectinload(VisitType.providers)])
    if visit_type is None or visit_type.practice_id != practice_id:
        raise NotFound()
    return visit_type


@db.transactional
def visit_type(user: User, practice_id: int, visit_type_id: int) -> VisitType:
    """One visit type of the practice (active or not); NotFound for another practice's."""
    practice_for(user, practice_id)
    return _visit_type(practice_id, visit_type_id)


@db.transactional
def visit_type_page(user: User, practice_id: int, visit_type_id: int | None = None) -> AdminPage:
    """The add (no id) or edit page of a visit type."""
    view = page_for(user, practice_id)
    view.item = None if visit_type_id is None else _visit_type(practice_id, visit_type_id)
    return view


def _providers(practice_id: int, ids: list[int]) -> list[Provider]:
    wanted = sorted(set(ids))
    found = list(db.session.scalars(select(Provider).where(Provider.id.in_(wanted),
                                                          Provider.practice_id == practice_id))) if wanted else []
    if len(found) != len(wanted):
        raise Invalid(fields={"provider_ids": [_l("Choose providers of this practice.")]})
    return found


def _questions(questions: list[dict], taken: set[str] | None = None) -> list[dict]:
    """Questions in the stored shape, each with an id of its own (answers are kept by id)."""
    seen = set(taken or ())
    out = []
    for index, q in enumerate(questions):
        kind = q.get("type", "text")
        if kind == "choice" and len(q.get("options") or []) < 2:
            raise Invalid(fields={f"questionnaire.{index}.options": [_l("Give at least two options.")]})
        qid = q.get("id") or f"q{secrets.token_hex(3)}"
        while qid in seen:
            qid = f"q{secrets.token_hex(3)}"
        seen.add(qid)
        item = {"id": qid, "text": q["text"], "type": kind, "required": bool(q.get("required"))}
        if q.get("translations"):
            item["translations"] = dict(q["translations"])
        if kind == "choice":
            item["options"] = list(q["options"])
        out.append(item)
    return out


NAME_TAKEN = _l("Another visit type of this practice already has this name. Choose a different name.")


def _check_name(practice_id: int, target: VisitType) -> None:
    """Invalid when another visit type of the practice has the same name, whatever its case."""
    taken = db.session.scalar(select(VisitType.id).where(
        VisitType.practice_id == practice_id, VisitType.name_key == name_key(target.name),
        VisitType.id != (target.id or 0)).limit(1))
    if taken is not None:
        raise Invalid(_l("Please correct the highlighted fields."), fields={"name": [NAME_TAKEN]})


def _flush_named(target: VisitType) -> None:
    """Flush; the unique (practice, name) key turns a racing twin into the same Invalid."""
    try:
        with db.session.begin_nested():
            db.session.add(target)
            db.session.flush()
    except IntegrityError:
        raise Invalid(_l("Please correct the highlighted fields."), fields={"name": [NAME_TAKEN]}) from None


def _apply(practice_id: int, target: VisitType, data: dict[str, Any]) -> None:
    for key in VISIT_FIELDS:
        if key in data:
            setattr(target, key, VisitMode(data[key]) if key == "mode" else data[key])
    if "provider_ids" in data:
        target.providers = _providers(practice_id, data["provider_ids"])
    if "questionnaire" in data:
        target.questionnaire = _questions(data["questionnaire"])


@db.transactional
def create_visit_type(user: User, practice_id: int, data: dict[str, Any]) -> VisitType:
    """Add a visit type; Forbidden for non-admins, Invalid for another practice's providers or bad questions."""
    practice_for(user, practice_id, edit=True)
    new = VisitType(practice_id=practice_id, questionnaire=[])
    with db.session.no_autoflush:
        _apply(practice_id, new, data)
        _check_name(practice_id, new)
    _flush_named(new)
    log_after_commit("practice %s visit type %s added by user %s", practice_id, new.id, user.id)
    return new


@db.transactional
def update_visit_type(user: User, practice_id: int, visit_type_id: int, changes: dict[str, Any]) -> VisitType:
    """Change a visit type; `questionnaire`, when given, replaces the list. Forbidden, NotFound, Invalid."""
    practice_for(user, practice_id, edit=True)
    target = _visit_type(practice_id, visit_type_id)
    with db.session.no_autoflush:
        _apply(practice_id, target, changes)
        if "name" in changes:
            _check_name(practice_id, target)
    _flush_named(target)
    log_after_commit("practice %s visit type %s changed by user %s: %s", practice_id, target.id, user.id,
                  sorted(changes))
    return target


@db.transactional
def delete_visit_type(user: User, practice_id: int, visit_type_id: int) -> None:
    """Delete an unused visit type; Conflict when visits were booked with it (make it inactive instead)."""
    practice_for(user, practice_id, edit=True)
    target = _visit_type(practice_id, visit_type_id)
    used = db.session.scalar(select(Appointment.id).where(Appointment.visit_type_id == target.id).limit(1))
    if used is not None:
        raise Conflict(_l("Visits were booked with this visit type. Make it inactive instead."))
    db.session.delete(target)
    log_after_commit("practice %s visit type %s deleted by user %s", practice_id, visit_type_id, user.id)


@db.transactional
def add_question(user: User, practice_id: int, visit_type_id: int, question: dict[str, Any]) -> VisitType:
    """Append a question to the visit type's pre-visit questionnaire."""
    practice_for(user, practice_id, edit=True)
    target = _visit_type(practice_id, visit_type_id)
    current = list(target.questionnaire or [])
    if len(current) >= MAX_QUESTIONS:
        raise Invalid(fields={"text": [_l("At most %(n)s questions.", n=MAX_QUESTIONS)]})
    # A new id (never a removed question's), so old answers cannot be read against a new question.
    target.questionnaire = current + _questions([{**question, "id": None}], {q.get("id") for q in current})
    return target


@db.transactional
def remove_question(user: User, practice_id: int, visit_type_id: int, question_id: str) -> VisitType:
    """Remove one question; answers already given stay with their appointments. NotFound for an unknown id."""
    practice_for(user, practice_id, edit=True)
    target = _visit_type(practice_id, visit_type_id)
    kept = [q for q in target.questionnaire or [] if q.get("id") != question_id]
    if len(kept) == len(target.questionnaire or []):
        raise NotFound()
    target.questionnaire = kept
    return target


# Scheduling rules


@db.transactional
def scheduling_settings(user: User, practice_id: int) -> PracticeSchedulingSettings:
    """The practice's scheduling rules (the defaults when never saved)."""
    practice_for(user, practice_id)
    return settings_for(practice_id)


@db.transactional
def settings_page(user: User, practice_id: int) -> AdminPage:
    """The rules page."""
    return page_for(user, practice_id, settings=settings_for(practice_id))


@db.transactional
def update_scheduling_settings(user: User, practice_id: int, changes: dict[str, Any], *,
                               base_url: str = "") -> PracticeSchedulingSettings:
    """Save some or all rules; Forbidden for non-admins, Invalid for a bad video link or reminders.

    New reminder times apply to visits already booked: their queued reminders are re-planned.
    """
    practice_for(user, practice_id, edit=True)
    changes = {k: v for k, v in changes.items() if k in SETTINGS_FIELDS}
    if "video_url_template" in changes:
        problems = video_link.check(changes["video_url_template"])
        if problems:
            raise Invalid(_l("Please correct the highlighted fields."), fields={"video_url_template": problems})
    if "reminder_offsets" in changes:
        offsets = sorted({int(m) for m in changes["reminder_offsets"]}, reverse=True)
        if any(m <= 0 for m in offsets):
            raise Invalid(fields={"reminder_offsets": [_l("Use positive numbers of minutes.")]})
        changes["reminder_offsets"] = ",".join(str(m) for m in offsets)
    row = db.session.get(PracticeSchedulingSettings, practice_id)
    if row is None:
        row = PracticeSchedulingSettings(practice_id=practice_id, **DEFAULTS)
        db.session.add(row)
    offsets_before = row.offsets
    for key, value in changes.items():
        setattr(row, key, value)
    db.session.flush()
    log_after_commit("practice %s scheduling settings changed by user %s: %s", practice_id, user.id, sorted(changes))
    if row.offsets != offsets_before:
        moved = reminders.replan_practice(practice_id, base_url=base_url)
        log_after_commit("practice %s: reminders of %s coming visits re-planned", practice_id, moved)
    return row
