"""The home page's to-do cards: each capability registers a card maker, and home shows what they return.

A card maker is `maker(user, person, now) -> list[Card]`; it is called only when the person's access
covers its scope, and asks nothing of the others. Adding a capability's card (unread messages, new
results, balance due) is one module in CARD_MODULES that calls `register`; no other card changes.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hearth.models import User
from hearth.services.acting import Person


@dataclass(frozen=True)
class Card:
    kind: str  # a stable name ("checkin_due"), for the page's markup and the app
    title: str
    action_label: str
    target: str  # the page that acts on it: a portal endpoint name ("appointments.check_in")
    params: dict[str, Any] = field(default_factory=dict)
    at: datetime | None = None  # the moment the card is about, shown in `zone`'s clock
    zone: str | None = None
    priority: int = 50  # lower first


CardMaker = Callable[[User, Person, datetime], list[Card]]
_MAKERS: list[tuple[str | None, CardMaker]] = []
# The modules that register card makers (imported once, on first use).
CARD_MODULES = ["hearth.services.scheduling.cards", "hearth.services.notification_cards",
                "hearth.services.medications.home_card", "hearth.services.results.cards",
                "hearth.services.billing.cards", "hearth.services.messages.cards", "hearth.services.gfe.cards"]
_loaded = False


def register(scope: str | None) -> Callable[[CardMaker], CardMaker]:
    """Decorator: `maker` adds cards for a person whose access covers `scope` (None: any access)."""

    def add(maker: CardMaker) -> CardMaker:
        _MAKERS.append((scope, maker))
        return maker

    return add


def _load() -> None:
    global _loaded
    if not _loaded:
        for name in CARD_MODULES:
            importlib.import_module(name)
        _loaded = True


def cards_for(user: User, person: Person, now: datetime) -> list[Card]:
    """Every registered maker's cards for `person` (only those her access covers), most urgent first."""
    _load()
    cards: list[Card] = []
    for scope, maker in _MAKERS:
        if person.may(scope):
            cards += maker(user, person, now)
    return sorted(cards, key=lambda c: (c.priority, c.at or now))
