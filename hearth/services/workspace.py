"""The staff workspace: the landing page of providers and staff, one practice at a time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from hearth import db, policy
from hearth.clock import utcnow
from hearth.errors import Forbidden
from hearth.models import Practice, User
from hearth.services import workspace_cards
from hearth.services.patients import staff_practices


@dataclass
class Workspace:
    """The practices the user may pick from, the one shown, and its cards (most urgent first)."""

    practices: list[Practice]
    practice: Practice
    cards: list[workspace_cards.WorkspaceCard] = field(default_factory=list)


def pick_practice(user: User, practice_id: int | None) -> tuple[list[Practice], Practice]:
    """The user's practices and the one asked for (her first when None); Forbidden when she works at none of them."""
    practices = staff_practices(user)
    if not practices:
        raise Forbidden()
    if practice_id is None:
        return practices, practices[0]
    policy.require_practice_role(user, practice_id, policy.CLINICAL_ROLES)
    return practices, next(p for p in practices if p.id == practice_id)


@db.transactional
def home(user: User, practice_id: int | None = None, *, now: datetime | None = None) -> Workspace:
    """Every registered card for the practice (unread and overdue messages, today's visits, ...).

    Raises Forbidden for anyone who is not a provider, staff member or admin of the practice. Each card
    maker checks and audits what it reads.
    """
    practices, practice = pick_practice(user, practice_id)
    return Workspace(practices, practice, workspace_cards.cards_for(user, practice, now or utcnow()))
