"""The staff workspace's cards: each capability registers a card maker, and the workspace shows what they return.

A card maker is `maker(user, practice, now) -> list[WorkspaceCard]`; it is called only for staff of
the practice (provider, staff or admin, or the narrower roles it registered with) and asks nothing
of the others. Adding a capability's card (pending refills, results waiting for a comment) is one
module in CARD_MODULES that calls `register`; no other card changes. Makers run a bounded number of
statements (a count and one short list), whatever the practice's size. Lines that link to a patient
(`params["patient_id"]`) are audited for her, all cards' in one INSERT.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hearth import audit
from hearth.models import Practice, StaffRole, User
from hearth.policy import CLINICAL_ROLES, practice_roles


@dataclass(frozen=True)
class CardLine:
    """One row of a card: a patient's item, linked to the page that acts on it."""

    text: str
    target: str | None = None  # a portal endpoint name
    params: dict[str, Any] = field(default_factory=dict)
    at: datetime | None = None
    zone: str | None = None  # the clock `at` is read on (a clinic's); None: the viewer's
    parts: str = "datetime"  # "datetime", "date" or "time" (hearth.timefmt.when)
    note: str | None = None  # a short status word ("Overdue", "Urgent")
    alert: bool = False  # the note needs attention (shown in words, with emphasis)


@dataclass(frozen=True)
class WorkspaceCard:
    kind: str  # a stable name ("messages", "schedule_today"), for the page's markup and the app
    title: str
    action_label: str
    target: str  # the page with the whole list: a portal endpoint name
    params: dict[str, Any] = field(default_factory=dict)
    count: int | None = None  # the headline number, when the card has one
    count_label: str | None = None  # what the number counts, in words ("3 unread")
    lines: list[CardLine] = field(default_factory=list)
    empty_text: str | None = None  # shown when `lines` is empty
    priority: int = 50  # lower first


CardMaker = Callable[[User, Practice, datetime], list[WorkspaceCard]]
_MAKERS: list[tuple[frozenset[StaffRole], CardMaker]] = []
# The modules that register card makers (imported once, on first use).
CARD_MODULES = ["hearth.services.messages.inbox_cards", "hearth.services.workspace_schedule",
                "hearth.services.medications.cards", "hearth.services.results.cards"]
_loaded = False


def register(roles: Collection[StaffRole] = CLINICAL_ROLES) -> Callable[[CardMaker], CardMaker]:
    """Decorator: `maker` adds cards for users holding one of `roles` at the practice."""

    def add(maker: CardMaker) -> CardMaker:
        _MAKERS.append((frozenset(roles), maker))
        return maker

    return add


def _load() -> None:
    global _loaded
    if not _loaded:
        for name in CARD_MODULES:
            importlib.import_module(name)
        _loaded = True


def cards_for(user: User, practice: Practice, now: datetime) -> list[WorkspaceCard]:
    """Every registered maker's cards for `user` at `practice` (only those her roles allow), by priority."""
    _load()
    held = practice_roles(user, practice.id)
    cards: list[WorkspaceCard] = []
    for roles, maker in _MAKERS:
        if held & roles:
            cards += maker(user, practice, now)
    # A line that links to a patient shows her data (name, medicines, a test): one list/workspace event per
    # such line, all cards in one INSERT, so a new card cannot forget it.
    audit.record_listed(actor=user, relation="staff", action="list", resource_type="workspace",
                        listed=[(line.params["patient_id"], card.kind) for card in cards for line in card.lines
                                if "patient_id" in line.params])
    return sorted(cards, key=lambda c: (c.priority, c.kind))
